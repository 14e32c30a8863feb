#!/usr/bin/env python3
"""make_corpus.py: the benchmark corpus, ~4 KB chunks of code, English prose and multilingual
text, written as JSONL ({"text": ...}) so the C and Python sides read identical strings.

Sources are local and fixed so the corpus is reproducible on a Debian 12 box: the Python 3.11
standard library (code), /usr/share/common-licenses (English), and the strings of the shared
tokenizer fixtures (multilingual, emoji, whitespace edge cases), shuffled with a fixed seed.
usage: make_corpus.py FIXTURES OUT.jsonl [MB]"""
import glob, json, os, random, sys

fx, out = sys.argv[1], sys.argv[2]
target = int(float(sys.argv[3] if len(sys.argv) > 3 else 8) * 1e6)
rng = random.Random(1234)

def chunks(text, size=4096):
    i = 0
    while i < len(text):
        j = text.rfind("\n", i, i + size)
        j = i + size if j <= i else j + 1
        yield text[i:j]
        i = j

parts = []
code = sorted(glob.glob("/usr/lib/python3.11/*.py"))
n = 0
for p in code:
    t = open(p, encoding="utf-8", errors="replace").read()
    parts.append(("code", t))
    n += len(t.encode())
    if n > target * 0.45:
        break
prose = ""
for p in sorted(glob.glob("/usr/share/common-licenses/*")):
    if os.path.isfile(p):
        prose += open(p, encoding="utf-8", errors="replace").read()
while len(prose.encode()) < target * 0.3:
    prose += prose
parts.append(("prose", prose[: int(target * 0.3)]))
multi = []
for p in glob.glob(os.path.join(fx, "tokenizers/golden/tok_*.jsonl")):
    for line in open(p, encoding="utf-8"):
        multi.append(json.loads(line)["text"])
cases = json.load(open(os.path.join(fx, "tokenizer-tests/hf-oracle/cases.json"), encoding="utf-8"))
for c in (cases if isinstance(cases, list) else cases.get("cases", [])):
    multi.append(c if isinstance(c, str) else c.get("text", ""))
buf, size = [], 0
while size < target * 0.25:
    s = rng.choice(multi)
    buf.append(s)
    size += len(s.encode()) + 1
parts.append(("multi", "\n".join(buf)))
count = total = 0
with open(out, "w", encoding="utf-8") as f:
    for kind, t in parts:
        for c in chunks(t):
            f.write(json.dumps({"text": c}, ensure_ascii=False) + "\n")
            count += 1
            total += len(c.encode())
print(f"{count} chunks, {total / 1e6:.2f} MB", file=sys.stderr)
