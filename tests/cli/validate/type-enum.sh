. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
lr_scheduler: cosinus
EOF
ft-validate cfg.yml
