. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
gptq: true
model_revision: v2
EOF
ft-validate cfg.yml
