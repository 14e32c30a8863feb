/* model: construction, forward and backward of the one transformer. See model.h; loading and
 * saving checkpoints are in model_io.c, LoRA in lora.c.
 *
 * Block (x the residual stream, rms() an RMSNorm, lin() a linear with optional bias and LoRA):
 *   llama-style:  h = x + o(attn(rms1(x)));            y = h + down(act(gate(rms2(h))) * up(rms2(h)))
 *   gemma2/3:     h = x + rmsA(o(attn(rms1(x))));      y = h + rmsF(down(...(rms2(h))))
 * where attn applies q/k norm (qwen3, gemma3) and RoPE to q and k, then causal GQA attention
 * within each sample (soft-capped, windowed on sliding layers). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "model_impl.h"

const char *const lin_names[NLIN] = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
const int lin_weight[NLIN] = {P_Q, P_K, P_V, P_O, P_GATE, P_UP, P_DOWN};
const int lin_bias[NLIN] = {P_QB, P_KB, P_VB, P_OB, -1, -1, -1};

const char *role_name(const model_t *m, int role)
{
	switch (role) {
	case P_ATTN_NORM: return "input_layernorm.weight";
	case P_Q: return "self_attn.q_proj.weight";
	case P_K: return "self_attn.k_proj.weight";
	case P_V: return "self_attn.v_proj.weight";
	case P_O: return "self_attn.o_proj.weight";
	case P_QB: return "self_attn.q_proj.bias";
	case P_KB: return "self_attn.k_proj.bias";
	case P_VB: return "self_attn.v_proj.bias";
	case P_OB: return "self_attn.o_proj.bias";
	case P_Q_NORM: return "self_attn.q_norm.weight";
	case P_K_NORM: return "self_attn.k_norm.weight";
	case P_POST_ATTN_NORM: return "post_attention_layernorm.weight";
	case P_MLP_NORM: return m->cfg.sandwich_norm ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight";
	case P_POST_FF_NORM: return "post_feedforward_layernorm.weight";
	case P_GATE: return "mlp.gate_proj.weight";
	case P_UP: return "mlp.up_proj.weight";
	case P_DOWN: return "mlp.down_proj.weight";
	}
	return "?";
}

static int role_present(const modelcfg_t *c, int role)
{
	switch (role) {
	case P_QB: case P_KB: case P_VB: return c->qkv_bias;
	case P_OB: return c->o_bias;
	case P_Q_NORM: case P_K_NORM: return c->qk_norm;
	case P_POST_ATTN_NORM: case P_POST_FF_NORM: return c->sandwich_norm;
	default: return 1;
	}
}

static void role_shape(const modelcfg_t *c, int role, int *ndim, int64_t *shape)
{
	int64_t C = c->C, I = c->I, Q = (int64_t)c->NH * c->HD, KV = (int64_t)c->NKV * c->HD;
	*ndim = 2;
	switch (role) {
	case P_Q: shape[0] = Q; shape[1] = C; break;
	case P_K: case P_V: shape[0] = KV; shape[1] = C; break;
	case P_O: shape[0] = C; shape[1] = Q; break;
	case P_GATE: case P_UP: shape[0] = I; shape[1] = C; break;
	case P_DOWN: shape[0] = C; shape[1] = I; break;
	default:
		*ndim = 1;
		shape[0] = role == P_QB ? Q : role == P_KB || role == P_VB ? KV
			 : role == P_Q_NORM || role == P_K_NORM ? c->HD : C;
	}
}

void lin_dims(const modelcfg_t *c, int lin, int *in, int *out)
{
	int ndim;
	int64_t s[2] = {0, 0};
	role_shape(c, lin_weight[lin], &ndim, s);
	*out = (int)s[0];
	*in = (int)s[1];
}

/* ---- construction ---- */

static void add_param(model_t *m, int *k, const char *name, int ndim, const int64_t *shape)
{
	param_t *p = &m->params[(*k)++];
	snprintf(p->name, sizeof p->name, "%s", name);
	p->ndim = ndim;
	p->numel = 1;
	for (int i = 0; i < ndim; i++) {
		p->shape[i] = shape[i];
		p->numel *= (size_t)shape[i];
	}
}

model_t *model_new(const modelcfg_t *cfg, const ops_t *ops)
{
	model_t *m = xcalloc(1, sizeof *m);
	m->cfg = *cfg;
	m->ops = ops;
	const modelcfg_t *c = &m->cfg;
	int L = c->L;
	m->params = xcalloc((size_t)L * NROLE + 3, sizeof *m->params);
	m->lw = xcalloc((size_t)L * NROLE, sizeof *m->lw);
	int k = 0;
	char name[128];
	int64_t shape[2];
	int ndim;
	/* HF's state_dict order: embeddings, layers, final norm, head */
	shape[0] = c->V;
	shape[1] = c->C;
	add_param(m, &k, "model.embed_tokens.weight", 2, shape);
	int *idx = xmalloc((size_t)L * NROLE * sizeof *idx);
	for (int l = 0; l < L; l++)
		for (int r = 0; r < NROLE; r++) {
			idx[l * NROLE + r] = -1;
			if (!role_present(c, r))
				continue;
			snprintf(name, sizeof name, "model.layers.%d.%s", l, role_name(m, r));
			role_shape(c, r, &ndim, shape);
			idx[l * NROLE + r] = k;
			add_param(m, &k, name, ndim, shape);
		}
	shape[0] = c->C;
	add_param(m, &k, "model.norm.weight", 1, shape);
	if (!c->tied) {
		shape[0] = c->V;
		shape[1] = c->C;
		add_param(m, &k, "lm_head.weight", 2, shape);
	}
	m->np = k;
	m->pmat = xcalloc((size_t)k, 1);
	for (int l = 0; l < L; l++)
		for (int li = 0; li < NLIN; li++)
			if (idx[l * NROLE + lin_weight[li]] >= 0)
				m->pmat[idx[l * NROLE + lin_weight[li]]] = 1;
	m->ptrain = xmalloc((size_t)k);
	memset(m->ptrain, 1, (size_t)k);   /* full fine-tuning unless told otherwise */
	size_t total = 0;
	for (int i = 0; i < k; i++)
		total += m->params[i].numel;
	m->ptotal = total;
	m->pdata = ops->alloc(total * ops->es);
	size_t off = 0;
	for (int i = 0; i < k; i++) {
		m->params[i].data = elt(m, m->pdata, off);
		off += m->params[i].numel;
	}
	m->embed = &m->params[0];
	m->norm = &m->params[k - (c->tied ? 1 : 2)];
	m->lm_head = c->tied ? m->embed : &m->params[k - 1];
	for (int i = 0; i < L * NROLE; i++)
		m->lw[i] = idx[i] >= 0 ? &m->params[idx[i]] : NULL;
	free(idx);

	/* RoPE frequencies for global and sliding layers */
	float *f = xmalloc((size_t)c->HD * sizeof *f);
	m->rot_dim = rope_inv_freq(&c->rope, c->HD, c->max_pos, 0, f, &m->rope_scaling);
	m->inv_freq = ops->alloc((size_t)c->HD * sizeof(float));
	ops->upload(m->inv_freq, f, (size_t)m->rot_dim / 2 * sizeof(float));
	int rd = rope_inv_freq(&c->rope_local, c->HD, c->max_pos, 0, f, &m->rope_scaling_local);
	if (rd != m->rot_dim)
		ft_die(FT_EXIT_DATA, "local and global RoPE rotate different dimensions (%d, %d)", rd, m->rot_dim);
	m->inv_freq_local = ops->alloc((size_t)c->HD * sizeof(float));
	ops->upload(m->inv_freq_local, f, (size_t)rd / 2 * sizeof(float));
	free(f);
	return m;
}

