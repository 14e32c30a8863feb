/* test_model_init: random initialisation from config.json alone, as transformers'
 * _init_weights does it — linear and embedding weights normal(0, initializer_range), the
 * padding row of the embedding zero, norms ones (zeros for Gemma's (1 + w) norms), biases
 * zero — reproducible from the seed; the loss of such a model is close to ln(V). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "hf_fixture.h"
#include "model.h"
#include "ops.h"

static int fails;
#define CHECK(cond, ...) do { if (!(cond)) { fails++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static void check_model(const char *json, int plus1)
{
	cJSON *j = cJSON_Parse(json);
	modelcfg_t c;
	modelcfg_from_json(&c, j, "config.json");
	cJSON_Delete(j);
	model_t *m = model_init_random(&c, 42, &ops_cpu), *m2 = model_init_random(&c, 42, &ops_cpu),
		*m3 = model_init_random(&c, 43, &ops_cpu);
	for (int i = 0; i < model_nparams(m); i++) {
		param_t *p = model_param(m, i), *p2 = model_param(m2, i), *p3 = model_param(m3, i);
		CHECK(memcmp(p->data, p2->data, p->numel * sizeof(float)) == 0, "%s: same seed, different weights", p->name);
		double s = 0, s2 = 0;
		for (size_t k = 0; k < p->numel; k++) {
			s += ((float *)p->data)[k];
			s2 += (double)((float *)p->data)[k] * ((float *)p->data)[k];
		}
		size_t n = p->numel;
		if (strstr(p->name, "norm")) {
			CHECK(s == (plus1 ? 0 : (double)n) && s2 == s, "%s: norm not %s", p->name, plus1 ? "zeros" : "ones");
		} else if (strstr(p->name, "bias")) {
			CHECK(s2 == 0, "%s: bias not zero", p->name);
		} else {
			if (!strcmp(p->name, "model.embed_tokens.weight")) {
				double z = 0;
				for (int k = 0; k < c.C; k++)
					z += fabs(((float *)p->data)[(size_t)c.pad_token_id * c.C + k]);
				CHECK(z == 0, "padding row %d not zero", c.pad_token_id);
				n -= (size_t)c.C;
			}
			double mean = s / n, sd = sqrt(s2 / n - mean * mean);
			/* n >= 2048 draws: the sample sd is within 5% of 0.02 and the mean within 5 sd/sqrt(n) */
			CHECK(fabs(sd - c.init_range) < 0.05 * c.init_range && fabs(mean) < 5 * c.init_range / sqrt((double)n),
			      "%s: mean %g sd %g", p->name, mean, sd);
			CHECK(memcmp(p->data, p3->data, p->numel * sizeof(float)) != 0, "%s: another seed, same weights", p->name);
		}
	}
	enum { N = 32 };
	int ids[N], tg[N];
	for (int i = 0; i < N; i++) {
		ids[i] = (i * 37 + 11) % c.V;
		tg[i] = (i * 53 + 5) % c.V;
	}
	batch_t b = {.N = N, .ids = ids, .targets = tg};
	float loss = model_forward(m, &b);
	/* weights of 0.02 give logits of ~1e-2: softmax near uniform */
	CHECK(fabs(loss - log((double)c.V)) < 0.05, "loss %g, ln V %g", loss, log((double)c.V));
	printf("ok   %s: init statistics, seed, loss %.7f (ln V = %.4f)\n", c.model_type, loss, log((double)c.V));
	model_free(m);
	model_free(m2);
	model_free(m3);
}

int main(void)
{
	check_model("{\"model_type\":\"llama\",\"vocab_size\":256,\"hidden_size\":64,\"intermediate_size\":128,"
		    "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"pad_token_id\":0}", 0);
	check_model("{\"model_type\":\"qwen2\",\"vocab_size\":256,\"hidden_size\":64,\"intermediate_size\":128,"
		    "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"pad_token_id\":3,\"tie_word_embeddings\":true}", 0);
	check_model("{\"model_type\":\"gemma2\",\"vocab_size\":256,\"hidden_size\":64,\"intermediate_size\":128,"
		    "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"head_dim\":16,"
		    "\"pad_token_id\":0,\"sliding_window\":8,\"query_pre_attn_scalar\":16}", 1);
	printf("%d failures\n", fails);
	return fails ? 1 : 0;
}
