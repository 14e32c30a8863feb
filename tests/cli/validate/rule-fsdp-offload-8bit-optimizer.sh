. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
optimizer: adamw_bnb_8bit
fsdp_config:
  offload_params: true
EOF
ft-validate cfg.yml
