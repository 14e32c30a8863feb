. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
dpo_loss_type: [ipo]
EOF
ft-validate cfg.yml
