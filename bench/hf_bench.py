#!/usr/bin/env python3
"""hf_bench.py: the same measurement with Hugging Face tokenizers (pip install tokenizers):
encode_batch over the corpus, best of R runs, with the thread count fixed by RAYON_NUM_THREADS
(set by the caller before Python starts). Writes ids per chunk for the comparison.
usage: RAYON_NUM_THREADS=N hf_bench.py MODEL_DIR CORPUS.jsonl IDS_OUT RUNS"""
import json, os, subprocess, sys, time
from tokenizers import Tokenizer

model, corpus, out, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
p = os.path.join(model, "tokenizer.json")
if os.path.exists(p):
    js = open(p, encoding="utf-8").read()
else:
    js = subprocess.run(["zstd", "-dc", p + ".zst"], check=True, capture_output=True).stdout.decode()
t0 = time.perf_counter()
tok = Tokenizer.from_str(js)
load = time.perf_counter() - t0
texts = [json.loads(l)["text"] for l in open(corpus, encoding="utf-8")]
nbytes = sum(len(s.encode()) for s in texts)
best = bestc = 1e30
for _ in range(runs):
    a, c = time.perf_counter(), time.process_time()
    enc = tok.encode_batch(texts, add_special_tokens=False)
    best = min(best, time.perf_counter() - a)
    bestc = min(bestc, time.process_time() - c)
with open(out, "w") as f:
    for e in enc:
        f.write(json.dumps(e.ids, separators=(",", ":")) + "\n")
print(json.dumps({"load_s": round(load, 3), "bytes": nbytes, "mbps": round(nbytes / best / 1e6, 2),
                  "mbps_cpu": round(nbytes / bestc / 1e6, 2),
                  "threads": os.environ.get("RAYON_NUM_THREADS", "?")}))
