# lora_modules_to_save: embed_tokens and lm_head are trained in full and saved in the adapter
# under PEFT's names (as PEFT 0.21 writes them: base_model.model.model.embed_tokens.weight,
# base_model.model.lm_head.weight — the hf_extra/lora_modules_to_save fixture), listed in
# adapter_config.json; a run stopped after step 1 and resumed gives the same adapter.
set -e
. "$ROOT/tests/cli/train/_cfg.inc"
cat >>cfg.yml <<YAML
adapter: lora
lora_r: 4
lora_alpha: 8
lora_target_modules: [q_proj, v_proj]
lora_modules_to_save:
  - embed_tokens
  - model.lm_head
logging_steps: 1
warmup_steps: 0
YAML
ft-train -q -c cfg.yml
ft-train -q -c cfg.yml --output_dir b --stop-after 1
ft-train -q -c cfg.yml --output_dir b --auto_resume_from_checkpoints true
cmp o/adapter_model.safetensors b/adapter_model.safetensors
python3 - "$ROOT" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1] + "/tests/lib")
import st
ks = st.keys("o/adapter_model.safetensors")
want = ["base_model.model.lm_head.weight", "base_model.model.model.embed_tokens.weight"]
for l in range(4):
    for m in ("q_proj", "v_proj"):
        for ab in ("A", "B"):
            want.append("base_model.model.model.layers.%d.self_attn.%s.lora_%s.weight" % (l, m, ab))
assert ks == sorted(want), ks
cfg = json.load(open("o/adapter_config.json"))
assert cfg["modules_to_save"] == ["embed_tokens", "lm_head"], cfg["modules_to_save"]
# the copies trained: step 2 moved them from where checkpoint-1 left them
a = st.load("o/adapter_model.safetensors")
c = st.load("b/checkpoint-1/adapter_model.safetensors")
for k in want[:2]:
    assert a[k][0] == [335, 128], a[k][0]
    assert a[k][1] != c[k][1], k
PY
