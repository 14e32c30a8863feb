. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
neftune_noise_alpha: 0
EOF
ft-validate cfg.yml
