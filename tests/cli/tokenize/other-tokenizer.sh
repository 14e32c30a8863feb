# Tokens made with one tokenizer are refused by ft-pack under a config whose model has another.
set -e
printf '{"text": "hello world"}\n' > d.jsonl
for t in qwen3 mistral_v0_1; do
	printf 'base_model: %s\ndatasets:\n  - path: d.jsonl\n    type: completion\nmicro_batch_size: 1\ngradient_accumulation_steps: 1\nlearning_rate: 1e-4\n' "$DATA/tokenizers/$t" > $t.yml
done
ft-tokenize -q -c qwen3.yml -o q.ftt
ft-pack -q -c qwen3.yml q.ftt -o q.ftp
ft-pack -q -c mistral_v0_1.yml q.ftt -o m.ftp 2> err.txt && exit 1
sed "s|$DATA|DATA|" err.txt
