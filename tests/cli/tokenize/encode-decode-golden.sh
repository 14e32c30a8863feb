# ft-tokenize --encode/--decode give Hugging Face's ids and text for every golden line of
# the two Apache-2.0 tokenizers kept in the repository (and all four with the shared fixtures).
set -e
fams="qwen3 mistral_v0_1"
[ -d "$FIXTURES/tokenizers" ] && fams="qwen3 mistral_v0_1 llama3_1 gemma3"
for fam in $fams; do
	dir="$DATA/tokenizers/$fam"; [ -d "$dir" ] || dir="$FIXTURES/tokenizers/$fam"
	gold="$FIXTURES/tokenizers/golden/tok_$fam.jsonl"
	[ -f "$gold" ] || gold="$DATA/tokenizers/golden/tok_$fam.jsonl"
	[ -f "$gold" ] || { echo "no golden file for $fam"; exit 77; }
	python3 -c 'import json,sys
for l in open(sys.argv[1]): print(json.dumps(json.loads(l)["text"], ensure_ascii=False))' "$gold" > texts.jsonl
	ft-tokenize --tokenizer "$dir" --encode < texts.jsonl > ids.jsonl
	ft-tokenize --tokenizer "$dir" --encode --add-special-tokens < texts.jsonl > ids_sp.jsonl
	ft-tokenize --tokenizer "$dir" --decode < ids.jsonl > decoded.jsonl
	python3 - "$gold" "$fam" <<'PY'
import json, sys
gold = [json.loads(l) for l in open(sys.argv[1])]
ids = [json.loads(l) for l in open("ids.jsonl")]
sp = [json.loads(l) for l in open("ids_sp.jsonl")]
dec = [json.loads(l) for l in open("decoded.jsonl")]
assert len(ids) == len(sp) == len(dec) == len(gold), (len(ids), len(gold))
bad = [i for i, g in enumerate(gold) if g["ids"] != ids[i] or g["ids_with_special"] != sp[i] or g["decoded"] != dec[i]]
print(f"{sys.argv[2]}: {len(gold) - len(bad)} of {len(gold)} lines exact")
assert not bad, f"first mismatch at line {bad[0] + 1}"
PY
done
