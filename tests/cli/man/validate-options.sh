# Every option in ft-validate's table (--help) is documented in man/ft-validate.1, and the
# page documents no option the tool lacks.
ft-validate --help >help.txt || exit 1
sed -nE 's/^ +(-[a-zA-Z], )?(--[a-z][a-z-]*).*/\2/p' help.txt | sort -u >from-help
awk 'prev == ".TP" { print } { prev = $0 }' "$ROOT/man/ft-validate.1" | sed 's/\\-/-/g' |
	grep -oE -- '--[a-z][a-z-]*' | sort -u >from-man
missing=$(comm -23 from-help from-man)
extra=$(comm -13 from-help from-man)
[ -z "$missing" ] || { echo "options missing from man/ft-validate.1: $missing"; exit 1; }
[ -z "$extra" ] || { echo "man/ft-validate.1 documents options the tool lacks: $extra"; exit 1; }
