#!/usr/bin/env python3
"""Golden ids and labels for ft-tokenize's `type: chat_template`, made by Axolotl's own
ChatTemplateStrategy (prompt_strategies/chat_template.py) with transformers' tokenizers and
jinja2 over tests/fixtures/datasets/{chat,sharegpt}.jsonl. Each case is written as its
dataset-entry options (tests/fixtures/datasets/chat_cases.json) and its output records
(golden/chat_<case>.jsonl). Nothing here comes from ft.

Needs: pip install transformers tokenizers jinja2 pydantic addict colorama (no torch) and an
Axolotl checkout (the files were made from 067b021c8):

    python3 scripts/gen-chat-goldens.py /path/to/axolotl
"""
import importlib.util
import json
import os
import sys
import tempfile
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures")

CASES = [
    # name, tokenizer, data file, dataset options, top-level options
    ("default", "qwen3", "chat.jsonl", {}, {}),
    ("train_on_inputs", "qwen3", "chat.jsonl", {}, {"train_on_inputs": True}),
    ("roles_all", "qwen3", "chat.jsonl", {"roles_to_train": ["assistant", "user"], "train_on_eos": "all"}, {}),
    ("eos_last", "qwen3", "chat.jsonl", {"train_on_eos": "last"}, {}),
    ("eos_none", "qwen3", "chat.jsonl", {"train_on_eos": "none"}, {}),
    ("drop_system", "qwen3", "chat.jsonl", {"drop_system_message": True}, {}),
    ("field_training", "qwen3", "chat.jsonl", {"message_field_training": "train"}, {}),
    ("split_thinking", "qwen3", "chat.jsonl", {"split_thinking": True}, {}),
    ("sharegpt", "qwen3", "sharegpt.jsonl", {"field_messages": "conversations",
                                             "message_property_mappings": {"role": "from", "content": "value"}}, {}),
    ("chatml_mistral", "mistral_v0_1", "chat.jsonl", {"chat_template": "chatml"}, {}),
    ("llama3_mistral", "mistral_v0_1", "sharegpt.jsonl", {"chat_template": "llama3", "field_messages": "conversations",
                                                           "message_property_mappings": {"role": "from", "content": "value"}}, {}),
    ("chatml_qwen_eot", "qwen3", "chat.jsonl", {"chat_template": "chatml", "train_on_eos": "turn"}, {"eot_tokens": ["<|im_end|>"]}),
]


def load_axolotl(src):
    ax = os.path.join(src, "src", "axolotl")

    def pkg(name, path=None):
        m = types.ModuleType(name)
        m.__path__ = [path] if path else []
        sys.modules[name] = m
        return m

    pkg("axolotl", ax)
    pkg("axolotl.utils", os.path.join(ax, "utils"))
    pkg("axolotl.utils.schemas", os.path.join(ax, "utils", "schemas"))
    import logging

    class _L(logging.LoggerAdapter):
        def warning_once(self, *a, **k):
            pass

    logmod = types.ModuleType("axolotl.utils.logging")
    logmod.get_logger = lambda name, **k: _L(logging.getLogger(name), {})
    sys.modules["axolotl.utils.logging"] = logmod
    from pydantic import BaseModel

    dsmod = types.ModuleType("axolotl.utils.schemas.datasets")

    class DatasetConfig(BaseModel):
        pass

    dsmod.DatasetConfig = DatasetConfig
    sys.modules["axolotl.utils.schemas.datasets"] = dsmod
    if "datasets" not in sys.modules:
        d = types.ModuleType("datasets")
        d.Dataset = object
        d.IterableDataset = object
        sys.modules["datasets"] = d
    pkg("axolotl.prompt_strategies", os.path.join(ax, "prompt_strategies"))

    def load(name, rel):
        spec = importlib.util.spec_from_file_location(name, os.path.join(ax, rel),
                                                      submodule_search_locations=None)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
        return mod

    load("axolotl.prompters", "prompters.py")
    load("axolotl.prompt_tokenizers", "prompt_tokenizers.py")
    load("axolotl.utils.dict", "utils/dict.py")
    spec = importlib.util.spec_from_file_location(
        "axolotl.utils.chat_templates", os.path.join(ax, "utils", "chat_templates", "__init__.py"),
        submodule_search_locations=[os.path.join(ax, "utils", "chat_templates")])
    mod = importlib.util.module_from_spec(spec)
    sys.modules["axolotl.utils.chat_templates"] = mod
    spec.loader.exec_module(mod)
    load("axolotl.prompt_strategies.jinja_template_analyzer", "prompt_strategies/jinja_template_analyzer.py")
    return load("axolotl.prompt_strategies.chat_template", "prompt_strategies/chat_template.py")


class Cfg(dict):
    __getattr__ = dict.get


def tokenizer(name, tmp):
    """Raw tokenizer.json behind transformers' API (see gen-dataset-goldens.py), with the
    tokenizer_config.json chat template; its path names the family, as a real one does."""
    import subprocess
    from transformers import PreTrainedTokenizerFast

    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    src = os.path.join(FIX, "tokenizers", name)
    with open(os.path.join(d, "tokenizer.json"), "wb") as f:
        f.write(subprocess.check_output(["zstd", "-dc", os.path.join(src, "tokenizer.json.zst")]))
    cfg = json.load(open(os.path.join(src, "tokenizer_config.json")))

    def tokstr(v):
        return v.get("content") if isinstance(v, dict) else v

    tok = PreTrainedTokenizerFast(tokenizer_file=os.path.join(d, "tokenizer.json"),
                                  bos_token=tokstr(cfg.get("bos_token")), eos_token=tokstr(cfg.get("eos_token")),
                                  unk_token=tokstr(cfg.get("unk_token")), pad_token=tokstr(cfg.get("pad_token")),
                                  name_or_path=d)
    tok.chat_template = cfg.get("chat_template")
    return tok


def main(axsrc):
    ct = load_axolotl(axsrc)
    seq_len = 4096
    with tempfile.TemporaryDirectory() as tmp:
        toks = {}
        for name, tokname, data, ds, top in CASES:
            tok = toks.setdefault(tokname, tokenizer(tokname, tmp))
            cfg = Cfg({"train_on_inputs": False, "sequence_len": seq_len, **top})
            strat = ct.load(tok, cfg, dict(ds))
            out = []
            for line in open(os.path.join(FIX, "datasets", data)):
                r = strat.tokenize_prompt(json.loads(line))
                out.append({"input_ids": list(r["input_ids"]), "labels": list(r["labels"])})
            with open(os.path.join(FIX, "datasets", "golden", f"chat_{name}.jsonl"), "w") as f:
                for o in out:
                    f.write(json.dumps(o, separators=(",", ":")) + "\n")
            print(name, len(out))
    with open(os.path.join(FIX, "datasets", "chat_cases.json"), "w") as f:
        json.dump([{"name": n, "tokenizer": t, "data": d, "dataset": ds, "config": top}
                   for n, t, d, ds, top in CASES], f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
