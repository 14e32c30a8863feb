. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
ft-validate cfg.yml '--print' '--datasets.0.path' 'other.jsonl' >resolved.json || exit $?
tr ',' '\n' <resolved.json | grep -E '^\[?\{?"(datasets|path|type)"'
