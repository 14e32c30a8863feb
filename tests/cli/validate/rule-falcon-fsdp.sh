. "$ROOT/tests/lib/cfg.sh"
mkdir -p falcon-7b
base | grep -v '^base_model:' >cfg.yml
cat >>cfg.yml <<'EOF'
base_model: ./falcon-7b
fsdp: [full_shard]
EOF
ft-validate cfg.yml
