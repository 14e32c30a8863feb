#!/bin/sh
# Times ft-pack on one core over a million pre-tokenized records with log-normal lengths
# (mean ~50 tokens) into 2048-token rows, reading and writing real files. Usage, from the
# repository root after `make`: sh bench/pack.sh
set -eu
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
python3 - <<'PY'
import json, random
r = random.Random(1)
with open("m.jsonl", "w") as f:
    for _ in range(1000000):
        n = max(2, min(2048, int(r.lognormvariate(3.5, 1.0))))
        f.write(json.dumps({"input_ids": [5] * n, "labels": [5] * n}, separators=(",", ":")) + "\n")
PY
printf 'base_model: %s/examples/tiny-llama\ndatasets:\n  - path: m.jsonl\nsequence_len: 2048\nsample_packing: true\nmicro_batch_size: 1\ngradient_accumulation_steps: 1\nlearning_rate: 1e-4\n' "$root" > cfg.yml
"$root/bin/ft-tokenize" -q -c cfg.yml -o m.ftt
for a in auto ffd first-fit sequential; do
	s=$(date +%s.%N)
	OMP_NUM_THREADS=1 "$root/bin/ft-pack" -c cfg.yml -a $a m.ftt -o m.ftp 2> report.txt
	e=$(date +%s.%N)
	echo "$a: $(echo "$e - $s" | bc) s; $(cat report.txt)"
done
