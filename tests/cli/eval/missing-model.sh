# a model folder that does not exist is bad input, named
echo '{"input_ids":[1,2,3],"labels":[1,2,3]}' > d.jsonl
printf 'base_model: %s\ndatasets:\n  - path: d.jsonl\nmicro_batch_size: 1\ngradient_accumulation_steps: 1\nlearning_rate: 1e-3\n' "$ROOT/examples/tiny-llama" > cfg.yml
ft-tokenize -q -c cfg.yml -o d.ftt || exit 9
ft-eval --model nope --data d.ftt
