# val_set_size splits off the last records (rounded up) into NAME.val.ftt; with the output on
# stdout the validation file must be named.
set -e
cat >cfg.yml <<EOF
base_model: $ROOT/examples/tiny-llama
datasets:
  - path: $ROOT/examples/pretokenized/train.jsonl
val_set_size: 0.013
sequence_len: 1024
micro_batch_size: 1
gradient_accumulation_steps: 1
learning_rate: 1e-4
EOF
ft-tokenize -q -c cfg.yml -o t.ftt
test "$(ft-cat --stats t.val.ftt | sed -n 's/^records: //p')" = 13
test "$(ft-cat --stats t.ftt | sed -n 's/^records: //p')" = 987
ft-cat --meta t.val.ftt | grep -q '"split":"val"'
if ft-tokenize -q -c cfg.yml > x.ftt 2> err.txt; then exit 1; fi
grep -q 'validation records need a file' err.txt
ft-tokenize -q -c cfg.yml --val-output v.ftt > x.ftt
cmp v.ftt t.val.ftt
