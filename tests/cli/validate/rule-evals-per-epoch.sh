. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
val_set_size: 0.1
eval_steps: 10
evals_per_epoch: 2
EOF
ft-validate cfg.yml
