/* test_model_gradcheck: gradients of features the Hugging Face fixtures do not reach, checked
 * against central finite differences of the loss on small random models: gemma3_text (q/k
 * norm with (1 + w), local RoPE base, 5:1 sliding layers), yarn (attention scaling of cos and
 * sin), llama3 and partial rotary RoPE, attention biases including o_proj, qwen2 and mistral
 * sliding windows, dynamic NTK RoPE past max_position_embeddings, rsLoRA on a subset of modules and layers, LoRA dropout (a fixed mask per
 * seed), DoRA with dropout (its separate path for the dropped input), several packed samples.
 *
 * For each parameter tensor the directional derivative along the unit vector of our gradient
 * g (which is |g| if g is right) is compared with (L(w + e u) - L(w - e u)) / 2e. The forward
 * is float32, so the difference quotient carries ~1e-6 relative noise amplified by 1/e and an
 * O(e^2) truncation error: agreement to 1% is what is expected of a correct gradient (a wrong
 * term typically shows as tens of percent or a sign). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "hf_fixture.h"
#include "model.h"
#include "model_impl.h"   /* dora_norm_frozen: DoRA detaches its norm, FD must too */
#include "ops.h"

static double loss_of(model_t *m, const batch_t *b)
{
	model_forward(m, b);
	return model_loss_sum(m) / model_ntargets(m);
}

static uint64_t rs = 12345;
static double urand(void)
{
	rs = rs * 6364136223846793005ull + 1442695040888963407ull;
	return ((rs >> 11) + 0.5) / 9007199254740992.0;
}

static int check_tensor(model_t *m, const batch_t *b, param_t *p, const char *what)
{
	double g2 = 0;
	for (size_t j = 0; j < p->numel; j++)
		g2 += (double)p->grad[j] * p->grad[j];
	double gn = sqrt(g2);
	if (gn == 0) {
		printf("FAIL %s %s: zero gradient\n", what, p->name);
		return 0;
	}
	float *w0 = malloc(p->numel * sizeof *w0);
	memcpy(w0, p->data, p->numel * sizeof *w0);
	double e = 1e-2;
	for (size_t j = 0; j < p->numel; j++)
		((float *)p->data)[j] = w0[j] + (float)(e * p->grad[j] / gn);
	double lp = loss_of(m, b);
	for (size_t j = 0; j < p->numel; j++)
		((float *)p->data)[j] = w0[j] - (float)(e * p->grad[j] / gn);
	double lm = loss_of(m, b);
	memcpy(p->data, w0, p->numel * sizeof *w0);
	free(w0);
	double fd = (lp - lm) / (2 * e);
	double rel = fabs(fd - gn) / gn;
	int ok = rel < 1e-2;
	printf("%s %-8s %-52s |g|=%.4g fd=%.4g rel err=%.2g\n", ok ? "ok  " : "FAIL", what, p->name, gn, fd, rel);
	return ok;
}

