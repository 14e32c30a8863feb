# The demo's own tokenizer (examples/tiny-llama, written by scripts/gen-tokenizer.py): the
# demo's strings and a chat encode to the ids Hugging Face tokenizers 0.23.3 and transformers
# 5.24.0 (apply_chat_template) give for them, and decode back to the same text.
set -e
tok=$ROOT/examples/tiny-llama
printf '"sort: 17 3 25"\n"sorted: 0 3 17 25 31"\n"Hello, wörld! 123\\n"\n' > s.jsonl
ft-tokenize --tokenizer "$tok" --encode < s.jsonl | tee ids.jsonl
ft-tokenize --tokenizer "$tok" --decode < ids.jsonl | cmp - s.jsonl
printf '{"messages":[{"role":"user","content":"sort: 28 3 0 2"},{"role":"assistant","content":"sorted: 0 2 3 28"}]}\n' |
	ft-tokenize --tokenizer "$tok" --chat
