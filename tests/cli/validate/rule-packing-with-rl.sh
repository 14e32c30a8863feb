. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
rl: dpo
sample_packing: true
EOF
ft-validate cfg.yml
