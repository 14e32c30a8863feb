# ft-cat --tokenizer shows each record as decoded text with the trained span marked.
set -e
printf '{"input_ids": [9707, 1879, 0, 151645], "labels": [-100, -100, 0, 151645]}\n' > d.jsonl
printf 'base_model: %s\ndatasets:\n  - path: d.jsonl\nmicro_batch_size: 1\ngradient_accumulation_steps: 1\nlearning_rate: 1e-4\n' "$DATA/tokenizers/qwen3" > cfg.yml
ft-tokenize -q -c cfg.yml | ft-cat --tokenizer "$DATA/tokenizers/qwen3"
