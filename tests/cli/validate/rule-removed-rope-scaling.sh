. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
rope_scaling:
  type: linear
  factor: 2
EOF
ft-validate cfg.yml
