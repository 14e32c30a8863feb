# A label that is neither -100 nor its token is refused with file, line and position.
printf '{"input_ids": [1, 2], "labels": [1, 2]}\n{"input_ids": [1, 2, 3], "labels": [-100, 5, 3]}\n' > d.jsonl
cat >cfg.yml <<EOF
base_model: $ROOT/examples/tiny-llama
datasets:
  - path: d.jsonl
micro_batch_size: 1
gradient_accumulation_steps: 1
learning_rate: 1e-4
EOF
ft-tokenize -c cfg.yml > /dev/null
