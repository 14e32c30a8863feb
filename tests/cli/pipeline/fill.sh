# Long-tailed lengths fill >= 99% of 2048-token rows with the default packing.
set -e
python3 - <<'PY'
import json, random
rng = random.Random(7)
with open("long.jsonl", "w") as f:
    for _ in range(20000):
        n = max(2, min(2048, int(rng.lognormvariate(5.5, 1.0))))
        ids = [rng.randrange(4, 250) for _ in range(n)]
        f.write(json.dumps({"input_ids": ids, "labels": ids}) + "\n")
PY
cat >cfg.yml <<EOF
base_model: $ROOT/examples/tiny-llama
datasets:
  - path: long.jsonl
sequence_len: 2048
sample_packing: true
micro_batch_size: 1
gradient_accumulation_steps: 1
learning_rate: 1e-4
EOF
ft-tokenize -q -c cfg.yml | ft-pack -c cfg.yml > p.ftp 2> report.txt
ft-cat --stats p.ftp > stats.txt
cat report.txt stats.txt
fill=$(sed -n 's/^fill: \([0-9.]*\)%.*/\1/p' stats.txt)
awk -v f="$fill" 'BEGIN { exit !(f >= 99.0) }'
grep -q '^samples: 20000$' stats.txt
