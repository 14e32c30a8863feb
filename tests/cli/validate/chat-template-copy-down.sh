. "$ROOT/tests/lib/cfg.sh"
cat >cfg.yml <<'EOF'
base_model: ./model
chat_template: chatml
datasets:
  - path: data.jsonl
    type: chat_template
  - path: data.jsonl
    type: chat_template
    chat_template: llama3
micro_batch_size: 2
gradient_accumulation_steps: 1
learning_rate: 0.0002
EOF
ft-validate cfg.yml '--print' >resolved.json || exit $?
tr ',' '\n' <resolved.json | grep -E '^\[?\{?"(datasets|path|type|chat_template)"'
