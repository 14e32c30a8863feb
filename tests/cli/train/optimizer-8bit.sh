# The 8-bit AdamW (bitsandbytes' blockwise state): a full fine-tuning run of 4 steps with
# adamw_bnb_8bit follows adamw_torch closely (per-step loss within 1e-3 relative), keeps 8-bit
# state (U8 codes and block maxima) in its checkpoints, and resumes from them bit-exactly;
# paged_adamw_8bit and adamw_8bit are the same optimizer.
set -e
. "$ROOT/tests/cli/train/_cfg.inc"
printf "max_steps: 4\nlogging_steps: 1\nwarmup_steps: 0\nweight_decay: 0.01\nsave_steps: 2\n" >> cfg.yml
ft-train -q -c cfg.yml --optimizer adamw_torch --output_dir f
ft-train -q -c cfg.yml --optimizer adamw_bnb_8bit --output_dir a
ft-train -q -c cfg.yml --optimizer paged_adamw_8bit --output_dir b --stop-after 2
ft-train -q -c cfg.yml --optimizer paged_adamw_8bit --output_dir b --auto_resume_from_checkpoints true
ft-train -q -c cfg.yml --optimizer adamw_8bit --output_dir c
cmp a/model.safetensors b/model.safetensors
cmp a/model.safetensors c/model.safetensors
python3 - "$ROOT" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1] + "/tests/lib")
import st
f = [json.loads(l) for l in open("f/metrics.jsonl") if '"loss"' in l]
a = [json.loads(l) for l in open("a/metrics.jsonl") if '"loss"' in l]
assert len(f) == len(a) == 4
assert f[0]["loss"] == a[0]["loss"]
for x, y in zip(f, a):
    assert abs(x["loss"] - y["loss"]) <= 1e-3 * abs(x["loss"]), (x, y)
with open("a/checkpoint-2/optimizer.safetensors", "rb") as fh:
    import struct
    n = struct.unpack("<Q", fh.read(8))[0]
    head = json.loads(fh.read(n))
t = head["model.layers.0.mlp.up_proj.weight.state1"]
assert t["dtype"] == "U8" and t["shape"] == [344, 128], t
assert head["model.layers.0.mlp.up_proj.weight.absmax2"]["shape"] == [344 * 128 // 256]
assert head["model.norm.weight.exp_avg"]["dtype"] == "F32"   # 128 elements: float32 state
PY
