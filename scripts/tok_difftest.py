#!/usr/bin/env python3
"""tok_difftest.py: differential test of ft's tokenizer against Hugging Face tokenizers
(pip install tokenizers) on tokenizer.json variants the fixture families do not exercise:
GPT-2-style ByteLevel with its regex and prefix space, every Split behavior with and without
invert, Digits, Punctuation, Whitespace(Split), the NF* / Lowercase / Strip / Replace /
Prepend normalizers, Metaspace schemes, unk and byte-fallback settings, added tokens with
lstrip / rstrip / single_word / normalized, Roberta/Bert/Template post-processors, decoders.

It is a bug-finding tool, not a golden source: nothing it produces is committed as expected
output (STYLE.md 11). Needs the shared fixtures (vocabularies) and a C compiler.
usage: scripts/tok_difftest.py [FIXTURES] [--only NAME] [--fuzz N]"""
import argparse, copy, json, os, random, subprocess, sys, tempfile

ap = argparse.ArgumentParser()
ap.add_argument("fixtures", nargs="?", default=os.environ.get("FT_FIXTURES", "../shared/fixtures"))
ap.add_argument("--only")
ap.add_argument("--fuzz", type=int, default=400)
ap.add_argument("-v", action="store_true")
args = ap.parse_args()
from tokenizers import Tokenizer  # noqa: E402

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
work = tempfile.mkdtemp(prefix="ft-difftest.")
exe = os.path.join(work, "tok_dump")
subprocess.run(["make", "-s", "-C", root, "build/rel/libft.a"], check=True)
subprocess.run(["cc", "-O1", "-g", "-fopenmp", "-I" + os.path.join(root, "common"), os.path.join(root, "scripts/tok_dump.c"),
                os.path.join(root, "build/rel/libft.a"), "-lcjson", "-lzstd", "-lpcre2-8", "-lm", "-lpthread", "-o", exe], check=True)


def load(name):
    p = os.path.join(args.fixtures, "tokenizers", name, "tokenizer.json.zst")
    return json.loads(subprocess.run(["zstd", "-dc", p], check=True, capture_output=True).stdout)


# ---- texts ----
fx = args.fixtures
texts = list(json.load(open(os.path.join(fx, "tokenizer-tests/hf-oracle/cases.json"), encoding="utf-8")))
for n in ("qwen3", "mistral_v0_1"):
    texts += [json.loads(l)["text"] for l in open(os.path.join(fx, "tokenizers/golden/tok_%s.jsonl" % n), encoding="utf-8")]
inp = open(os.path.join(fx, "tokenizer-tests/llama.cpp/ggml-vocab-gpt-2.gguf.inp"), encoding="utf-8").read()
texts += inp.split("\n__ggml_vocab_test__\n")[:-1]
texts += ["<mark> a <mark>b [X]   c word words sword word_ x", "FOOBAR foobar FooBar", "The-final--countdown",
          "a  <mark>  b", "  [X]\n\nz", "wordword word", "A\u030a \u212b \u00c5 \ufb01 \u2460 \u3392 \u1e9b\u0323",
          "\u1100\u1161\u11a8 \uac00\u11a8", "  lead and trail  ", "\u3000x\u180ey\u00a0z\u2029"]
rng = random.Random(7)
pools = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", " ", "  \t\n\r", ".,;:!?'\"-_()[]{}<>/\\@#$%^&*+=~`|",
    "\u00e9\u00e8\u00fc\u00df\u0130\u0131\u03a3\u03c3\u03c2\u0410\u0430", "\u0301\u0308\u0323\u030a\u0345",
    "\u6211\u4eec\u4eca\u5929\u3042\u30a2\ud55c\uae00", "\U0001F600\U0001F680\u2764\ufe0f\u200d\U0001F469",
    "\u00a0\u1680\u2000\u2009\u202f\u205f\u3000\u180e\u0085\u2028", "\u2581", "\u0660\u0661\u00b2\u00bd\u2167\U0001D7D8",
    "\U00031350\U0002EBF0\u1e9e\uA7C0\U0001E4D0", "'s'T're've'M'll'd",
    "<s></s><unk><|im_start|><|endoftext|><|begin_of_text|><bos><start_of_turn>", "\x01\x7f\u200b",
]
for _ in range(args.fuzz):
    s = "".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(0, 40)))
    texts.append(s)
texts_file = os.path.join(work, "texts.jsonl")
with open(texts_file, "w", encoding="utf-8") as f:
    for t in texts:
        f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")

# ---- variants ----
QW, MI = "qwen3", "mistral_v0_1"
BL = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
QRE = None
variants = []


def v(name, base, **kw):
    variants.append((name, base, kw))


def seq_bl(*pre):
    return {"type": "Sequence", "pretokenizers": list(pre) + [BL]}


for fam in ("llama3_1", "qwen3", "mistral_v0_1", "gemma3"):   # the real files, unmodified
    v("family_" + fam, fam)
