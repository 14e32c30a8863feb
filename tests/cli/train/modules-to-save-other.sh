# a module lora_modules_to_save cannot train is refused by name, with its position
. "$ROOT/tests/cli/train/_cfg.inc"
printf "adapter: lora\nlora_r: 4\nlora_target_linear: true\nlora_modules_to_save:\n  - embed_tokens\n  - norm\n" >> cfg.yml
ft-train -c cfg.yml
