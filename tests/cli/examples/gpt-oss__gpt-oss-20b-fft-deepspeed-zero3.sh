f="$FIXTURES/axolotl-examples/gpt-oss__gpt-oss-20b-fft-deepspeed-zero3.yaml"
[ -f "$f" ] || { echo "shared fixtures not found at $FIXTURES (set FT_FIXTURES)" >&2; exit 77; }
exec ft-validate "$f"
