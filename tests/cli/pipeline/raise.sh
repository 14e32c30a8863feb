# excess_length_strategy: raise stops at the first record longer than sequence_len.
cat >d.jsonl <<'EOF'
{"input_ids": [1, 2, 3], "labels": [1, 2, 3]}
{"input_ids": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "labels": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}
EOF
cat >cfg.yml <<EOF
base_model: $ROOT/examples/tiny-llama
datasets:
  - path: d.jsonl
sequence_len: 8
excess_length_strategy: raise
shuffle_merged_datasets: false
micro_batch_size: 1
gradient_accumulation_steps: 1
learning_rate: 1e-4
EOF
ft-tokenize -c cfg.yml -o t.ftt
