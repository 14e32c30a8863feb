. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
eval_batch_size: 8
EOF
ft-validate cfg.yml
