. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
rl: grpo
trl:
  num_generations: 4
EOF
ft-validate cfg.yml
