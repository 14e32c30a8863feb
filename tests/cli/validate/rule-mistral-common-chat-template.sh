. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
tokenizer_use_mistral_common: true
chat_template: chatml
EOF
ft-validate cfg.yml
