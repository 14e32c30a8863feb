# A dataset without type: must be pre-tokenized; a record without input_ids says so.
printf '{"text": "hello"}\n' > d.jsonl
cat >cfg.yml <<EOF
base_model: $ROOT/examples/tiny-llama
datasets:
  - path: d.jsonl
micro_batch_size: 1
gradient_accumulation_steps: 1
learning_rate: 1e-4
EOF
ft-tokenize -c cfg.yml > /dev/null
