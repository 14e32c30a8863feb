# token ids beyond the model's vocabulary are refused before training, naming the row
. "$ROOT/tests/cli/train/_cfg.inc"
echo "{\"input_ids\":[1,400,5,6],\"labels\":[1,400,5,6]}" > big.jsonl
ft-tokenize -q -c cfg.yml --datasets.0.path big.jsonl -o big.ftt
ft-train -c cfg.yml --data big.ftt
