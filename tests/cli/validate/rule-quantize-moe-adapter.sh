. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
quantize_moe_experts: true
EOF
ft-validate cfg.yml
