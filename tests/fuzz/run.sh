#!/bin/sh
# Runs every fuzz target for SECONDS over a seed corpus made from the repository's fixtures.
# Called by `make fuzz`; exits non-zero on the first crash, leaving the input in build/fuzz/.
set -eu
secs=${1:-60}
cd "$(dirname "$0")/../.."
c=build/fuzz/corpus
rm -rf "$c" && mkdir -p "$c/tokjson" "$c/jinja" "$c/jsonl"
for f in tests/fixtures/tokenizers/refuse_*.json; do cp "$f" "$c/tokjson/"; done
# a small real tokenizer.json cut down to its first 20 kB keeps the corpus quick to run
zstd -dc tests/fixtures/tokenizers/mistral_v0_1/tokenizer.json.zst | head -c 20000 > "$c/tokjson/mistral_head.json" || true
[ -d ../shared/fixtures/tokenizer-tests/chat-templates/templates ] &&
	cp ../shared/fixtures/tokenizer-tests/chat-templates/templates/*.jinja "$c/jinja/" 2>/dev/null || true
printf '{%% for m in messages %%}{{ m.role }}: {{ m.content }}\n{%% endfor %%}' > "$c/jinja/seed.jinja"
cp tests/fixtures/datasets/*.jsonl "$c/jsonl/"
head -n 3 examples/pretokenized/train.jsonl > "$c/jsonl/pretok.jsonl"
for t in tokjson jinja jsonl; do
	echo "fuzz_$t: $secs s"
	(cd build/fuzz && ASAN_OPTIONS=detect_leaks=0 ./fuzz_$t -max_total_time="$secs" -max_len=16384 \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "corpus/$t" 2>&1 | tail -n 4)
done
