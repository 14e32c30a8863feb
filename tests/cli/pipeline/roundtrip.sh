# pre-tokenized JSONL -> ft-tokenize -> ft-pack -> ft-cat --json loses no sample and no label,
# restarts positions in every sample, and is byte-identical across runs and through a pipe.
set -e
cat >cfg.yml <<EOF
base_model: $ROOT/examples/tiny-llama
datasets:
  - path: $ROOT/examples/pretokenized/train.jsonl
sequence_len: 300
sample_packing: true
micro_batch_size: 1
gradient_accumulation_steps: 1
learning_rate: 1e-4
EOF
ft-tokenize -q -c cfg.yml -o a.ftt
ft-tokenize -q -c cfg.yml -o b.ftt
cmp a.ftt b.ftt
ft-tokenize -q -c cfg.yml | ft-pack -q -c cfg.yml > piped.ftp
ft-pack -q -c cfg.yml a.ftt -o file.ftp
ft-pack -q -c cfg.yml - < a.ftt > stdin.ftp
cmp piped.ftp file.ftp
cmp piped.ftp stdin.ftp
zstd -dq < file.ftp > /dev/null   # the files are plain zstd streams
ft-cat --json file.ftp > rows.jsonl
python3 - "$ROOT/examples/pretokenized/train.jsonl" rows.jsonl 300 <<'PY'
import json, sys
src, rows, L = sys.argv[1], sys.argv[2], int(sys.argv[3])
want = []
for line in open(src):
    r = json.loads(line)
    ids, labels = r["input_ids"], r["labels"]
    if not 2 <= len(ids) <= L or all(l == -100 for l in labels):
        continue  # Axolotl's length policy (drop) and no-trainable-token filter
    want.append((tuple(ids), tuple(labels)))
got = []
for line in open(rows):
    r = json.loads(line)
    assert len(r["input_ids"]) == len(r["labels"]) == len(r["position_ids"]) <= L
    assert sum(r["seq_lens"]) == len(r["input_ids"])
    o = 0
    for n in r["seq_lens"]:
        assert r["position_ids"][o:o + n] == list(range(n)), "positions must restart"
        got.append((tuple(r["input_ids"][o:o + n]), tuple(r["labels"][o:o + n])))
        o += n
assert sorted(got) == sorted(want), f"{len(got)} samples packed, {len(want)} expected"
print(f"{len(got)} samples, all present with their labels")
PY
