/* generate: token completions with the KV cache (see generate.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "generate.h"

typedef struct { float v; int i; } cand_t;

static int cmp_cand_desc(const void *a, const void *b)
{
	const cand_t *x = a, *y = b;
	if (x->v != y->v)
		return x->v > y->v ? -1 : 1;
	return x->i - y->i;
}

int generate_pick(float *logits, int V, const gen_opts_t *g, rng_t *r)
{
	if (g->temperature <= 0) {
		int best = 0;
		for (int v = 1; v < V; v++)
			if (logits[v] > logits[best])
				best = v;
		return best;
	}
	cand_t *c = xmalloc((size_t)V * sizeof *c);
	for (int v = 0; v < V; v++)
		c[v] = (cand_t){logits[v] / (float)g->temperature, v};
	qsort(c, (size_t)V, sizeof *c, cmp_cand_desc);
	int keep = V;
	if (g->top_k > 0 && g->top_k < V) {
		/* TopKLogitsWarper: everything below the k-th largest goes (ties with it stay) */
		float kth = c[g->top_k - 1].v;
		keep = g->top_k;
		while (keep < V && c[keep].v >= kth)
			keep++;
	}
	double mx = c[0].v, sum = 0;
	double *p = xmalloc((size_t)keep * sizeof *p);
	for (int k = 0; k < keep; k++)
		sum += p[k] = exp((double)c[k].v - mx);
	if (g->top_p > 0 && g->top_p < 1) {
		/* TopPLogitsWarper: drop the least probable tokens whose cumulative probability
		 * (ascending) stays <= 1 - top_p; the most probable always stays */
		double cum = 0;
		int k = keep - 1;
		while (k > 0 && cum + p[k] / sum <= 1 - g->top_p) {
			cum += p[k] / sum;
			k--;
		}
		keep = k + 1;
		sum = 0;
		for (int j = 0; j < keep; j++)
			sum += p[j];
	}
	double u = (double)(rng_next(r) >> 11) * 0x1.0p-53 * sum, acc = 0;
	int pick = c[keep - 1].i;
	for (int k = 0; k < keep; k++) {
		acc += p[k];
		if (u < acc) {
			pick = c[k].i;
			break;
		}
	}
	free(p);
	free(c);
	return pick;
}

int generate_ids(model_t *m, kvcache_t *kv, const int *prompt, int n, const gen_opts_t *g, uint64_t stream,
		 int **out, int *nout)
{
	int V = model_cfg(m)->V;
	float *lg = xmalloc((size_t)V * sizeof *lg);
	int *ids = xmalloc((size_t)(g->max_new_tokens > 0 ? g->max_new_tokens : 1) * sizeof *ids);
	rng_t r = rng_seed(g->seed, stream);
	model_kv_reset(kv);
	model_decode(m, kv, prompt, n, lg);
	int k = 0, stopped = 0;
	while (k < g->max_new_tokens) {
		int t = generate_pick(lg, V, g, &r);
		for (int e = 0; e < g->neos; e++)
			stopped |= t == g->eos[e];
		if (stopped)
			break;
		ids[k++] = t;
		if (k < g->max_new_tokens)
			model_decode(m, kv, &t, 1, lg);
	}
	free(lg);
	*out = ids;
	*nout = k;
	return stopped;
}
