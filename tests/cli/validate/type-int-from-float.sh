. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
sequence_len: 2048.0
EOF
ft-validate cfg.yml '--print' >resolved.json || exit $?
tr ',' '\n' <resolved.json | grep -E '^\[?\{?"(sequence_len)"'
