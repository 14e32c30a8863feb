. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
fp32_norms: true
EOF
ft-validate cfg.yml
