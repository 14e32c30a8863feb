# `make demo` is a test: scripts/demo.sh with the tools under test and its outputs here; it
# fails when the validation loss does not fall or exact match does not rise by half of the
# prompts. About 70 seconds on two cores. The sanitizer build (bin under build/san) trains 24
# steps instead of 345, which would take about half an hour there, and checks only the loss; the
# case then takes about 2.5 minutes.
bin=$(dirname "$(command -v ft-train)")
steps=
case $bin in */build/san/*) steps=24 ;; esac
FT_DEMO_BIN=$bin FT_DEMO_OUT=$PWD/demo FT_DEMO_STEPS=$steps sh "$ROOT/scripts/demo.sh" >log 2>&1 || {
	echo "scripts/demo.sh failed; the end of its output:" >&2
	tail -n 30 log >&2
	exit 1
}
grep -A 5 '^demo: summary' log
