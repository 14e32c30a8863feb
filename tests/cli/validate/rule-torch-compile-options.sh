. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
torch_compile_options:
  shape_padding: true
EOF
ft-validate cfg.yml