/* splitmix64 and Box-Muller: a seeded normal stream, the same on every machine */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

double rng_uniform(uint64_t *s) { return ((rng_next(s) >> 11) + 0.5) * (1.0 / 9007199254740992.0); }

/* Element j of parameter i: a normal from two uniforms of a counter-based stream, so the
 * weights do not depend on the thread count and big models initialise on every core. */
static float init_normal(uint64_t seed, int i, size_t j)
{
	uint64_t s = seed ^ ((uint64_t)(i + 1) * 0xd1b54a32d192ed03ull) ^ ((uint64_t)j * 0x9e3779b97f4a7c15ull * 2);
	uint64_t a = s, b = s + 0x9e3779b97f4a7c15ull;
	double u1 = rng_uniform(&a), u2 = rng_uniform(&b);
	return (float)(sqrt(-2 * log(u1)) * cos(2 * M_PI * u2));
}

model_t *model_init_random(const modelcfg_t *cfg, uint64_t seed, const ops_t *ops)
{
	model_t *m = model_new(cfg, ops);
	size_t maxn = 0;
	for (int i = 0; i < m->np; i++)
		if (m->params[i].numel > maxn)
			maxn = m->params[i].numel;
	float *tmp = xmalloc(maxn * sizeof *tmp);
	for (int i = 0; i < m->np; i++) {
		param_t *p = &m->params[i];
		const char *n = p->name;
		int is_norm = strstr(n, "norm.weight") != NULL;
		int is_bias = strstr(n, ".bias") != NULL;
		float r = (float)cfg->init_range;
		#pragma omp parallel for schedule(static) if (p->numel > 65536)
		for (size_t j = 0; j < p->numel; j++)
			tmp[j] = is_bias ? 0.0f
				 : is_norm ? (cfg->norm_plus_one ? 0.0f : 1.0f)
				 : init_normal(seed, i, j) * r;
		if (p == m->embed && cfg->pad_token_id >= 0 && cfg->pad_token_id < cfg->V)
			memset(tmp + (size_t)cfg->pad_token_id * cfg->C, 0, (size_t)cfg->C * sizeof *tmp);
		model_param_set(m, p, tmp);
	}
	free(tmp);
	return m;
}

void acts_free(model_t *m)
{
	for (int i = 0; i < m->nallocs; i++)
		m->ops->free(m->allocs[i]);
	m->nallocs = 0;
	m->ncap = 0;
}

void model_free(model_t *m)
{
	if (!m)
		return;
	const ops_t *o = m->ops;
	acts_free(m);
	free(m->allocs);
	free(m->x);
	free(m->acts);
	for (int i = 0; i < m->np; i++)
		if (m->params[i].lo)
			o->free(m->params[i].lo);
	o->free(m->pdata);
	if (m->gdata)
		o->free(m->gdata);
	if (m->ghdata)
		o->free(m->ghdata);
	o->free(m->inv_freq);
	o->free(m->inv_freq_local);
	if (m->has_lora) {
		o->free(m->ldata);
		o->free(m->lgdata);
		if (m->llo)
			o->free(m->llo);
	}
	free(m->lparams);
	free(m->lora);
	free(m->lcfg_layers);
	if (m->lvec)
		o->free(m->lvec);
	if (m->dora_w)
		o->free(m->dora_w);
	for (int k = 0; k < m->npass; k++) {
		free(m->pass[k].name);
		free(m->pass[k].data);
	}
	free(m->pass);
	free(m->params);
	free(m->ptrain);
	free(m->pmat);
	free(m->lw);
	free(m);
}

const modelcfg_t *model_cfg(const model_t *m) { return &m->cfg; }
int model_nparams(const model_t *m) { return m->np; }
param_t *model_param(model_t *m, int i) { return i >= 0 && i < m->np ? &m->params[i] : NULL; }

param_t *model_param_by_name(model_t *m, const char *name)
{
	for (int i = 0; i < m->np; i++)
		if (strcmp(m->params[i].name, name) == 0)
			return &m->params[i];
	if (m->cfg.tied && strcmp(name, "lm_head.weight") == 0)
		return m->embed;
	return NULL;
}

void model_shift_labels(int *targets, const int *labels, int N, const int *cu_seqlens, int nseq)
{
	int one[2] = {0, N};
	if (!cu_seqlens) {
		cu_seqlens = one;
		nseq = 1;
	}
	for (int s = 0; s < nseq; s++)
		for (int i = cu_seqlens[s]; i < cu_seqlens[s + 1]; i++)
			targets[i] = i + 1 < cu_seqlens[s + 1] ? labels[i + 1] : -100;
}

/* ---- activations ---- */

static void *act_bytes(model_t *m, size_t bytes)
{
	if (m->nallocs == m->capallocs) {
		m->capallocs = m->capallocs ? 2 * m->capallocs : 256;
		m->allocs = xrealloc(m->allocs, (size_t)m->capallocs * sizeof *m->allocs);
	}
	void *p = m->ops->alloc(bytes ? bytes : 1);
	m->allocs[m->nallocs++] = p;
	return p;
}

/* n elements of the backend's type; float32; int */
static void *act_alloc(model_t *m, size_t n) { return act_bytes(m, n * m->ops->es); }
static float *act_f32(model_t *m, size_t n) { return act_bytes(m, n * sizeof(float)); }
static int *act_int(model_t *m, size_t n) { return act_bytes(m, n * sizeof(int)); }

/* Whether linear li of layer l has an adapter (of any layer, for the buffers layers share
 * under checkpointing), and a DoRA one. */
static int lora_somewhere(const model_t *m, int l, int li)
{
	for (int k = m->ckpt ? 0 : l; k < (m->ckpt ? m->cfg.L : l + 1); k++)
		if (m->lora[k * NLIN + li].A)
			return 1;
	return 0;
}

