. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
printf 'sample_packing: true\npad_to_sequence_len: false\n' >>cfg.yml
ft-validate cfg.yml
