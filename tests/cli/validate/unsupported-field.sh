. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
relora_cpu_offload: true
EOF
ft-validate cfg.yml
