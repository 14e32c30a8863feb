. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
rl: gdpo
trl:
  multi_objective_aggregation: sum_then_normalize
EOF
ft-validate cfg.yml
