. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
activation_offloading: true
EOF
ft-validate cfg.yml
