f="$FIXTURES/axolotl-examples/llama-3__instruct-lora-8b.yml"
[ -f "$f" ] || { echo "shared fixtures not found at $FIXTURES (set FT_FIXTURES)" >&2; exit 77; }
exec ft-validate "$f"
