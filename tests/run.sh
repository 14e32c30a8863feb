#!/bin/sh
# The test runner: unit tests (C programs in $UNITS, built from tests/unit/) and CLI cases
# (tests/cli/NAME.sh with expected NAME.status, NAME.out, NAME.err beside it). A test's exit
# status is its verdict; 77 means skipped (the test prints why). Ends with `N passed, N failed`.
#
# A CLI case runs in a fresh empty directory with PATH starting at the tools under test and
# these variables: ROOT (the repository), FIXTURES (FT_FIXTURES, the shared Hugging Face
# reference fixtures, may be absent), DATA (tests/fixtures). Expected files:
#   NAME.status  the exit status (default 0)
#   NAME.out     stdout, exactly
#   NAME.err     stderr, exactly
#   NAME.errgrep a grep -E pattern stderr must match (one per line, all must match)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-bin}
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
BIN=$(cd "$BIN" && pwd) || exit 2
UNITS=${UNITS:-build/rel/tests}
case "$UNITS" in /*) ;; *) UNITS="$ROOT/$UNITS" ;; esac
FIXTURES=${FT_FIXTURES:-$ROOT/../shared/fixtures}
case "$FIXTURES" in /*) ;; *) FIXTURES="$ROOT/$FIXTURES" ;; esac
DATA="$ROOT/tests/fixtures"
export ROOT FIXTURES DATA FT_FIXTURES="$FIXTURES"
PATH="$BIN:$PATH"
export PATH
FILTER=${1:-}

pass=0 fail=0 skip=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ft-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

report() { # name verdict [detail file]
	case $2 in
	pass) pass=$((pass + 1)); [ -n "${VERBOSE:-}" ] && echo "PASS $1" ;;
	skip) skip=$((skip + 1)); echo "SKIP $1: $(head -c 300 "$3" | tail -n 1)" ;;
	fail) fail=$((fail + 1)); echo "FAIL $1"; [ -n "${3:-}" ] && sed 's/^/    /' "$3" | head -n 40 ;;
	esac
}

for t in "$UNITS"/test_*; do
	[ -x "$t" ] || continue
	name=unit/$(basename "$t")
	case "$name" in *"$FILTER"*) ;; *) continue ;; esac
	(cd "$ROOT" && "$t") >"$tmp/log" 2>&1
	rc=$?
	if [ $rc = 0 ]; then report "$name" pass
	elif [ $rc = 77 ]; then report "$name" skip "$tmp/log"
	else echo "exit status $rc" >>"$tmp/log"; report "$name" fail "$tmp/log"; fi
done

for c in $(find "$ROOT/tests/cli" -name '*.sh' | sort); do
	name=cli/${c#$ROOT/tests/cli/}
	name=${name%.sh}
	case "$name" in *"$FILTER"*) ;; *) continue ;; esac
	base=${c%.sh}
	work="$tmp/work"
	rm -rf "$work" && mkdir -p "$work"
	(cd "$work" && sh "$c") >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	want=0
	[ -f "$base.status" ] && want=$(cat "$base.status")
	if [ $rc = 77 ]; then report "$name" skip "$tmp/err"; continue; fi
	: >"$tmp/why"
	[ "$rc" = "$want" ] || echo "exit status $rc, expected $want" >>"$tmp/why"
	if [ -f "$base.out" ] && ! cmp -s "$base.out" "$tmp/out"; then
		echo "stdout differs:" >>"$tmp/why"; diff "$base.out" "$tmp/out" | head -n 20 >>"$tmp/why"
	fi
	if [ -f "$base.err" ] && ! cmp -s "$base.err" "$tmp/err"; then
		echo "stderr differs:" >>"$tmp/why"; diff "$base.err" "$tmp/err" | head -n 20 >>"$tmp/why"
	fi
	if [ -f "$base.errgrep" ]; then
		while IFS= read -r pat; do
			[ -n "$pat" ] || continue
			grep -qE -- "$pat" "$tmp/err" || echo "stderr lacks /$pat/" >>"$tmp/why"
		done <"$base.errgrep"
	fi
	if [ -s "$tmp/why" ]; then
		echo "stderr was:" >>"$tmp/why"; head -n 10 "$tmp/err" >>"$tmp/why"
		report "$name" fail "$tmp/why"
	else
		report "$name" pass
	fi
done

echo "$skip skipped"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
