. "$ROOT/tests/lib/cfg.sh"
base | grep -v '^learning_rate:' >cfg.yml
echo 'learning_rate: -0.1' >>cfg.yml
ft-validate cfg.yml
