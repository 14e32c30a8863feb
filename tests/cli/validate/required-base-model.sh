. "$ROOT/tests/lib/cfg.sh"
cat >cfg.yml <<'EOF'
datasets:
  - path: data.jsonl
    type: alpaca
micro_batch_size: 2
gradient_accumulation_steps: 1
learning_rate: 0.0002
EOF
ft-validate cfg.yml
