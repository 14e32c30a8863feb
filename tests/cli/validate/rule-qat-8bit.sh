. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
qat:
  weight_dtype: int8
load_in_8bit: true
EOF
ft-validate cfg.yml
