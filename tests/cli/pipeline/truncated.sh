# A truncated, foreign or wrong-kind file is refused with exit 3 and what to do.
set -e
printf '{"input_ids": [1, 2, 3], "labels": [1, 2, 3]}\n' > d.jsonl
cat >cfg.yml <<EOF
base_model: $ROOT/examples/tiny-llama
datasets:
  - path: d.jsonl
micro_batch_size: 1
gradient_accumulation_steps: 1
learning_rate: 1e-4
EOF
ft-tokenize -q -c cfg.yml -o t.ftt
head -c $(( $(wc -c < t.ftt) - 5 )) t.ftt > cut.ftt
set +e
ft-cat cut.ftt > /dev/null; echo "cut: $?"
ft-cat d.jsonl > /dev/null; echo "foreign: $?"
ft-pack -q -c cfg.yml t.ftt | ft-pack -c cfg.yml > /dev/null; echo "ftp into ft-pack: $?"
ft-cat missing.ftt; echo "missing: $?"
