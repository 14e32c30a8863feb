. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
sample_packing: false
EOF
ft-validate cfg.yml '--print' '--sample_packing' 'yes' >resolved.json || exit $?
tr ',' '\n' <resolved.json | grep -E '^\[?\{?"(sample_packing)"'
