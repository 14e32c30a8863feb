. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
val_set_size: 0.1
test_datasets:
  - path: data.jsonl
    type: alpaca
EOF
ft-validate cfg.yml
