# Ctrl-C while a tool is at work: exit 130 and no half-written output left behind.
cat >cfg.yml <<EOF
base_model: $ROOT/examples/tiny-llama
datasets:
  - path: d.jsonl
micro_batch_size: 1
gradient_accumulation_steps: 1
learning_rate: 1e-4
EOF
mkfifo in.ftt
sleep 30 > in.ftt &    # a writer that never writes: ft-pack waits with its output open
writer=$!
ft-pack -c cfg.yml in.ftt -o out.ftp &
pid=$!
i=0
until ls -A | grep -q '^\.out\.ftp\.tmp\.'; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "no temporary output while running" >&2; kill $writer $pid; exit 9; }
	sleep 0.05
done
kill -INT $pid
wait $pid
rc=$?
kill $writer 2>/dev/null
if ls -A | grep -q 'out.ftp'; then echo "output left behind" >&2; ls -A >&2; exit 9; fi
exit $rc
