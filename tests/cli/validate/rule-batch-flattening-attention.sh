. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
batch_flattening: true
EOF
ft-validate cfg.yml
