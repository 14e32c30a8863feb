#!/usr/bin/env python3
"""Writes the shipped examples' data: examples/sort/train.jsonl, the demo's chats, and
examples/pretokenized/train.jsonl, the same kind of task already tokenized (for the tests).

examples/sort/train.jsonl: 1000 chats (ChatML through the tokenizer of examples/tiny-llama,
written by scripts/gen-tokenizer.py) whose user turn is "sort:" and 2 to 8 distinct numbers
from 0 to 31, and whose assistant turn is "sorted:" and the same numbers sorted. Each number
with its leading space is one token, so the model sees the pre-tokenized task below; "sorted:"
keeps the space before the first number too (without it the first answer would be a number
token seen nowhere else).

examples/pretokenized/train.jsonl:

Each record is a prompt of 2 to 8 distinct "digit" tokens followed by a separator and the same
tokens sorted, then an end token; only the sorted answer and the end token train (labels -100
elsewhere), the way Axolotl masks a prompt. The task is sized for the tiny 256-token model of
examples/tiny-llama and a minute of CPU training (scripts/demo.sh, 15 epochs: greedy exact
match on the 50 validation prompts 0 -> 50). Measured on the way there: prompts of up to 400
tokens with repeats, as this file had before, stayed at 0 of 36; 2 to 8 tokens with repeats
reached 36 of 50 (the misses were nearly all a repeated token written once too few or too
many), 37 after 30 epochs. Seeded: the output never changes.
"""
import json
import random
import sys

BOS, SEP, EOS = 1, 2, 3
DIGITS = list(range(16, 48))


def write_chats(path, n=1000, seed=1234):
    rng = random.Random(seed)
    with open(path, "w") as f:
        for _ in range(n):
            xs = rng.sample(range(32), rng.randint(2, 8))
            chat = [{"role": "user", "content": "sort: " + " ".join(map(str, xs))},
                    {"role": "assistant", "content": "sorted: " + " ".join(map(str, sorted(xs)))}]
            f.write(json.dumps({"messages": chat}) + "\n")


def write_pretokenized(path, n=1000, seed=1234):
    rng = random.Random(seed)
    with open(path, "w") as f:
        for _ in range(n):
            k = rng.randint(2, 8)
            xs = rng.sample(DIGITS, k)
            prompt = [BOS] + xs + [SEP]
            answer = sorted(xs) + [EOS]
            ids = prompt + answer
            labels = [-100] * len(prompt) + answer
            f.write(json.dumps({"input_ids": ids, "attention_mask": [1] * len(ids),
                                "labels": labels}, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    root = sys.argv[1] if len(sys.argv) > 1 else "examples"
    write_chats(root + "/sort/train.jsonl")
    write_pretokenized(root + "/pretokenized/train.jsonl")
