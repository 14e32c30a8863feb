. "$ROOT/tests/lib/cfg.sh"
base | grep -v '^learning_rate:' >cfg.yml
cat >>cfg.yml <<'EOF'
learning_rate: fast
EOF
ft-validate cfg.yml
