. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
max_memory:
  0: 20GB
gpu_memory_limit: 20GiB
EOF
ft-validate cfg.yml
