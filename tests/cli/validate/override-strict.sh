. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
strict: true
EOF
ft-validate cfg.yml '--num_epochs' '3'
