#!/usr/bin/env python3
"""Golden token ids and labels for ft-tokenize's dataset types, made by Axolotl's own code.

Runs Axolotl's prompt strategies (completion, input_output, the alpaca family, user-defined
formats) with Hugging Face transformers' tokenizers over tests/fixtures/datasets/*.jsonl and
writes, per (type, tokenizer), one JSON line per output record: {"input_ids", "labels"}.
Nothing here comes from ft: this is the reference ft-tokenize is tested against.

Needs: pip install transformers tokenizers colorama (no torch), and a checkout of Axolotl
(git clone https://github.com/axolotl-ai-cloud/axolotl; the files were made from 067b021c8):

    python3 scripts/gen-dataset-goldens.py /path/to/axolotl
"""
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures")


def load_axolotl(src):
    """Imports the few Axolotl modules the strategies need, without Axolotl's package
    __init__ (which wants torch): stub packages with the real files behind them."""
    ax = os.path.join(src, "src", "axolotl")

    def pkg(name, path=None):
        m = types.ModuleType(name)
        m.__path__ = [path] if path else []
        sys.modules[name] = m
        return m

    pkg("axolotl", ax)
    pkg("axolotl.utils", os.path.join(ax, "utils"))
    logmod = types.ModuleType("axolotl.utils.logging")
    import logging

    class _L(logging.LoggerAdapter):
        def warning_once(self, *a, **k):
            pass

    logmod.get_logger = lambda name, **k: _L(logging.getLogger(name), {})
    sys.modules["axolotl.utils.logging"] = logmod
    if "datasets" not in sys.modules:
        ds = types.ModuleType("datasets")
        ds.Dataset = object
        ds.IterableDataset = object
        sys.modules["datasets"] = ds
    pkg("axolotl.prompt_strategies", os.path.join(ax, "prompt_strategies"))

    def load(name, rel):
        spec = importlib.util.spec_from_file_location(name, os.path.join(ax, rel))
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
        return mod

    prompters = load("axolotl.prompters", "prompters.py")
    pt = load("axolotl.prompt_tokenizers", "prompt_tokenizers.py")
    load("axolotl.prompt_strategies.alpaca_w_system", "prompt_strategies/alpaca_w_system.py")
    ud = load("axolotl.prompt_strategies.user_defined", "prompt_strategies/user_defined.py")
    comp = load("axolotl.prompt_strategies.completion", "prompt_strategies/completion.py")
    io = load("axolotl.prompt_strategies.input_output", "prompt_strategies/input_output.py")
    ac = load("axolotl.prompt_strategies.alpaca_chat", "prompt_strategies/alpaca_chat.py")
    ai = load("axolotl.prompt_strategies.alpaca_instruct", "prompt_strategies/alpaca_instruct.py")
    return prompters, pt, ud, comp, io, ac, ai


class Cfg(dict):
    __getattr__ = dict.get


def tokenizer(name, tmp):
    """The raw tokenizer.json pipeline behind transformers' API. AutoTokenizer in
    transformers 5 rewrites some Llama-class pipelines (Mistral's leading spaces differ);
    the fixtures take the raw tokenizer.json, what the model was trained with, as the
    reference (../shared/fixtures/README.md), so do the same here."""
    from transformers import PreTrainedTokenizerFast

    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    src = os.path.join(FIX, "tokenizers", name)
    with open(os.path.join(d, "tokenizer.json"), "wb") as f:
        f.write(subprocess.check_output(["zstd", "-dc", os.path.join(src, "tokenizer.json.zst")]))
    with open(os.path.join(src, "tokenizer_config.json")) as f, \
            open(os.path.join(d, "tokenizer_config.json"), "w") as g:
        g.write(f.read())
    cfg = json.load(open(os.path.join(d, "tokenizer_config.json")))

    def tokstr(v):
        return v.get("content") if isinstance(v, dict) else v

    return PreTrainedTokenizerFast(tokenizer_file=os.path.join(d, "tokenizer.json"),
                                   bos_token=tokstr(cfg.get("bos_token")),
                                   eos_token=tokstr(cfg.get("eos_token")),
                                   unk_token=tokstr(cfg.get("unk_token")),
                                   pad_token=tokstr(cfg.get("pad_token")))


