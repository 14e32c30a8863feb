#!/bin/sh
# The README's first command: on a fresh Debian machine, install what is missing, build, and
# run the pipeline on the shipped example (examples/pretokenized): validate the config,
# tokenize the dataset (with its validation split), pack it into rows, and show the result.
# Until ft-train exists, this is the whole job; outputs go to out/demo/.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
cfg=examples/pretokenized/config.yml
out=out/demo
mkdir -p "$out"
set -x
bin/ft-validate "$cfg"
bin/ft-tokenize -c "$cfg" -o "$out/train.ftt"
bin/ft-pack -c "$cfg" "$out/train.ftt" -o "$out/train.ftp"
bin/ft-cat --stats "$out/train.ftp"
bin/ft-cat --color never -n 1 "$out/train.ftp" | cut -c 1-160 | head -n 4
