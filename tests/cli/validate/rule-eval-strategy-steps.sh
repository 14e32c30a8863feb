. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
val_set_size: 0.1
eval_steps: 10
eval_strategy: epoch
EOF
ft-validate cfg.yml
