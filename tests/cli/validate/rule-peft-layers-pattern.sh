. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
peft_layers_pattern: [layers]
EOF
ft-validate cfg.yml
