# type: chat_template gives, record for record, the input_ids and labels of Axolotl's own
# ChatTemplateStrategy (tests/fixtures/datasets/golden/chat_*.jsonl, from
# scripts/gen-chat-goldens.py): the tokenizers' own templates, ft's chatml and llama3, roles,
# train_on_eos/eot, eot_tokens, per-message training flags, drop_system_message,
# split_thinking, sharegpt-style mappings, tools.
set -e
python3 - "$DATA" <<'PY'
import json, subprocess, sys
data = sys.argv[1]
cases = json.load(open(f"{data}/datasets/chat_cases.json"))
bad = 0
for c in cases:
    ds = {"path": f"{data}/datasets/{c['data']}", "type": "chat_template", **c["dataset"]}
    cfg = {"base_model": f"{data}/tokenizers/{c['tokenizer']}", "datasets": [ds], "sequence_len": 4096,
           "shuffle_merged_datasets": False, "micro_batch_size": 1, "gradient_accumulation_steps": 1,
           "learning_rate": 1e-4, **c["config"]}
    json.dump(cfg, open("cfg.yml", "w"))
    tok = subprocess.run(["ft-tokenize", "-q", "-c", "cfg.yml"], capture_output=True, check=True)
    got = subprocess.run(["ft-cat", "--json"], input=tok.stdout, capture_output=True, check=True).stdout.decode()
    got = [json.loads(l) for l in got.splitlines()]
    want = [json.loads(l) for l in open(f"{data}/datasets/golden/chat_{c['name']}.jsonl")]
    want = [w for w in want if 2 <= len(w["input_ids"]) <= 4096]
    if got != want:
        bad += 1
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                print(f"{c['name']}: record {i + 1} differs\n got  {g}\n want {w}")
                break
        else:
            print(f"{c['name']}: {len(got)} records, expected {len(want)}")
print(f"{len(cases) - bad} of {len(cases)} chat_template cases match Axolotl")
sys.exit(1 if bad else 0)
PY
