# The fingerprint depends on the resolved config only: key order and spelling of equal values
# in the YAML do not change it; a changed value does.
. "$ROOT/tests/lib/cfg.sh"
base >a.yml
printf 'learning_rate: 2.0e-4\ngradient_accumulation_steps: 1\nmicro_batch_size: 2\nbase_model: ./model\ndatasets: [{type: alpaca, path: data.jsonl}]\n' >b.yml
base | sed 's/^micro_batch_size: 2/micro_batch_size: 4/' >c.yml
a=$(ft-validate --fingerprint a.yml) && b=$(ft-validate --fingerprint b.yml) && c=$(ft-validate --fingerprint c.yml) || exit 1
[ ${#a} = 16 ] || { echo "fingerprint '$a' is not 16 hex digits"; exit 1; }
[ "$a" = "$b" ] || { echo "same config, different fingerprints: $a $b"; exit 1; }
[ "$a" != "$c" ] || { echo "different configs, same fingerprint $a"; exit 1; }
