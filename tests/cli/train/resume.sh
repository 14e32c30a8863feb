# Resuming is bit-exact: a LoRA run (with dropout, shuffled rows, accumulation) of 6 steps
# straight, and the same run stopped after step 3 then resumed (auto_resume_from_checkpoints),
# or resumed from a copy of its checkpoint-4 (resume_from_checkpoint), give byte-identical
# adapters and the same metrics.jsonl and trainer_state.json but for the timings
# (tokens_per_second, train_runtime). save_total_limit keeps the newest two checkpoints.
set -e
head -n 40 "$ROOT/examples/pretokenized/train.jsonl" > d.jsonl
cat >cfg.yml <<EOF
base_model: $ROOT/examples/tiny-llama
reinit_weights: true
datasets:
  - path: d.jsonl
sequence_len: 256
sample_packing: true
adapter: lora
lora_r: 4
lora_alpha: 8
lora_dropout: 0.1
lora_target_linear: true
micro_batch_size: 1
gradient_accumulation_steps: 2
max_steps: 6
learning_rate: 1e-3
weight_decay: 0.01
warmup_steps: 2
logging_steps: 1
save_steps: 2
save_total_limit: 2
seed: 7
output_dir: a
EOF
ft-tokenize -q -c cfg.yml -o t.ftt
ft-pack -q -c cfg.yml t.ftt -o t.ftp
ft-train -q -c cfg.yml --data t.ftp
test "$(ls a | grep checkpoint | tr '\n' ' ')" = "checkpoint-4 checkpoint-6 "
ft-train -q -c cfg.yml --data t.ftp --output_dir b --stop-after 3
test ! -e b/adapter_model.safetensors
test "$(ls b | grep checkpoint | tr '\n' ' ')" = "checkpoint-2 checkpoint-3 "
ft-train -q -c cfg.yml --data t.ftp --output_dir b --auto_resume_from_checkpoints true
mkdir c && cp -r a/checkpoint-4 c/
ft-train -q -c cfg.yml --data t.ftp --output_dir c --resume_from_checkpoint c/checkpoint-4
strip() { sed 's/,"tokens_per_second":[^,}]*//; s/,"train_runtime":[^,}]*//' "$1"; }
stripstate() { grep -v -e '"tokens_per_second"' -e '"train_runtime"' "$1" | sed 's/,$//'; }
for o in b c; do
	cmp a/adapter_model.safetensors $o/adapter_model.safetensors
	cmp a/adapter_config.json $o/adapter_config.json
	strip a/metrics.jsonl >ma; strip $o/metrics.jsonl >mo; cmp ma mo
	stripstate a/trainer_state.json >sa; stripstate $o/trainer_state.json >so; cmp sa so
done
test "$(grep -c '"loss"' a/metrics.jsonl)" = 6
# no temporary folder left anywhere
test -z "$(ls -A a b c | grep tmp || true)"
