. "$ROOT/tests/lib/cfg.sh"
cat >cfg.yml <<'EOF'
base_model: ./model
pretraining_dataset:
  - path: data.jsonl
streaming: true
max_steps: 10
include_tokens_per_second: true
micro_batch_size: 2
gradient_accumulation_steps: 1
learning_rate: 0.0002
EOF
ft-validate cfg.yml
