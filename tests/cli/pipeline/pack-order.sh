# The order ft-pack puts samples in, as Axolotl's samplers hand them to packing: without
# sample_packing one record per row in the records' order (the Trainer shuffles rows every
# epoch, ft-train does); with it, a seeded shuffle before every algorithm, sequential
# included (multipack packs its RandomSampler's indices), and the records' own order under
# curriculum_sampling (its SequentialSampler).
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
assert none == recs, "sample_packing false: rows must be the records in order"
assert sorted(seq) == sorted(recs) and seq != recs, "sequential: the records, shuffled"
assert cur == recs, "sequential under curriculum_sampling: the records in order"
PY
