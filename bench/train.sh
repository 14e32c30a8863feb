#!/bin/sh
# bench/train.sh: ft-train against its peer (transformers + PEFT) on the same GPU in one call.
#
#   sh bench/train.sh [WORKLOAD ...]     on the GPU machine, from the repository root, with
#                                        bin/ built and LD_LIBRARY_PATH holding libyaml/libcjson
# WORKLOAD: 1b-lora-4096, 1b-full-4096, 8b-lora-4096 (default: all three); a -gc suffix
# (1b-full-4096-gc) runs ft with gradient_checkpointing: true. For each: a
# random-weight model of that shape (ft's own initialisation from bench/llama-*/config.json,
# reinit_weights), 12 rows of 4096 random tokens, ft-tokenize | ft-pack, then ft-train on the
# GPU in bf16 (micro batch 1, AdamW fused, LoRA r 16 alpha 32 on every linear or full
# fine-tuning) for STEPS steps, timed from its metrics.jsonl (median tokens_per_second after
# the first 2 steps). Then bench/peer_hf.py, the peer, with and without gradient
# checkpointing; the faster setting that ran is the comparison. One JSON line per workload to
# $OUT/results.jsonl (or bench/results.new.jsonl): date, gpu, workload, ft_tok_s, peer_tok_s,
# ft_peak_gib, peer_peak_gib, mfu (model FLOPs per token x tok/s / 790 TFLOP/s, the bf16 rate
# measured on this H200), plus the peer's settings.
set -u
root=$(pwd)
out=${OUT:-$root/bench}
res=$out/results.jsonl
[ -n "${OUT:-}" ] || res=$root/bench/results.new.jsonl
steps=${STEPS:-8}
work=${TMPDIR:-/tmp}/ft-bench
mkdir -p "$work"
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
wls=${*:-1b-lora-4096 1b-full-4096 8b-lora-4096}
for wl in $wls; do
	size=${wl%%-*}; rest=${wl#*-}; mode=${rest%%-*}; seq=${rest#*-}; gc=false
	case $seq in *-gc) seq=${seq%-gc}; gc=true ;; esac
	d=$work/$wl
	rm -rf "$d"; mkdir -p "$d"
	python3 - "$d/data.jsonl" "$seq" <<'PY'
import json, random, sys
random.seed(1)
with open(sys.argv[1], "w") as f:
    for _ in range(12):
        f.write(json.dumps({"input_ids": [random.randrange(1000, 120000) for _ in range(int(sys.argv[2]))]}) + "\n")
PY
	{
		echo "base_model: $root/bench/llama-$size"
		echo "reinit_weights: true"
		echo "datasets:"
		echo "  - path: $d/data.jsonl"
		echo "output_dir: $d/out"
		echo "sequence_len: $seq"
		echo "sample_packing: true"
		if [ "$mode" = lora ]; then
			echo "adapter: lora"
			echo "lora_r: 16"
			echo "lora_alpha: 32"
			echo "lora_dropout: 0.0"
			echo "lora_target_linear: true"
		fi
		echo "micro_batch_size: 1"
		echo "gradient_accumulation_steps: 1"
		echo "max_steps: $((steps + 1))"   # the last step is profiled (FT_PROFILE), not timed
		echo "gradient_checkpointing: $gc"
		echo "optimizer: adamw_torch_fused"
		echo "learning_rate: 1e-5"
		echo "lr_scheduler: constant"
		echo "logging_steps: 1"
		echo "save_strategy: \"no\""
		echo "bf16: true"
	} >"$d/config.yml"
	bin/ft-tokenize -c "$d/config.yml" -o "$d/data.ftt" && bin/ft-pack -c "$d/config.yml" "$d/data.ftt" -o "$d/data.ftp" || exit 1
	t0=$(date +%s)
	FT_PROFILE=$((steps + 1)) bin/ft-train -c "$d/config.yml" --data "$d/data.ftp" --device cuda --no-progress 2>"$d/ft.log"
	rc=$?
	sed -n '/profiled step/,$p' "$d/ft.log"
	echo "ft-train $wl: exit $rc, $(($(date +%s) - t0)) s" >&2
	python3 bench/peer_hf.py "bench/llama-$size" "$seq" "$mode" 8 3 >"$d/peer.jsonl" 2>"$d/peer.log" || tail -5 "$d/peer.log"
	cat "$d/peer.jsonl"
	python3 - "$d" "$wl" "$gpu" "$root/bench/llama-$size/config.json" "$mode" "$seq" "$rc" "$steps" "$gc" >>"$res" <<'PY'
import json, sys, time
d, wl, gpu, cfgp, mode, seq, rc, steps, gc = sys.argv[1:10]
seq = int(seq)
c = json.load(open(cfgp))
C, I, L, V = c["hidden_size"], c["intermediate_size"], c["num_hidden_layers"], c["vocab_size"]
NH, NKV = c["num_attention_heads"], c["num_key_value_heads"]
HD = c.get("head_dim", C // NH)
lin = L * (C * (2 * NH * HD + 2 * NKV * HD) + 3 * C * I) + V * C
flops_tok = (4 if mode == "lora" else 6) * lin + 3.5 * L * 2 * seq * NH * HD  # causal attention, fwd + bwd
ft_tok = ft_peak = None
try:
    m = [json.loads(l) for l in open(d + "/out/metrics.jsonl")]
    tps = sorted(e["tokens_per_second"] for e in m if "tokens_per_second" in e and 2 < e.get("step", 0) <= int(steps))
    ft_tok = tps[len(tps) // 2] if tps else None
    ft_peak = next((e["peak_gpu_memory_gib"] for e in m if "peak_gpu_memory_gib" in e), None)
except OSError:
    pass
peers = [json.loads(l) for l in open(d + "/peer.jsonl") if l.strip()]
ok = [p for p in peers if "tok_s" in p]
best = max(ok, key=lambda p: p["tok_s"]) if ok else {}
print(json.dumps({"date": time.strftime("%Y-%m-%d"), "gpu": gpu, "workload": wl,
                  "ft_tok_s": ft_tok, "peer_tok_s": best.get("tok_s"),
                  "ratio": ft_tok / best["tok_s"] if ft_tok and best else None,
                  "ft_peak_gib": ft_peak, "peer_peak_gib": best.get("peak_gib"),
                  "mfu": ft_tok * flops_tok / 790e12 if ft_tok else None,
                  "peer": best.get("peer"), "peer_gradient_checkpointing": best.get("gradient_checkpointing"),
                  "ft_gradient_checkpointing": gc == "true", "peer_all": peers, "ft_exit": int(rc)}))
PY
	tail -1 "$res"
done