static int lora_dora_somewhere(const model_t *m, int l, int li)
{
	for (int k = m->ckpt ? 0 : l; k < (m->ckpt ? m->cfg.L : l + 1); k++)
		if (m->lora[k * NLIN + li].M)
			return 1;
	return 0;
}

void model_set_checkpointing(model_t *m, int on) { m->ckpt = on != 0; }

void acts_ensure(model_t *m, int N, int nseq)
{
	int rows = m->head_rows ? m->head_rows : N;   /* logits rows this forward needs */
	if (N <= m->ncap && nseq + 1 <= m->ncap + 1 && m->acts_ckpt == m->ckpt && rows <= m->logits_cap)
		return;
	acts_free(m);
	m->acts_ckpt = m->ckpt;
	m->logits_cap = rows;
	const modelcfg_t *c = &m->cfg;
	size_t n = (size_t)N, C = c->C, Q = (size_t)c->NH * c->HD, KV = (size_t)c->NKV * c->HD, I = c->I;
	size_t R = m->has_lora ? (size_t)m->lcfg.r : 0;
	int L = c->L;
	m->x = xrealloc(m->x, (size_t)(L + 1) * sizeof *m->x);
	m->acts = xrealloc(m->acts, (size_t)L * sizeof *m->acts);
	for (int l = 0; l <= L; l++)
		m->x[l] = act_alloc(m, n * C);
	for (int l = 0; l < L; l++) {
		acts_t *a = &m->acts[l];
		if (m->ckpt && l > 0) {   /* checkpointing: every layer shares layer 0's buffers */
			*a = m->acts[0];
			continue;
		}
		memset(a, 0, sizeof *a);
		/* the normed inputs and the MLP's product are recomputed in the backward (cheap
		 * passes over kept tensors), so every layer writes the same buffers */
		a->ln1 = l ? m->acts[0].ln1 : act_alloc(m, n * C);
		a->ln1_r = act_f32(m, n);
		if (c->qk_norm) {
			a->q_pre = act_alloc(m, n * Q);
			a->qn_r = act_f32(m, n * c->NH);
			a->k_pre = act_alloc(m, n * KV);
			a->kn_r = act_f32(m, n * c->NKV);
		}
		a->q = act_alloc(m, n * Q);
		a->k = act_alloc(m, n * KV);
		a->v = act_alloc(m, n * KV);
		a->att = act_alloc(m, n * Q);
		a->lse = act_f32(m, n * c->NH);
		if (c->sandwich_norm) {
			a->o = act_alloc(m, n * C);
			a->pa_r = act_f32(m, n);
			a->down = act_alloc(m, n * C);
			a->pf_r = act_f32(m, n);
		}
		a->mid = act_alloc(m, n * C);
		a->ln2 = l ? m->acts[0].ln2 : act_alloc(m, n * C);
		a->ln2_r = act_f32(m, n);
		a->gate = act_alloc(m, n * I);
		a->up = act_alloc(m, n * I);
		a->h = l ? m->acts[0].h : act_alloc(m, n * I);
		for (int li = 0; li < NLIN; li++)
			if (m->has_lora && lora_somewhere(m, l, li)) {
				int din, dout;
				lin_dims(c, li, &din, &dout);
				a->lh[li] = act_alloc(m, n * R);
				if (lora_dora_somewhere(m, l, li))
					a->z[li] = act_alloc(m, n * (size_t)dout);
			}
	}
	m->lnf = act_alloc(m, n * C);
	m->lnf_r = act_f32(m, n);
	m->logits = act_alloc(m, (size_t)rows * c->V);
	m->losses = act_f32(m, n);
	m->d_ids = act_int(m, n);
	m->d_pos = act_int(m, n);
	m->d_targets = act_int(m, n);
	m->d_pred = act_int(m, n);
	m->d_cu = act_int(m, n + 1);
	size_t big = Q > C ? Q : C;
	m->dres = act_alloc(m, n * C);
	m->dln = act_alloc(m, n * big);
	m->dq = act_alloc(m, n * Q);
	m->dk = act_alloc(m, n * KV);
	m->dv = act_alloc(m, n * KV);
	m->datt = act_alloc(m, n * Q);
	m->dtmp = act_alloc(m, n * big);
	m->dh = act_alloc(m, n * I);
	m->dgate = act_alloc(m, n * I);
	m->dup = act_alloc(m, n * I);
	m->dlh = act_alloc(m, n * (R ? R : 1));
	m->dqp = act_alloc(m, n * Q);
	m->dkp = act_alloc(m, n * KV);
	size_t wide = big > I ? big : I;
	int drop = m->has_lora && m->lcfg.dropout > 0;
	m->xdrop = drop ? act_alloc(m, n * wide) : NULL;
	m->xdrop2 = drop ? act_alloc(m, n * wide) : NULL;
	m->gdy = m->has_lora && m->lcfg.use_dora ? act_alloc(m, n * wide) : NULL;
	m->dvec = m->has_lora && m->lcfg.use_dora ? act_f32(m, wide) : NULL;
	m->ncap = N;
}

/* ---- forward ---- */

static uint64_t lora_seed(const model_t *m, int l, int lin)
{
	uint64_t z = m->seed ^ ((uint64_t)(l * NLIN + lin + 1) * 0xd1b54a32d192ed03ull);
	z = (z ^ (z >> 31)) * 0x94d049bb133111ebull;
	return z ^ (z >> 29);
}

/* The adapter's input: in itself, or dropout(in) in m->xdrop while training */
static const void *lora_input(model_t *m, int l, int lin, const void *in, size_t n)
{
	if (!m->training || !m->xdrop)
		return in;
	m->ops->dropout(m->xdrop, in, n, m->lcfg.dropout, lora_seed(m, l, lin));
	return m->xdrop;
}

void model_set_training(model_t *m, int on, uint64_t seed)
{
	m->training = on;
	m->seed = seed;
}

void model_set_neftune(model_t *m, float alpha) { m->neftune_alpha = alpha; }

void lora_dora_norm(model_t *m, int l, int lin)
{
	const ops_t *o = m->ops;
	lora_t *lo = &m->lora[l * NLIN + lin];
	int din, dout;
	lin_dims(&m->cfg, lin, &din, &dout);
	param_t *W = m->lw[l * NROLE + lin_weight[lin]];
	if (!m->dora_norm_frozen) {
		o->copy(m->dora_w, W->data, W->numel * o->es);
		o->matmul(m->dora_w, lo->B->data, lo->A->data, dout, din, m->lcfg.r, 0, 0, lo->scale, 1.0f);
		o->rownorm(lo->wn, m->dora_w, dout, din);
	}
	if (o->es == sizeof(float)) {
		o->div(lo->g, lo->M->data, lo->wn, (size_t)dout);
	} else {   /* the magnitude's compute copy as float32 first */
		o->to_f32(lo->g, lo->M->data, (size_t)dout);
		o->div(lo->g, lo->g, lo->wn, (size_t)dout);
	}
}

