. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
save_steps: 100
saves_per_epoch: 2
EOF
ft-validate cfg.yml
