. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
dataset_exact_deduplication: true
streaming: true
max_steps: 10
EOF
ft-validate cfg.yml
