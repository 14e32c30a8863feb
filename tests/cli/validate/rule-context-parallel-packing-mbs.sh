. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
context_parallel_size: 2
attn_implementation: flash_attention_2
sample_packing: true
EOF
ft-validate cfg.yml