/* out (N, out) = in (N, in) W^T + b + s B (A in)^T.
 * DoRA (PEFT's DoraLinearVariant): with g = M / |W + s B A| (per output, no gradient through the
 * norm) and xd the adapter's input (in, or its dropout while training),
 * out = in W^T + b + (g - 1) (xd W^T) + g s B (A xd)^T, which is g (in W^T + s B A in) + b
 * without dropout. z = xd W^T + s B (A xd)^T is kept for the magnitude's gradient. */
void linear_fwd(model_t *m, int l, int lin, void *out, const void *in, int N, acts_t *a)
{
	const ops_t *o = m->ops;
	int din, dout;
	lin_dims(&m->cfg, lin, &din, &dout);
	param_t *W = m->lw[l * NROLE + lin_weight[lin]];
	o->matmul(out, in, W->data, N, dout, din, 0, 1, 1.0f, 0.0f);
	if (m->has_lora && m->lora[l * NLIN + lin].A) {
		lora_t *lo = &m->lora[l * NLIN + lin];
		int R = m->lcfg.r;
		void *lh = a->lh[lin];
		const void *x = lora_input(m, l, lin, in, (size_t)N * din);
		o->matmul(lh, x, lo->A->data, N, R, din, 0, 1, 1.0f, 0.0f);
		if (!lo->M) {
			o->matmul(out, lh, lo->B->data, N, dout, R, 0, 1, lo->scale, 1.0f);
		} else {
			void *z = a->z[lin];
			lora_dora_norm(m, l, lin);
			if (x == in) {
				o->copy(z, out, (size_t)N * dout * o->es);
			} else {
				o->matmul(z, x, W->data, N, dout, din, 0, 1, 1.0f, 0.0f);
				o->axpy(out, z, -1.0f, (size_t)N * dout);
			}
			o->matmul(z, lh, lo->B->data, N, dout, R, 0, 1, lo->scale, 1.0f);
			o->colscale(out, z, lo->g, N, dout, x == in ? 0.0f : 1.0f);
		}
	}
	if (lin_bias[lin] >= 0 && m->lw[l * NROLE + lin_bias[lin]])
		o->bias_fwd(out, m->lw[l * NROLE + lin_bias[lin]]->data, N, dout);
}

static void weight_grad(model_t *m, param_t *p, const void *dy, const void *x, int dout, int din, int N, int first);
static void grads_sync(model_t *m);

/* din (N, in) = d out / d in + beta din (beta 0: din need not be initialised); dW, db, dA, dB,
 * dM accumulated where trained */
static void linear_bwd(model_t *m, int l, int lin, void *din, float beta, const void *dy, const void *in, int N,
		       const acts_t *a)
{
	const ops_t *o = m->ops;
	int din_, dout;
	lin_dims(&m->cfg, lin, &din_, &dout);
	param_t *W = m->lw[l * NROLE + lin_weight[lin]];
	lora_t *lo = m->has_lora && m->lora[l * NLIN + lin].A ? &m->lora[l * NLIN + lin] : NULL;
	if (W->grad || W->gradh) {
		if (lo && lo->M)
			ft_die(FT_EXIT_USAGE, "training base weights under a DoRA adapter is not supported");
		weight_grad(m, W, dy, in, dout, din_, N, 1);
	}
	param_t *b = lin_bias[lin] >= 0 ? m->lw[l * NROLE + lin_bias[lin]] : NULL;
	if (b && b->grad)
		o->bias_bwd(b->grad, dy, N, dout);
	if (!lo) {
		o->matmul(din, dy, W->data, N, din_, dout, 0, 0, 1.0f, beta);
		return;
	}
	int R = m->lcfg.r;
	const void *lh = a->lh[lin];
	const void *x = lora_input(m, l, lin, in, (size_t)N * din_);
	/* dlo: the gradient reaching the adapter's output s B (A xd)^T */
	const void *dlo = dy;
	void *dxd = x == in ? din : m->xdrop2;   /* gradient w.r.t. the adapter's input */
	if (x != in)
		o->zero(dxd, (size_t)N * din_ * o->es);
	if (lo->M) {
		/* dM += sum_n dy z / wn; the adapter and the (g - 1) xd W^T term see g dy */
		o->zero(m->dvec, (size_t)dout * sizeof(float));
		o->colmul_sum(m->dvec, dy, a->z[lin], N, dout);
		o->div(m->dvec, m->dvec, lo->wn, (size_t)dout);
		o->axpy_f32(lo->M->grad, m->dvec, 1.0f, (size_t)dout);
		o->colscale(m->gdy, dy, lo->g, N, dout, 0.0f);
		dlo = m->gdy;
		if (x == in) {   /* in W^T + (g - 1) in W^T: g dy W */
			o->matmul(din, m->gdy, W->data, N, din_, dout, 0, 0, 1.0f, beta);
		} else {         /* in W^T, and (g - 1) xd W^T */
			o->matmul(din, dy, W->data, N, din_, dout, 0, 0, 1.0f, beta);
			o->matmul(dxd, m->gdy, W->data, N, din_, dout, 0, 0, 1.0f, 1.0f);
			o->matmul(dxd, dy, W->data, N, din_, dout, 0, 0, -1.0f, 1.0f);
		}
	} else {
		o->matmul(din, dy, W->data, N, din_, dout, 0, 0, 1.0f, beta);
	}
	/* dB (out, R) += s dlo^T lh;  dlh (N, R) = s dlo B;  dA (R, in) += dlh^T xd;  dxd += dlh A */
	o->matmul_f32out(lo->B->grad, dlo, lh, dout, R, N, 1, 0, lo->scale, 1.0f);
	o->matmul(m->dlh, dlo, lo->B->data, N, R, dout, 0, 0, lo->scale, 0.0f);
	o->matmul_f32out(lo->A->grad, m->dlh, x, R, din_, N, 1, 0, 1.0f, 1.0f);
	o->matmul(dxd, m->dlh, lo->A->data, N, din_, R, 0, 0, 1.0f, 1.0f);
	if (x != in) {   /* through the dropout: the same mask on the gradient */
		o->dropout(dxd, dxd, (size_t)N * din_, m->lcfg.dropout, lora_seed(m, l, lin));
		o->axpy(din, dxd, 1.0f, (size_t)N * din_);
	}
}

static float wofs(const model_t *m) { return m->cfg.norm_plus_one ? 1.0f : 0.0f; }

/* Block l forward from m->x[l] to m->x[l + 1], keeping its activations in m->acts[l] (with
 * gradient checkpointing, the one set every layer shares: the backward runs this again). */
