. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
unfrozen_parameters: ["^lm_head"]
gradient_checkpointing_kwargs:
  use_reentrant: true
EOF
ft-validate cfg.yml
