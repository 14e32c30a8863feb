. "$ROOT/tests/lib/cfg.sh"
mkdir -p nemotron-h-8b
base | grep -v '^base_model:' >cfg.yml
cat >>cfg.yml <<'EOF'
base_model: ./nemotron-h-8b
gradient_checkpointing: true
EOF
ft-validate cfg.yml
