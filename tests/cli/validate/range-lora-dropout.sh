. "$ROOT/tests/lib/cfg.sh"
base | grep -v '^lora_dropout:' >cfg.yml
echo 'lora_dropout: 1.0' >>cfg.yml
ft-validate cfg.yml
