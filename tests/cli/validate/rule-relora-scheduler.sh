. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
adapter: lora
lora_r: 8
lora_target_linear: true
relora: true
jagged_restart_steps: 100
lr_scheduler: one_cycle
EOF
ft-validate cfg.yml
