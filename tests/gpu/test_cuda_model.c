/* test_cuda_model: the whole model on ops_cuda against ops_cpu — forward logits and loss, and
 * every gradient — on each Hugging Face fixture architecture found (FT_FIXTURES/hf, else
 * tests/fixtures/hf: llama), also against transformers' own gradients (ref_grads); then LoRA
 * cases on llama: the PEFT fixture adapter (base frozen), and a fresh DoRA adapter with
 * dropout in training mode and random B (the counter-based dropout masks must agree exactly
 * for the gradients to). Table last; exit status 1 if any check failed.
 *
 * Tolerances: both backends compute in float32 with different summation orders (cuBLAS vs the
 * CPU's double-blocked sums, float32 attention dots vs double), so as the CPU test against
 * transformers: atol 1e-5 of the tensor's largest |value|, rtol 1e-4 (gradients are sums over
 * 48 tokens and 256 logits whose terms cancel); losses within 1e-5 relative. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/hf_fixture.h"
#include "gpu_check.h"
#include "model.h"

static double maxabs(const float *x, size_t n)
{
	double m = 0;
	for (size_t i = 0; i < n; i++)
		m = fabs(x[i]) > m ? fabs(x[i]) : m;
	return m;
}

static int cmp_dev(const char *op, const char *what, const float *dev, const float *ref, size_t n)
{
	float *got = hdown(dev, n);
	int ok = gc_cmp(op, what, got, ref, n, 1e-5 * maxabs(ref, n), 1e-4);
	free(got);
	return ok;
}

static void cmp_loss(const char *op, const char *what, float got, float ref)
{
	gc_cmp(op, what, &got, &ref, 1, 0, 1e-5);
}

/* The same with the CUDA model's products and attention on TF32 tensor cores: loss within 1e-3
 * relative, logits and each gradient ||cuda - cpu|| / ||cpu|| <= 1e-2 (TF32 operands: ~3e-4
 * per product, compounded through the layers and the softmaxes). */
static void run_pair_tf32(const char *tag, model_t *mc, model_t *mg, const batch_t *b)
{
	char what[200];
	const modelcfg_t *c = model_cfg(mc);
	ops_cuda_set_matmul(CUDA_MM_TF32);
	model_zero_grad(mc);
	model_zero_grad(mg);
	float lc = model_forward(mc, b), lg = model_forward(mg, b);
	snprintf(what, sizeof what, "%s loss", tag);
	gc_cmp_norm("tf32_loss", what, &lg, &lc, 1, 1e-3);
	float *got = hdown(model_logits(mg), (size_t)b->N * c->V);
	snprintf(what, sizeof what, "%s logits", tag);
	gc_cmp_norm("tf32_logits", what, got, model_logits(mc), (size_t)b->N * c->V, 1e-2);
	free(got);
	model_backward(mc, 1.0f / model_ntargets(mc));
	model_backward(mg, 1.0f / model_ntargets(mg));
	for (int i = 0; i < model_nparams(mc); i++) {
		param_t *pc = model_param(mc, i), *pg = model_param(mg, i);
		got = hdown(pg->grad, pc->numel);
		snprintf(what, sizeof what, "%s %s", tag, pc->name);
		gc_cmp_norm("tf32_grad", what, got, pc->grad, pc->numel, 1e-2);
		free(got);
	}
	ops_cuda_set_matmul(CUDA_MM_FP32);
}

/* The model on ops_cuda_bf16 (bf16 weights and activations, float32 gradients) against the
 * float32 CPU: loss within 2e-2 relative, logits ||bf16 - cpu|| / ||cpu|| <= 3e-2, every
 * gradient <= 1e-1. Reason: bf16 keeps 8 significant bits, so every stored weight and
 * activation carries up to 2^-9 = 0.2% relative rounding; through a few layers, softmaxes and
 * the head that compounds to about 1% on logits, more on gradients, whose terms cancel. The
 * checks catch wrong arithmetic (errors of order 1), not bf16's own rounding. lora: compare
 * LoRA gradients only. fused: the loss weight told before the forward (model_set_dloss), so a
 * chunked head runs its backward there. Gradients are read with model_param_grad, float32 or
 * bf16 (model_set_half_grads). */
