. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
strict: true
num_epochs: 1
EOF
ft-validate cfg.yml '--print' '--num_epochs' '3' >resolved.json || exit $?
tr ',' '\n' <resolved.json | grep -E '^\[?\{?"(num_epochs)"'
