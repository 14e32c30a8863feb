. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
output_dir: [a, b]
EOF
ft-validate cfg.yml
