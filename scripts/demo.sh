#!/bin/sh
# The README's first command: on a fresh Debian machine, install what is missing, build, and
# run the whole pipeline on the shipped example (examples/pretokenized, a toy sorting task for
# the tiny model examples/tiny-llama): validate the config, tokenize (with a validation split),
# pack, look at the rows; then train the model from a seeded random initialisation (full
# fine-tuning, one epoch), show that it learned (ft-eval's validation loss before and after),
# train a LoRA adapter on top, merge it, and check the merged model scores as base + adapter.
# About two minutes on two cores; outputs go to out/demo/.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
cfg=examples/pretokenized/train.yml
out=out/demo
mkdir -p "$out"
set -x
bin/ft-validate "$cfg"
bin/ft-tokenize -c "$cfg" -o "$out/train.ftt"
bin/ft-pack -c "$cfg" "$out/train.ftt" -o "$out/train.ftp"
bin/ft-cat --stats "$out/train.ftp"
bin/ft-cat --color never -n 1 "$out/train.ftp" | cut -c 1-160 | head -n 4

# before: the random initialisation train.yml starts from
bin/ft-eval -c "$cfg" --data "$out/train.val.ftt" --json >"$out/eval-before.json"
bin/ft-train -c "$cfg" --data "$out/train.ftp" --val "$out/train.val.ftt" --no-progress
bin/ft-eval --model "$out/full" --data "$out/train.val.ftt" --json >"$out/eval-after.json"
{ set +x; } 2>/dev/null
before=$(sed 's/.*"loss":\([^,}]*\).*/\1/' "$out/eval-before.json")
after=$(sed 's/.*"loss":\([^,}]*\).*/\1/' "$out/eval-after.json")
echo "validation loss: $before before training, $after after (accuracy: $(sed 's/.*"accuracy":\([^,}]*\).*/\1/' "$out/eval-before.json") -> $(sed 's/.*"accuracy":\([^,}]*\).*/\1/' "$out/eval-after.json"))"
awk -v b="$before" -v a="$after" 'BEGIN { exit !(a < b - 1) }' || { echo "demo: the loss did not fall" >&2; exit 1; }
set -x

# a LoRA adapter on top, merged into its base: the merged model scores as base + adapter
bin/ft-train -c examples/pretokenized/lora.yml --data "$out/train.ftp" --no-progress
bin/ft-merge -c examples/pretokenized/lora.yml
bin/ft-eval --model "$out/full" --adapter "$out/lora" --data "$out/train.val.ftt"
bin/ft-eval --model "$out/lora/merged" --data "$out/train.val.ftt"
