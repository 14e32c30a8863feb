. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
rl: ebft
EOF
ft-validate cfg.yml