static void run_pair_bf16(const char *tag, model_t *mc, model_t *mb, const batch_t *b, int lora, int fused)
{
	char what[200];
	const modelcfg_t *c = model_cfg(mc);
	model_zero_grad(mc);
	model_zero_grad(mb);
	if (fused) {
		int nt = 0;
		for (int i = 0; i < b->N; i++)
			nt += b->targets[i] >= 0;
		model_set_dloss(mb, 1.0f / (float)nt);
	}
	float lc = model_forward(mc, b), lb = model_forward(mb, b);
	snprintf(what, sizeof what, "%s loss", tag);
	gc_cmp_norm("bf16_loss", what, &lb, &lc, 1, 2e-2);
	size_t nl = (size_t)b->N * c->V;
	float *got = malloc(nl * sizeof *got);
	if (model_logits(mb)) {   /* none after a chunked head */
		ops_cuda_bf16.download_f32(got, model_logits(mb), nl);
		snprintf(what, sizeof what, "%s logits", tag);
		gc_cmp_norm("bf16_logits", what, got, model_logits(mc), nl, 3e-2);
	}
	free(got);
	model_backward(mc, 1.0f / model_ntargets(mc));
	model_backward(mb, 1.0f / model_ntargets(mb));
	int np = lora ? model_lora_nparams(mc) : model_nparams(mc);
	for (int i = 0; i < np; i++) {
		param_t *pc = lora ? model_lora_param(mc, i) : model_param(mc, i);
		param_t *pb = lora ? model_lora_param(mb, i) : model_param(mb, i);
		if (!pc->grad)
			continue;
		got = malloc(pc->numel * sizeof *got);
		model_param_grad(mb, pb, got);
		snprintf(what, sizeof what, "%s %s%s", tag, pc->name, pb->gradh ? " (bf16 gradient)" : "");
		gc_cmp_norm(lora ? "bf16_lora_grad" : "bf16_grad", what, got, pc->grad, pc->numel, 1e-1);
		free(got);
	}
}

/* forward + backward on both, compare logits, loss and the gradients of base (lora 0) or
 * LoRA (lora 1) parameters */
static void run_pair(const char *tag, model_t *mc, model_t *mg, const batch_t *b, int lora, st_file_t *rg)
{
	char what[200];
	const modelcfg_t *c = model_cfg(mc);
	model_zero_grad(mc);
	model_zero_grad(mg);
	float lc = model_forward(mc, b), lg = model_forward(mg, b);
	snprintf(what, sizeof what, "%s loss", tag);
	cmp_loss("model_loss", what, lg, lc);
	snprintf(what, sizeof what, "%s logits", tag);
	cmp_dev("model_logits", what, model_logits(mg), model_logits(mc), (size_t)b->N * c->V);
	model_backward(mc, 1.0f / model_ntargets(mc));
	model_backward(mg, 1.0f / model_ntargets(mg));
	int np = lora ? model_lora_nparams(mc) : model_nparams(mc);
	for (int i = 0; i < np; i++) {
		param_t *pc = lora ? model_lora_param(mc, i) : model_param(mc, i);
		param_t *pg = lora ? model_lora_param(mg, i) : model_param(mg, i);
		if (!pc->grad)
			continue;
		snprintf(what, sizeof what, "%s %s", tag, pc->name);
		cmp_dev(lora ? "model_lora_grad" : "model_grad", what, pg->grad, pc->grad, pc->numel);
		if (rg && st_find(rg, pc->name)) {
			const st_tensor_t *t = st_need(rg, pc->name, pc->ndim, pc->shape);
			float *want = st_load_f32(t);
			snprintf(what, sizeof what, "%s %s vs transformers", tag, pc->name);
			cmp_dev("model_grad_hf", what, pg->grad, want, pc->numel);
			free(want);
		}
	}
}

