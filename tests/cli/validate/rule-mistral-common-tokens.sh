. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
tokenizer_use_mistral_common: true
tokens: ["<x>"]
EOF
ft-validate cfg.yml
