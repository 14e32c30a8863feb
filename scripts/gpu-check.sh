#!/bin/sh
# gpu-check: every GPU check of the CUDA backend in one call, a table printed last.
#
#   scripts/gpu-check.sh stage DIR   here, on the build machine: `make gpu-tests`, then copy the
#                                    test binaries, the shared libraries they need beyond CUDA's,
#                                    the Hugging Face fixtures, the benchmark config and this
#                                    script into DIR (e.g. the lead's checkout's git-ignored gpu/)
#   sh DIR/gpu-check.sh run          there, on the GPU machine, from DIR: op parity, model
#                                    parity, bf16 flash attention parity, the Llama-1B-shaped
#                                    timing and flash attention's, then compute-sanitizer on the
#                                    op test. Logs go to $OUT (or DIR/logs) too.
# Exit status: 0 when op, model and flash attention parity passed, 1 otherwise.
set -u
cmd=${1:-run}
if [ "$cmd" = stage ]; then
	dst=${2:?usage: gpu-check.sh stage DIR}
	root=$(cd "$(dirname "$0")/.." && pwd)
	make -C "$root" --no-print-directory gpu-tests >&2 || exit 2
	mkdir -p "$dst/lib" "$dst/fixtures" "$dst/bench" || exit 4
	cp "$root"/build/rel/gpu/* "$dst/" || exit 4
	cp "$0" "$dst/gpu-check.sh"
	# libraries the binaries link that a CUDA image may lack (CUDA's own are there)
	for l in $(ldd "$dst/test_cuda_model" | awk '/=> \// {print $3}'); do
		case "$(basename "$l")" in
		libyaml*|libcjson*|libzstd*|libpcre2*|libgomp*) cp -L "$l" "$dst/lib/" ;;
		esac
	done
	fx=${FT_FIXTURES:-$root/../shared/fixtures}
	[ -d "$fx/hf" ] || fx=$root/tests/fixtures
	rm -rf "$dst/fixtures/hf"
	cp -r "$fx/hf" "$dst/fixtures/hf"
	cp -r "$root/bench/llama-1b" "$dst/bench/"
	echo "staged in $dst: $(ls "$dst" | tr '\n' ' ')" >&2
	exit 0
fi

dir=$(cd "$(dirname "$0")" && pwd)
cd "$dir" || exit 4
out=${OUT:-$dir/logs}
mkdir -p "$out"
export LD_LIBRARY_PATH="$dir/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export FT_FIXTURES="$dir/fixtures"
nvidia-smi --query-gpu=name,memory.total,clocks.sm,clocks.max.sm --format=csv,noheader 2>&1 | tee "$out/gpu.txt"
status=0
./test_cuda_ops >"$out/ops.log" 2>&1; ops=$?
./test_cuda_model >"$out/model.log" 2>&1; model=$?
./test_flash >"$out/flash.log" 2>&1; flash=$?
[ $ops = 0 ] && [ $model = 0 ] && [ $flash = 0 ] || status=1
[ "${BENCH:-1}" = 1 ] && timeout 60 ./test_flash --bench >"$out/flash-bench.log" 2>&1
[ "${BENCH:-1}" = 1 ] && timeout 300 ./bench_cuda bench/llama-1b "${BENCH_N:-4096}" ${BENCH_MODES:-fp32 tf32 bf16} >"$out/bench.log" 2>&1; bench=$?
san=skipped
if [ "${SANITIZE:-1}" = 1 ] && command -v compute-sanitizer >/dev/null; then
	timeout 240 compute-sanitizer --tool memcheck --error-exitcode 9 ./test_cuda_ops >"$out/sanitizer.log" 2>&1
	rc=$?
	# 9: memcheck found errors; another status is the test's own (its failures are above)
	case $rc in 0) san=clean ;; 9) san=ERRORS ;; 124) san=timeout ;; *) san="no memcheck errors, test exit $rc" ;; esac
fi
echo "==== failures (first 30) ===="
grep -h '^FAIL' "$out/ops.log" "$out/model.log" "$out/flash.log" | head -30
grep -h -A1 '^FAIL' "$out/ops.log" "$out/model.log" "$out/flash.log" | grep '^ ' | head -10
echo "==== bench ===="
cat "$out/bench.log" | tail -60
echo "==== sanitizer: $san ===="
[ "$san" = ERRORS ] && grep -m 20 -E '^=========' "$out/sanitizer.log"
echo "==== ops (exit $ops) ===="
sed -n '/^ops_cuda vs ops_cpu$/,$p' "$out/ops.log"
echo "==== flash_attn (exit $flash) ===="
sed -n '/^flash_attn (bf16)/,$p' "$out/flash.log"
[ -f "$out/flash-bench.log" ] && cat "$out/flash-bench.log"
echo "==== model (exit $model) ===="
sed -n '/^model on ops_cuda vs ops_cpu$/,$p' "$out/model.log"
tail -3 "$out/model.log" | grep -v '^model on\|checks failed' | head -3
exit $status
