. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
sample_packing: maybe
EOF
ft-validate cfg.yml
