# lora_modules_to_save on a model with tied embeddings is refused (PEFT would untie them)
set -e
sed 's/"tie_word_embeddings": false/"tie_word_embeddings": true/' "$ROOT/examples/tiny-llama/config.json" >config.json
. "$ROOT/tests/cli/train/_cfg.inc"
sed -i "s|^base_model: .*|base_model: $PWD|" cfg.yml
printf "adapter: lora\nlora_r: 4\nlora_target_linear: true\nlora_modules_to_save: [lm_head]\n" >> cfg.yml
ft-train -c cfg.yml
