. "$ROOT/tests/lib/cfg.sh"
cat >cfg.yml <<'EOF'
base_model: ./model
datasets:
  - path: data.jsonl
    type: alpaca
micro_batch_size: 2
gradient_accumulation_steps: 1
learning_rate: 2e-4
EOF
ft-validate cfg.yml '--print' >resolved.json || exit $?
tr ',' '\n' <resolved.json | grep -E '^\[?\{?"(learning_rate)"'
