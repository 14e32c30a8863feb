# NEFTune (neftune_noise_alpha, and its deprecated name noisy_embedding_alpha): the training
# loss changes, the evaluation before the first step does not (noise only while training), and
# a run stopped and resumed gives the same adapter (the noise comes from seed and step).
set -e
. "$ROOT/tests/cli/train/_cfg.inc"
head -n 40 "$ROOT/examples/pretokenized/train.jsonl" > d.jsonl
printf "adapter: lora\nlora_r: 4\nlora_target_linear: true\nval_set_size: 0.1\neval_steps: 2\nmax_steps: 3\nlogging_steps: 1\nsave_steps: 1\n" >> cfg.yml
ft-train -q -c cfg.yml --output_dir plain
ft-train -q -c cfg.yml --output_dir a --neftune_noise_alpha 5
ft-train -q -c cfg.yml --output_dir b --noisy_embedding_alpha 5 --stop-after 1
ft-train -q -c cfg.yml --output_dir b --noisy_embedding_alpha 5 --auto_resume_from_checkpoints true
cmp a/adapter_model.safetensors b/adapter_model.safetensors
first() { grep "\"$2\"" "$1" | head -n 1 | sed "s/.*\"$2\":\([^,}]*\).*/\1/"; }
test "$(first plain/metrics.jsonl eval_loss)" = "$(first a/metrics.jsonl eval_loss)"
test "$(first plain/metrics.jsonl loss)" != "$(first a/metrics.jsonl loss)"
