. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
gemma4_hybrid_attn_impl: true
attn_implementation: sdpa
EOF
ft-validate cfg.yml
