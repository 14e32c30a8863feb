#!/usr/bin/env python3
"""Writes examples/pretokenized/train.jsonl: a pre-tokenized toy task for the shipped example.

Each record is a prompt of "digit" tokens followed by a separator and the same tokens sorted,
then an end token; only the sorted answer and the end token train (labels -100 elsewhere),
the way Axolotl masks a prompt. Lengths are long-tailed so packing has work to do. The ids
fit the tiny 256-token model of examples/tiny-llama. Seeded: the output never changes.
"""
import json
import random
import sys

BOS, SEP, EOS = 1, 2, 3
DIGITS = list(range(16, 48))


def main(path, n=1000, seed=1234):
    rng = random.Random(seed)
    with open(path, "w") as f:
        for _ in range(n):
            k = max(1, min(400, int(rng.lognormvariate(3.0, 0.9))))
            xs = [rng.choice(DIGITS) for _ in range(k)]
            prompt = [BOS] + xs + [SEP]
            answer = sorted(xs) + [EOS]
            ids = prompt + answer
            labels = [-100] * len(prompt) + answer
            f.write(json.dumps({"input_ids": ids, "attention_mask": [1] * len(ids),
                                "labels": labels}, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples/pretokenized/train.jsonl")
