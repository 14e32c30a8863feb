. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
special_tokens: [a]
EOF
ft-validate cfg.yml
