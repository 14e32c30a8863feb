# The order ft-pack puts samples in, as Axolotl's samplers hand them to packing: without
# sample_packing one record per row in the records' order (the Trainer shuffles rows every
# epoch, ft-train does); with it, a seeded shuffle before every algorithm, sequential
# included (multipack packs its RandomSampler's indices), and the records' own order under
# curriculum_sampling (its SequentialSampler), where auto packs first-fit alone: ffd would
# sort by length and deal its rows at random.
set -e
head -n 40 "$ROOT/examples/pretokenized/train.jsonl" > d.jsonl
cat >cfg.yml <<EOF
base_model: $ROOT/examples/tiny-llama
datasets:
  - path: d.jsonl
sequence_len: 40
micro_batch_size: 1
gradient_accumulation_steps: 1
learning_rate: 1e-4
EOF
ft-tokenize -q -c cfg.yml -o t.ftt
ft-cat --json t.ftt > records.jsonl
rows() { ft-pack -q -c cfg.yml t.ftt "$@" | ft-cat --json; }
rows --sample_packing false > none.jsonl
rows --sample_packing true -a sequential > seq.jsonl
rows --sample_packing true -a sequential --curriculum_sampling true > seq-cur.jsonl
ft-pack -c cfg.yml t.ftt --sample_packing true --curriculum_sampling true 2> report.txt | ft-cat --json > auto-cur.jsonl
grep -q '(first-fit)$' report.txt
python3 - <<'PY'
import json
recs = [tuple(json.loads(l)["input_ids"]) for l in open("records.jsonl")]
def samples(path):
    out = []
    for l in open(path):
        r = json.loads(l)
        o = 0
        for n in r["seq_lens"]:
            out.append(tuple(r["input_ids"][o:o + n]))
            o += n
    return out
none, seq, cur = samples("none.jsonl"), samples("seq.jsonl"), samples("seq-cur.jsonl")
assert len(set(recs)) == len(recs)
at = {r: i for i, r in enumerate(recs)}
assert none == recs, "sample_packing false: rows must be the records in order"
assert sorted(seq) == sorted(recs) and seq != recs, "sequential: the records, shuffled"
assert cur == recs, "sequential under curriculum_sampling: the records in order"
# first-fit in the records' order: rows open in order and fill in order
heads = []
for l in open("auto-cur.jsonl"):
    r = json.loads(l)
    idx, o = [], 0
    for n in r["seq_lens"]:
        idx.append(at[tuple(r["input_ids"][o:o + n])])
        o += n
    assert idx == sorted(idx), "first-fit: a row's samples in the records' order"
    heads.append(idx[0])
assert heads == sorted(heads), "first-fit: rows open in the records' order"
assert sorted(at[s] for s in samples("auto-cur.jsonl")) == list(range(len(recs)))
PY
