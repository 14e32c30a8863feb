# A line that is not JSON stops ft-tokenize with the file and line, and no output is left.
printf '{"input_ids": [1, 2], "labels": [1, 2]}\n\n{"input_ids": [1, 2], "labels": [1, 2]\n' > bad.jsonl
cat >cfg.yml <<EOF
base_model: $ROOT/examples/tiny-llama
datasets:
  - path: bad.jsonl
micro_batch_size: 1
gradient_accumulation_steps: 1
learning_rate: 1e-4
EOF
ft-tokenize -c cfg.yml -o out.ftt
rc=$?
if ls -A | grep -q ftt; then echo "output left behind" >&2; exit 9; fi
exit $rc