void layer_fwd(model_t *m, int l, int N, void *kcache, void *vcache, int past)
{
	const ops_t *o = m->ops;
	const modelcfg_t *c = &m->cfg;
	int C = c->C, NH = c->NH, NKV = c->NKV, HD = c->HD, I = c->I;
	float wo = wofs(m);
	acts_t *a = &m->acts[l];
	param_t **w = &m->lw[l * NROLE];
	const void *x = m->x[l];
	void *y = m->x[l + 1];
	o->rmsnorm_fwd(a->ln1, a->ln1_r, x, w[P_ATTN_NORM]->data, N, C, c->eps, wo);
	if (c->qk_norm) {
		linear_fwd(m, l, LIN_Q, a->q_pre, a->ln1, N, a);
		linear_fwd(m, l, LIN_K, a->k_pre, a->ln1, N, a);
		o->rmsnorm_fwd(a->q, a->qn_r, a->q_pre, w[P_Q_NORM]->data, N * NH, HD, c->eps, wo);
		o->rmsnorm_fwd(a->k, a->kn_r, a->k_pre, w[P_K_NORM]->data, N * NKV, HD, c->eps, wo);
	} else {
		linear_fwd(m, l, LIN_Q, a->q, a->ln1, N, a);
		linear_fwd(m, l, LIN_K, a->k, a->ln1, N, a);
	}
	linear_fwd(m, l, LIN_V, a->v, a->ln1, N, a);
	int sl = c->layer_sliding[l];
	const float *inv = sl ? m->inv_freq_local : m->inv_freq;
	float rs = sl ? m->rope_scaling_local : m->rope_scaling;
	o->rope_fwd(a->q, m->d_pos, inv, N, NH, HD, m->rot_dim, rs);
	o->rope_fwd(a->k, m->d_pos, inv, N, NKV, HD, m->rot_dim, rs);
	if (kcache) {   /* generation: the new keys and values join the cache, queries attend to it all */
		size_t kvb = (size_t)NKV * HD * o->es;
		o->copy((char *)kcache + (size_t)past * kvb, a->k, (size_t)N * kvb);
		o->copy((char *)vcache + (size_t)past * kvb, a->v, (size_t)N * kvb);
		o->attention_kv_fwd(a->att, a->q, kcache, vcache, N, past, NH, NKV, HD, c->attn_scale, c->attn_softcap,
				    sl ? c->sliding_window : 0);
	} else {
		o->attention_fwd(a->att, a->lse, a->q, a->k, a->v, m->d_cu, m->nseq, m->max_seqlen, N, NH, NKV, HD,
				 c->attn_scale, c->attn_softcap, sl ? c->sliding_window : 0);
	}
	/* h = x + [norm](o(att)) */
	void *proj = c->sandwich_norm ? a->o : m->dtmp;
	linear_fwd(m, l, LIN_O, proj, a->att, N, a);
	o->copy(a->mid, x, (size_t)N * C * o->es);
	if (c->sandwich_norm) {
		o->rmsnorm_fwd(m->dtmp, a->pa_r, a->o, w[P_POST_ATTN_NORM]->data, N, C, c->eps, wo);
	}
	o->axpy(a->mid, m->dtmp, 1.0f, (size_t)N * C);
	/* y = h + [norm](down(act(gate(ln2)) * up(ln2))) */
	o->rmsnorm_fwd(a->ln2, a->ln2_r, a->mid, w[P_MLP_NORM]->data, N, C, c->eps, wo);
	linear_fwd(m, l, LIN_GATE, a->gate, a->ln2, N, a);
	linear_fwd(m, l, LIN_UP, a->up, a->ln2, N, a);
	o->glu_fwd(a->h, a->gate, a->up, (size_t)N * I, c->act);
	proj = c->sandwich_norm ? a->down : m->dtmp;
	linear_fwd(m, l, LIN_DOWN, proj, a->h, N, a);
	o->copy(y, a->mid, (size_t)N * C * o->es);
	if (c->sandwich_norm)
		o->rmsnorm_fwd(m->dtmp, a->pf_r, a->down, w[P_POST_FF_NORM]->data, N, C, c->eps, wo);
	o->axpy(y, m->dtmp, 1.0f, (size_t)N * C);
}

/* Logits (rows, V) of rows r0.. into m->logits (capped where the model caps them). */
static void head_logits(model_t *m, int r0, int rows)
{
	const ops_t *o = m->ops;
	const modelcfg_t *c = &m->cfg;
	o->matmul(m->logits, elt(m, m->lnf, (size_t)r0 * c->C), m->lm_head->data, rows, c->V, c->C, 0, 1, 1.0f, 0.0f);
	if (c->final_softcap > 0)
		o->softcap_fwd(m->logits, (size_t)rows * c->V, c->final_softcap);
}

/* The head's backward for rows r0.. whose logits are in m->logits: they become dloss * d loss /
 * d logits, then d lnf (rows of m->dln) and d lm_head. */
static void head_bwd(model_t *m, int r0, int rows, float dloss)
{
	const ops_t *o = m->ops;
	const modelcfg_t *c = &m->cfg;
	o->crossentropy_bwd(m->logits, m->logits, m->d_targets + r0, dloss, rows, c->V, c->final_softcap);
	o->matmul(elt(m, m->dln, (size_t)r0 * c->C), m->logits, m->lm_head->data, rows, c->C, c->V, 0, 0, 1.0f, 0.0f);
	if (m->lm_head->grad || m->lm_head->gradh)
		weight_grad(m, m->lm_head, m->logits, elt(m, m->lnf, (size_t)r0 * c->C), c->V, c->C, rows, r0 == 0);
}

/* Rows per block of the chunked head, or 0 for all logits at once: chunked while training, and
 * in evaluations under model_set_predict, when the logits would pass HEAD_BYTES (512 MiB on a
 * GPU: HEAD_FUSED_BYTES) — the loss, its gradient and the predictions need only a block at a
 * time; other forwards (tests, callers of model_logits) keep all logits — or as
 * model_set_head_rows() forces when there are targets. */
#define HEAD_BYTES ((size_t)1 << 30)
#define HEAD_FUSED_BYTES ((size_t)1 << 29)
static int head_rows_for(const model_t *m, int N, int targets)
{
	if (!targets)
		return 0;
	if (m->head_rows_forced)
		return m->head_rows_forced < N ? m->head_rows_forced : 0;
	/* evaluation: chunked only where the caller reads no logits (model_set_predict) */
	if (!m->training && !m->predict)
		return 0;
	size_t row = (size_t)m->cfg.V * m->ops->es;
	/* a GPU: blocks of 512 MiB of logits, where training fuses the head's backward into the
	 * forward (no product twice; the weight gradient is read and written once more a block)
	 * and evaluation needs the same memory as training */
	size_t lim = m->ops != &ops_cpu ? HEAD_FUSED_BYTES : HEAD_BYTES;
	if ((size_t)N * row <= lim)
		return 0;
	size_t r = lim == HEAD_BYTES ? HEAD_BYTES / 2 / row : lim / row;   /* HEAD_BYTES: half, the GEMM stays large */
	return r < 64 ? 64 : (int)r;
}