def main(axsrc):
    prompters, pt, ud, comp, io, ac, ai = load_axolotl(axsrc)
    seq_len = 64
    cases = []  # (name, data file, train_on_inputs, make strategy(tokenizer, cfg))
    for style in [None, "chat", "chatml", "phi"]:
        name = "alpaca" + (":" + style if style else "")
        cases.append((name, "alpaca.jsonl", lambda tok, cfg, s=style: pt.AlpacaPromptTokenizingStrategy(
            prompters.AlpacaPrompter(s), tok, cfg.train_on_inputs, cfg.sequence_len)))
    cases.append(("alpaca_chat", "alpaca.jsonl", lambda tok, cfg: ac.load(tok, cfg)))
    cases.append(("alpaca_chat.load_qa", "qa.jsonl", lambda tok, cfg: ac.load_qa(tok, cfg)))
    cases.append(("alpaca_chat.load_camel_ai", "camel.jsonl", lambda tok, cfg: ac.load_camel_ai(tok, cfg)))
    cases.append(("alpaca_chat.load_concise", "alpaca.jsonl", lambda tok, cfg: ac.load_concise(tok, cfg)))
    cases.append(("alpaca_chat.load_no_prompt", "alpaca.jsonl", lambda tok, cfg: ac.load_no_prompt(tok, cfg)))
    cases.append(("alpaca_instruct", "alpaca.jsonl", lambda tok, cfg: ai.load(tok, cfg)))
    cases.append(("alpaca_instruct.load_no_prompt", "alpaca.jsonl",
                  lambda tok, cfg: ai.load_no_prompt(tok, cfg)))
    # the instruct family of utils/data/wrappers.py's DATASET_HANDLERS
    cases.append(("jeopardy", "jeopardy.jsonl", lambda tok, cfg: pt.JeopardyPromptTokenizingStrategy(
        prompters.JeopardyPrompter(None), tok, cfg.train_on_inputs, cfg.sequence_len)))
    cases.append(("oasst", "oasst.jsonl", lambda tok, cfg: pt.OpenAssistantPromptTokenizingStrategy(
        prompters.AlpacaPrompter(None), tok, cfg.train_on_inputs, cfg.sequence_len)))
    cases.append(("gpteacher", "gpteacher.jsonl", lambda tok, cfg: pt.GPTeacherPromptTokenizingStrategy(
        prompters.GPTeacherPrompter(None), tok, cfg.train_on_inputs, cfg.sequence_len)))
    cases.append(("summarizetldr", "tldr.jsonl", lambda tok, cfg: pt.SummarizeTLDRPromptTokenizingStrategy(
        prompters.SummarizeTLDRPrompter(None), tok, cfg.train_on_inputs, cfg.sequence_len)))
    cases.append(("explainchoice", "choice.jsonl", lambda tok, cfg: pt.AlpacaMultipleChoicePromptTokenizingStrategy(
        prompters.MultipleChoiceExplainPrompter(None), tok, cfg.train_on_inputs, cfg.sequence_len)))
    cases.append(("concisechoice", "choice.jsonl", lambda tok, cfg: pt.AlpacaMultipleChoicePromptTokenizingStrategy(
        prompters.MultipleChoiceConcisePrompter(None), tok, cfg.train_on_inputs, cfg.sequence_len)))
    cases.append(("completion", "completion.jsonl", lambda tok, cfg: comp.load(tok, cfg, {"field": "text"})))
    cases.append(("input_output", "input_output.jsonl", lambda tok, cfg: io.load(tok, cfg)))
    udcfg = {"field_instruction": "q", "field_input": "ctx", "field_output": "a",
             "field_system": "sys", "system_prompt": "Be brief.",
             "format": "[INST] {instruction} {input} [/INST]", "no_input_format": "[INST] {instruction} [/INST]",
             "system_format": "<<SYS>>{system}<</SYS>>\n"}
    cases.append(("user_defined", "user_defined.jsonl",
                  lambda tok, cfg: ud.load(tok, cfg, ud.UserDefinedDatasetConfig(**udcfg))))
    with open(os.path.join(FIX, "datasets", "user_defined.type.json"), "w") as f:
        json.dump(udcfg, f, indent=1)
        f.write("\n")

    with tempfile.TemporaryDirectory() as tmp:
        for tokname in ["qwen3", "mistral_v0_1"]:
            tok = tokenizer(tokname, tmp)
            for train_on_inputs in [False, True]:
                cfg = Cfg(train_on_inputs=train_on_inputs, sequence_len=seq_len)
                for name, data, make in cases:
                    strat = make(tok, cfg)
                    rows = [json.loads(l) for l in open(os.path.join(FIX, "datasets", data))]
                    out = []
                    for r in rows:
                        if name == "completion":  # batched: columns of lists
                            res = strat.tokenize_prompt({k: [v] for k, v in r.items()})
                            for ids, labels in zip(res["input_ids"], res["labels"]):
                                out.append({"input_ids": ids, "labels": labels})
                        else:
                            res = strat.tokenize_prompt(r)
                            out.append({"input_ids": list(res["input_ids"]), "labels": list(res["labels"])})
                    fn = f"golden_{name.replace(':', '-')}_{tokname}{'_toi' if train_on_inputs else ''}.jsonl"
                    with open(os.path.join(FIX, "datasets", "golden", fn), "w") as f:
                        for o in out:
                            f.write(json.dumps(o, separators=(",", ":")) + "\n")
                    print(fn, len(out))


if __name__ == "__main__":
    main(sys.argv[1])
