. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
processor_kwargs:
  revision: main
EOF
ft-validate cfg.yml
