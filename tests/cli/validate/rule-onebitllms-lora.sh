. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
adapter: lora
lora_r: 8
lora_target_linear: true
use_onebitllms: true
EOF
ft-validate cfg.yml
