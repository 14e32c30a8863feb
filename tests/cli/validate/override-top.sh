. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
ft-validate cfg.yml '--print' '--learning_rate' '1e-4' '--sequence_len=1024' '--sample_packing' 'true' >resolved.json || exit $?
tr ',' '\n' <resolved.json | grep -E '^\[?\{?"(learning_rate|sequence_len|sample_packing)"'
