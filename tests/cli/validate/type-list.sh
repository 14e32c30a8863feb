. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
lora_modules_to_save: 5
EOF
ft-validate cfg.yml
