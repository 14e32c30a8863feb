. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
dpo_norm_loss: true
EOF
ft-validate cfg.yml
