# a text prompt for a model folder without a tokenizer is refused, naming the prompt's line
. "$ROOT/tests/cli/train/_cfg.inc"
mkdir notok && cp "$ROOT/examples/tiny-llama/config.json" notok/
printf '{"input_ids": [1, 2]}\nsome text\n' >p.txt
ft-eval -q -c cfg.yml --base_model notok --generate p.txt
