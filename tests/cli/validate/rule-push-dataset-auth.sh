. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
push_dataset_to_hub: me/data
EOF
ft-validate cfg.yml
