. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
adapter: lora
lora_r: 8
lora_target_linear: true
model_quantization_config: Mxfp4Config
load_in_8bit: true
EOF
ft-validate cfg.yml
