# Length policy, no-trained-token drop and dedup, each counted in the report.
set -e
cat >d.jsonl <<'EOF'
{"input_ids": [1, 2, 3, 4], "labels": [-100, -100, 3, 4]}
{"input_ids": [1, 2, 3, 4], "labels": [-100, -100, 3, 4]}
{"input_ids": [5], "labels": [5]}
{"input_ids": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "labels": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}
{"input_ids": [7, 8, 9], "labels": [-100, -100, -100]}
{"input_ids": [7, 8, 9]}
EOF
cat >cfg.yml <<EOF
base_model: $ROOT/examples/tiny-llama
datasets:
  - path: d.jsonl
sequence_len: 8
dataset_exact_deduplication: true
sample_packing: true
micro_batch_size: 1
gradient_accumulation_steps: 1
learning_rate: 1e-4
EOF
ft-tokenize -c cfg.yml -o t.ftt 2> tok.txt
cat tok.txt
grep -q '6 records read; 3 train, 0 validation' tok.txt
grep -q 'dropped 1 longer than sequence_len, 1 shorter than min_sample_len, 1 duplicates' tok.txt
ft-pack -c cfg.yml t.ftt -o p.ftp 2> pack.txt
cat pack.txt
grep -q 'dropped 1 with no trained token' pack.txt
grep -q ': 2 records -> 1 rows' pack.txt
# truncate keeps the long record, cut to sequence_len
ft-tokenize -q -c cfg.yml --excess_length_strategy truncate -o t2.ftt
ft-cat --json t2.ftt | grep -q '"input_ids":\[1,2,3,4,5,6,7,8\]'
