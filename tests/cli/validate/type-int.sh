. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
sequence_len: 2048.5
EOF
ft-validate cfg.yml
