. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
streaming: true
EOF
ft-validate cfg.yml