int main(void)
{
	char dir[4096], path[4400];
	int ran = 0;
	for (int a = 0; a < HF_NARCHS; a++) {
		if (!hf_fixture(hf_archs[a], dir, sizeof dir))
			continue;
		ran++;
		model_t *mc = model_load(dir, &ops_cpu), *mg = model_load(dir, &ops_cuda);
		snprintf(path, sizeof path, "%s/ref_forward.safetensors", dir);
		st_file_t *ref = st_open(path);
		snprintf(path, sizeof path, "%s/ref_grads.safetensors", dir);
		st_file_t *rg = st_open(path);
		hf_batch_t hb;
		hf_batch_load(&hb, ref);
		run_pair(hf_archs[a], mc, mg, &hb.b, 0, rg);
		char tag[64];
		snprintf(tag, sizeof tag, "%s tf32", hf_archs[a]);
		run_pair_tf32(tag, mc, mg, &hb.b);
		{
			model_t *mb = model_load(dir, &ops_cuda_bf16);
			snprintf(tag, sizeof tag, "%s bf16", hf_archs[a]);
			run_pair_bf16(tag, mc, mb, &hb.b, 0, 0);
			/* the chunked head (blocks of 7 rows) and checkpointing on the bf16 backend: the
			 * same bf16 arithmetic per block, so against the CPU with the same tolerances */
			model_set_head_rows(mb, 7);
			model_set_checkpointing(mb, 1);
			snprintf(tag, sizeof tag, "%s bf16 chunked head + checkpointing", hf_archs[a]);
			run_pair_bf16(tag, mc, mb, &hb.b, 0, 0);
			/* as ft-train runs one micro batch a step: bf16 gradients for the matrices, the
			 * head's backward fused into the forward, split masters updated by AdamW below */
			model_set_checkpointing(mb, 0);
			model_set_half_grads(mb, 1);
			snprintf(tag, sizeof tag, "%s bf16 half gradients + fused head", hf_archs[a]);
			run_pair_bf16(tag, mc, mb, &hb.b, 0, 1);
			snprintf(tag, sizeof tag, "%s bf16 half gradients, second step", hf_archs[a]);
			run_pair_bf16(tag, mc, mb, &hb.b, 0, 1);   /* after a backward: the first-write path again */
			/* split masters (what checkpoints save and resume restores): float32 weights set
			 * on a trained parameter come back bit for bit, and its compute copy is their
			 * rounding */
			float bad = 0, zero = 0;
			for (int i = 0; i < model_nparams(mb); i++) {
				param_t *p = model_param(mb, i);
				if (!p->lo)
					continue;
				float *h = hrand(p->numel, -0.5f, 0.5f), *back = malloc(p->numel * sizeof *back);
				model_param_set(mb, p, h);
				model_param_get(mb, p, back);
				bad += memcmp(h, back, p->numel * sizeof *h) != 0;
				ops_cuda_bf16.download_f32(back, p->data, p->numel);
				for (size_t k = 0; k < p->numel; k++)
					bad += fabsf(back[k] - h[k]) > fabsf(h[k]) * (1.0f / 256);   /* bf16: 2^-9, half an ulp */
				free(h);
				free(back);
			}
			snprintf(tag, sizeof tag, "%s split masters set/get", hf_archs[a]);
			gc_cmp("split_master_roundtrip", tag, &bad, &zero, 1, 0, 0);
			model_free(mb);
		}
		if (!strcmp(hf_archs[a], "llama")) {
			/* the PEFT fixture adapter, base frozen */
			snprintf(path, sizeof path, "%s/adapter", dir);
			model_lora_load(mc, path);
			model_lora_load(mg, path);
			snprintf(path, sizeof path, "%s/adapter/ref_grads.safetensors", dir);
			st_file_t *lrg = st_open(path);
			run_pair("llama+lora", mc, mg, &hb.b, 1, lrg);
			st_close(lrg);
			{
				model_t *mb = model_load(dir, &ops_cuda_bf16);
				snprintf(path, sizeof path, "%s/adapter", dir);
				model_lora_load(mb, path);
				model_set_train_base(mc, 0);
				run_pair_bf16("llama+lora bf16", mc, mb, &hb.b, 1, 0);
				model_free(mb);
			}
			model_free(mc);
			model_free(mg);
			/* a fresh DoRA adapter, dropout on, B random: the same host values on both */
			mc = model_load(dir, &ops_cpu);
			mg = model_load(dir, &ops_cuda);
			model_t *mb = model_load(dir, &ops_cuda_bf16);
			lora_cfg_t lc = {.r = 4, .alpha = 8, .use_dora = 1, .dropout = 0.1f};
			for (int t = 0; t < NLIN; t++)
				lc.target[t] = 1;
			model_lora_add(mc, &lc, 5);
			model_lora_add(mg, &lc, 5);
			model_lora_add(mb, &lc, 5);
			for (int i = 0; i < model_lora_nparams(mc); i++) {
				param_t *pc = model_lora_param(mc, i), *pg = model_lora_param(mg, i);
				if (!strstr(pc->name, "lora_B"))
					continue;
				float *h = hrand(pc->numel, -0.05f, 0.05f);
				ops_cpu.upload(pc->data, h, pc->numel * sizeof *h);
				ops_cuda.upload(pg->data, h, pc->numel * sizeof *h);
				model_param_set(mb, model_lora_param(mb, i), h);
				free(h);
			}
			model_set_training(mc, 1, 99);
			model_set_training(mg, 1, 99);
			model_set_training(mb, 1, 99);
			run_pair("llama+dora+dropout", mc, mg, &hb.b, 1, NULL);
			/* DoRA on bf16: W + s B A, its row norms' input and z in bf16; the same tolerances
			 * as the other bf16 checks, LoRA gradients (A, B, the magnitude) */
			run_pair_bf16("llama+dora+dropout bf16", mc, mb, &hb.b, 1, 0);
			model_free(mb);
		}
		hf_batch_free(&hb);
		st_close(ref);
		st_close(rg);
		model_free(mc);
		model_free(mg);
	}
	if (!ran) {
		printf("no Hugging Face fixtures found (FT_FIXTURES or tests/fixtures/hf)\n");
		return 77;
	}
	ops_cuda_sync();
	return gc_table("model on ops_cuda vs ops_cpu") ? 1 : 0;
}
