/* test_checkpointing: gradient checkpointing (model_set_checkpointing) gives the same loss and
 * the same gradients, bit for bit, as keeping every activation; and the chunked LM head
 * (model_set_head_rows) gives the same loss bit for bit and the same gradients up to the
 * summation order of the head's weight gradient over the row blocks (1e-6 of the largest), and
 * with the head's backward fused into the forward (model_set_dloss) bit for bit the same as the
 * chunked head — on small random models of a
 * llama shape (several samples packed in a row, GQA) and a gemma2 shape (sandwich norms,
 * soft-capping, sliding window), full fine-tuning and LoRA with dropout in training mode on
 * some layers only. Everything runs on the CPU oracle; the op calls are the same, in the same
 * order, just repeated, so no tolerance applies. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "model.h"
#include "ops.h"

static int fails;
#define CHECK(cond, ...) do { if (!(cond)) { fails++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static const char *LLAMA = "{\"model_type\": \"llama\", \"hidden_size\": 32, \"intermediate_size\": 48, "
	"\"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"num_hidden_layers\": 3, \"vocab_size\": 64, "
	"\"rms_norm_eps\": 1e-5, \"max_position_embeddings\": 128, \"hidden_act\": \"silu\"}";
static const char *GEMMA2 = "{\"model_type\": \"gemma2\", \"hidden_size\": 32, \"intermediate_size\": 48, "
	"\"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"head_dim\": 8, \"num_hidden_layers\": 3, "
	"\"vocab_size\": 64, \"rms_norm_eps\": 1e-6, \"max_position_embeddings\": 128, \"sliding_window\": 4, "
	"\"attn_logit_softcapping\": 50.0, \"final_logit_softcapping\": 30.0, \"query_pre_attn_scalar\": 8, "
	"\"hidden_activation\": \"gelu_pytorch_tanh\"}";

/* loss and every trainable gradient of one forward + backward, flattened; fused: the loss
 * weight told before the forward (model_set_dloss), so a chunked head runs its backward there */
static int fused;
static float *grads(model_t *m, const batch_t *b, int lora, float *loss, size_t *n)
{
	model_zero_grad(m);
	model_set_training(m, 1, 77);
	int nt = 0;
	for (int i = 0; i < b->N; i++)
		nt += b->targets[i] >= 0;
	if (fused)
		model_set_dloss(m, 1.0f / nt);
	*loss = model_forward(m, b);
	model_backward(m, 1.0f / model_ntargets(m));
	int np = lora ? model_lora_nparams(m) : model_nparams(m);
	size_t tot = 0;
	for (int i = 0; i < np; i++) {
		param_t *p = lora ? model_lora_param(m, i) : model_param(m, i);
		tot += p->grad ? p->numel : 0;
	}
	float *g = malloc((tot ? tot : 1) * sizeof *g), *at = g;
	for (int i = 0; i < np; i++) {
		param_t *p = lora ? model_lora_param(m, i) : model_param(m, i);
		if (p->grad) {
			memcpy(at, p->grad, p->numel * sizeof *at);
			at += p->numel;
		}
	}
	*n = tot;
	return g;
}

