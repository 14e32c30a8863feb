. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
optimizer: adamw_torc
EOF
ft-validate cfg.yml
