# Every text dataset type ft-tokenize supports gives, record for record, the input_ids and
# labels Axolotl's own strategies give (tests/fixtures/datasets/golden, made by
# scripts/gen-dataset-goldens.py from Axolotl's code and HF tokenizers), for two tokenizers,
# with and without train_on_inputs. Axolotl's length filter (2..sequence_len) is applied to
# the goldens, as its pipeline applies it after tokenizing.
set -e
g="$DATA/datasets/golden"
n=0
for f in "$g"/golden_*.jsonl; do
	base=$(basename "$f" .jsonl); base=${base#golden_}
	toi=false
	case "$base" in *_toi) toi=true; base=${base%_toi} ;; esac
	case "$base" in *_qwen3) tok=qwen3; name=${base%_qwen3} ;; *_mistral_v0_1) tok=mistral_v0_1; name=${base%_mistral_v0_1} ;; esac
	type=$(echo "$name" | sed 's/alpaca-/alpaca:/')
	case "$type" in
	alpaca*) data=alpaca.jsonl ;;
	completion) data=completion.jsonl ;;
	input_output) data=input_output.jsonl ;;
	user_defined) data=user_defined.jsonl; type=$(cat "$DATA/datasets/user_defined.type.json" | tr -d '\n') ;;
	jeopardy|oasst|gpteacher) data=$type.jsonl ;;
	summarizetldr) data=tldr.jsonl ;;
	explainchoice|concisechoice) data=choice.jsonl ;;
	esac
	[ "$name" = alpaca_chat.load_qa ] && data=qa.jsonl
	[ "$name" = alpaca_chat.load_camel_ai ] && data=camel.jsonl
	cat > cfg.yml <<EOF
base_model: $DATA/tokenizers/$tok
datasets:
  - path: $DATA/datasets/$data
    type: $type
sequence_len: 64
train_on_inputs: $toi
shuffle_merged_datasets: false
micro_batch_size: 1
gradient_accumulation_steps: 1
learning_rate: 1e-4
EOF
	ft-tokenize -q -c cfg.yml | ft-cat --json > got.jsonl
	python3 - "$f" got.jsonl "$name/$tok/toi=$toi" <<'PY'
import json, sys
want = [json.loads(l) for l in open(sys.argv[1])]
want = [w for w in want if 2 <= len(w["input_ids"]) <= 64]
got = [json.loads(l) for l in open(sys.argv[2])]
assert len(got) == len(want), f"{sys.argv[3]}: {len(got)} records, expected {len(want)}"
for i, (g, w) in enumerate(zip(got, want)):
    assert g == w, f"{sys.argv[3]}: record {i + 1} differs:\n got  {g}\n want {w}"
PY
	n=$((n + 1))
done
echo "$n type/tokenizer cases match Axolotl"
