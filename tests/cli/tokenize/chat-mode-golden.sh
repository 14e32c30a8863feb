# ft-tokenize --chat renders and tokenizes conversations exactly as transformers'
# apply_chat_template with each family's own template (shared golden/chat_*.jsonl: text and
# ids, and with add_generation_prompt on all turns but the last).
[ -d "$FIXTURES/tokenizers/golden" ] || { echo "no shared fixtures at $FIXTURES"; exit 77; }
set -e
for fam in qwen3 llama3_1 gemma3; do
	gold="$FIXTURES/tokenizers/golden/chat_$fam.jsonl"
	[ -f "$gold" ] || continue
	dir="$FIXTURES/tokenizers/$fam"
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    print(json.dumps({"messages": json.loads(l)["messages"]}, ensure_ascii=False))' "$gold" > full.jsonl
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    print(json.dumps({"messages": json.loads(l)["messages"][:-1]}, ensure_ascii=False))' "$gold" > gen.jsonl
	ft-tokenize --tokenizer "$dir" --chat < full.jsonl > got_full.jsonl
	ft-tokenize --tokenizer "$dir" --chat --add-generation-prompt < gen.jsonl > got_gen.jsonl
	python3 - "$gold" "$fam" <<'PY'
import json, sys
gold = [json.loads(l) for l in open(sys.argv[1])]
full = [json.loads(l) for l in open("got_full.jsonl")]
gen = [json.loads(l) for l in open("got_gen.jsonl")]
bad = [i for i, g in enumerate(gold)
       if (g["text"], g["ids"], g["text_gen"], g["ids_gen"]) != (full[i]["text"], full[i]["ids"], gen[i]["text"], gen[i]["ids"])]
print(f"{sys.argv[2]}: {len(gold) - len(bad)} of {len(gold)} conversations exact")
assert not bad, f"first difference in conversation {bad[0] + 1}"
PY
done
