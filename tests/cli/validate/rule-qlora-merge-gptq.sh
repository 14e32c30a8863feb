. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
adapter: qlora
lora_r: 8
lora_target_linear: true
merge_lora: true
gptq: true
EOF
ft-validate cfg.yml
