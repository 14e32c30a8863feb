# peft_use_dora: a fresh DoRA adapter trained from the config (magnitudes start at |W| per
# row, as PEFT's use_dora), saved as PEFT saves it (lora_magnitude_vector beside lora_A and
# lora_B, use_dora in adapter_config.json), read back by ft-eval and merged by ft-merge with
# the same loss. The arithmetic is checked against PEFT's gradients on the hf_extra/lora_dora
# fixture (test_hf_extra); this is the path from the config.
set -e
. "$ROOT/tests/cli/train/_cfg.inc"
# a base with weights on disk for ft-merge: the seeded initialisation, saved by one step at
# learning rate 0
ft-train -q -c cfg.yml --learning_rate 0 --max_steps 1 --output_dir base
sed -i "s|^base_model: .*|base_model: ./base|; /^reinit_weights/d" cfg.yml
cat >>cfg.yml <<YAML
adapter: lora
lora_r: 4
lora_alpha: 8
lora_target_modules: [q_proj, down_proj]
peft_use_dora: true
logging_steps: 1
YAML
ft-validate -q cfg.yml
ft-train -q -c cfg.yml
grep -q '"use_dora": true' o/adapter_config.json
python3 - "$ROOT" <<'PY'
import sys
sys.path.insert(0, sys.argv[1] + "/tests/lib")
import st
ks = st.keys("o/adapter_model.safetensors")
for l in range(4):
    for m, mod in (("q_proj", "self_attn"), ("down_proj", "mlp")):
        for s in ("lora_A.weight", "lora_B.weight", "lora_magnitude_vector"):
            k = "base_model.model.model.layers.%d.%s.%s.%s" % (l, mod, m, s)
            assert k in ks, "missing " + k
PY
ft-tokenize -q -c cfg.yml -o t.ftt
a=$(ft-eval -q -c cfg.yml --adapter o --data t.ftt --json)
ft-merge -q -c cfg.yml --adapter o -o merged
b=$(ft-eval -q --model merged --data t.ftt --json)
python3 -c "import json,sys; x, y = json.loads(sys.argv[1])['loss'], json.loads(sys.argv[2])['loss']; sys.exit(abs(x - y) > 1e-5 * abs(x))" "$a" "$b"
