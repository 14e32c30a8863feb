. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
val_set_size: 0
eval_steps: 10
EOF
ft-validate cfg.yml
