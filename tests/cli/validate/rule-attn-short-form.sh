. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
attn_implementation: flash
EOF
ft-validate cfg.yml
