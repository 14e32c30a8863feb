# .json arrays, .jsonl.zst and folders of files give the same records as plain .jsonl.
set -e
printf '{"input_ids": [1, 2, 3], "labels": [-100, 2, 3]}\n{"input_ids": [4, 5], "labels": [4, 5]}\n' > a.jsonl
printf '[\n  {"input_ids": [1, 2, 3], "labels": [-100, 2, 3]},\n  {"input_ids": [4, 5], "labels": [4, 5]}\n]\n' > b.json
zstd -q a.jsonl -o c.jsonl.zst
mkdir dir && cp a.jsonl dir/1.jsonl && zstd -q a.jsonl -o dir/2.jsonl.zst
for p in a.jsonl b.json c.jsonl.zst; do
cat >cfg.yml <<EOF
base_model: $ROOT/examples/tiny-llama
datasets:
  - path: $p
shuffle_merged_datasets: false
micro_batch_size: 1
gradient_accumulation_steps: 1
learning_rate: 1e-4
EOF
	ft-tokenize -q -c cfg.yml | ft-cat --json > $p.out
done
cmp a.jsonl.out b.json.out
cmp a.jsonl.out c.jsonl.zst.out
sed -i 's|path: .*|path: dir|' cfg.yml
test "$(ft-tokenize -q -c cfg.yml | ft-cat --json | wc -l)" = 4
cat a.jsonl.out
