# Every tool's option table (its --help) and its man page list the same long options
# (STYLE.md 6), and every man page has the sections STYLE.md 14 asks for.
fail=0
for tool in "$ROOT"/bin/ft-* $(command -v ft-validate 2>/dev/null | xargs -r dirname)/ft-*; do
	[ -x "$tool" ] || continue
	name=$(basename "$tool")
	case " $seen " in *" $name "*) continue ;; esac
	seen="$seen $name"
	page="$ROOT/man/$name.1"
	if [ ! -f "$page" ]; then echo "$name: no man page man/$name.1"; fail=1; continue; fi
	"$tool" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z0-9-]+' | sort -u >help.txt
	# an option is the tag line after .TP in the OPTIONS section
	sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$page" | awk 'tp { print } { tp = /^\.TP/ }' |
		grep -oE '\\-\\-[a-z][a-z0-9\\-]*' |
		sed 's/\\-/-/g' | sort -u >man.txt
	if ! cmp -s help.txt man.txt; then
		echo "$name: --help and man/$name.1 OPTIONS differ (< help, > man):"
		diff help.txt man.txt
		fail=1
	fi
	for sec in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
		grep -q "^\.SH \"*$sec\"*\$" "$page" || { echo "$name: man page lacks $sec"; fail=1; }
	done
done
exit $fail
