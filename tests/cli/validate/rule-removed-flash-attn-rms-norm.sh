. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
flash_attn_rms_norm: true
EOF
ft-validate cfg.yml
