. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
val_set_size: 0.1
early_stopping_patience: 3
save_steps: 100
eval_steps: 30
EOF
ft-validate cfg.yml
