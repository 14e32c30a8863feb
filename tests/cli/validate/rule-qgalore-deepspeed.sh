. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
optimizer: q_galore_adamw8bit
deepspeed: ds.json
EOF
ft-validate cfg.yml
