. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
adapter: lora
lora_r: 8
lora_target_linear: true
peft_layers_to_transform: [0, 1]
unfrozen_parameters: ["^lm_head"]
EOF
ft-validate cfg.yml
