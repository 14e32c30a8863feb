. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
save_safetensors: false
EOF
ft-validate cfg.yml
