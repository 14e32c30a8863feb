#!/usr/bin/env python3
"""gen_engine_fixtures: reference outputs for model features the shared fixtures do not reach.

The shared fixtures (FT_FIXTURES/hf) pin six architectures with default RoPE. This script makes
tiny random models for what they leave out -- gemma3_text, phi3 (fused projections, partial
rotary, sliding window), RoPE scaling (llama3, yarn, linear, dynamic past max_position_embeddings, Phi-3's longrope),
attention biases with o_proj, qwen2 and mistral sliding windows -- and PEFT adapters with DoRA,
rsLoRA and modules_to_save, a bitsandbytes NF4 (QLoRA) base, Gemma 3's text tower inside its multimodal checkpoint (gemma3_mm), and writes what transformers and PEFT compute for them, in the same
layout as the shared fixtures (see their README.md):

  NAME/config.json, model.safetensors          the model as save_pretrained writes it
  NAME/ref_forward.safetensors                 input_ids, labels [2,T], logits, loss (eager)
  NAME/ref_grads.safetensors                   d loss / d parameter, HF names
  NAME/ref_packed.safetensors                  input_ids, position_ids [1,T'], seq_lens, logits
                                               (each sample run alone, concatenated)
  NAME/adapter/...                             adapter_config.json, adapter_model.safetensors,
                                               ref_forward, ref_grads (PEFT in-memory names)
  NAME/merged/model.safetensors                merge_and_unload()

Weights are drawn larger than transformers' init (and norms and biases randomised) so every
path carries signal. Run on CPU in float32:

  python3 scripts/gen_engine_fixtures.py tests/fixtures/hf_extra

Generated with torch 2.11.0, transformers 5.17.0, peft 0.21.0 (the shared fixtures' versions).
The C tests compare against these files; nothing in them comes from ft itself.
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import AutoConfig, AutoModelForCausalLM

V, C, I, L, NH, NKV = 96, 32, 48, 3, 4, 2

BASE = dict(vocab_size=V, hidden_size=C, intermediate_size=I, num_hidden_layers=L, num_attention_heads=NH,
            num_key_value_heads=NKV, rms_norm_eps=1e-5, initializer_range=0.02, pad_token_id=0, bos_token_id=1,
            eos_token_id=2, max_position_embeddings=256)

CASES = {
    "gemma3_text": dict(model_type="gemma3_text", head_dim=8, sliding_window=5, query_pre_attn_scalar=12,
                        layer_types=["sliding_attention", "sliding_attention", "full_attention"],
                        rope_theta=1000000.0, rope_local_base_freq=100.0,
                        rope_scaling={"rope_type": "linear", "factor": 4.0},
                        attn_logit_softcapping=None, final_logit_softcapping=None, tie_word_embeddings=True),
    "phi3": dict(model_type="phi3", partial_rotary_factor=0.5, sliding_window=5, tie_word_embeddings=False),
    "llama_llama3": dict(model_type="llama", rope_theta=500.0,
                         rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                       "high_freq_factor": 4.0, "original_max_position_embeddings": 16}),
    # factor 2 is not max_position_embeddings / original (4): pins which one yarn uses
    "llama_yarn": dict(model_type="llama", max_position_embeddings=64,
                       rope_scaling={"rope_type": "yarn", "factor": 2.0, "original_max_position_embeddings": 16}),
    # T = 20 > original 16: ref_forward runs on the long factors, the packed samples on the short
    "phi3_longrope": dict(model_type="phi3", max_position_embeddings=64, original_max_position_embeddings=16,
                          rope_scaling={"type": "longrope",
                                        "short_factor": [1.0, 1.1, 1.3, 1.7],
                                        "long_factor": [1.0, 1.5, 2.5, 4.0]}),
    "llama_linear_bias": dict(model_type="llama", attention_bias=True,
                              rope_scaling={"rope_type": "linear", "factor": 2.0}),
    "llama_dynamic": dict(model_type="llama", max_position_embeddings=16,
                          rope_scaling={"rope_type": "dynamic", "factor": 2.0}),
    "qwen2_sliding": dict(model_type="qwen2", use_sliding_window=True, sliding_window=5, max_window_layers=1,
                          tie_word_embeddings=False),
    "mistral_sliding": dict(model_type="mistral", sliding_window=5, head_dim=12),
}

# adapters on the llama_linear_bias base: (name, LoraConfig kwargs)
ADAPTERS = {
    "dora": dict(r=4, lora_alpha=8, target_modules="all-linear", use_dora=True),
    "rslora": dict(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "down_proj"], use_rslora=True,
                   layers_to_transform=[0, 2]),
    "modules_to_save": dict(r=2, lora_alpha=4, target_modules=["o_proj", "up_proj"],
                            modules_to_save=["embed_tokens", "lm_head"]),
}

T = 20
SEQ_LENS = [6, 9, 5]


def randomise(model, gen):
    """Weights ~ N(0, 0.15), norms 1 + N(0, 0.1) (N(0, 0.1) for (1+w) norms), biases N(0, 0.1)."""
    plus_one = model.config.model_type.startswith("gemma")
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.copy_((0.0 if plus_one else 1.0) + 0.1 * torch.randn(p.shape, generator=gen))
            elif name.endswith(".bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(0.15 * torch.randn(p.shape, generator=gen))


def batch(gen):
    ids = torch.randint(3, V, (2, T), generator=gen)
    labels = ids.clone()
    labels[:, :4] = -100
    labels[1, -3:] = -100
    return ids, labels


def forward_refs(model, ids, labels, out, prefix=""):
    model.zero_grad(set_to_none=True)
    res = model(input_ids=ids, labels=labels)
    res.loss.backward()
    save_file({"input_ids": ids.to(torch.int32).contiguous(), "labels": labels.to(torch.int32).contiguous(),
               "logits": res.logits.detach().float().contiguous(), "loss": res.loss.detach().reshape(1)},
              os.path.join(out, "ref_forward.safetensors"))
    grads = {n: p.grad.detach().float().contiguous() for n, p in model.named_parameters()
             if p.requires_grad and p.grad is not None}
    save_file(grads, os.path.join(out, "ref_grads.safetensors"))


def packed_refs(model, gen, out):
    ids = torch.randint(3, V, (1, sum(SEQ_LENS)), generator=gen)
    pos, logits, at = [], [], 0
    with torch.no_grad():
        for n in SEQ_LENS:
            logits.append(model(input_ids=ids[:, at:at + n]).logits.float())
            pos.append(torch.arange(n))
            at += n
    save_file({"input_ids": ids.to(torch.int32).contiguous(),
               "position_ids": torch.cat(pos).reshape(1, -1).to(torch.int32).contiguous(),
               "seq_lens": torch.tensor(SEQ_LENS, dtype=torch.int32),
               "logits": torch.cat(logits, dim=1).contiguous()}, os.path.join(out, "ref_packed.safetensors"))


def make_model(name, kw, root, gen):
    kw = dict(kw)
    mt = kw.pop("model_type")
    cfg = AutoConfig.for_model(mt, **{**BASE, **kw})
    cfg._attn_implementation = "eager"
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(cfg, attn_implementation="eager").float()
    randomise(model, gen)
    out = os.path.join(root, name)
    os.makedirs(out, exist_ok=True)
    model.save_pretrained(out)
    for f in ("generation_config.json",):
        if os.path.exists(os.path.join(out, f)):
            os.remove(os.path.join(out, f))
    model.train()   # no dropout in these configs; train() as a training step would run
    return model, out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/hf_extra"
    os.makedirs(root, exist_ok=True)
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(1234)
    for name, kw in CASES.items():
        model, out = make_model(name, kw, root, gen)
        ids, labels = batch(gen)
        forward_refs(model, ids, labels, out)
        packed_refs(model, gen, out)
        print("wrote", out, file=sys.stderr)

    from peft import LoraConfig, get_peft_model
    for name, kw in ADAPTERS.items():
        model, out = make_model("lora_" + name, CASES["llama_linear_bias"], root, gen)
        peft_model = get_peft_model(model, LoraConfig(task_type="CAUSAL_LM", lora_dropout=0.0, **kw))
        with torch.no_grad():   # non-zero B (and magnitudes off the weight norm) so every term counts
            for n, p in peft_model.named_parameters():
                if "lora_B" in n:
                    p.copy_(0.1 * torch.randn(p.shape, generator=gen))
                elif "lora_magnitude_vector" in n:
                    p.mul_(1 + 0.2 * torch.randn(p.shape, generator=gen))
                elif "modules_to_save" in n:
                    p.add_(0.05 * torch.randn(p.shape, generator=gen))
        ad = os.path.join(out, "adapter")
        peft_model.save_pretrained(ad)
        ids, labels = batch(gen)
        forward_refs(peft_model, ids, labels, ad)
        merged = peft_model.merge_and_unload()
        md = os.path.join(out, "merged")
        merged.save_pretrained(md)
        for f in ("generation_config.json",):
            if os.path.exists(os.path.join(md, f)):
                os.remove(os.path.join(md, f))
        print("wrote", ad, file=sys.stderr)
    # Gemma 3 with its vision tower (model_type gemma3): the text tower alone, text-only input
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration
    tc = dict(BASE, head_dim=8, sliding_window=5, query_pre_attn_scalar=12,
              layer_types=["sliding_attention", "sliding_attention", "full_attention"],
              rope_theta=1000000.0, rope_local_base_freq=100.0, rope_scaling={"rope_type": "linear", "factor": 4.0})
    vc = dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2, image_size=28,
              patch_size=14)
    cfg = Gemma3Config(text_config=tc, vision_config=vc, mm_tokens_per_image=4, image_token_index=V - 1,
                       boi_token_index=V - 2, eoi_token_index=V - 3)
    torch.manual_seed(0)
    mm = Gemma3ForConditionalGeneration(cfg).float()
    mm.config._attn_implementation = "eager"
    for sub in (mm.config, mm.config.text_config, mm.config.vision_config):
        sub._attn_implementation = "eager"
    randomise(mm, gen)
    out = os.path.join(root, "gemma3_mm")
    os.makedirs(out, exist_ok=True)
    mm.save_pretrained(out)
    if os.path.exists(os.path.join(out, "generation_config.json")):
        os.remove(os.path.join(out, "generation_config.json"))
    mm.train()
    ids, labels = batch(gen)   # ids < V - 3: no image tokens
    forward_refs(mm, ids, labels, out)
    packed_refs(mm, gen, out)
    pm = get_peft_model(mm, LoraConfig(task_type="CAUSAL_LM", r=2, lora_alpha=4, lora_dropout=0.0,
                                       target_modules=r"model\.language_model\.layers\.\d+\.(self_attn|mlp)\.(q_proj|down_proj)"))
    with torch.no_grad():
        for n, p in pm.named_parameters():
            if "lora_B" in n:
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
    ad = os.path.join(out, "adapter")
    pm.save_pretrained(ad)
    ids, labels = batch(gen)
    forward_refs(pm, ids, labels, ad)
    md = os.path.join(out, "merged")
    pm.merge_and_unload().save_pretrained(md)
    if os.path.exists(os.path.join(md, "generation_config.json")):
        os.remove(os.path.join(md, "generation_config.json"))
    print("wrote", out, file=sys.stderr)

    # QLoRA's base: llama_linear_bias quantised by bitsandbytes (NF4, double quantisation),
    # saved as transformers saves a 4-bit model; the dequantised weights and the logits of the
    # 4-bit model (compute in float32) on llama_linear_bias's batch
    import bitsandbytes
    import bitsandbytes.functional as bnbf
    from safetensors.torch import load_file
    from transformers import BitsAndBytesConfig
    src = os.path.join(root, "llama_linear_bias")
    q4 = AutoModelForCausalLM.from_pretrained(
        src, quantization_config=BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                                    bnb_4bit_use_double_quant=True,
                                                    bnb_4bit_compute_dtype=torch.float32),
        dtype=torch.float32, attn_implementation="eager", device_map="cpu")
    out = os.path.join(root, "llama_nf4")
    q4.save_pretrained(out)
    if os.path.exists(os.path.join(out, "generation_config.json")):
        os.remove(os.path.join(out, "generation_config.json"))
    # dequantise from the saved file with bitsandbytes' reference algorithm (its default
    # backend, which the CUDA kernels agree with): the CPU kernel assumes rows of at least one
    # block, and these rows are shorter than the 64 of a block
    from bitsandbytes.backends.default.ops import _dequantize_4bit_compute, _dequantize_blockwise_compute
    sd = load_file(os.path.join(out, "model.safetensors"))
    deq = {}
    for k in sd:
        if k.endswith(".weight.quant_state.bitsandbytes__nf4"):
            name = k[: -len(".quant_state.bitsandbytes__nf4")]
            qs = bnbf.QuantState.from_dict({kk[len(name) + 1:]: v for kk, v in sd.items() if kk.startswith(name + ".")},
                                           device=torch.device("cpu"))
            absmax = _dequantize_blockwise_compute(qs.absmax.reshape(-1), qs.state2.absmax, qs.state2.code,
                                                   qs.state2.blocksize, torch.float32) + qs.offset
            deq[name] = _dequantize_4bit_compute(sd[name].reshape(-1), absmax, qs.code, qs.blocksize, qs.shape,
                                                 torch.float32).contiguous()
    save_file(deq, os.path.join(out, "ref_dequant.safetensors"))
    ref = load_file(os.path.join(src, "ref_forward.safetensors"))
    # the 4-bit model's forward is dequantise-then-linear; bnb's CPU kernel cannot run blocks
    # wider than these tiny rows, so run the float model on bnb's dequantised weights
    fm = AutoModelForCausalLM.from_pretrained(src, dtype=torch.float32, attn_implementation="eager")
    with torch.no_grad():
        for n, p in fm.named_parameters():
            if n in deq:
                p.copy_(deq[n])
        res = fm(input_ids=ref["input_ids"].long(), labels=ref["labels"].long())
    save_file({"input_ids": ref["input_ids"], "labels": ref["labels"], "logits": res.logits.float().contiguous(),
               "loss": res.loss.reshape(1)}, os.path.join(out, "ref_forward.safetensors"))
    with open(os.path.join(root, "VERSIONS_bitsandbytes"), "w") as f:
        f.write(f"bitsandbytes {bitsandbytes.__version__} (CPU)\n")

    for dirpath, _, files in os.walk(root):   # PEFT's model cards: boilerplate
        if "README.md" in files:
            os.remove(os.path.join(dirpath, "README.md"))
    import peft
    import transformers
    with open(os.path.join(root, "VERSIONS"), "w") as f:
        f.write(f"torch {torch.__version__}\ntransformers {transformers.__version__}\npeft {peft.__version__}\n")


if __name__ == "__main__":
    main()
