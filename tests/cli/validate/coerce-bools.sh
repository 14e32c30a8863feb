. "$ROOT/tests/lib/cfg.sh"
base >cfg.yml
cat >>cfg.yml <<'EOF'
sample_packing: yes
train_on_inputs: "off"
group_by_length: 0
pad_to_sequence_len: "Yes"
EOF
ft-validate cfg.yml '--print' >resolved.json || exit $?
tr ',' '\n' <resolved.json | grep -E '^\[?\{?"(sample_packing|train_on_inputs|group_by_length|pad_to_sequence_len)"'
