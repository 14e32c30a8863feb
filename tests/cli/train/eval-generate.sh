# ft-eval --generate: completions as JSONL, one per prompt, in order. Token-id prompts on the
# tiny example model (seeded random weights through -c): greedy is reproducible, stops at EOS
# or after --max-new-tokens; sampling is reproducible from --seed. Text, plain-line and chat
# prompts through a real tokenizer (Mistral's, on a random model of its vocabulary; the chat
# template from the config's chat_template).
set -e
. "$ROOT/tests/cli/train/_cfg.inc"
printf '{"input_ids": [1, 16, 21, 18, 2]}\n{"input_ids": [1, 40, 26, 19]}\n' >ids.jsonl
ft-eval -q -c cfg.yml --generate ids.jsonl --max-new-tokens 5 >a.jsonl
ft-eval -q -c cfg.yml --generate ids.jsonl --max-new-tokens 5 >b.jsonl
cmp a.jsonl b.jsonl
test "$(wc -l <a.jsonl)" = 2
grep -q '^{"completion_ids":\[[0-9,]*\],"finish_reason":"\(stop\|length\)","prompt":\[1,16,21,18,2\]}$' a.jsonl
ft-eval -q -c cfg.yml --generate ids.jsonl --max-new-tokens 5 --temperature 1.2 --top-k 50 --top-p 0.9 --seed 3 >c.jsonl
ft-eval -q -c cfg.yml --generate ids.jsonl --max-new-tokens 5 --temperature 1.2 --top-k 50 --top-p 0.9 --seed 3 >d.jsonl
cmp c.jsonl d.jsonl
python3 - <<'PY'
import json
for l in open("a.jsonl"):
    o = json.loads(l)
    assert len(o["completion_ids"]) <= 5
    assert (o["finish_reason"] == "length") == (len(o["completion_ids"]) == 5)
PY
# text prompts through a tokenizer
mkdir tm
zstd -q -d "$DATA/tokenizers/mistral_v0_1/tokenizer.json.zst" -o tm/tokenizer.json
cp "$DATA/tokenizers/mistral_v0_1/tokenizer_config.json" tm/
cat >tm/config.json <<JSON
{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 32, "intermediate_size": 64,
 "num_attention_heads": 2, "num_key_value_heads": 1, "num_hidden_layers": 1, "vocab_size": 32000,
 "max_position_embeddings": 256, "rms_norm_eps": 1e-5, "bos_token_id": 1, "eos_token_id": 2,
 "tie_word_embeddings": false, "hidden_act": "silu"}
JSON
sed -i "s|^base_model: .*|base_model: $PWD/tm|" cfg.yml
echo "chat_template: chatml" >>cfg.yml
printf '{"prompt": "The capital of France is"}\nplain text line\n{"messages": [{"role": "user", "content": "Hi"}]}\n' >text.jsonl
ft-eval -q -c cfg.yml --generate text.jsonl --max-new-tokens 4 >t.jsonl
python3 - <<'PY'
import json
rows = [json.loads(l) for l in open("t.jsonl")]
assert len(rows) == 3, rows
assert rows[0]["prompt"] == "The capital of France is" and rows[1]["prompt"] == "plain text line"
assert rows[2]["prompt"] == [{"role": "user", "content": "Hi"}]
for r in rows:
    assert isinstance(r["completion"], str) and len(r["completion_ids"]) <= 4
PY
