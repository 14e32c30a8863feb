f="$FIXTURES/axolotl-examples/llama-3__qlora-1b-kto.yaml"
[ -f "$f" ] || { echo "shared fixtures not found at $FIXTURES (set FT_FIXTURES)" >&2; exit 77; }
exec ft-validate "$f"
