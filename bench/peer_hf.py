#!/usr/bin/env python3
"""peer_hf.py: the peer of bench/train.sh — Hugging Face transformers (+ PEFT for LoRA) training
steps on the same shapes ft-train runs: a random-weight model from CONFIG_DIR/config.json in
bfloat16 with SDPA attention, one micro batch of SEQ random tokens (labels = inputs), AdamW
(torch, fused), LoRA r 16 / alpha 32 on every linear (q, k, v, o, gate, up, down) or full
fine-tuning. Times STEPS optimizer steps after WARMUP, with and without gradient
checkpointing, and prints one JSON line per setting: tok_s, peak GiB (torch's
max_memory_reserved: what the allocator held, as nvidia-smi would count it less the context).

usage: peer_hf.py CONFIG_DIR SEQ MODE(lora|full) [STEPS] [WARMUP]"""
import json, sys, time
import torch
import transformers

cfg_dir, seq, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
steps = int(sys.argv[4]) if len(sys.argv) > 4 else 8
warm = int(sys.argv[5]) if len(sys.argv) > 5 else 3

def run(ckpt):
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    cfg = transformers.AutoConfig.from_pretrained(cfg_dir)
    cfg._attn_implementation = "sdpa"
    with torch.device("cuda"):
        model = transformers.AutoModelForCausalLM.from_config(cfg, torch_dtype=torch.bfloat16)
    if ckpt:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.config.use_cache = False
    if mode == "lora":
        import peft
        lc = peft.LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, task_type="CAUSAL_LM",
                             target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
        if ckpt:
            model.enable_input_require_grads()
        model = peft.get_peft_model(model, lc)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-5, fused=True)
    model.train()
    g = torch.Generator(device="cuda").manual_seed(0)
    ids = torch.randint(0, cfg.vocab_size, (1, seq), device="cuda", generator=g)
    times = []
    for i in range(warm + steps):
        torch.cuda.synchronize()
        t = time.perf_counter()
        out = model(input_ids=ids, labels=ids)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        if i >= warm:
            times.append(time.perf_counter() - t)
    times.sort()
    med = times[len(times) // 2]
    res = {"peer": "transformers %s%s" % (transformers.__version__, " + peft " + __import__("peft").__version__ if mode == "lora" else ""),
           "mode": mode, "gradient_checkpointing": ckpt, "seq": seq, "step_s": med, "tok_s": seq / med,
           "peak_gib": torch.cuda.max_memory_reserved() / 2**30,
           "peak_alloc_gib": torch.cuda.max_memory_allocated() / 2**30, "loss": float(out.loss)}
    del model, opt, out
    torch.cuda.empty_cache()
    return res

for ck in (False, True):
    try:
        print(json.dumps(run(ck)), flush=True)
    except torch.OutOfMemoryError as e:
        print(json.dumps({"mode": mode, "gradient_checkpointing": ck, "error": "out of memory"}), flush=True)
        torch.cuda.empty_cache()
