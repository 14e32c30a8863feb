/* decode: incremental forward for generation, with a per-layer K/V cache of one sequence.
 *
 * model_decode runs n new tokens (the prompt, then one token at a time) through the same
 * layers as model_forward (model.c), in eval mode, appending their keys and values (after RoPE
 * and q/k norms) to the cache and attending over it (ops attention_kv_fwd), and returns the
 * logits of the last of them only (to the host, as float32). The arithmetic per token is model_forward's, so greedy
 * decoding equals the argmax of a full forward over the whole sequence. */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "model.h"
#include "model_impl.h"

struct kvcache {
	int cap, len;
	void **k, **v;    /* per layer, (cap, NKV, HD) backend memory, the activations' element type */
};

kvcache_t *model_kv_new(model_t *m, int cap)
{
	const modelcfg_t *c = &m->cfg;
	kvcache_t *kv = xcalloc(1, sizeof *kv);
	kv->cap = cap;
	kv->k = xcalloc((size_t)c->L, sizeof *kv->k);
	kv->v = xcalloc((size_t)c->L, sizeof *kv->v);
	size_t bytes = (size_t)cap * c->NKV * c->HD * m->ops->es;
	for (int l = 0; l < c->L; l++) {
		kv->k[l] = m->ops->alloc(bytes);
		kv->v[l] = m->ops->alloc(bytes);
	}
	return kv;
}

void model_kv_free(model_t *m, kvcache_t *kv)
{
	if (!kv)
		return;
	for (int l = 0; l < m->cfg.L; l++) {
		m->ops->free(kv->k[l]);
		m->ops->free(kv->v[l]);
	}
	free(kv->k);
	free(kv->v);
	free(kv);
}

void model_kv_reset(kvcache_t *kv) { kv->len = 0; }
int model_kv_len(const kvcache_t *kv) { return kv->len; }

void model_decode(model_t *m, kvcache_t *kv, const int *ids, int n, float *logits)
{
	const ops_t *o = m->ops;
	const modelcfg_t *c = &m->cfg;
	if (n <= 0)
		ft_die(FT_EXIT_USAGE, "model_decode: no tokens");
	if (kv->len + n > kv->cap)
		ft_die(FT_EXIT_USAGE, "model_decode: %d tokens exceed the cache of %d", kv->len + n, kv->cap);
	if (c->rope.type == ROPE_DYNAMIC || c->rope_local.type == ROPE_DYNAMIC || c->rope.type == ROPE_LONGROPE ||
	    c->rope_local.type == ROPE_LONGROPE)
		ft_die(FT_EXIT_USAGE, "generation with dynamic or longrope RoPE scaling is not supported yet");
	for (int i = 0; i < n; i++)
		if (ids[i] < 0 || ids[i] >= c->V)
			ft_die(FT_EXIT_DATA, "token id %d is outside the vocabulary of %d", ids[i], c->V);
	int past = kv->len, N = n, C = c->C;
	size_t es = o->es;
	model_set_training(m, 0, 0);
	m->head_rows = 0;   /* all logits: one row here */
	acts_ensure(m, N, 1);
	int *pos = xmalloc((size_t)N * sizeof *pos);
	for (int i = 0; i < N; i++)
		pos[i] = past + i;
	o->upload(m->d_ids, ids, (size_t)N * sizeof(int));
	o->upload(m->d_pos, pos, (size_t)N * sizeof(int));
	free(pos);
	float wo = c->norm_plus_one ? 1.0f : 0.0f;
	o->embedding_fwd(m->x[0], m->d_ids, m->embed->data, N, C, c->embed_scale);
	for (int l = 0; l < c->L; l++)
		layer_fwd(m, l, N, kv->k[l], kv->v[l], past);
	kv->len += N;
	/* the last token only */
	o->rmsnorm_fwd(m->lnf, m->lnf_r, (char *)m->x[c->L] + (size_t)(N - 1) * C * es, m->norm->data, 1, C, c->eps, wo);
	o->matmul(m->logits, m->lnf, m->lm_head->data, 1, c->V, C, 0, 1, 1.0f, 0.0f);
	if (c->final_softcap > 0)
		o->softcap_fwd(m->logits, (size_t)c->V, c->final_softcap);
	m->logits_valid = 0;   /* not a forward's logits: no backward, no model_logits */
	m->fwd_valid = 0;
	m->have_targets = 0;
	o->download_f32(logits, m->logits, (size_t)c->V);
}
