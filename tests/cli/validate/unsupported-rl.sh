. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
rl: dpo
EOF
ft-validate cfg.yml
