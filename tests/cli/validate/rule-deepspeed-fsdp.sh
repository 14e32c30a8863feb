. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
deepspeed: ds.json
fsdp_config:
  fsdp_version: 2
EOF
ft-validate cfg.yml
