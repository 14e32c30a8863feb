. "$ROOT/tests/lib/cfg.sh"
cat >cfg.yml <<'EOF'
base_model: ./model
datasets:
  - path: data.jsonl
    type: alpaca
learning_rate: 0.0002
EOF
ft-validate cfg.yml
