# Reading safetensors files in the CLI cases with Python's standard library only (CI has
# python3 but not numpy): import it with sys.path.insert(0, ROOT + "/tests/lib").
import json
import struct

_FMT = {"F32": ("f", 4), "I32": ("i", 4), "I64": ("q", 8), "F64": ("d", 8)}


def load(path):
    """{name: (shape, flat list of values)} of every F32/I32/I64/F64 tensor of a file."""
    with open(path, "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    head = json.loads(b[8:8 + n])
    out = {}
    for k, t in head.items():
        if k == "__metadata__":
            continue
        code, size = _FMT[t["dtype"]]
        s, e = t["data_offsets"]
        out[k] = (t["shape"], list(struct.unpack("<%d%s" % ((e - s) // size, code), b[8 + n + s:8 + n + e])))
    return out


def keys(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        head = json.loads(f.read(n))
    return sorted(k for k in head if k != "__metadata__")
