. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
rl: ebft
ebft:
  mode: strided
torch_compile: true
gradient_checkpointing: true
EOF
ft-validate cfg.yml
