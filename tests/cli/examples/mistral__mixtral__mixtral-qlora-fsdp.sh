f="$FIXTURES/axolotl-examples/mistral__mixtral__mixtral-qlora-fsdp.yml"
[ -f "$f" ] || { echo "shared fixtures not found at $FIXTURES (set FT_FIXTURES)" >&2; exit 77; }
exec ft-validate "$f"
