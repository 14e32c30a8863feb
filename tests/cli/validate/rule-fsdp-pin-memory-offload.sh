. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
fsdp_version: 2
fsdp_config:
  cpu_offload_pin_memory: false
EOF
ft-validate cfg.yml
