. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
optimizer: muon
fsdp_config:
  offload_params: false
EOF
ft-validate cfg.yml
