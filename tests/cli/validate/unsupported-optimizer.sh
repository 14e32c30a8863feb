. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
optimizer: adafactor
EOF
ft-validate cfg.yml
