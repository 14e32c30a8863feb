. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
adapter: lora
lora_r: 8
EOF
ft-validate cfg.yml
