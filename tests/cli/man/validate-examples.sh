# The EXAMPLES of ft-validate(1) run (with a config that has the files they name).
. "$ROOT/tests/lib/cfg.sh"
base >lora.yml
: >other.jsonl
ft-validate lora.yml || exit 1
ft-validate --print lora.yml >/dev/null || exit 1
ft-validate lora.yml --learning_rate 1e-4 --datasets.0.path other.jsonl || exit 1
