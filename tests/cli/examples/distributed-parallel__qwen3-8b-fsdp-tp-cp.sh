f="$FIXTURES/axolotl-examples/distributed-parallel__qwen3-8b-fsdp-tp-cp.yaml"
[ -f "$f" ] || { echo "shared fixtures not found at $FIXTURES (set FT_FIXTURES)" >&2; exit 77; }
exec ft-validate "$f"
