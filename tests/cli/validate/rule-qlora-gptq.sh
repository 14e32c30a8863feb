. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
adapter: qlora
lora_r: 8
lora_target_linear: true
load_in_4bit: true
gptq: true
EOF
ft-validate cfg.yml
