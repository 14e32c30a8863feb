. "$ROOT/tests/lib/cfg.sh"
base | grep -v '^micro_batch_size:' >cfg.yml
echo 'micro_batch_size: 0' >>cfg.yml
ft-validate cfg.yml
