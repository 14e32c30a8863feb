. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
torch_compile: true
torch_compile_options:
  bogus: true
EOF
ft-validate cfg.yml
