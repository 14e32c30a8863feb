. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
scaling_softmax: true
EOF
ft-validate cfg.yml
