# ft-pack then `ft-train --data FILE.ftp` trains on the rows `ft-train --data FILE.ftt` makes
# itself, in the same order, with sample_packing false and true: both routes go through
# rowset_from_records. ft-train has no dump of its rows, so the per-step losses stand for
# them: with micro_batch_size 1 each step's loss is one row's, at weights that depend on
# every row before it, so metrics.jsonl (timings stripped) is byte-identical only if every
# step saw the same row. 14 steps over 12 (unpacked) or fewer (packed) rows cross an epoch,
# so ft-train's per-epoch shuffle is covered too. A run in another order
# (curriculum_sampling) must differ, or the comparison could not see order at all.
set -e
head -n 12 "$ROOT/examples/pretokenized/train.jsonl" > d.jsonl
cat >cfg.yml <<EOF
base_model: $ROOT/examples/tiny-llama
reinit_weights: true
datasets:
  - path: d.jsonl
sequence_len: 40
micro_batch_size: 1
gradient_accumulation_steps: 1
learning_rate: 1e-3
max_steps: 14
logging_steps: 1
seed: 7
EOF
ft-tokenize -q -c cfg.yml -o t.ftt
strip() { sed 's/,"tokens_per_second":[^,}]*//; s/,"train_runtime":[^,}]*//' "$1"; }
for p in false true; do
	ft-pack -q -c cfg.yml --sample_packing $p t.ftt -o $p.ftp
	ft-train -q -c cfg.yml --sample_packing $p --data $p.ftp --output_dir ftp-$p
	ft-train -q -c cfg.yml --sample_packing $p --data t.ftt --output_dir ftt-$p
	ft-train -q -c cfg.yml --sample_packing $p --data t.ftt --output_dir other-$p --curriculum_sampling true
	strip ftp-$p/metrics.jsonl >a
	strip ftt-$p/metrics.jsonl >b
	strip other-$p/metrics.jsonl >c
	test "$(grep -c '"loss"' a)" = 14
	cmp a b || { echo "sample_packing $p: the .ftp and .ftt routes trained on other rows" >&2; exit 1; }
	if cmp -s a c; then echo "sample_packing $p: another row order gave the same losses" >&2; exit 1; fi
done
