. "$ROOT/tests/lib/cfg.sh"
mkdir -p mpt-7b
base | grep -v '^base_model:' >cfg.yml
cat >>cfg.yml <<'EOF'
base_model: ./mpt-7b
gradient_checkpointing: true
EOF
ft-validate cfg.yml
