. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
rl: dpo
dpo_loss_type: [sigmoid, ipo]
dpo_loss_weights: [1.0]
EOF
ft-validate cfg.yml
