. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
rpo_alpha: 0.5
EOF
ft-validate cfg.yml
