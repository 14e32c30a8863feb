. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
bf16: auto
tf32: auto
EOF
ft-validate cfg.yml '--print' '--gpu' >resolved.json || exit $?
tr ',' '\n' <resolved.json | grep -E '^\[?\{?"(bf16|tf32|torch_dtype|fp16)"'
