. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
fp8_enable_fsdp_float8_all_gather: true
EOF
ft-validate cfg.yml
