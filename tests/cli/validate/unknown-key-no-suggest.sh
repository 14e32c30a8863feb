. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
frobnicate: 1
EOF
ft-validate cfg.yml
