. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
save_strategy: best
EOF
ft-validate cfg.yml
