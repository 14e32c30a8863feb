. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
hub_model_id: me/model
save_strategy: "no"
EOF
ft-validate cfg.yml
