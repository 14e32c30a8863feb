. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
lora_qkv_kernel: true
trust_remote_code: true
EOF
ft-validate cfg.yml
