# HF_HOME/hub is the cache when HF_HUB_CACHE is unset; a dataset id resolves there too.
. "$ROOT/tests/lib/cfg.sh"
mkdir -p home/hub/models--org--tiny/snapshots/r1 home/hub/datasets--org--chat/snapshots/r2
base | sed 's|^base_model: .*|base_model: org/tiny|; s|path: data.jsonl|path: org/chat|' >cfg.yml
unset HF_HUB_CACHE
HF_HOME=home ft-validate --model-dir cfg.yml
