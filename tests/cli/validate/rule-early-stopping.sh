. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
early_stopping_patience: 3
EOF
ft-validate cfg.yml
