. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
flash_optimum: true
bf16: true
EOF
ft-validate cfg.yml