void model_set_dloss(model_t *m, float dloss) { m->dloss_next = dloss; }

void model_set_predict(model_t *m, int on) { m->predict = on != 0; }

void model_predictions(const model_t *m, int *host)
{
	if (!m->predict || !m->fwd_valid)
		ft_die(FT_EXIT_USAGE, "model_predictions: no forward under model_set_predict");
	m->ops->download(host, m->d_pred, (size_t)m->N * sizeof(int));
}

void model_reserve(model_t *m, int N)
{
	int tr = m->training;
	float dl = m->dloss_next;
	m->training = 1;
	m->dloss_next = 1.0f;   /* as a training forward: the loss weight told */
	m->head_rows = head_rows_for(m, N, 1);
	acts_ensure(m, N, 1);
	m->training = tr;
	m->dloss_next = dl;
}

void model_set_head_rows(model_t *m, int rows) { m->head_rows_forced = rows > 0 ? rows : 0; }

float model_forward(model_t *m, const batch_t *b)
{
	const ops_t *o = m->ops;
	const modelcfg_t *c = &m->cfg;
	int N = b->N, nseq = b->cu_seqlens ? b->nseq : 1;
	if (N <= 0)
		ft_die(FT_EXIT_DATA, "empty batch");
	m->head_rows = head_rows_for(m, N, b->targets != NULL);
	acts_ensure(m, N, nseq);
	/* inputs: checked here, once, so no op reads out of bounds */
	int *cu = xmalloc((size_t)(nseq + 1) * sizeof *cu), *pos = xmalloc((size_t)N * sizeof *pos);
	if (b->cu_seqlens) {
		for (int s = 0; s <= nseq; s++)
			cu[s] = b->cu_seqlens[s];
		if (cu[0] != 0 || cu[nseq] != N)
			ft_die(FT_EXIT_DATA, "batch: sample boundaries must run from 0 to %d tokens", N);
		for (int s = 0; s < nseq; s++)
			if (cu[s + 1] <= cu[s])
				ft_die(FT_EXIT_DATA, "batch: sample %d is empty or out of order", s);
	} else {
		cu[0] = 0;
		cu[1] = N;
	}
	for (int s = 0; s < nseq; s++)
		for (int i = cu[s]; i < cu[s + 1]; i++)
			pos[i] = b->pos ? b->pos[i] : i - cu[s];
	for (int i = 0; i < N; i++) {
		if (b->ids[i] < 0 || b->ids[i] >= c->V)
			ft_die(FT_EXIT_DATA, "batch: token id %d at %d is outside the vocabulary of %d", b->ids[i], i, c->V);
		if (b->targets && b->targets[i] >= c->V)
			ft_die(FT_EXIT_DATA, "batch: target %d at %d is outside the vocabulary of %d", b->targets[i], i, c->V);
		if (pos[i] < 0)
			ft_die(FT_EXIT_DATA, "batch: negative position id at %d", i);
	}
	if (c->rope.type == ROPE_DYNAMIC || c->rope_local.type == ROPE_DYNAMIC || c->rope.type == ROPE_LONGROPE
	    || c->rope_local.type == ROPE_LONGROPE) {
		/* as transformers' dynamic_rope_update: frequencies for the longest position of this
		 * batch (dynamic: rescaled past max_position_embeddings; longrope: long factors past
		 * original_max_position_embeddings), the original ones below it */
		int maxp = 0;
		for (int i = 0; i < N; i++)
			maxp = pos[i] + 1 > maxp ? pos[i] + 1 : maxp;
		float *f = xmalloc((size_t)c->HD * sizeof *f);
		int rd = rope_inv_freq(&c->rope, c->HD, c->max_pos, maxp, f, &m->rope_scaling);
		o->upload(m->inv_freq, f, (size_t)rd / 2 * sizeof(float));
		rd = rope_inv_freq(&c->rope_local, c->HD, c->max_pos, maxp, f, &m->rope_scaling_local);
		o->upload(m->inv_freq_local, f, (size_t)rd / 2 * sizeof(float));
		free(f);
	}
	o->upload(m->d_ids, b->ids, (size_t)N * sizeof(int));
	o->upload(m->d_pos, pos, (size_t)N * sizeof(int));
	o->upload(m->d_cu, cu, (size_t)(nseq + 1) * sizeof(int));
	m->N = N;
	m->nseq = nseq;
	m->max_seqlen = 0;
	for (int s = 0; s < nseq; s++)
		if (cu[s + 1] - cu[s] > m->max_seqlen)
			m->max_seqlen = cu[s + 1] - cu[s];
	free(cu);
	free(pos);

	int C = c->C;
	float wo = wofs(m);
	o->embedding_fwd(m->x[0], m->d_ids, m->embed->data, N, C, c->embed_scale);
	if (m->training && m->neftune_alpha > 0) {
		/* the hook sees the embedding module's output: Gemma 1/2 scale it afterwards */
		int L = b->row_len > 0 ? b->row_len : N;
		float mag = m->neftune_alpha / sqrtf((float)L * (float)C);
		if (strcmp(c->model_type, "gemma3") && strcmp(c->model_type, "gemma3_text"))
			mag *= c->embed_scale;
		o->uniform_noise(m->x[0], (size_t)N * C, mag, m->seed ^ 0x6e656674756e65ull);
	}
	for (int l = 0; l < c->L; l++)
		layer_fwd(m, l, N, NULL, NULL, 0);
	o->rmsnorm_fwd(m->lnf, m->lnf_r, m->x[c->L], m->norm->data, N, C, c->eps, wo);
	m->have_targets = b->targets != NULL;
	m->ntok = 0;
	m->loss_sum = 0;
	if (b->targets) {
		for (int i = 0; i < N; i++)
			m->ntok += b->targets[i] >= 0;
		o->upload(m->d_targets, b->targets, (size_t)N * sizeof(int));
	}
	m->head_done = 0;
	if (m->head_rows) {
		/* chunked head: the loss of each block of rows from its logits, which then go; the
		 * backward computes them again, unless the loss weight is known (model_set_dloss) and
		 * the head's backward runs here, block by block */
		float dl = m->dloss_next;
		m->dloss_next = 0;
		if (dl != 0 && !m->galloc)
			grads_sync(m);
		for (int r0 = 0; r0 < N; r0 += m->head_rows) {
			int nr = N - r0 < m->head_rows ? N - r0 : m->head_rows;
			head_logits(m, r0, nr);
			o->crossentropy_fwd(m->losses + r0, m->logits, m->d_targets + r0, nr, c->V);
			if (m->predict)
				o->argmax_rows(m->d_pred + r0, m->logits, nr, c->V);
			if (dl != 0)
				head_bwd(m, r0, nr, dl);
		}
		m->head_done = dl != 0;
		m->head_dloss = dl;
		m->logits_valid = 0;
		m->fwd_valid = 1;
		m->loss_sum = o->sum(m->losses, (size_t)N);
		return m->ntok ? (float)(m->loss_sum / m->ntok) : 0.0f;
	}
	m->dloss_next = 0;
	head_logits(m, 0, N);
	if (m->predict)
		o->argmax_rows(m->d_pred, m->logits, N, c->V);
	m->logits_valid = 1;
	m->fwd_valid = 1;
	if (!b->targets)
		return 0;
	o->crossentropy_fwd(m->losses, m->logits, m->d_targets, N, c->V);
	m->loss_sum = o->sum(m->losses, (size_t)N);
	return m->ntok ? (float)(m->loss_sum / m->ntok) : 0.0f;
}

