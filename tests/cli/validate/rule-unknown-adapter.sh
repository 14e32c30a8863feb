. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
adapter: ia3
EOF
ft-validate cfg.yml
