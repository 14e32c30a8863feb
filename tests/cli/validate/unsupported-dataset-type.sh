. "$ROOT/tests/lib/cfg.sh"
cat >cfg.yml <<'EOF'
base_model: ./model
datasets:
  - path: data.jsonl
    type: reflection
micro_batch_size: 2
gradient_accumulation_steps: 1
learning_rate: 0.0002
EOF
ft-validate cfg.yml
