/* test_generate: generation with the KV cache (decode.c, generate.c).
 *
 * For each fixture architecture (with its PEFT adapter; gemma2's sliding window of 8 is passed
 * by the 22-token sequences), greedy decoding of 12 tokens after a 10-token prompt must give
 * the same tokens as recomputing a full forward over the whole sequence each step and taking
 * the argmax of its last row (no cache), and the cached logits of the last step must equal that
 * forward's last row (rtol 1e-5: the same arithmetic per token, float32). Then sampling: top_k 1
 * is greedy, the same seed gives the same tokens, and top_p keeps the most probable tokens. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "generate.h"
#include "hf_fixture.h"
#include "model.h"

static int ok = 1;

static void check(int cond, const char *what)
{
	printf("%s %s\n", cond ? "ok  " : "FAIL", what);
	ok &= cond;
}

static int argmax_last(model_t *m, const int *ids, int n, float *row)
{
	int cu[2] = {0, n};
	batch_t b = {.N = n, .ids = ids, .cu_seqlens = cu, .nseq = 1};
	model_set_training(m, 0, 0);
	model_forward(m, &b);
	int V = model_cfg(m)->V;
	float *all = malloc((size_t)n * V * sizeof *all);
	model_ops(m)->download_f32(all, model_logits(m), (size_t)n * V);
	const float *lg = all + (size_t)(n - 1) * V;
	memcpy(row, lg, (size_t)V * sizeof *row);
	free(all);
	int best = 0;
	for (int v = 1; v < V; v++)
		if (row[v] > row[best])
			best = v;
	return best;
}

int main(void)
{
	int any = 0;
	for (int a = 0; a < HF_NARCHS; a++) {
		char dir[4096], path[4300];
		if (!hf_fixture(hf_archs[a], dir, sizeof dir))
			continue;
		any = 1;
		model_t *m = model_load(dir, &ops_cpu);
		snprintf(path, sizeof path, "%s/adapter", dir);
		if (path_is_dir(path))
			model_lora_load(m, path);
		int V = model_cfg(m)->V, P = 10, G = 12;
		int seq[32];
		for (int i = 0; i < P; i++)
			seq[i] = (i * 53 + 7 * a + 3) % V;
		gen_opts_t g = {.max_new_tokens = G, .temperature = 0, .top_p = 1};
		kvcache_t *kv = model_kv_new(m, P + G);
		int *out, nout;
		generate_ids(m, kv, seq, P, &g, 0, &out, &nout);
		float *row = malloc((size_t)V * sizeof *row), *cached = malloc((size_t)V * sizeof *cached);
		int same = nout == G;
		for (int k = 0; k < G && same; k++) {
			int t = argmax_last(m, seq, P + k, row);
			same &= t == out[k];
			seq[P + k] = t;
		}
		/* the logits of the last step, cached and recomputed */
		model_kv_reset(kv);
		model_decode(m, kv, seq, P, cached);
		for (int k = 0; k < G - 1; k++)
			model_decode(m, kv, &seq[P + k], 1, cached);
		argmax_last(m, seq, P + G - 1, row);
		char w[200];
		snprintf(w, sizeof w, "%s: greedy with the cache = argmax of full forwards, 12 tokens", hf_archs[a]);
		check(same, w);
		snprintf(w, sizeof w, "%s: cached logits of the last step", hf_archs[a]);
		ok &= cmp_close(w, cached, row, (size_t)V, 1e-6, 1e-5);
		if (a == 0) {
			/* sampling */
			int *o2, n2, *o3, n3, *o4, n4;
			gen_opts_t k1 = {.max_new_tokens = G, .temperature = 0.7, .top_k = 1, .top_p = 1, .seed = 5};
			generate_ids(m, kv, seq, P, &k1, 0, &o2, &n2);
			generate_ids(m, kv, seq, P, &g, 0, &o3, &n3);
			check(n2 == n3 && !memcmp(o2, o3, (size_t)n2 * sizeof *o2), "top_k 1 samples the greedy tokens");
			free(o2);
			free(o3);
			gen_opts_t s = {.max_new_tokens = G, .temperature = 1.5, .top_p = 1, .seed = 5};
			generate_ids(m, kv, seq, P, &s, 3, &o2, &n2);
			generate_ids(m, kv, seq, P, &s, 3, &o3, &n3);
			generate_ids(m, kv, seq, P, &s, 4, &o4, &n4);
			check(n2 == n3 && !memcmp(o2, o3, (size_t)n2 * sizeof *o2), "the same seed and stream give the same sample");
			check(n2 != n4 || memcmp(o2, o4, (size_t)n2 * sizeof *o2), "another stream gives another sample");
			free(o2), free(o3), free(o4);
			/* top_p: probabilities 0.5, 0.3, 0.2 (logits log p); top_p 0.6 keeps the first two */
			float lg[3];
			int seen[3] = {0, 0, 0};
			gen_opts_t tp = {.temperature = 1, .top_p = 0.6};
			rng_t r = rng_seed(1, 2);
			for (int i = 0; i < 2000; i++) {
				lg[0] = logf(0.5f), lg[1] = logf(0.3f), lg[2] = logf(0.2f);
				seen[generate_pick(lg, 3, &tp, &r)]++;
			}
			snprintf(w, sizeof w, "top_p 0.6 of (0.5, 0.3, 0.2): drew %d, %d, %d (never the third; ~5:3)", seen[0], seen[1],
				 seen[2]);
			check(seen[2] == 0 && seen[0] > 1100 && seen[0] < 1400, w);
		}
		free(out);
		free(row);
		free(cached);
		model_kv_free(m, kv);
		model_free(m);
	}
	if (!any) {
		printf("no hf fixtures (FT_FIXTURES)\n");
		return 77;
	}
	return ok ? 0 : 1;
}
