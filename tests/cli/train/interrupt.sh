# Ctrl-C during training: exit 130 and no temporary checkpoint folder left behind (a
# checkpoint is written to output_dir/.checkpoint-N.tmp.* and renamed only when complete).
. "$ROOT/tests/cli/train/_cfg.inc"
ft-tokenize -q -c cfg.yml -o t.ftt || exit 9
ft-train -q -c cfg.yml --data t.ftt --max_steps 100000 --save_steps 1 --save_total_limit 1 --output_dir o &
pid=$!
i=0
until ls o 2>/dev/null | grep -q '^checkpoint-'; do
	i=$((i + 1)); [ $i -lt 600 ] || { echo "no checkpoint while running" >&2; kill $pid; exit 9; }
	sleep 0.05
done
kill -INT $pid
wait $pid
rc=$?
if ls -A o | grep -q 'tmp'; then echo "temporary folder left behind" >&2; ls -A o >&2; exit 9; fi
exit $rc
