# Full fine-tuning resumes bit-exactly too: 4 steps straight == 2 steps, stop, resume 2
# (weights, config.json and the metrics but for the timings). The final model is a Hugging
# Face folder (config.json copied from the base, float32 weights as the base's).
set -e
. "$ROOT/tests/cli/train/_cfg.inc"
printf 'max_steps: 4\nsave_steps: 2\nlogging_steps: 1\nweight_decay: 0.1\nseed: 3\n' >> cfg.yml
sed -i 's/^max_steps: 2$//' cfg.yml
ft-tokenize -q -c cfg.yml -o t.ftt
ft-train -q -c cfg.yml --data t.ftt --output_dir a
ft-train -q -c cfg.yml --data t.ftt --output_dir b --stop-after 2
test ! -e b/model.safetensors
ft-train -q -c cfg.yml --data t.ftt --output_dir b --auto_resume_from_checkpoints true
cmp a/model.safetensors b/model.safetensors
cmp a/config.json "$ROOT/examples/tiny-llama/config.json"
strip() { sed 's/,"tokens_per_second":[^,}]*//; s/,"train_runtime":[^,}]*//' "$1"; }
strip a/metrics.jsonl >ma; strip b/metrics.jsonl >mb; cmp ma mb
test "$(grep -c '"loss"' a/metrics.jsonl)" = 4
ft-eval -q --model a --data t.ftt --json | grep -q '"loss":'
