. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
chat_template: jinja
EOF
ft-validate cfg.yml
