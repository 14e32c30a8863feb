. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
rl: kto
remove_unused_columns: false
eval_sample_packing: true
EOF
ft-validate cfg.yml
