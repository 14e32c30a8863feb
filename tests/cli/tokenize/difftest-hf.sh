# Differential test against Hugging Face tokenizers (pip install tokenizers) on ~55
# tokenizer.json variants the four families do not exercise and generated strings (random
# Unicode, whitespace runs, special tokens): ids, ids with specials, offsets and decodes must
# agree. Runs when the package and the shared fixtures (vocabularies) are present.
python3 -c 'import tokenizers' 2>/dev/null || { echo "pip package tokenizers not installed"; exit 77; }
[ -d "$FIXTURES/tokenizers" ] || { echo "no shared fixtures at $FIXTURES"; exit 77; }
# the script builds the plain library itself: not with the flags of an outer `make test SAN=1`
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL python3 "$ROOT/scripts/tok_difftest.py" "$FIXTURES" --fuzz 20 > out.txt 2>&1
rc=$?
tail -n 3 out.txt
grep -q '^total differing texts: 0$' out.txt && [ $rc = 0 ]
