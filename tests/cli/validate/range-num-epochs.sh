. "$ROOT/tests/lib/cfg.sh"
base | grep -v '^num_epochs:' >cfg.yml
echo 'num_epochs: 0' >>cfg.yml
ft-validate cfg.yml
