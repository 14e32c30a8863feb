. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
adapter: lora
lora_target_linear: true
EOF
ft-validate cfg.yml
