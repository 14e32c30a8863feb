. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
ft-validate cfg.yml '--print' '--special_tokens.pad_token' '<pad>' >resolved.json || exit $?
tr ',' '\n' <resolved.json | grep -E '^\[?\{?"(special_tokens|pad_token)"'
