. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
selective_checkpointing: true
EOF
ft-validate cfg.yml
