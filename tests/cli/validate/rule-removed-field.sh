. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
max_packed_sequence_len: 2048
EOF
ft-validate cfg.yml
