# The include rules of the README's map, checked so that none holds only because people
# remember it: common/ and tools/ never include a kernels/ header (the compiler also refuses,
# having no -Ikernels for them); a wing's private headers are included only inside the wing
# (white-box unit tests of the tokenizer excepted, by name); nothing includes a wing's front
# header without its folder.
cd "$ROOT" || exit 4
bad=0
# kernels' headers, by name
for h in $(cd kernels && ls *.h *.cuh); do
	if grep -rn --include='*.c' --include='*.h' "#include \"$h\"" common tools; then
		echo "common/ and tools/ reach the GPU only through backend.h: $h" >&2
		bad=1
	fi
done
wing_private() { # wing header allowed-outside...
	w=$1 h=$2
	shift 2
	grep -rln --include='*.c' --include='*.h' --include='*.cu' --include='*.cuh' "#include \"\(.*/\)\?$h\"" \
		common tools tests kernels scripts bench | grep -v "^common/$w/" | while read -r f; do
		for ok in "$@"; do [ "$f" = "$ok" ] && continue 2; done
		echo "$f: includes $h, private to common/$w/" >&2
		echo x
	done
}
for h in $(cd common/jinja && ls *.h | grep -v '^jinja\.h$'); do
	[ -z "$(wing_private jinja "$h")" ] || bad=1
done
for h in $(cd common/tok && ls *.h | grep -v '^tokenizer\.h$'); do
	[ -z "$(wing_private tok "$h" tests/unit/test_tokenizer_fastsplit.c tests/unit/test_tokenizer_unicode.c)" ] || bad=1
done
if grep -rn --include='*.c' --include='*.h' -E '#include "(jinja|tokenizer)\.h"' common tools tests | grep -v '^common/\(jinja\|tok\)/'; then
	echo "a wing's front header is included with its folder: \"jinja/jinja.h\", \"tok/tokenizer.h\"" >&2
	bad=1
fi
exit $bad