static int run(const char *what, const char *json, int lora)
{
	cJSON *j = cJSON_Parse(json);
	if (!j) {
		printf("bad test JSON for %s\n", what);
		return 0;
	}
	modelcfg_t c;
	modelcfg_from_json(&c, j, what);
	cJSON_Delete(j);
	model_t *m = model_init_random(&c, 7, &ops_cpu);
	/* random norms and biases too, so (1 + w) and bias paths carry signal */
	for (int i = 0; i < model_nparams(m); i++) {
		param_t *p = model_param(m, i);
		if (p->ndim == 1)
			for (size_t k = 0; k < p->numel; k++)
				((float *)p->data)[k] += (float)(0.3 * (urand() - 0.5));
	}
	if (lora) {
		lora_cfg_t lc = {.r = 3, .alpha = 6, .use_rslora = 1, .dropout = lora >= 2 ? 0.3f : 0.0f,
				 .use_dora = lora == 3};
		unsigned char layers[3] = {1, 0, 1};
		lc.target[LIN_Q] = lc.target[LIN_V] = lc.target[LIN_O] = lc.target[LIN_DOWN] = 1;
		lc.layers = layers;
		float base_loss = 0;
		if (lora == 3) {   /* a fresh DoRA adapter (B = 0, M = |W|) leaves the model as it was */
			enum { N0 = 9 };
			int ids0[N0] = {1, 5, 9, 2, 33, 8, 7, 60, 4}, tg0[N0] = {5, 9, 2, 33, 8, 7, 60, 4, 11};
			batch_t b0 = {.N = N0, .ids = ids0, .targets = tg0};
			base_loss = model_forward(m, &b0);
			model_lora_add(m, &lc, 3);
			float l0 = model_forward(m, &b0);
			int same = fabsf(l0 - base_loss) <= 1e-6f * base_loss;
			printf("%s %-8s fresh DoRA adapter: loss %.7f, base %.7f\n", same ? "ok  " : "FAIL", what, l0, base_loss);
			if (!same)
				return 0;
		} else {
			model_lora_add(m, &lc, 3);
		}
		/* B is zero after PEFT's init; give it values so A gets a gradient */
		for (int i = 0; i < model_lora_nparams(m); i++) {
			param_t *p = model_lora_param(m, i);
			for (size_t k = 0; k < p->numel; k++)
				((float *)p->data)[k] += (float)(0.2 * (urand() - 0.5));
		}
	}
	/* three packed samples of 13, 9 and 18 tokens; some targets ignored */
	enum { N = 40 };
	int ids[N], targets[N], cu[4] = {0, 13, 22, 40};
	for (int i = 0; i < N; i++) {
		ids[i] = (int)(urand() * c.V);
		targets[i] = urand() < 0.2 ? -100 : (int)(urand() * c.V);
	}
	batch_t b = {.N = N, .ids = ids, .cu_seqlens = cu, .nseq = 3, .targets = targets};
	int ok = 1;
	if (lora >= 2) {
		/* eval mode ignores dropout; training mode drops (a fixed mask per seed) */
		float l_eval = model_forward(m, &b);
		model_set_training(m, 1, 99);
		float l_a = model_forward(m, &b), l_b = model_forward(m, &b);
		model_set_training(m, 1, 100);
		float l_c = model_forward(m, &b);
		model_set_training(m, 1, 99);
		int good = l_a != l_eval && l_a == l_b && l_c != l_a;
		printf("%s %-8s losses eval %.6f, seed 99 %.6f twice %.6f, seed 100 %.6f\n", good ? "ok  " : "FAIL", what,
		       l_eval, l_a, l_b, l_c);
		ok &= good;
	}
	model_zero_grad(m);
	model_forward(m, &b);
	model_backward(m, 1.0f / model_ntargets(m));
	/* DoRA's |W + s B A| is detached (no gradient through it, as PEFT): hold it fixed while
	 * differencing, so the finite differences see the same function */
	m->dora_norm_frozen = 1;
	if (lora) {
		for (int i = 0; i < model_lora_nparams(m); i++)
			ok &= check_tensor(m, &b, model_lora_param(m, i), what);
	} else {
		for (int i = 0; i < model_nparams(m); i++)
			ok &= check_tensor(m, &b, model_param(m, i), what);
	}
	model_free(m);
	return ok;
}

#define DIMS "\"vocab_size\":64,\"hidden_size\":32,\"intermediate_size\":48,\"num_hidden_layers\":3," \
	     "\"num_attention_heads\":4,\"num_key_value_heads\":2,\"initializer_range\":0.2,\"rms_norm_eps\":1e-6"

int main(void)
{
	int ok = 1;
	ok &= run("gemma3", "{\"model_type\":\"gemma3_text\"," DIMS ",\"head_dim\":8,\"sliding_window\":5,"
		  "\"sliding_window_pattern\":3,\"query_pre_attn_scalar\":12,\"attn_logit_softcapping\":20,"
		  "\"final_logit_softcapping\":15,\"rope_theta\":1000000,\"rope_local_base_freq\":100,"
		  "\"rope_scaling\":{\"rope_type\":\"linear\",\"factor\":8}}", 0);
	ok &= run("yarn", "{\"model_type\":\"llama\"," DIMS ",\"attention_bias\":true,\"partial_rotary_factor\":0.5,"
		  "\"max_position_embeddings\":64,\"rope_scaling\":{\"type\":\"yarn\",\"factor\":4,"
		  "\"original_max_position_embeddings\":16}}", 0);
	ok &= run("llama3", "{\"model_type\":\"llama\"," DIMS ",\"rope_theta\":500,\"rope_scaling\":{\"rope_type\":"
		  "\"llama3\",\"factor\":8,\"low_freq_factor\":1,\"high_freq_factor\":4,"
		  "\"original_max_position_embeddings\":16}}", 0);
	ok &= run("dynamic", "{\"model_type\":\"llama\"," DIMS ",\"max_position_embeddings\":16,"
		  "\"rope_scaling\":{\"type\":\"dynamic\",\"factor\":2}}", 0);
	ok &= run("qwen2", "{\"model_type\":\"qwen2\"," DIMS ",\"sliding_window\":4,\"use_sliding_window\":true,"
		  "\"max_window_layers\":1}", 0);
	ok &= run("mistral", "{\"model_type\":\"mistral\"," DIMS ",\"sliding_window\":6,\"head_dim\":12}", 0);
	ok &= run("rslora", "{\"model_type\":\"qwen3\"," DIMS ",\"head_dim\":8,\"tie_word_embeddings\":true}", 1);
	ok &= run("dropout", "{\"model_type\":\"llama\"," DIMS "}", 2);
	ok &= run("dora", "{\"model_type\":\"llama\"," DIMS ",\"attention_bias\":true}", 3);
	return ok ? 0 : 1;
}
