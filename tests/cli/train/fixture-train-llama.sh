# The ten-step hf/train_llama fixture run as a user would run it: the fixture's rows as a
# pre-tokenized JSONL (input_ids, labels), an Axolotl YAML with the fixture's settings
# (history.json: AdamW lr 1e-3, betas 0.9/0.999, eps 1e-8, weight decay 0.01, cosine with 2
# warm-up steps, micro batch 2, accumulation 2, clipping at 1.0, 10 steps; no packing),
# lora_model_dir: adapter_init and curriculum_sampling, then ft-validate -> ft-tokenize ->
# ft-train. Per step metrics.jsonl must give history.json's loss (rtol 1e-5), pre-clip grad
# norm (rtol 1e-4) and learning rate (rtol 1e-12), and the adapter must be adapter_final
# (atol 1e-4; test_train_fixture holds the same run to 2e-6 and sees 4.5e-7).
set -e
F="$FIXTURES/hf/train_llama"
if [ ! -f "$F/data.safetensors" ]; then echo "no hf/train_llama fixture (FT_FIXTURES)" >&2; exit 77; fi
python3 - "$ROOT" "$F" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1] + "/tests/lib")
import st
d = st.load(sys.argv[2] + "/data.safetensors")
(R, T), ids = d["input_ids"]
labels = d["labels"][1]
with open("data.jsonl", "w") as f:
    for r in range(R):
        f.write(json.dumps({"input_ids": ids[r * T:(r + 1) * T], "labels": labels[r * T:(r + 1) * T]}) + "\n")
PY
cat >cfg.yml <<YAML
base_model: $F/base
datasets:
  - path: data.jsonl
sequence_len: 32
val_set_size: 0
adapter: lora
lora_model_dir: $F/adapter_init
lora_r: 8
lora_alpha: 16
lora_target_linear: true
curriculum_sampling: true
micro_batch_size: 2
gradient_accumulation_steps: 2
max_steps: 10
optimizer: adamw_torch
learning_rate: 1e-3
adam_beta1: 0.9
adam_beta2: 0.999
adam_epsilon: 1e-8
weight_decay: 0.01
lr_scheduler: cosine
warmup_steps: 2
max_grad_norm: 1.0
logging_steps: 1
save_strategy: "no"
output_dir: out
YAML
ft-validate -q cfg.yml
ft-tokenize -q -c cfg.yml -o data.ftt
ft-train -q -c cfg.yml --data data.ftt
python3 - "$ROOT" "$F" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1] + "/tests/lib")
import st
F = sys.argv[2]
hist = json.load(open(F + "/history.json"))["history"]
got = [json.loads(l) for l in open("out/metrics.jsonl") if '"loss"' in l]
assert len(got) == 10, "metrics.jsonl has %d step entries, want 10" % len(got)
bad = 0
def close(what, g, w, atol, rtol):
    global bad
    if abs(g - w) > atol + rtol * abs(w):
        print("FAIL %s: %r, want %r" % (what, g, w)); bad += 1
worst = [0, 0]
for e, h in zip(got, hist):
    assert e["step"] == h["step"]
    close("step %d loss" % h["step"], e["loss"], h["loss"], 0, 1e-5)
    close("step %d grad_norm" % h["step"], e["grad_norm"], h["grad_norm"], 0, 1e-4)
    close("step %d learning_rate" % h["step"], e["learning_rate"], h["lr"], 1e-15, 1e-12)
    worst[0] = max(worst[0], abs(e["loss"] - h["loss"]) / abs(h["loss"]))
    worst[1] = max(worst[1], abs(e["grad_norm"] - h["grad_norm"]) / abs(h["grad_norm"]))
ref = st.load(F + "/adapter_final/adapter_model.safetensors")
out = st.load("out/adapter_model.safetensors")
assert sorted(ref) == sorted(out), "adapter tensors differ: %s" % (set(ref) ^ set(out))
dmax = 0
for k in ref:
    assert ref[k][0] == out[k][0], k
    d = max(abs(a - b) for a, b in zip(ref[k][1], out[k][1]))
    dmax = max(dmax, d)
    if d > 1e-4:
        print("FAIL %s: max |diff| %g" % (k, d)); bad += 1
print("loss rel %.2g, grad_norm rel %.2g, adapter max |diff| %.2g" % (worst[0], worst[1], dmax), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
