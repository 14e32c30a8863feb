. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
optimizer: flash_adamw
deepspeed: ds.json
EOF
ft-validate cfg.yml
