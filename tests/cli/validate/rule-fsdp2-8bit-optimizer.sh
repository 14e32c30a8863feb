. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
optimizer: adamw_8bit
fsdp_version: 2
fsdp_config:
  offload_params: false
EOF
ft-validate cfg.yml
