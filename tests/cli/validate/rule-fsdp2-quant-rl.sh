. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
rl: dpo
fsdp_version: 2
fsdp_config:
  offload_params: false
adapter: qlora
lora_r: 8
lora_target_linear: true
load_in_4bit: true
EOF
ft-validate cfg.yml
