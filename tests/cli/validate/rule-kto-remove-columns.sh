. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
rl: kto
EOF
ft-validate cfg.yml
