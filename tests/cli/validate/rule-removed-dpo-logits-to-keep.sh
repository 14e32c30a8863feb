. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
dpo_use_logits_to_keep: true
EOF
ft-validate cfg.yml
