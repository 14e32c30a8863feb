. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
dpo_generate_during_eval: true
EOF
ft-validate cfg.yml
