. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
chunked_cross_entropy: true
cut_cross_entropy: true
EOF
ft-validate cfg.yml
