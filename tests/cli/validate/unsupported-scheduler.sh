. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
lr_scheduler: polynomial
EOF
ft-validate cfg.yml
