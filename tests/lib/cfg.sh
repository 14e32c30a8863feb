# Sourced by the config CLI cases (tests/cli/validate/*.sh): a minimal valid config and the
# files it points at, so each case only writes what it is about.
#   setup          creates ./model (a model directory) and ./data.jsonl
#   base           prints the minimal config; append a case's fields after it
mkdir -p model && : >data.jsonl
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
