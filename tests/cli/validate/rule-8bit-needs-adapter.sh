. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
load_in_8bit: true
EOF
ft-validate cfg.yml
