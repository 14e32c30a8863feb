. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
gradient_checkpointing: true
selective_checkpointing: true
activation_offloading: disk
EOF
ft-validate cfg.yml
