. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
echo 'lr_scheduler: cosinus' >>cfg.yml
ft-validate -vv cfg.yml
