. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
fsdp_config:
  fsdp_version: 2
  auto_wrap_policy: SIZE_BASED_WRAP
EOF
ft-validate cfg.yml
