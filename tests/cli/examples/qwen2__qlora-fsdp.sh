f="$FIXTURES/axolotl-examples/qwen2__qlora-fsdp.yaml"
[ -f "$f" ] || { echo "shared fixtures not found at $FIXTURES (set FT_FIXTURES)" >&2; exit 77; }
exec ft-validate "$f"
