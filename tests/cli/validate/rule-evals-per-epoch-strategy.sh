. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
val_set_size: 0.1
evals_per_epoch: 2
eval_strategy: epoch
EOF
ft-validate cfg.yml
