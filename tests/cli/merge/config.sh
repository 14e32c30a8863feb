# -c CONFIG as Axolotl's merge-lora: base_model + the adapter ft-train left in output_dir,
# merged into output_dir/merged with config.json and generation_config.json copied; the merge
# of PEFT's own fixture adapter equals merge_and_unload's tensors (checked in
# tests/unit/test_eval_merge.c), here the plumbing.
[ -d "$FIXTURES/hf/llama" ] || { echo "no hf fixtures (FT_FIXTURES)" >&2; exit 77; }
set -e
mkdir -p out
cp "$FIXTURES/hf/llama/adapter/adapter_config.json" "$FIXTURES/hf/llama/adapter/adapter_model.safetensors" out/
cat >cfg.yml <<EOF
base_model: $FIXTURES/hf/llama
datasets:
  - path: unused.jsonl
micro_batch_size: 1
gradient_accumulation_steps: 1
learning_rate: 1e-3
adapter: lora
lora_r: 4
lora_target_linear: true
output_dir: out
EOF
ft-merge -q -c cfg.yml
cmp out/merged/config.json "$FIXTURES/hf/llama/merged/config.json"
cmp out/merged/generation_config.json "$FIXTURES/hf/llama/merged/generation_config.json"
test -f out/merged/model.safetensors
test -z "$(ls -A out | grep tmp || true)"
