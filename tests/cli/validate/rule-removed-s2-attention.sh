. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
s2_attention: true
EOF
ft-validate cfg.yml
