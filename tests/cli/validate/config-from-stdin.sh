# "-" reads the config from standard input; messages name it '-'.
. "$ROOT/tests/lib/cfg.sh"
{ base; echo 'lerning_rate: 1'; } | ft-validate -
