. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
load_in_8bit: false
fp16: false
rl:
context_parallel_size: 1
EOF
ft-validate cfg.yml
