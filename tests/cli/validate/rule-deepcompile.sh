. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
deepcompile: true
EOF
ft-validate cfg.yml
