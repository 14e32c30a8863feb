. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
qat:
  weight_dtype: int8
adapter: lora
lora_r: 8
lora_target_linear: true
EOF
ft-validate cfg.yml
