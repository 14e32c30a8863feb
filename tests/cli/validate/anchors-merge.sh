. "$ROOT/tests/lib/cfg.sh"
cat >cfg.yml <<'EOF'
base_model: ./model
_ds: &ds
  path: data.jsonl
  type: alpaca
datasets:
  - <<: *ds
    split: train
micro_batch_size: 2
gradient_accumulation_steps: 1
learning_rate: 0.0002
EOF
ft-validate cfg.yml '--print' >resolved.json || exit $?
tr ',' '\n' <resolved.json | grep -E '^\[?\{?"(datasets|path|type|split)"'
