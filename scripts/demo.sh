#!/bin/sh
# The README's first command: on a fresh Debian machine, install what is missing, build, and
# run the whole pipeline on the shipped example (examples/sort: chats that ask to sort 2 to 8
# distinct numbers, for the tiny model examples/tiny-llama and its own small tokenizer):
# validate the config, tokenize the chats (ChatML, only the assistant turns train; a validation
# split), pack, look at the rows; then train the model from a seeded random initialisation
# (full fine-tuning, 15 epochs), show that it learned (ft-eval's validation loss before and
# after) and that it does the task (greedy replies to the validation chats with ft-eval
# --generate, compared as text with the expected answers: exact match before and after), train
# a LoRA adapter on top, merge it, and check the merged model scores as base + adapter. Fails
# (exit 1) when the loss does not fall by more than 1 or exact match does not rise by at least
# half of the prompts.
# About 70 seconds on two cores once built; outputs go to out/demo/.
#
# For the test (tests/cli/demo/demo.sh): FT_DEMO_BIN, a folder of built tools (then nothing is
# installed or built), FT_DEMO_OUT, the output folder (an absolute path), and FT_DEMO_STEPS=N,
# train N steps instead of 15 epochs and check only that the loss fell (for the sanitizer
# build, where the 345 steps would take about half an hour instead of a minute).
set -eu
cd "$(dirname "$0")/.."
bin=${FT_DEMO_BIN:-}
if [ -z "$bin" ]; then
	sh scripts/deps.sh
	make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
	bin=bin
fi
cfg=examples/sort/train.yml
lora=examples/sort/lora.yml
tok=examples/tiny-llama
out=${FT_DEMO_OUT:-out/demo}
steps=${FT_DEMO_STEPS:-}
mkdir -p "$out"
say() { { set +x; } 2>/dev/null; printf '\ndemo: %s\n' "$*"; set -x; }

say "1/6 check the config and print what it resolves to"
"$bin"/ft-validate "$cfg"
say "2/6 tokenize the chats with the model's tokenizer, 5% split off for validation"
head -n 1 examples/sort/train.jsonl
printf '"sort: 17 3 25"\n' | "$bin"/ft-tokenize --tokenizer "$tok" --encode
"$bin"/ft-tokenize -c "$cfg" -o "$out/train.ftt"
say "3/6 pack the samples into rows of sequence_len tokens; look at them"
"$bin"/ft-pack -c "$cfg" "$out/train.ftt" -o "$out/train.ftp"
"$bin"/ft-cat --stats "$out/train.ftp"
"$bin"/ft-cat --color never --tokenizer "$tok" -n 1 "$out/train.ftp" | cut -c 1-160 | head -n 4

say "4/6 train the tiny model from its random initialisation, evaluate before and after"
"$bin"/ft-eval -c "$cfg" --data "$out/train.val.ftt" --json >"$out/eval-before.json"
"$bin"/ft-train -c "$cfg" --data "$out/train.ftp" --val "$out/train.val.ftt" --no-progress \
	--output_dir "$out/full" ${steps:+--max_steps "$steps"}
"$bin"/ft-eval --model "$out/full" --data "$out/train.val.ftt" --json >"$out/eval-after.json"

say "5/6 the task itself: greedy replies to the validation chats, before and after"
"$bin"/ft-cat --json "$out/train.val.ftt" | python3 -c '
import json, sys
for line in sys.stdin:
    print(json.dumps(json.loads(line)["input_ids"]))' |
	"$bin"/ft-tokenize --tokenizer "$tok" --decode >"$out/val.txt"
python3 - "$out/val.txt" "$out/prompts.jsonl" <<'PY'
import json, re, sys
with open(sys.argv[2], "w") as f:
    for line in open(sys.argv[1]):
        user, answer = re.fullmatch(r"<\|im_start\|>user\n(.*)<\|im_end\|>\n"
                                    r"<\|im_start\|>assistant\n(.*)<\|im_end\|>\n", json.loads(line)).groups()
        f.write(json.dumps({"messages": [{"role": "user", "content": user}], "answer": answer}) + "\n")
PY
head -n 2 "$out/prompts.jsonl"
"$bin"/ft-eval -q -c "$cfg" --generate "$out/prompts.jsonl" --max-new-tokens 24 >"$out/gen-before.jsonl"
"$bin"/ft-eval -q --model "$out/full" --generate "$out/prompts.jsonl" --max-new-tokens 24 \
	>"$out/gen-after.jsonl"
head -n 2 "$out/gen-after.jsonl"

say "6/6 a LoRA adapter on top, merged into its base: the merged model scores as base + adapter"
"$bin"/ft-train -c "$lora" --data "$out/train.ftp" --no-progress \
	--base_model "$out/full" --output_dir "$out/lora"
"$bin"/ft-merge -c "$lora" --base_model "$out/full" --output_dir "$out/lora"
"$bin"/ft-eval --model "$out/full" --adapter "$out/lora" --data "$out/train.val.ftt" --json \
	>"$out/eval-adapter.json"
"$bin"/ft-eval --model "$out/lora/merged" --data "$out/train.val.ftt" --json >"$out/eval-merged.json"
{ set +x; } 2>/dev/null

echo
echo "demo: summary"
python3 - "$out" "$steps" <<'PY'
import json, sys
out, quick = sys.argv[1], sys.argv[2] != ""
ev = {k: json.load(open("%s/eval-%s.json" % (out, k))) for k in ("before", "after", "adapter", "merged")}
want = [json.loads(l)["answer"] for l in open(out + "/prompts.jsonl")]
def score(name):
    got = [json.loads(l) for l in open("%s/gen-%s.jsonl" % (out, name))]
    exact = sum(g["completion"] == w and g["finish_reason"] == "stop" for g, w in zip(got, want))
    inplace = sum(sum(a == b for a, b in zip(g["completion"].split(), w.split())) for g, w in zip(got, want))
    return exact, inplace / sum(len(w.split()) for w in want)
(eb, ib), (ea, ia) = score("before"), score("after")
n = len(want)
print("  validation loss:  %.4f before training, %.4f after (token accuracy %.1f%% -> %.1f%%)"
      % (ev["before"]["loss"], ev["after"]["loss"], 100 * ev["before"]["accuracy"], 100 * ev["after"]["accuracy"]))
print("  exact match (the sorted numbers, then the end of the turn): %d -> %d of %d prompts (%.0f%% -> %.0f%%)"
      % (eb, ea, n, 100.0 * eb / n, 100.0 * ea / n))
print("  answer numbers in place: %.1f%% -> %.1f%%" % (100 * ib, 100 * ia))
print("  after the LoRA stage: loss %.4f with the adapter, %.4f merged" % (ev["adapter"]["loss"], ev["merged"]["loss"]))
bad = []
if not ev["after"]["loss"] < ev["before"]["loss"] - 1:
    bad.append("the validation loss did not fall by more than 1")
if quick:
    print("  (FT_DEMO_STEPS: a short run, exact match not checked)")
elif not ea - eb >= n / 2:
    bad.append("exact match did not rise by half of the prompts or more")
if abs(ev["adapter"]["loss"] - ev["merged"]["loss"]) > 1e-4 * abs(ev["adapter"]["loss"]):
    bad.append("the merged model does not score as base + adapter")
for b in bad:
    print("demo: " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
