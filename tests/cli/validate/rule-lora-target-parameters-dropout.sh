. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
adapter: lora
lora_r: 8
lora_target_parameters: [experts.gate_up_proj]
lora_dropout: 0.1
EOF
ft-validate cfg.yml
