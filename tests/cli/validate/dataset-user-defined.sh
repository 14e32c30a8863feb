# A type given as a mapping is a user-defined prompt format; its keys are checked too.
. "$ROOT/tests/lib/cfg.sh"
cat >cfg.yml <<'YAML'
base_model: ./model
datasets:
  - path: data.jsonl
    type:
      field_instruction: q
      field_output: a
      format: "[INST] {instruction} [/INST]"
      no_input_fromat: "{instruction}"
micro_batch_size: 2
gradient_accumulation_steps: 1
learning_rate: 0.0002
YAML
ft-validate --print cfg.yml >resolved.json || exit $?
tr ',' '\n' <resolved.json | grep -E '"(field_instruction|field_output|format)"'
