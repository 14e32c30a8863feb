. "$ROOT/tests/lib/cfg.sh"
base | grep -v '^warmup_ratio:' >cfg.yml
echo 'warmup_ratio: 1.5' >>cfg.yml
ft-validate cfg.yml
