# Inputs named by path besides base_model and data: each missing one is named (a warning in
# ft-validate, an error in the tools that read them).
. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
printf 'adapter: lora\nlora_r: 8\nlora_target_linear: true\nlora_model_dir: ./old-adapter\nresume_from_checkpoint: out/checkpoint-9\ntokenizer_config: ./tok\n' >>cfg.yml
ft-validate cfg.yml
