. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
ft-validate cfg.yml '--micro_batch_size' 'two'
