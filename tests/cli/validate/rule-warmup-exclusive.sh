. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
warmup_steps: 10
warmup_ratio: 0.1
EOF
ft-validate cfg.yml
