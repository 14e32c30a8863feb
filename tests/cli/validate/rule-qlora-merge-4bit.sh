. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
adapter: qlora
merge_lora: true
load_in_4bit: true
lora_r: 8
lora_target_linear: true
EOF
ft-validate cfg.yml