v("gpt2_prefix", QW, normalizer=None, pre_tokenizer={"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True})
v("gpt2_noprefix", QW, normalizer=None, pre_tokenizer={"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True})
v("digits_indiv_punct", QW, pre_tokenizer=seq_bl({"type": "Digits", "individual_digits": True}, {"type": "Punctuation", "behavior": "Isolated"}))
v("digits_contig_punct_prev", QW, pre_tokenizer=seq_bl({"type": "Digits", "individual_digits": False}, {"type": "Punctuation", "behavior": "MergedWithPrevious"}))
v("punct_next_contig", QW, pre_tokenizer=seq_bl({"type": "Punctuation", "behavior": "MergedWithNext"}, {"type": "Punctuation", "behavior": "Contiguous"}))
v("whitespace", QW, pre_tokenizer=seq_bl({"type": "Whitespace"}))
v("whitespacesplit_prefix", QW, pre_tokenizer={"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, dict(BL, add_prefix_space=True)]})
v("bert_pre", QW, pre_tokenizer=seq_bl({"type": "BertPreTokenizer"}))
v("chardelim", QW, pre_tokenizer=seq_bl({"type": "CharDelimiterSplit", "delimiter": "-"}))
for beh in ("Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"):
    for inv in (False, True):
        v("split_re_%s_%s" % (beh, inv), QW, pre_tokenizer=seq_bl({"type": "Split", "pattern": {"Regex": "\\s+|\\d"}, "behavior": beh, "invert": inv}))
    v("split_str_%s" % beh, QW, pre_tokenizer=seq_bl({"type": "Split", "pattern": {"String": "-"}, "behavior": beh, "invert": False}))
# the other families' regexes (reference/tokenizer.md 2.2), on the Qwen vocabulary
DSV3 = [r"\p{N}{1,3}", "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
        r"[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"]
v("regex_deepseek_v3", QW, pre_tokenizer=seq_bl(*[{"type": "Split", "pattern": {"Regex": r}, "behavior": "Isolated", "invert": False} for r in DSV3]))
TEKKEN = r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"
v("regex_tekken", QW, pre_tokenizer=seq_bl({"type": "Split", "pattern": {"Regex": TEKKEN}, "behavior": "Isolated", "invert": False}))
O200K = r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"
v("regex_o200k", QW, pre_tokenizer=seq_bl({"type": "Split", "pattern": {"Regex": O200K}, "behavior": "Isolated", "invert": False}))
CL100K_ORIG = r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"
v("regex_cl100k_tiktoken", QW, pre_tokenizer=seq_bl({"type": "Split", "pattern": {"Regex": CL100K_ORIG}, "behavior": "Isolated", "invert": False}))
v("split_empty_matches", QW, pre_tokenizer=seq_bl({"type": "Split", "pattern": {"Regex": "\\d*"}, "behavior": "Isolated", "invert": False}))
v("split_anchors", QW, pre_tokenizer=seq_bl({"type": "Split", "pattern": {"Regex": "^\\s*|\\s*$|\\w+"}, "behavior": "Isolated", "invert": False}))
for nf in ("NFD", "NFKC", "NFKD", "NFC", "Lowercase"):
    v("norm_" + nf, QW, normalizer={"type": nf})
v("norm_strip", QW, normalizer={"type": "Strip", "strip_left": True, "strip_right": True})
v("norm_strip_left", QW, normalizer={"type": "Sequence", "normalizers": [{"type": "Strip", "strip_left": True, "strip_right": False}, {"type": "Replace", "pattern": {"Regex": "\\d"}, "content": "#"}]})
v("norm_replace_str_prepend", QW, normalizer={"type": "Sequence", "normalizers": [{"type": "Replace", "pattern": {"String": "a"}, "content": "bb"}, {"type": "Prepend", "prepend": "x"}]})
v("norm_replace_empty_re", QW, normalizer={"type": "Replace", "pattern": {"Regex": "z*"}, "content": "-"})

extra = [
    {"content": "<mark>", "single_word": False, "lstrip": True, "rstrip": False, "normalized": False, "special": True},
    {"content": "[X]", "single_word": False, "lstrip": False, "rstrip": True, "normalized": False, "special": True},
    {"content": "word", "single_word": True, "lstrip": False, "rstrip": False, "normalized": False, "special": False},
    {"content": "FooBar", "single_word": False, "lstrip": False, "rstrip": False, "normalized": True, "special": False},
]
v("added_flags", QW, _added=extra)
v("split_special_qwen", QW, _added=extra, _split_special=True)
v("split_special_mistral", MI, _split_special=True)
v("added_flags_lower", QW, normalizer={"type": "Lowercase"}, _added=extra)
v("added_flags_spm", MI, _added=extra)
v("post_roberta", QW, post_processor={"type": "RobertaProcessing", "sep": ["<|im_end|>", 151645], "cls": ["<|im_start|>", 151644], "trim_offsets": True, "add_prefix_space": False})
v("post_bert", QW, post_processor={"type": "BertProcessing", "sep": ["<|im_end|>", 151645], "cls": ["<|im_start|>", 151644]})
v("post_template_seq", QW, post_processor={"type": "Sequence", "processors": [
    {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|im_start|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "E", "type_id": 0}}],
     "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
     "special_tokens": {"<|im_start|>": {"id": "<|im_start|>", "ids": [151644], "tokens": ["<|im_start|>"]}, "E": {"id": "E", "ids": [151645, 151643], "tokens": ["<|im_end|>", "<|endoftext|>"]}}},
    {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
    {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "X", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
     "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
     "special_tokens": {"X": {"id": "X", "ids": [151646], "tokens": ["<|object_ref_start|>"]}}}]})
MS = {"type": "Metaspace", "replacement": "\u2581"}
for scheme in ("always", "first", "never"):
    for split in (True, False):
        v("metaspace_%s_%s" % (scheme, split), MI, normalizer=None, pre_tokenizer=dict(MS, prepend_scheme=scheme, split=split),
          decoder=dict(MS, prepend_scheme=scheme, split=split))
v("metaspace_legacy_noprefix", MI, normalizer=None, pre_tokenizer=dict(MS, add_prefix_space=False), decoder=dict(MS, add_prefix_space=False))
v("metaspace_after_split", MI, normalizer=None, pre_tokenizer={"type": "Sequence", "pretokenizers": [
    {"type": "Split", "pattern": {"Regex": "\\d+"}, "behavior": "Isolated", "invert": False}, dict(MS, prepend_scheme="first", split=True)]})
v("spm_unk_nofuse", MI, _model={"byte_fallback": False, "fuse_unk": False})
v("spm_unk_fuse", MI, _model={"byte_fallback": False, "fuse_unk": True})
v("spm_no_unk", MI, _model={"byte_fallback": False, "unk_token": None})
v("spm_decoders", MI, decoder={"type": "Sequence", "decoders": [
    {"type": "Replace", "pattern": {"Regex": "\u2581+"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"},
    {"type": "Strip", "content": " ", "start": 2, "stop": 1}]})
v("spm_no_decoder", MI, decoder=None)
v("spm_nfkc_lower", MI, normalizer={"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"}, {"type": "Prepend", "prepend": "\u2581"}, {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]})

bases = {}
total_fail = 0
for name, base, kw in variants:
    if args.only and args.only not in name:
        continue
    if base not in bases:
        bases[base] = load(base)
    tj = copy.deepcopy(bases[base])
    for k, val in kw.items():
        if k == "_split_special":
            continue
        if k == "_added":
            nid = max(a["id"] for a in tj["added_tokens"]) + 1
            for a in val:
                a = dict(a, id=nid)
                nid += 1
                tj["added_tokens"].append(a)
        elif k == "_model":
            tj["model"].update(val)
        else:
            tj[k] = val
    js = json.dumps(tj, ensure_ascii=False)
    path = os.path.join(work, name + ".json")
    open(path, "w", encoding="utf-8").write(js)
    try:
        hf = Tokenizer.from_str(js)
        if kw.get("_split_special"):
            hf.encode_special_tokens = True
    except Exception as e:  # HF refuses it too: nothing to compare
        print("%-32s HF refuses: %s" % (name, e))
        continue
    cfg = os.path.join(work, name + ".config.json")
    json.dump({"split_special_tokens": bool(kw.get("_split_special"))}, open(cfg, "w"))
    r = subprocess.run([exe, path, cfg], stdin=open(texts_file, "rb"), capture_output=True)
    if r.returncode:
        print("%-32s ft FAILED: %s" % (name, r.stderr.decode(errors="replace").strip()))
        total_fail += 1
        continue
    ours = [json.loads(l) for l in r.stdout.decode().split("\n") if l]
    try:
        e0 = hf.encode_batch(texts, add_special_tokens=False)
        e1 = hf.encode_batch(texts, add_special_tokens=True)
    except BaseException as e:  # HF itself panics on some settings: nothing to compare
        print("%-32s HF fails: %s" % (name, str(e)[:100]))
        continue
    bad = 0
    panics = 0
    for i, t in enumerate(texts):
        c2b = [0]
        for ch in t:
            c2b.append(c2b[-1] + len(ch.encode()))
        want = {"ids": e0[i].ids, "ids_special": e1[i].ids, "offsets": [[c2b[a], c2b[b]] for a, b in e0[i].offsets]}
        try:
            want["decoded"] = hf.decode(e0[i].ids, skip_special_tokens=False)
            want["decoded_skip"] = hf.decode(e0[i].ids, skip_special_tokens=True)
        except BaseException:  # e.g. HF's Strip decoder panics on an empty token
            panics += 1
        for k in want:
            if want[k] != ours[i][k]:
                bad += 1
                if bad <= 3 or args.v:
                    print("  %s %s text=%r\n    hf=%r\n    ft=%r" % (name, k, t[:80], str(want[k])[:300], str(ours[i][k])[:300]))
                break
    total_fail += bad
    print("%-32s %s (%d texts x 5 checks%s)" % (name, "ok" if not bad else "%d DIFFER" % bad, len(texts),
                                              ", %d decodes skipped: HF panics" % panics if panics else ""))
print("total differing texts: %d" % total_fail)
sys.exit(1 if total_fail else 0)
