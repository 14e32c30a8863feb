#!/bin/sh
# bench/tokenizer.sh: our tokenizer against Hugging Face tokenizers (pip install tokenizers) on
# the same corpus, one thread and all threads, for each fixture family; checks that both give
# the same ids on every chunk, and prints a markdown table (bench/tokenizer.md holds a run).
# usage: sh bench/tokenizer.sh [FIXTURES] [CORPUS_MB]   (run from the repository root after make)
set -eu
FX=${1:-${FT_FIXTURES:-../shared/fixtures}}
MB=${2:-8}
NT=$(nproc)
RUNS=${RUNS:-3}
W=$(mktemp -d "${TMPDIR:-/tmp}/ft-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
make -s build/rel/libft.a
cc -O2 -fopenmp -Icommon bench/tok_bench.c build/rel/libft.a -lcjson -lzstd -lpcre2-8 -lm -lpthread -o "$W/tok_bench"
python3 bench/make_corpus.py "$FX" "$W/corpus.jsonl" "$MB"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $NT cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "tokenizers $(python3 -c 'import tokenizers; print(tokenizers.__version__)'), corpus $MB MB in ~4 KB chunks, best of $RUNS"
echo
echo "MB/s = corpus bytes / best time. 1 thread: wall (CPU) seconds; CPU time is the steadier figure on a shared machine."
echo
echo "| tokenizer | ft 1 thread | HF 1 thread | speed-up | ft $NT threads | HF $NT threads | speed-up | ft load s | HF load s | ids identical |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for name in llama3_1 qwen3 mistral_v0_1 gemma3; do
	d="$FX/tokenizers/$name"
	[ -d "$d" ] || continue
	ours=$("$W/tok_bench" "$d" "$W/corpus.jsonl" "$W/ours.ids" "$NT" "$RUNS")
	hf1=$(RAYON_NUM_THREADS=1 python3 bench/hf_bench.py "$d" "$W/corpus.jsonl" "$W/hf.ids" "$RUNS")
	hfn=$(RAYON_NUM_THREADS=$NT python3 bench/hf_bench.py "$d" "$W/corpus.jsonl" "$W/hf.ids" "$RUNS")
	same=$(cmp -s "$W/ours.ids" "$W/hf.ids" && echo yes || echo "NO ($(paste -d'\n' "$W/ours.ids" "$W/hf.ids" | awk 'NR%2{a=$0;next} a!=$0{n++} END{print n+0}') chunks differ)")
	python3 - "$name" "$ours" "$hf1" "$hfn" "$same" <<'PY'
import json, sys
n, o, h1, hn, same = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), json.loads(sys.argv[4]), sys.argv[5]
print(f"| {n} | {o['mbps_1']:.1f} ({o['mbps_1cpu']:.1f}) | {h1['mbps']:.1f} ({h1['mbps_cpu']:.1f}) | {o['mbps_1']/h1['mbps']:.1f}x ({o['mbps_1cpu']/h1['mbps_cpu']:.1f}x) | {o['mbps_n']:.1f} | {hn['mbps']:.1f} | {o['mbps_n']/hn['mbps']:.1f}x | {o['load_s']:.2f} | {h1['load_s']:.2f} | {same} |")
PY
	if [ "${KEEP_DIFF:-}" ] && ! cmp -s "$W/ours.ids" "$W/hf.ids"; then cp "$W/ours.ids" "/tmp/ours.$name.ids"; cp "$W/hf.ids" "/tmp/hf.$name.ids"; cp "$W/corpus.jsonl" /tmp/corpus.jsonl; fi
done
