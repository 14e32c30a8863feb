#!/usr/bin/env python3
"""Writes tests/fixtures/json/python.jsonl: values and the text Python's json.dumps makes of
them in the layouts the Hugging Face libraries use, so test_json_python checks ft's writer
(common/json.c) against Python itself, not against our memory of it. Plain python3 suffices.

One case per line: {"name", "style", "value", "want"}. The style names json.dumps' arguments:
  hf       json.dumps(v, indent=2, sort_keys=True) + "\\n"   (transformers: config.json,
           model.safetensors.index.json, TrainerState.save_to_json -> trainer_state.json)
  peft     json.dumps(v, indent=2, sort_keys=True)            (PEFT: adapter_config.json)
  compact  json.dumps(v, sort_keys=True)                      (the default separators)
  indent0  json.dumps(v, indent=0, sort_keys=True)
JSON text cannot say what the value needs to, so "value" spells two things out: a Python
float is {"$float": repr(x)} (1.0 stays a float, nan and inf can be written), and a str
decoded from bytes that are not UTF-8 is {"$bytes": hex} (decoded with errors="replace")."""
import json, math, os, random, struct

STYLES = {
    "hf": lambda v: json.dumps(v, indent=2, sort_keys=True) + "\n",
    "peft": lambda v: json.dumps(v, indent=2, sort_keys=True),
    "compact": lambda v: json.dumps(v, sort_keys=True),
    "indent0": lambda v: json.dumps(v, indent=0, sort_keys=True),
}


class F(float):
    """A float that must be spelled out in the fixture."""


class B:
    def __init__(self, raw):
        self.raw = raw


def spell(v):
    """The fixture's spelling of v."""
    if isinstance(v, B):
        return {"$bytes": v.raw.hex()}
    if isinstance(v, float):
        return {"$float": repr(float(v))}
    if isinstance(v, dict):
        return {k: spell(x) for k, x in v.items()}
    if isinstance(v, list):
        return [spell(x) for x in v]
    return v


def plain(v):
    """The Python value json.dumps sees."""
    if isinstance(v, B):
        return v.raw.decode("utf-8", errors="replace")
    if isinstance(v, float):
        return float(v)
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def floats():
    """repr over the awkward places: powers of two (lopsided rounding intervals), both ends of
    the exponent switch (1e-05 / 0.0001, 1e+16 / 1e15), subnormals, and random bit patterns."""
    out = [1e-05, 0.0001, 1e-4 * 0.99, 1e16, 1e15, 9999999999999998.0, 1.0, 0.1, 1 / 3, 2.0 ** 53,
           5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 123456789.0, 1.5e300, 1e22, 0.05,
           -0.0, 0.0, -2.5, 2e-4, 3e-05, 1e21, 100.0]
    for e in range(-1074, 1024, 7):
        d = math.ldexp(1.0, e)
        out += [d, math.nextafter(d, 0.0), math.nextafter(d, math.inf)]
    r = random.Random(20240601)
    while len(out) < 1500:
        d = struct.unpack("<d", struct.pack("<Q", r.getrandbits(64)))[0]
        if math.isfinite(d):
            out.append(d)
    return out


CASES = [
    ("bmp", "hf", {"s": "caf\u00e9 \u4e2d\u6587 \u00a0\u2028\u0800\u07ff\u0080\ue000\ufffd\uffff"}),
    ("non-bmp", "hf", {"s": "\U0001f600 \U0001d11e \U00010000 \U0010ffff"}),
    ("control", "hf", {"s": "\x01\x07\x1f\b\f\n\r\t\"\\/\x7f ~"}),
    ("keys", "hf", {"z": 1, "a": 2, "\u00e9": 3, "\u4e2d": 4, "\U0001f600": 5, "A": 6, "": 7, "a\n": 8}),
    ("stray-bytes", "hf", {"s": B(b"a\x80b\xffc\xc3")}),
    ("ints", "hf", [0, -1, 7, 10 ** 15, 2 ** 53, -(2 ** 53), 123456789012]),
    ("floats", "hf", [F(x) for x in [1e-05, 0.0001, 1.0, 0.0, -0.0, 0.1, 1 / 3, 1e16, 1e15, 1.5e300, 5e-324,
                                    0.05, 100.0, 2.0 ** 53, 1e22]]),
    ("non-finite", "hf", {"nan": F(math.nan), "inf": F(math.inf), "-inf": F(-math.inf)}),
    ("nesting", "hf", {"b": [{"y": [], "x": {}}, [[1, [F(2.0), None]], True, False], "t"], "a": {"c": {"d": {"e": [F(0.5)]}}}}),
    ("empty-object", "hf", {}),
    ("empty-array", "hf", []),
    ("scalar", "hf", "\u00e9"),
    ("trainer-state", "hf", {
        "best_metric": None, "epoch": F(1.0), "global_step": 6, "log_history": [
            {"epoch": F(0.25), "grad_norm": F(1.2345678901234567), "learning_rate": F(1e-05), "loss": F(2.0), "step": 1},
            {"epoch": F(1.0), "eval_loss": F(3.25), "eval_tokens": 128, "step": 6}],
        "max_steps": 6, "stateful_callbacks": {"TrainerControl": {"args": {"should_save": True}, "attributes": {}}},
        "total_flos": F(0.0), "trial_name": None}),
    ("adapter-config", "peft", {
        "alpha_pattern": {}, "base_model_name_or_path": "/models/caf\u00e9 \"x\" \U0001f600", "layers_to_transform": [1],
        "lora_alpha": 16, "lora_dropout": F(0.05), "r": 8, "target_modules": ["down_proj", "q_proj", "v_proj"],
        "task_type": "CAUSAL_LM", "use_dora": False}),
    ("adapter-regex", "peft", {"target_modules": "model\\.language_model\\.layers\\.\\d+\\.(self_attn|mlp)\\.(q_proj|v_proj)",
                               "lora_dropout": F(0.0)}),
    ("index", "hf", {"metadata": {"total_size": 5368709120}, "weight_map": {
        "model.layers.1.mlp.up_proj.weight": "model-00002-of-00002.safetensors",
        "lm_head.weight": "model-00002-of-00002.safetensors",
        "model.embed_tokens.weight": "model-00001-of-00002.safetensors"}}),
    ("compact", "compact", {"b": [1, F(2.0), "\u00e9"], "a": {"x": None}}),
    ("indent0", "indent0", {"b": [1, F(2.5)], "a": {}}),
    ("repr", "compact", [F(x) for x in floats()]),
]


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "json", "python.jsonl")
    with open(path, "w", encoding="ascii") as f:
        for name, style, value in CASES:
            f.write(json.dumps({"name": name, "style": style, "value": spell(value),
                                "want": STYLES[style](plain(value))}) + "\n")


if __name__ == "__main__":
    main()
