. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
optimizer: sgd
adam_beta2: 0.95
EOF
ft-validate cfg.yml
