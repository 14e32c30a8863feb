. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
printf 'adapter: lora\nload_in_8bit: true\nlora_r: 8\nlora_target_linear: true\n' >>cfg.yml
ft-validate cfg.yml
