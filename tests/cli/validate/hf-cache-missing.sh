# An id that is not in the cache: ft-validate warns (the training tools would stop).
. "$ROOT/tests/lib/cfg.sh"
mkdir -p hub
base | sed 's|^base_model: .*|base_model: org/absent|' >cfg.yml
HF_HUB_CACHE=hub ft-validate --model-dir cfg.yml