const void *model_logits(const model_t *m) { return m->logits_valid ? m->logits : NULL; }
int model_ntargets(const model_t *m) { return m->ntok; }
double model_loss_sum(const model_t *m) { return m->loss_sum; }

/* ---- backward ---- */

/* Whether base parameter i keeps its gradient in the backend's type: under
 * model_set_half_grads, on a backend whose type is not float32, the layers' linear weights,
 * which one product a backward writes (each element then rounded once from its float32 sum).
 * Not the head: a chunked head adds one product a block of rows, which would round again. */
static int grad_half(const model_t *m, int i)
{
	return m->half_grads && m->ops->es != sizeof(float) && m->pmat[i];
}

/* Gradient memory for the trainable base parameters (packed blocks, float32 and half, NULL
 * grads for the frozen), and the split masters (param_t lo) of what trains where es != 4. */
static void grads_sync(model_t *m)
{
	const ops_t *o = m->ops;
	size_t n32 = 0, nh = 0;
	for (int i = 0; i < m->np; i++)
		if (m->ptrain[i])
			*(grad_half(m, i) ? &nh : &n32) += m->params[i].numel;
	if (n32 != m->gsize || (n32 && !m->gdata)) {
		if (m->gdata)
			o->free(m->gdata);
		m->gdata = n32 ? o->alloc(n32 * sizeof(float)) : NULL;   /* zeroed */
		m->gsize = n32;
	}
	if (nh != m->ghsize || (nh && !m->ghdata)) {
		if (m->ghdata)
			o->free(m->ghdata);
		m->ghdata = nh ? o->alloc(nh * o->es) : NULL;
		m->ghsize = nh;
		m->gh_fresh = 1;
	}
	size_t a = 0, h = 0;
	for (int i = 0; i < m->np; i++) {
		param_t *p = &m->params[i];
		p->grad = NULL;
		p->gradh = NULL;
		if (m->ptrain[i] && grad_half(m, i)) {
			p->gradh = elt(m, m->ghdata, h);
			h += p->numel;
		} else if (m->ptrain[i]) {
			p->grad = m->gdata + a;
			a += p->numel;
		}
		/* float32 masters of what trains: low halves of zero, the compute copy exactly */
		if (o->es != sizeof(float) && m->ptrain[i] && !p->lo) {
			p->lo = o->alloc(p->numel * sizeof(uint16_t));
		} else if (!m->ptrain[i] && p->lo) {
			o->free(p->lo);
			p->lo = NULL;
		}
	}
	m->galloc = 1;
}

void model_set_half_grads(model_t *m, int on)
{
	m->half_grads = on != 0;
	if (m->galloc)
		grads_sync(m);
}

void model_param_set(model_t *m, param_t *p, const float *host)
{
	if (!p->lo) {
		m->ops->upload_f32(p->data, host, p->numel);
		return;
	}
	uint16_t *hi = xmalloc(p->numel * sizeof *hi), *lo = xmalloc(p->numel * sizeof *lo);
	for (size_t k = 0; k < p->numel; k++)
		split_put(host[k], &hi[k], &lo[k]);
	m->ops->upload(p->data, hi, p->numel * sizeof *hi);
	m->ops->upload(p->lo, lo, p->numel * sizeof *lo);
	free(hi);
	free(lo);
}

void model_param_get(model_t *m, const param_t *p, float *host)
{
	if (!p->lo) {
		m->ops->download_f32(host, p->data, p->numel);
		return;
	}
	uint16_t *hi = xmalloc(p->numel * sizeof *hi), *lo = xmalloc(p->numel * sizeof *lo);
	m->ops->download(hi, p->data, p->numel * sizeof *hi);
	m->ops->download(lo, p->lo, p->numel * sizeof *lo);
	for (size_t k = 0; k < p->numel; k++)
		host[k] = split_join(hi[k], lo[k]);
	free(hi);
	free(lo);
}

void model_param_grad(model_t *m, const param_t *p, float *host)
{
	if (p->grad)
		m->ops->download(host, p->grad, p->numel * sizeof(float));
	else if (p->gradh)
		m->ops->download_f32(host, p->gradh, p->numel);
	else
		memset(host, 0, p->numel * sizeof *host);
}

/* Flags change at once; gradient memory follows at the next model_zero_grad or backward, so a
 * model only run forward (evaluation) never allocates it. */
void model_set_train_base(model_t *m, int on)
{
	memset(m->ptrain, on ? 1 : 0, (size_t)m->np);
	if (m->galloc)
		grads_sync(m);
}

void model_set_trainable(model_t *m, const char *name, int on)
{
	param_t *p = model_param_by_name(m, name);
	if (!p)
		ft_die(FT_EXIT_USAGE, "no parameter '%s' in this model", name);
	m->ptrain[p - m->params] = on ? 1 : 0;
	if (m->galloc)
		grads_sync(m);
}

/* The half gradients are not zeroed: the first product to reach each writes it (beta 0), and
 * model_grads_settle zeroes them when no backward came. */
void model_zero_grad(model_t *m)
{
	grads_sync(m);
	if (m->gdata)
		m->ops->zero(m->gdata, m->gsize * sizeof(float));
	m->gh_fresh = 1;
	if (m->has_lora)
		m->ops->zero(m->lgdata, m->ltotal * sizeof(float));
}

void model_grads_settle(model_t *m)
{
	if (m->gh_fresh && m->ghdata)
		m->ops->zero(m->ghdata, m->ghsize * m->ops->es);
	m->gh_fresh = 0;
}

/* dW of weight p (out, in) += dy^T x over N rows (alpha 1): float32 or half, the first product
 * of a step writing a half gradient. */
