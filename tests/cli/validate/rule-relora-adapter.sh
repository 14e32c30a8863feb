. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
relora: true
jagged_restart_steps: 100
EOF
ft-validate cfg.yml
