. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
lerning_rate: 0.1
EOF
ft-validate cfg.yml