static void check(const char *name, const char *json, int lora)
{
	cJSON *j = cJSON_Parse(json);
	modelcfg_t c;
	modelcfg_from_json(&c, j, "config.json");
	cJSON_Delete(j);
	model_t *m = model_init_random(&c, 5, &ops_cpu);
	if (lora) {
		unsigned char layers[3] = {1, 0, 1};
		lora_cfg_t lc = {.r = 4, .alpha = 8, .dropout = 0.2f, .layers = layers};
		lc.target[LIN_Q] = lc.target[LIN_V] = lc.target[LIN_DOWN] = 1;
		model_lora_add(m, &lc, 9);
		/* B random too, so every adapter gradient is non-trivial */
		for (int i = 0; i < model_lora_nparams(m); i++) {
			param_t *p = model_lora_param(m, i);
			for (size_t k = 0; k < p->numel; k++)
				((float *)p->data)[k] = 0.01f * (float)((k * 37 + (size_t)i * 11) % 19) - 0.09f;
		}
	}
	int ids[21], tg[21], cu[4] = {0, 9, 16, 21};
	for (int i = 0; i < 21; i++)
		ids[i] = (i * 13 + 5) % 64;
	model_shift_labels(tg, ids, 21, cu, 3);
	batch_t b = {.N = 21, .ids = ids, .cu_seqlens = cu, .nseq = 3, .targets = tg};
	float l0, l1;
	size_t n0, n1;
	float *g0 = grads(m, &b, lora, &l0, &n0);
	model_set_checkpointing(m, 1);
	float *g1 = grads(m, &b, lora, &l1, &n1);
	model_set_checkpointing(m, 0);
	float l2;
	size_t n2;
	float *g2 = grads(m, &b, lora, &l2, &n2);
	CHECK(l0 == l1 && l0 == l2, "%s: loss %.9g with checkpointing, %.9g without", name, l1, l0);
	CHECK(n0 == n1 && n0 > 0 && memcmp(g0, g1, n0 * sizeof *g0) == 0, "%s: gradients differ with checkpointing", name);
	CHECK(n0 == n2 && memcmp(g0, g2, n0 * sizeof *g0) == 0, "%s: gradients differ after turning it off", name);
	double s = 0;
	for (size_t k = 0; k < n0; k++)
		s += g0[k] < 0 ? -g0[k] : g0[k];
	CHECK(s > 0, "%s: all gradients zero", name);
	/* the head in blocks of 5 rows (21 tokens: 5, 5, 5, 5, 1), with checkpointing too */
	model_set_head_rows(m, 5);
	model_set_checkpointing(m, 1);
	float l3;
	size_t n3;
	float *g3 = grads(m, &b, lora, &l3, &n3);
	model_set_head_rows(m, 0);
	model_set_checkpointing(m, 0);
	CHECK(l3 == l0, "%s: loss %.9g with a chunked head, %.9g without", name, l3, l0);
	double mx = 0, worst = 0;
	for (size_t k = 0; k < n0; k++)
		mx = fabs(g0[k]) > mx ? fabs(g0[k]) : mx;
	for (size_t k = 0; k < n0 && n3 == n0; k++)
		worst = fabs(g3[k] - g0[k]) > worst ? fabs(g3[k] - g0[k]) : worst;
	CHECK(n3 == n0 && worst <= 1e-6 * mx, "%s: chunked head gradients off by %.3g (largest %.3g)", name, worst, mx);
	/* the same blocks with the head's backward fused into the forward: the same ops in the
	 * same order, so bit for bit */
	model_set_head_rows(m, 5);
	fused = 1;
	float l4;
	size_t n4;
	float *g4 = grads(m, &b, lora, &l4, &n4);
	fused = 0;
	model_set_head_rows(m, 0);
	CHECK(l4 == l3, "%s: loss %.9g with the fused head, %.9g chunked", name, l4, l3);
	CHECK(n4 == n3 && memcmp(g4, g3, n3 * sizeof *g3) == 0, "%s: gradients differ with the head fused", name);
	free(g4);
	/* evaluation's predictions (model_set_predict): each token's first largest logit, the same
	 * with the head in blocks as from all logits at once */
	model_set_training(m, 0, 0);
	model_set_predict(m, 1);
	int pa[21], pb[21], want[21];
	float le = model_forward(m, &b);
	model_predictions(m, pa);
	const float *lg = model_logits(m);
	for (int i = 0; i < 21; i++) {
		want[i] = 0;
		for (int v = 1; v < c.V; v++)
			want[i] = lg[(size_t)i * c.V + v] > lg[(size_t)i * c.V + want[i]] ? v : want[i];
	}
	model_set_head_rows(m, 5);
	float le2 = model_forward(m, &b);
	model_predictions(m, pb);
	model_set_head_rows(m, 0);
	model_set_predict(m, 0);
	CHECK(le == le2 && !memcmp(pa, want, sizeof pa) && !memcmp(pb, want, sizeof pb),
	      "%s: predictions differ (chunked head or against the logits)", name);
	free(g3);
	free(g0);
	free(g1);
	free(g2);
	model_free(m);
}

int main(void)
{
	check("llama full", LLAMA, 0);
	check("llama lora", LLAMA, 1);
	check("gemma2 full", GEMMA2, 0);
	check("gemma2 lora", GEMMA2, 1);
	printf("%s\n", fails ? "FAILED" : "ok");
	return fails ? 1 : 0;
}
