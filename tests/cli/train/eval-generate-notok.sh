# a text prompt for a model folder without a tokenizer is refused, naming the prompt's line
. "$ROOT/tests/cli/train/_cfg.inc"
printf '{"input_ids": [1, 2]}\nsome text\n' >p.txt
ft-eval -q -c cfg.yml --generate p.txt
