# Sourced by the config CLI cases (tests/cli/validate/*.sh): a minimal valid config and the
# files it points at, so each case only writes what it is about.
#   setup          creates ./model (a model directory) and ./data.jsonl
#   base           prints the minimal config; append a case's fields after it
mkdir -p model && : >data.jsonl
# bf16/tf32 "auto" follow the machine's GPU; hide any, so expected outputs are the same on a
# laptop and on a GPU host (the --gpu cases declare one explicitly).
CUDA_VISIBLE_DEVICES=
export CUDA_VISIBLE_DEVICES
base() {
	cat <<'YAML'
base_model: ./model
datasets:
  - path: data.jsonl
    type: alpaca
micro_batch_size: 2
gradient_accumulation_steps: 1
learning_rate: 0.0002
YAML
}
