. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
fp32_norms: true
fsdp_config:
  offload_params: false
EOF
ft-validate cfg.yml
