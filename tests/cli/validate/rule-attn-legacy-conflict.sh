. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
attn_implementation: sdpa
flash_attention: true
EOF
ft-validate cfg.yml
