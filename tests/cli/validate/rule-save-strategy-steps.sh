. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
save_steps: 100
save_strategy: epoch
EOF
ft-validate cfg.yml
