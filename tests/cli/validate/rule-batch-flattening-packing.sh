. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
attn_implementation: flash_attention_2
batch_flattening: true
sample_packing: true
EOF
ft-validate cfg.yml