static void weight_grad(model_t *m, param_t *p, const void *dy, const void *x, int dout, int din, int N, int first)
{
	if (p->gradh)
		m->ops->matmul(p->gradh, dy, x, dout, din, N, 1, 0, 1.0f, first && m->gh_fresh ? 0.0f : 1.0f);
	else
		m->ops->matmul_f32out(p->grad, dy, x, dout, din, N, 1, 0, 1.0f, 1.0f);
}

void model_backward(model_t *m, float dloss)
{
	if (!m->fwd_valid || !m->have_targets)
		ft_die(FT_EXIT_USAGE, "model_backward: no forward with targets to differentiate");
	if (!m->galloc)
		grads_sync(m);   /* zeroed on allocation */
	const ops_t *o = m->ops;
	const modelcfg_t *c = &m->cfg;
	int N = m->N, C = c->C, NH = c->NH, NKV = c->NKV, HD = c->HD, I = c->I;
	size_t NC = (size_t)N * C;
	float wo = wofs(m);
	/* head: dlogits overwrite the logits (done already by a fused forward, model_set_dloss) */
	if (m->head_done) {
		if (m->head_dloss != dloss)
			ft_die(FT_EXIT_USAGE, "model_backward: dloss %g differs from the %g model_set_dloss gave the forward",
			       (double)dloss, (double)m->head_dloss);
	} else {
		int hr = m->head_rows ? m->head_rows : N;
		for (int r0 = 0; r0 < N; r0 += hr) {   /* one block unless the head is chunked */
			int nr = N - r0 < hr ? N - r0 : hr;
			if (m->head_rows)
				head_logits(m, r0, nr);
			head_bwd(m, r0, nr, dloss);
		}
	}
	m->head_done = 0;
	m->logits_valid = 0;
	m->fwd_valid = 0;
	o->zero(m->dres, NC * o->es);
	o->rmsnorm_bwd(m->dres, m->norm->grad, m->dln, m->x[c->L], m->norm->data, m->lnf_r, N, C, wo);
	/* m->dres holds d loss / d x[l + 1] entering each layer, d x[l] leaving it */
	for (int l = c->L - 1; l >= 0; l--) {
		if (m->ckpt)
			layer_fwd(m, l, N, NULL, NULL, 0);   /* this layer's activations again, from its input x[l] */
		acts_t *a = &m->acts[l];
		param_t **w = &m->lw[l * NROLE];
		int sl = c->layer_sliding[l];
		/* MLP branch */
		const void *dbr = m->dres;
		if (c->sandwich_norm) {
			o->zero(m->dtmp, NC * o->es);
			o->rmsnorm_bwd(m->dtmp, w[P_POST_FF_NORM]->grad, m->dres, a->down, w[P_POST_FF_NORM]->data,
				       a->pf_r, N, C, wo);
			dbr = m->dtmp;
		}
		if (!m->ckpt)   /* the MLP's input and product, not kept (acts_ensure) */
			o->glu_fwd(a->h, a->gate, a->up, (size_t)N * I, c->act);
		linear_bwd(m, l, LIN_DOWN, m->dh, 0.0f, dbr, a->h, N, a);
		o->glu_bwd(m->dgate, m->dup, m->dh, a->gate, a->up, (size_t)N * I, c->act);
		if (!m->ckpt)
			o->rmsnorm_fwd(a->ln2, a->ln2_r, a->mid, w[P_MLP_NORM]->data, N, C, c->eps, wo);
		linear_bwd(m, l, LIN_GATE, m->dln, 0.0f, m->dgate, a->ln2, N, a);
		linear_bwd(m, l, LIN_UP, m->dln, 1.0f, m->dup, a->ln2, N, a);
		o->rmsnorm_bwd(m->dres, w[P_MLP_NORM]->grad, m->dln, a->mid, w[P_MLP_NORM]->data, a->ln2_r, N, C, wo);
		/* attention branch */
		dbr = m->dres;
		if (c->sandwich_norm) {
			o->zero(m->dtmp, NC * o->es);
			o->rmsnorm_bwd(m->dtmp, w[P_POST_ATTN_NORM]->grad, m->dres, a->o, w[P_POST_ATTN_NORM]->data,
				       a->pa_r, N, C, wo);
			dbr = m->dtmp;
		}
		linear_bwd(m, l, LIN_O, m->datt, 0.0f, dbr, a->att, N, a);
		o->zero(m->dq, (size_t)N * NH * HD * o->es);
		o->zero(m->dk, (size_t)N * NKV * HD * o->es);
		o->zero(m->dv, (size_t)N * NKV * HD * o->es);
		o->attention_bwd(m->dq, m->dk, m->dv, m->datt, a->att, a->lse, a->q, a->k, a->v, m->d_cu, m->nseq,
				 m->max_seqlen, N,
				 NH, NKV, HD, c->attn_scale, c->attn_softcap, sl ? c->sliding_window : 0);
		const float *inv = sl ? m->inv_freq_local : m->inv_freq;
		float rs = sl ? m->rope_scaling_local : m->rope_scaling;
		o->rope_bwd(m->dq, m->d_pos, inv, N, NH, HD, m->rot_dim, rs);
		o->rope_bwd(m->dk, m->d_pos, inv, N, NKV, HD, m->rot_dim, rs);
		const void *dqp = m->dq, *dkp = m->dk;
		if (c->qk_norm) {
			o->zero(m->dqp, (size_t)N * NH * HD * o->es);
			o->zero(m->dkp, (size_t)N * NKV * HD * o->es);
			o->rmsnorm_bwd(m->dqp, w[P_Q_NORM]->grad, m->dq, a->q_pre, w[P_Q_NORM]->data, a->qn_r, N * NH, HD, wo);
			o->rmsnorm_bwd(m->dkp, w[P_K_NORM]->grad, m->dk, a->k_pre, w[P_K_NORM]->data, a->kn_r, N * NKV, HD,
				       wo);
			dqp = m->dqp;
			dkp = m->dkp;
		}
		if (!m->ckpt)
			o->rmsnorm_fwd(a->ln1, a->ln1_r, m->x[l], w[P_ATTN_NORM]->data, N, C, c->eps, wo);
		linear_bwd(m, l, LIN_Q, m->dln, 0.0f, dqp, a->ln1, N, a);
		linear_bwd(m, l, LIN_K, m->dln, 1.0f, dkp, a->ln1, N, a);
		linear_bwd(m, l, LIN_V, m->dln, 1.0f, m->dv, a->ln1, N, a);
		o->rmsnorm_bwd(m->dres, w[P_ATTN_NORM]->grad, m->dln, m->x[l], w[P_ATTN_NORM]->data, a->ln1_r, N, C, wo);
	}
	if (m->embed->grad)
		o->embedding_bwd(m->embed->grad, m->dres, m->d_ids, N, C, c->embed_scale);
	m->gh_fresh = 0;
}

const ops_t *model_ops(const model_t *m) { return m->ops; }
