. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
context_parallel_size: 2
EOF
ft-validate cfg.yml
