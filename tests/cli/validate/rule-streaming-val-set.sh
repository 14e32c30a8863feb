. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
streaming: true
max_steps: 10
val_set_size: 0.1
EOF
ft-validate cfg.yml
