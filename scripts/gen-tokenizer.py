#!/usr/bin/env python3
"""Writes examples/tiny-llama/tokenizer.json and tokenizer_config.json: ft's own tiny tokenizer.

A byte-level BPE in the shape of GPT-2's (its pre-tokenizer, byte-level alphabet and decoder),
small enough to read: 4 special tokens, the 256 bytes, and merges only for what the demo's text
needs as single tokens: the numbers 0 to 31 with and without a leading space (GPT-2's regex
keeps " 17" together) and the words of its chats (user, assistant, system, sort, sorted). Any
text still encodes, byte by byte. A first version split numbers as Llama 3 does (" " and "17"
apart): the tiny model then reached only 3 of 50 exact answers in the demo's 15 epochs, as a
space token between numbers puts the number to continue from one position further back. The special tokens sit at the ids examples/tiny-llama/config.json names (pad 0,
bos 1, eos 3 = <|im_end|>, which ends a ChatML turn), so the pre-tokenized example keeps its
ids. The vocabulary size this prints is config.json's vocab_size.
"""
import json
import os
import sys

SPECIAL = ["<pad>", "<s>", "<|im_start|>", "<|im_end|>"]
WORDS = ["user", "assistant", "system", "sort", "sorted"]
CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
          "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
          "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")


def bytes_to_unicode():
    """GPT-2's map of the 256 bytes to printable characters (the byte-level alphabet)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def main(outdir):
    b2u = bytes_to_unicode()
    vocab = {t: i for i, t in enumerate(SPECIAL)}
    for b in range(256):
        vocab[b2u[b]] = len(vocab)
    merges = []

    def merge(a, b):
        merges.append([a, b])
        vocab[a + b] = len(vocab)

    space = b2u[ord(" ")]
    for d in range(10):
        merge(space, str(d))
    for n in range(10, 32):
        merge(*str(n))
        merge(space + str(n)[0], str(n)[1])
    for w in WORDS:    # left to right: "us", "use", "user"
        for k in range(2, len(w) + 1):
            if w[:k] not in vocab:
                merge(w[:k - 1], w[k - 1])
    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": False, "special": True}
                         for i, t in enumerate(SPECIAL)],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                          "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False,
                           "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                    "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": None, "end_of_word_suffix": None, "fuse_unk": False,
                  "byte_fallback": False, "ignore_merges": False, "vocab": vocab, "merges": merges},
    }
    cfg = {
        "added_tokens_decoder": {str(i): {"content": t, "lstrip": False, "normalized": False,
                                          "rstrip": False, "single_word": False, "special": True}
                                 for i, t in enumerate(SPECIAL)},
        "bos_token": "<s>",
        "eos_token": "<|im_end|>",
        "pad_token": "<pad>",
        "chat_template": CHATML,
        "clean_up_tokenization_spaces": False,
        "model_max_length": 1024,
        "tokenizer_class": "PreTrainedTokenizerFast",
    }
    for name, obj in (("tokenizer.json", tok), ("tokenizer_config.json", cfg)):
        with open(os.path.join(outdir, name), "w") as f:
            json.dump(obj, f, indent=1, ensure_ascii=False)
            f.write("\n")
    print(len(vocab))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples/tiny-llama")
