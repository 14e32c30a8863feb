. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
model_quantization_config: Mxfp4Config
fsdp_config:
  cpu_ram_efficient_loading: true
EOF
ft-validate cfg.yml
