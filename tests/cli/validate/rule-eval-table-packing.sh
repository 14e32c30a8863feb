. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
sample_packing: true
eval_table_size: 5
EOF
ft-validate cfg.yml
