f="$FIXTURES/axolotl-examples/gemma3__gemma-3-4b-qlora.yml"
[ -f "$f" ] || { echo "shared fixtures not found at $FIXTURES (set FT_FIXTURES)" >&2; exit 77; }
exec ft-validate "$f"
