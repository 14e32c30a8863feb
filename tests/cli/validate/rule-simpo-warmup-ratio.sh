. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
rl: simpo
warmup_ratio: 0.1
EOF
ft-validate cfg.yml
