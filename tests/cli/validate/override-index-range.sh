. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
ft-validate cfg.yml '--datasets.3.path' 'x.jsonl'
