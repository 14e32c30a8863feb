# Bad lines in the debug modes are named by line; the modes need a tokenizer.
printf '"ok"\n42\n' | ft-tokenize --tokenizer "$DATA/tokenizers/qwen3" --encode > /dev/null; echo "not a string: $?"
printf '[1, 2]\n[1, "x"]\n' | ft-tokenize --tokenizer "$DATA/tokenizers/qwen3" --decode > /dev/null; echo "not an id: $?"
ft-tokenize --encode < /dev/null; echo "no tokenizer: $?"
ft-tokenize --tokenizer "$DATA/tokenizers/qwen3" --encode --decode < /dev/null; echo "both: $?"
