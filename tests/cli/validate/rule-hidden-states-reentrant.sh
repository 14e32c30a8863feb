. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
gradient_checkpointing: true
activation_offloading: hidden_states
gradient_checkpointing_kwargs:
  use_reentrant: true
unfrozen_parameters: ["^lm_head"]
EOF
ft-validate cfg.yml
