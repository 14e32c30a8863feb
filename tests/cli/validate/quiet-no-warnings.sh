. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
echo 'lerning_rate: 1' >>cfg.yml
ft-validate -q cfg.yml
