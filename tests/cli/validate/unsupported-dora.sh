. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
adapter: lora
lora_r: 8
lora_target_linear: true
peft_use_dora: true
EOF
ft-validate cfg.yml
