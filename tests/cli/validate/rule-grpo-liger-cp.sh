. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
rl: grpo
context_parallel_size: 2
attn_implementation: flash_attention_2
trl:
  use_liger_loss: true
EOF
ft-validate cfg.yml
