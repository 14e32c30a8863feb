. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
echo 'save_strategy: no' >>cfg.yml
ft-validate cfg.yml
