. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
gradient_checkpointing: offload
EOF
ft-validate cfg.yml
