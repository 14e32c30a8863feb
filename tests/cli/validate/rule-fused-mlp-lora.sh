. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
adapter: lora
lora_r: 8
lora_target_linear: true
flash_attn_fuse_mlp: true
EOF
ft-validate cfg.yml
