/* model: parameters, forward, backward and LoRA of the one transformer. See model.h.
 *
 * Block (x the residual stream, rms() an RMSNorm, lin() a linear with optional bias and LoRA):
 *   llama-style:  h = x + o(attn(rms1(x)));            y = h + down(act(gate(rms2(h))) * up(rms2(h)))
 *   gemma2/3:     h = x + rmsA(o(attn(rms1(x))));      y = h + rmsF(down(...(rms2(h))))
 * where attn applies q/k norm (qwen3, gemma3) and RoPE to q and k, then causal GQA attention
 * within each sample (soft-capped, windowed on sliding layers). */
#include "model.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"

const char *const lin_names[NLIN] = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};

/* Per-layer parameters. */
enum {
	P_ATTN_NORM, P_Q, P_K, P_V, P_O, P_QB, P_KB, P_VB, P_OB, P_Q_NORM, P_K_NORM,
	P_POST_ATTN_NORM,   /* gemma2/3: norm of the attention output */
	P_MLP_NORM,         /* pre-MLP norm: llama's post_attention_layernorm, gemma2's pre_feedforward */
	P_POST_FF_NORM,     /* gemma2/3 */
	P_GATE, P_UP, P_DOWN, NROLE
};

static const int lin_weight[NLIN] = {P_Q, P_K, P_V, P_O, P_GATE, P_UP, P_DOWN};
static const int lin_bias[NLIN] = {P_QB, P_KB, P_VB, P_OB, -1, -1, -1};

typedef struct {   /* activations of one layer kept for the backward */
	float *ln1, *ln1_r;           /* (N, C), (N) */
	float *q_pre, *qn_r;          /* (N, NH*HD), (N*NH): before q norm (qk_norm only) */
	float *k_pre, *kn_r;          /* (N, NKV*HD), (N*NKV) */
	float *q, *k, *v;             /* after norm and RoPE: (N, NH*HD), (N, NKV*HD) x2 */
	float *att, *lse;             /* (N, NH*HD), (N, NH) */
	float *o, *pa_r;              /* (N, C), (N): attention projection (sandwich only) */
	float *mid;                   /* (N, C) residual after attention */
	float *ln2, *ln2_r;           /* (N, C), (N) */
	float *gate, *up, *h;         /* (N, I) */
	float *down, *pf_r;           /* (N, C), (N) (sandwich only) */
	float *lh[NLIN];              /* (N, R) LoRA: x A^T */
} acts_t;

typedef struct {
	param_t *A, *B;               /* (R, in), (out, R) */
	float scale;
} lora_t;

struct model {
	modelcfg_t cfg;
	const ops_t *ops;
	int np;
	param_t *params;
	float *pdata, *gdata;         /* one block each for all base parameters and their grads */
	size_t ptotal;
	param_t *embed, *norm, *lm_head;
	param_t **lw;                 /* (L, NROLE) */
	int train_base;

	/* RoPE */
	float *inv_freq, *inv_freq_local;   /* backend, rot_dim/2 */
	int rot_dim;
	float rope_scaling, rope_scaling_local;

	/* LoRA */
	int has_lora;
	lora_cfg_t lcfg;
	unsigned char *lcfg_layers;
	int nlp;
	param_t *lparams;
	float *ldata, *lgdata;
	size_t ltotal;
	lora_t *lora;                 /* (L, NLIN); A == NULL where not adapted */

	/* activations, sized for ncap tokens */
	int ncap;
	void **allocs;
	int nallocs, capallocs;
	float **x;                    /* L + 1 residual streams (N, C) */
	acts_t *acts;                 /* L */
	float *lnf, *lnf_r, *logits, *losses;
	int *d_ids, *d_pos, *d_cu, *d_targets;
	/* backward scratch */
	float *dres, *dln, *dq, *dk, *dv, *datt, *dtmp, *dh, *dgate, *dup, *dlh, *dqp, *dkp;
	float *xdrop;                 /* (N, max(C, I, NH*HD)) LoRA dropout of a linear's input */

	int training;                 /* dropout on */
	uint64_t seed;

	/* last forward */
	int N, nseq, max_seqlen, have_targets, ntok;
	double loss_sum;
	int logits_valid;
};

static const char *role_name(const model_t *m, int role)
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

static void lin_dims(const modelcfg_t *c, int lin, int *in, int *out)
{
	int ndim;
	int64_t s[2];
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

static model_t *model_new(const modelcfg_t *cfg, const ops_t *ops)
{
	model_t *m = xcalloc(1, sizeof *m);
	m->cfg = *cfg;
	m->ops = ops;
	m->train_base = 1;
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
	size_t total = 0;
	for (int i = 0; i < k; i++)
		total += m->params[i].numel;
	m->ptotal = total;
	m->pdata = ops->alloc(total * sizeof(float));
	size_t off = 0;
	for (int i = 0; i < k; i++) {
		m->params[i].data = m->pdata + off;
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

/* Phi3 stores q, k, v as rows of one qkv_proj and gate, up as rows of one gate_up_proj: where
 * parameter p lives in such a checkpoint (name, first row, rows of the whole). 0 if not fused. */
static int fused_slot(const model_t *m, const param_t *p, char *name, size_t n, int64_t *row0, int64_t *rows)
{
	const modelcfg_t *c = &m->cfg;
	if (!c->fused_qkv)
		return 0;
	int64_t Q = (int64_t)c->NH * c->HD, KV = (int64_t)c->NKV * c->HD;
	for (int l = 0; l < c->L; l++) {
		param_t **w = &m->lw[l * NROLE];
		if (p == w[P_Q] || p == w[P_K] || p == w[P_V]) {
			snprintf(name, n, "model.layers.%d.self_attn.qkv_proj.weight", l);
			*row0 = p == w[P_Q] ? 0 : p == w[P_K] ? Q : Q + KV;
			*rows = Q + 2 * KV;
			return 1;
		}
		if (p == w[P_GATE] || p == w[P_UP]) {
			snprintf(name, n, "model.layers.%d.mlp.gate_up_proj.weight", l);
			*row0 = p == w[P_GATE] ? 0 : c->I;
			*rows = 2 * (int64_t)c->I;
			return 1;
		}
	}
	return 0;
}

model_t *model_load(const char *dir, const ops_t *ops)
{
	modelcfg_t cfg;
	modelcfg_load(&cfg, dir);
	model_t *m = model_new(&cfg, ops);
	stdir_t *sd = stdir_open(dir);
	size_t maxn = 0;
	for (int i = 0; i < m->np; i++)
		if (m->params[i].numel > maxn)
			maxn = m->params[i].numel;
	if (cfg.fused_qkv) {
		size_t a = (size_t)(cfg.NH + 2 * cfg.NKV) * cfg.HD * cfg.C, b = 2 * (size_t)cfg.I * cfg.C;
		maxn = maxn > a ? maxn : a;
		maxn = maxn > b ? maxn : b;
	}
	float *tmp = xmalloc(maxn * sizeof *tmp);
	for (int i = 0; i < m->np; i++) {
		param_t *p = &m->params[i];
		char fname[128];
		int64_t row0 = 0, rows = p->shape[0];
		const char *name = fused_slot(m, p, fname, sizeof fname, &row0, &rows) ? fname : p->name;
		const st_tensor_t *t = stdir_find(sd, name);
		if (!t)
			ft_die(FT_EXIT_DATA, "'%s': model has no tensor '%s' (model_type '%s')", dir, name, cfg.model_type);
		int ok = t->ndim == p->ndim && t->shape[0] == rows && (p->ndim == 1 || t->shape[1] == p->shape[1]);
		if (!ok)
			ft_die(FT_EXIT_DATA, "'%s': tensor '%s' has the wrong shape for config.json", dir, name);
		st_read_f32(t, tmp);
		size_t cols = p->ndim == 2 ? (size_t)p->shape[1] : 1;
		ops->upload(p->data, tmp + (size_t)row0 * cols, p->numel * sizeof(float));
	}
	free(tmp);
	stdir_close(sd);
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

static double rng_uniform(uint64_t *s) { return ((rng_next(s) >> 11) + 0.5) * (1.0 / 9007199254740992.0); }

static double rng_normal(uint64_t *s)
{
	double u1 = rng_uniform(s), u2 = rng_uniform(s);
	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

model_t *model_init_random(const modelcfg_t *cfg, uint64_t seed, const ops_t *ops)
{
	model_t *m = model_new(cfg, ops);
	uint64_t s = seed;
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
		for (size_t j = 0; j < p->numel; j++)
			tmp[j] = is_bias ? 0.0f
				 : is_norm ? (cfg->norm_plus_one ? 0.0f : 1.0f)
				 : (float)(rng_normal(&s) * cfg->init_range);
		if (p == m->embed && cfg->pad_token_id >= 0 && cfg->pad_token_id < cfg->V)
			memset(tmp + (size_t)cfg->pad_token_id * cfg->C, 0, (size_t)cfg->C * sizeof *tmp);
		ops->upload(p->data, tmp, p->numel * sizeof(float));
	}
	free(tmp);
	return m;
}

static void acts_free(model_t *m)
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
	o->free(m->pdata);
	if (m->gdata)
		o->free(m->gdata);
	o->free(m->inv_freq);
	o->free(m->inv_freq_local);
	if (m->has_lora) {
		o->free(m->ldata);
		o->free(m->lgdata);
	}
	free(m->lparams);
	free(m->lora);
	free(m->lcfg_layers);
	free(m->params);
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

void model_save_weights(model_t *m, const char *path, st_dtype_t dtype)
{
	st_writer_t *w = st_writer_new();
	float *host = xmalloc(m->ptotal * sizeof *host);
	m->ops->download(host, m->pdata, m->ptotal * sizeof(float));
	const modelcfg_t *c = &m->cfg;
	for (int i = 0; i < m->np; i++) {
		param_t *p = &m->params[i];
		char fname[128];
		int64_t row0, rows;
		if (!fused_slot(m, p, fname, sizeof fname, &row0, &rows)) {
			st_writer_add_f32(w, p->name, dtype, p->ndim, p->shape, host + (p->data - m->pdata));
			continue;
		}
		if (row0 != 0)
			continue;   /* written with the first part */
		/* the parts of a fused tensor follow each other in this layer's roles */
		size_t cols = (size_t)p->shape[1];
		float *buf = xmalloc((size_t)rows * cols * sizeof *buf);
		int l = -1;
		for (int k = 0; k < c->L && l < 0; k++)
			if (m->lw[k * NROLE + P_Q] == p || m->lw[k * NROLE + P_GATE] == p)
				l = k;
		const int qkv[] = {P_Q, P_K, P_V, -1}, gu[] = {P_GATE, P_UP, -1};
		const int *parts = m->lw[l * NROLE + P_Q] == p ? qkv : gu;
		size_t at = 0;
		for (int k = 0; parts[k] >= 0; k++) {
			param_t *q = m->lw[l * NROLE + parts[k]];
			memcpy(buf + at, host + (q->data - m->pdata), q->numel * sizeof *buf);
			at += q->numel;
		}
		int64_t shape[2] = {rows, (int64_t)cols};
		st_writer_add_f32(w, fname, dtype, 2, shape, buf);
		free(buf);
	}
	st_writer_write(w, path);
	st_writer_free(w);
	free(host);
}

/* transformers' state_dict order of a layer's parameters (module registration order), used
 * to split shards as save_pretrained does */
static const int hf_layer_order[] = {
	P_Q, P_QB, P_K, P_KB, P_V, P_VB, P_O, P_OB, P_Q_NORM, P_K_NORM, P_GATE, P_UP, P_DOWN,
	P_ATTN_NORM, P_POST_ATTN_NORM, P_MLP_NORM, P_POST_FF_NORM,
};

typedef struct { char name[128]; int ndim; int64_t shape[2]; float *data; size_t bytes; int owned; } outt_t;

void model_save_dir(model_t *m, const char *dir, st_dtype_t dtype, size_t max_shard_bytes)
{
	const modelcfg_t *c = &m->cfg;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		ft_die(FT_EXIT_IO, "'%s': cannot create: %s", dir, strerror(errno));
	float *host = xmalloc(m->ptotal * sizeof *host);
	m->ops->download(host, m->pdata, m->ptotal * sizeof(float));
	/* the output tensors in state-dict order (Phi-3's parts fused, o_proj before qkv_proj) */
	outt_t *t = xcalloc((size_t)m->np + 1, sizeof *t);
	int nt = 0;
	size_t esz = st_dtype_size(dtype);
	for (int i = -1; i <= c->L; i++) {
		param_t *list[NROLE + 2];
		int nl = 0;
		if (i == -1) {
			list[nl++] = m->embed;
		} else if (i == c->L) {
			list[nl++] = m->norm;
			if (!c->tied)
				list[nl++] = m->lm_head;
		} else {
			for (size_t r = 0; r < sizeof hf_layer_order / sizeof *hf_layer_order; r++) {
				int role = hf_layer_order[r];
				if (c->fused_qkv && role == P_Q)
					continue;   /* Phi3Attention registers o_proj, then qkv_proj */
				if (c->fused_qkv && role == P_O) {
					list[nl++] = m->lw[i * NROLE + P_O];
					list[nl++] = m->lw[i * NROLE + P_Q];
					continue;
				}
				if (m->lw[i * NROLE + role])
					list[nl++] = m->lw[i * NROLE + role];
			}
		}
		for (int k = 0; k < nl; k++) {
			param_t *p = list[k];
			char fname[128];
			int64_t row0, rows;
			outt_t *o = &t[nt];
			if (fused_slot(m, p, fname, sizeof fname, &row0, &rows)) {
				if (row0 != 0)
					continue;
				param_t **w = &m->lw[i * NROLE];
				const int qkv[] = {P_Q, P_K, P_V, -1}, gu[] = {P_GATE, P_UP, -1};
				const int *parts = w[P_Q] == p ? qkv : gu;
				snprintf(o->name, sizeof o->name, "%s", fname);
				o->data = xmalloc((size_t)rows * p->shape[1] * sizeof(float));
				o->owned = 1;
				size_t at = 0;
				for (int q = 0; parts[q] >= 0; q++) {
					memcpy(o->data + at, host + (w[parts[q]]->data - m->pdata), w[parts[q]]->numel * sizeof(float));
					at += w[parts[q]]->numel;
				}
				o->ndim = 2;
				o->shape[0] = rows;
				o->shape[1] = p->shape[1];
			} else {
				snprintf(o->name, sizeof o->name, "%s", p->name);
				o->ndim = p->ndim;
				o->shape[0] = p->shape[0];
				o->shape[1] = p->shape[1];
				o->data = NULL;
			}
			size_t numel = (size_t)o->shape[0] * (o->ndim == 2 ? (size_t)o->shape[1] : 1);
			o->bytes = numel * esz;
			if (!o->data)
				o->data = host + (p->data - m->pdata);
			nt++;
		}
	}
	/* greedy split: a new shard when the next tensor would overflow the current one */
	int *shard = xmalloc((size_t)nt * sizeof *shard), ns = 1;
	size_t cur = 0, total = 0;
	for (int k = 0; k < nt; k++) {
		if (max_shard_bytes && cur > 0 && cur + t[k].bytes > max_shard_bytes) {
			ns++;
			cur = 0;
		}
		shard[k] = ns - 1;
		cur += t[k].bytes;
		total += t[k].bytes;
	}
	char path[4200];
	for (int s = 0; s < ns; s++) {
		st_writer_t *w = st_writer_new();
		for (int k = 0; k < nt; k++)
			if (shard[k] == s)
				st_writer_add_f32(w, t[k].name, dtype, t[k].ndim, t[k].shape, t[k].data);
		if (ns == 1)
			snprintf(path, sizeof path, "%s/model.safetensors", dir);
		else
			snprintf(path, sizeof path, "%s/model-%05d-of-%05d.safetensors", dir, s + 1, ns);
		st_writer_write(w, path);
		st_writer_free(w);
	}
	if (ns > 1) {
		/* json.dumps(index, indent=2, sort_keys=True) + "\n", as transformers writes it */
		int *ord = xmalloc((size_t)nt * sizeof *ord);
		for (int k = 0; k < nt; k++)
			ord[k] = k;
		for (int a = 1; a < nt; a++)
			for (int b = a; b > 0 && strcmp(t[ord[b - 1]].name, t[ord[b]].name) > 0; b--) {
				int x = ord[b];
				ord[b] = ord[b - 1];
				ord[b - 1] = x;
			}
		size_t cap = 256 + (size_t)nt * 200, n = 0;
		char *js = xmalloc(cap);
		n += (size_t)snprintf(js + n, cap - n, "{\n  \"metadata\": {\n    \"total_size\": %zu\n  },\n  \"weight_map\": {", total);
		for (int k = 0; k < nt; k++)
			n += (size_t)snprintf(js + n, cap - n, "%s\n    \"%s\": \"model-%05d-of-%05d.safetensors\"", k ? "," : "",
					      t[ord[k]].name, shard[ord[k]] + 1, ns);
		n += (size_t)snprintf(js + n, cap - n, "\n  }\n}\n");
		snprintf(path, sizeof path, "%s/model.safetensors.index.json", dir);
		file_write_atomic(path, js, n);
		free(js);
		free(ord);
	}
	for (int k = 0; k < nt; k++)
		if (t[k].owned)
			free(t[k].data);
	free(t);
	free(shard);
	free(host);
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

static float *act_alloc(model_t *m, size_t n)
{
	if (m->nallocs == m->capallocs) {
		m->capallocs = m->capallocs ? 2 * m->capallocs : 256;
		m->allocs = xrealloc(m->allocs, (size_t)m->capallocs * sizeof *m->allocs);
	}
	void *p = m->ops->alloc((n ? n : 1) * sizeof(float));
	m->allocs[m->nallocs++] = p;
	return p;
}

static void acts_ensure(model_t *m, int N, int nseq)
{
	if (N <= m->ncap && nseq + 1 <= m->ncap + 1)
		return;
	acts_free(m);
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
		memset(a, 0, sizeof *a);
		a->ln1 = act_alloc(m, n * C);
		a->ln1_r = act_alloc(m, n);
		if (c->qk_norm) {
			a->q_pre = act_alloc(m, n * Q);
			a->qn_r = act_alloc(m, n * c->NH);
			a->k_pre = act_alloc(m, n * KV);
			a->kn_r = act_alloc(m, n * c->NKV);
		}
		a->q = act_alloc(m, n * Q);
		a->k = act_alloc(m, n * KV);
		a->v = act_alloc(m, n * KV);
		a->att = act_alloc(m, n * Q);
		a->lse = act_alloc(m, n * c->NH);
		if (c->sandwich_norm) {
			a->o = act_alloc(m, n * C);
			a->pa_r = act_alloc(m, n);
			a->down = act_alloc(m, n * C);
			a->pf_r = act_alloc(m, n);
		}
		a->mid = act_alloc(m, n * C);
		a->ln2 = act_alloc(m, n * C);
		a->ln2_r = act_alloc(m, n);
		a->gate = act_alloc(m, n * I);
		a->up = act_alloc(m, n * I);
		a->h = act_alloc(m, n * I);
		for (int li = 0; li < NLIN; li++)
			if (m->has_lora && m->lora[l * NLIN + li].A)
				a->lh[li] = act_alloc(m, n * R);
	}
	m->lnf = act_alloc(m, n * C);
	m->lnf_r = act_alloc(m, n);
	m->logits = act_alloc(m, n * c->V);
	m->losses = act_alloc(m, n);
	m->d_ids = (int *)act_alloc(m, n);
	m->d_pos = (int *)act_alloc(m, n);
	m->d_targets = (int *)act_alloc(m, n);
	m->d_cu = (int *)act_alloc(m, n + 1);
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
	m->xdrop = m->has_lora && m->lcfg.dropout > 0 ? act_alloc(m, n * wide) : NULL;
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
static const float *lora_input(model_t *m, int l, int lin, const float *in, size_t n)
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

/* out (N, out) = in (N, in) W^T + b + scale B (A in)^T */
static void linear_fwd(model_t *m, int l, int lin, float *out, const float *in, int N, float *lh)
{
	const ops_t *o = m->ops;
	int din, dout;
	lin_dims(&m->cfg, lin, &din, &dout);
	param_t *W = m->lw[l * NROLE + lin_weight[lin]];
	o->matmul(out, in, W->data, N, dout, din, 0, 1, 1.0f, 0.0f);
	if (lin_bias[lin] >= 0 && m->lw[l * NROLE + lin_bias[lin]])
		o->bias_fwd(out, m->lw[l * NROLE + lin_bias[lin]]->data, N, dout);
	if (m->has_lora && m->lora[l * NLIN + lin].A) {
		lora_t *lo = &m->lora[l * NLIN + lin];
		int R = m->lcfg.r;
		const float *x = lora_input(m, l, lin, in, (size_t)N * din);
		o->matmul(lh, x, lo->A->data, N, R, din, 0, 1, 1.0f, 0.0f);
		o->matmul(out, lh, lo->B->data, N, dout, R, 0, 1, lo->scale, 1.0f);
	}
}

/* din (N, in) += dout W (+ LoRA); dW, db, dA, dB accumulated where trained */
static void linear_bwd(model_t *m, int l, int lin, float *din, const float *dout_, const float *in, int N,
		       const float *lh)
{
	const ops_t *o = m->ops;
	int din_, dout;
	lin_dims(&m->cfg, lin, &din_, &dout);
	param_t *W = m->lw[l * NROLE + lin_weight[lin]];
	o->matmul(din, dout_, W->data, N, din_, dout, 0, 0, 1.0f, 1.0f);
	if (W->grad)
		o->matmul(W->grad, dout_, in, dout, din_, N, 1, 0, 1.0f, 1.0f);
	param_t *b = lin_bias[lin] >= 0 ? m->lw[l * NROLE + lin_bias[lin]] : NULL;
	if (b && b->grad)
		o->bias_bwd(b->grad, dout_, N, dout);
	if (m->has_lora && m->lora[l * NLIN + lin].A) {
		lora_t *lo = &m->lora[l * NLIN + lin];
		int R = m->lcfg.r;
		/* dB (out, R) += s dout^T lh;  dlh (N, R) = s dout B;  dA (R, in) += dlh^T in;  din += dlh A */
		o->matmul(lo->B->grad, dout_, lh, dout, R, N, 1, 0, lo->scale, 1.0f);
		o->matmul(m->dlh, dout_, lo->B->data, N, R, dout, 0, 0, lo->scale, 0.0f);
		const float *x = lora_input(m, l, lin, in, (size_t)N * din_);
		o->matmul(lo->A->grad, m->dlh, x, R, din_, N, 1, 0, 1.0f, 1.0f);
		if (x == in) {
			o->matmul(din, m->dlh, lo->A->data, N, din_, R, 0, 0, 1.0f, 1.0f);
		} else {   /* through the dropout: the same mask on the gradient */
			o->matmul(m->xdrop, m->dlh, lo->A->data, N, din_, R, 0, 0, 1.0f, 0.0f);
			o->dropout(m->xdrop, m->xdrop, (size_t)N * din_, m->lcfg.dropout, lora_seed(m, l, lin));
			o->axpy(din, m->xdrop, 1.0f, (size_t)N * din_);
		}
	}
}

static float wofs(const model_t *m) { return m->cfg.norm_plus_one ? 1.0f : 0.0f; }

float model_forward(model_t *m, const batch_t *b)
{
	const ops_t *o = m->ops;
	const modelcfg_t *c = &m->cfg;
	int N = b->N, nseq = b->cu_seqlens ? b->nseq : 1;
	if (N <= 0)
		ft_die(FT_EXIT_DATA, "empty batch");
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
	if (c->rope.type == ROPE_DYNAMIC || c->rope_local.type == ROPE_DYNAMIC) {
		/* as transformers' dynamic_rope_update: frequencies for the longest position of this
		 * batch once it passes max_position_embeddings, the original ones below it */
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

	int C = c->C, NH = c->NH, NKV = c->NKV, HD = c->HD, Q = NH * HD, KV = NKV * HD, I = c->I;
	float wo = wofs(m);
	o->embedding_fwd(m->x[0], m->d_ids, m->embed->data, N, C, c->embed_scale);
	for (int l = 0; l < c->L; l++) {
		acts_t *a = &m->acts[l];
		param_t **w = &m->lw[l * NROLE];
		const float *x = m->x[l];
		float *y = m->x[l + 1];
		o->rmsnorm_fwd(a->ln1, a->ln1_r, x, w[P_ATTN_NORM]->data, N, C, c->eps, wo);
		if (c->qk_norm) {
			linear_fwd(m, l, LIN_Q, a->q_pre, a->ln1, N, a->lh[LIN_Q]);
			linear_fwd(m, l, LIN_K, a->k_pre, a->ln1, N, a->lh[LIN_K]);
			o->rmsnorm_fwd(a->q, a->qn_r, a->q_pre, w[P_Q_NORM]->data, N * NH, HD, c->eps, wo);
			o->rmsnorm_fwd(a->k, a->kn_r, a->k_pre, w[P_K_NORM]->data, N * NKV, HD, c->eps, wo);
		} else {
			linear_fwd(m, l, LIN_Q, a->q, a->ln1, N, a->lh[LIN_Q]);
			linear_fwd(m, l, LIN_K, a->k, a->ln1, N, a->lh[LIN_K]);
		}
		linear_fwd(m, l, LIN_V, a->v, a->ln1, N, a->lh[LIN_V]);
		int sl = c->layer_sliding[l];
		const float *inv = sl ? m->inv_freq_local : m->inv_freq;
		float rs = sl ? m->rope_scaling_local : m->rope_scaling;
		o->rope_fwd(a->q, m->d_pos, inv, N, NH, HD, m->rot_dim, rs);
		o->rope_fwd(a->k, m->d_pos, inv, N, NKV, HD, m->rot_dim, rs);
		o->attention_fwd(a->att, a->lse, a->q, a->k, a->v, m->d_cu, nseq, m->max_seqlen, N, NH, NKV, HD, c->attn_scale,
				 c->attn_softcap, sl ? c->sliding_window : 0);
		/* h = x + [norm](o(att)) */
		float *proj = c->sandwich_norm ? a->o : m->dtmp;
		linear_fwd(m, l, LIN_O, proj, a->att, N, a->lh[LIN_O]);
		o->copy(a->mid, x, (size_t)N * C * sizeof(float));
		if (c->sandwich_norm) {
			o->rmsnorm_fwd(m->dtmp, a->pa_r, a->o, w[P_POST_ATTN_NORM]->data, N, C, c->eps, wo);
		}
		o->axpy(a->mid, m->dtmp, 1.0f, (size_t)N * C);
		/* y = h + [norm](down(act(gate(ln2)) * up(ln2))) */
		o->rmsnorm_fwd(a->ln2, a->ln2_r, a->mid, w[P_MLP_NORM]->data, N, C, c->eps, wo);
		linear_fwd(m, l, LIN_GATE, a->gate, a->ln2, N, a->lh[LIN_GATE]);
		linear_fwd(m, l, LIN_UP, a->up, a->ln2, N, a->lh[LIN_UP]);
		o->glu_fwd(a->h, a->gate, a->up, (size_t)N * I, c->act);
		proj = c->sandwich_norm ? a->down : m->dtmp;
		linear_fwd(m, l, LIN_DOWN, proj, a->h, N, a->lh[LIN_DOWN]);
		o->copy(y, a->mid, (size_t)N * C * sizeof(float));
		if (c->sandwich_norm)
			o->rmsnorm_fwd(m->dtmp, a->pf_r, a->down, w[P_POST_FF_NORM]->data, N, C, c->eps, wo);
		o->axpy(y, m->dtmp, 1.0f, (size_t)N * C);
		(void)Q, (void)KV;
	}
	o->rmsnorm_fwd(m->lnf, m->lnf_r, m->x[c->L], m->norm->data, N, C, c->eps, wo);
	o->matmul(m->logits, m->lnf, m->lm_head->data, N, c->V, C, 0, 1, 1.0f, 0.0f);
	if (c->final_softcap > 0)
		o->softcap_fwd(m->logits, (size_t)N * c->V, c->final_softcap);
	m->logits_valid = 1;
	m->have_targets = b->targets != NULL;
	m->ntok = 0;
	m->loss_sum = 0;
	if (!b->targets)
		return 0;
	for (int i = 0; i < N; i++)
		m->ntok += b->targets[i] >= 0;
	o->upload(m->d_targets, b->targets, (size_t)N * sizeof(int));
	o->crossentropy_fwd(m->losses, m->logits, m->d_targets, N, c->V);
	m->loss_sum = o->sum(m->losses, (size_t)N);
	return m->ntok ? (float)(m->loss_sum / m->ntok) : 0.0f;
}

const float *model_logits(const model_t *m) { return m->logits_valid ? m->logits : NULL; }
int model_ntargets(const model_t *m) { return m->ntok; }
double model_loss_sum(const model_t *m) { return m->loss_sum; }

/* ---- backward ---- */

static void grads_ensure(model_t *m)
{
	if (m->train_base && !m->gdata) {
		m->gdata = m->ops->alloc(m->ptotal * sizeof(float));
		for (int i = 0; i < m->np; i++)
			m->params[i].grad = m->gdata + (m->params[i].data - m->pdata);
	}
}

void model_set_train_base(model_t *m, int on)
{
	m->train_base = on;
	if (on) {
		grads_ensure(m);
	} else {
		for (int i = 0; i < m->np; i++)
			m->params[i].grad = NULL;
		if (m->gdata)
			m->ops->free(m->gdata);
		m->gdata = NULL;
	}
}

void model_zero_grad(model_t *m)
{
	grads_ensure(m);
	if (m->gdata)
		m->ops->zero(m->gdata, m->ptotal * sizeof(float));
	if (m->has_lora)
		m->ops->zero(m->lgdata, m->ltotal * sizeof(float));
}

void model_backward(model_t *m, float dloss)
{
	if (!m->logits_valid || !m->have_targets)
		ft_die(FT_EXIT_USAGE, "model_backward: no forward with targets to differentiate");
	grads_ensure(m);
	const ops_t *o = m->ops;
	const modelcfg_t *c = &m->cfg;
	int N = m->N, C = c->C, NH = c->NH, NKV = c->NKV, HD = c->HD, I = c->I, V = c->V;
	size_t NC = (size_t)N * C;
	float wo = wofs(m);
	/* head: dlogits overwrite the logits */
	o->crossentropy_bwd(m->logits, m->logits, m->d_targets, dloss, N, V, c->final_softcap);
	m->logits_valid = 0;
	o->matmul(m->dln, m->logits, m->lm_head->data, N, C, V, 0, 0, 1.0f, 0.0f);
	if (m->lm_head->grad)
		o->matmul(m->lm_head->grad, m->logits, m->lnf, V, C, N, 1, 0, 1.0f, 1.0f);
	o->zero(m->dres, NC * sizeof(float));
	o->rmsnorm_bwd(m->dres, m->norm->grad, m->dln, m->x[c->L], m->norm->data, m->lnf_r, N, C, wo);
	/* m->dres holds d loss / d x[l + 1] entering each layer, d x[l] leaving it */
	for (int l = c->L - 1; l >= 0; l--) {
		acts_t *a = &m->acts[l];
		param_t **w = &m->lw[l * NROLE];
		int sl = c->layer_sliding[l];
		/* MLP branch */
		const float *dbr = m->dres;
		if (c->sandwich_norm) {
			o->zero(m->dtmp, NC * sizeof(float));
			o->rmsnorm_bwd(m->dtmp, w[P_POST_FF_NORM]->grad, m->dres, a->down, w[P_POST_FF_NORM]->data,
				       a->pf_r, N, C, wo);
			dbr = m->dtmp;
		}
		o->zero(m->dh, (size_t)N * I * sizeof(float));
		linear_bwd(m, l, LIN_DOWN, m->dh, dbr, a->h, N, a->lh[LIN_DOWN]);
		o->zero(m->dgate, (size_t)N * I * sizeof(float));
		o->zero(m->dup, (size_t)N * I * sizeof(float));
		o->glu_bwd(m->dgate, m->dup, m->dh, a->gate, a->up, (size_t)N * I, c->act);
		o->zero(m->dln, NC * sizeof(float));
		linear_bwd(m, l, LIN_GATE, m->dln, m->dgate, a->ln2, N, a->lh[LIN_GATE]);
		linear_bwd(m, l, LIN_UP, m->dln, m->dup, a->ln2, N, a->lh[LIN_UP]);
		o->rmsnorm_bwd(m->dres, w[P_MLP_NORM]->grad, m->dln, a->mid, w[P_MLP_NORM]->data, a->ln2_r, N, C, wo);
		/* attention branch */
		dbr = m->dres;
		if (c->sandwich_norm) {
			o->zero(m->dtmp, NC * sizeof(float));
			o->rmsnorm_bwd(m->dtmp, w[P_POST_ATTN_NORM]->grad, m->dres, a->o, w[P_POST_ATTN_NORM]->data,
				       a->pa_r, N, C, wo);
			dbr = m->dtmp;
		}
		o->zero(m->datt, (size_t)N * NH * HD * sizeof(float));
		linear_bwd(m, l, LIN_O, m->datt, dbr, a->att, N, a->lh[LIN_O]);
		o->zero(m->dq, (size_t)N * NH * HD * sizeof(float));
		o->zero(m->dk, (size_t)N * NKV * HD * sizeof(float));
		o->zero(m->dv, (size_t)N * NKV * HD * sizeof(float));
		o->attention_bwd(m->dq, m->dk, m->dv, m->datt, a->att, a->lse, a->q, a->k, a->v, m->d_cu, m->nseq,
				 m->max_seqlen, N,
				 NH, NKV, HD, c->attn_scale, c->attn_softcap, sl ? c->sliding_window : 0);
		const float *inv = sl ? m->inv_freq_local : m->inv_freq;
		float rs = sl ? m->rope_scaling_local : m->rope_scaling;
		o->rope_bwd(m->dq, m->d_pos, inv, N, NH, HD, m->rot_dim, rs);
		o->rope_bwd(m->dk, m->d_pos, inv, N, NKV, HD, m->rot_dim, rs);
		const float *dqp = m->dq, *dkp = m->dk;
		if (c->qk_norm) {
			o->zero(m->dqp, (size_t)N * NH * HD * sizeof(float));
			o->zero(m->dkp, (size_t)N * NKV * HD * sizeof(float));
			o->rmsnorm_bwd(m->dqp, w[P_Q_NORM]->grad, m->dq, a->q_pre, w[P_Q_NORM]->data, a->qn_r, N * NH, HD, wo);
			o->rmsnorm_bwd(m->dkp, w[P_K_NORM]->grad, m->dk, a->k_pre, w[P_K_NORM]->data, a->kn_r, N * NKV, HD,
				       wo);
			dqp = m->dqp;
			dkp = m->dkp;
		}
		o->zero(m->dln, NC * sizeof(float));
		linear_bwd(m, l, LIN_Q, m->dln, dqp, a->ln1, N, a->lh[LIN_Q]);
		linear_bwd(m, l, LIN_K, m->dln, dkp, a->ln1, N, a->lh[LIN_K]);
		linear_bwd(m, l, LIN_V, m->dln, m->dv, a->ln1, N, a->lh[LIN_V]);
		o->rmsnorm_bwd(m->dres, w[P_ATTN_NORM]->grad, m->dln, m->x[l], w[P_ATTN_NORM]->data, a->ln1_r, N, C, wo);
	}
	if (m->embed->grad)
		o->embedding_bwd(m->embed->grad, m->dres, m->d_ids, N, C, c->embed_scale);
}

/* ---- LoRA ---- */

static const char *lin_module(int lin) { return lin <= LIN_O ? "self_attn" : "mlp"; }

/* Attach adapters to the (layer, linear) pairs flagged in on (L * NLIN). */
static void lora_setup(model_t *m, const lora_cfg_t *lc, const unsigned char *on)
{
	if (m->has_lora)
		ft_die(FT_EXIT_USAGE, "a LoRA adapter is already attached");
	const modelcfg_t *c = &m->cfg;
	int L = c->L;
	if (lc->r < 1)
		ft_die(FT_EXIT_DATA, "LoRA rank %d must be positive", lc->r);
	if (c->fused_qkv)
		for (int i = 0; i < L * NLIN; i++)
			if (on[i] && i % NLIN != LIN_O && i % NLIN != LIN_DOWN)
				ft_die(FT_EXIT_DATA, "LoRA on phi3's fused qkv_proj and gate_up_proj is not supported "
				       "(o_proj and down_proj are)");
	if (!(lc->dropout >= 0 && lc->dropout < 1))
		ft_die(FT_EXIT_DATA, "lora_dropout %g must be in [0, 1)", lc->dropout);
	m->lcfg = *lc;
	if (lc->layers) {
		m->lcfg_layers = xmalloc((size_t)L);
		memcpy(m->lcfg_layers, lc->layers, (size_t)L);
		m->lcfg.layers = m->lcfg_layers;
	}
	m->lora = xcalloc((size_t)L * NLIN, sizeof *m->lora);
	int n = 0;
	for (int i = 0; i < L * NLIN; i++)
		n += on[i] ? 2 : 0;
	m->nlp = n;
	m->lparams = xcalloc((size_t)(n ? n : 1), sizeof *m->lparams);
	int k = 0;
	size_t total = 0;
	float scale = lc->use_rslora ? lc->alpha / sqrtf((float)lc->r) : lc->alpha / (float)lc->r;
	for (int l = 0; l < L; l++)
		for (int li = 0; li < NLIN; li++) {
			if (!on[l * NLIN + li])
				continue;
			int din, dout;
			lin_dims(c, li, &din, &dout);
			for (int ab = 0; ab < 2; ab++) {
				param_t *p = &m->lparams[k++];
				snprintf(p->name, sizeof p->name, "base_model.model.model.layers.%d.%s.%s.lora_%c.weight", l,
					 lin_module(li), lin_names[li], ab ? 'B' : 'A');
				p->ndim = 2;
				p->shape[0] = ab ? dout : lc->r;
				p->shape[1] = ab ? lc->r : din;
				p->numel = (size_t)p->shape[0] * p->shape[1];
				total += p->numel;
			}
			m->lora[l * NLIN + li] = (lora_t){&m->lparams[k - 2], &m->lparams[k - 1], scale};
		}
	m->ltotal = total;
	m->ldata = m->ops->alloc(total * sizeof(float));
	m->lgdata = m->ops->alloc(total * sizeof(float));
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		m->lparams[i].data = m->ldata + off;
		m->lparams[i].grad = m->lgdata + off;
		off += m->lparams[i].numel;
	}
	m->has_lora = 1;
	acts_free(m);   /* the next forward allocates LoRA activations too */
	model_set_train_base(m, 0);
}

void model_lora_add(model_t *m, const lora_cfg_t *lc, uint64_t seed)
{
	int L = m->cfg.L;
	unsigned char *on = xcalloc((size_t)L * NLIN, 1);
	for (int l = 0; l < L; l++)
		for (int li = 0; li < NLIN; li++)
			on[l * NLIN + li] = lc->target[li] && (!lc->layers || lc->layers[l]);
	lora_setup(m, lc, on);
	free(on);
	uint64_t s = seed;
	for (int i = 0; i < m->nlp; i += 2) {
		param_t *A = &m->lparams[i];
		/* kaiming_uniform_(a=sqrt(5)) on (R, in): U(-1/sqrt(in), 1/sqrt(in)); B stays zero */
		float bound = 1.0f / sqrtf((float)A->shape[1]);
		float *tmp = xmalloc(A->numel * sizeof *tmp);
		for (size_t j = 0; j < A->numel; j++)
			tmp[j] = (float)((2 * rng_uniform(&s) - 1) * bound);
		m->ops->upload(A->data, tmp, A->numel * sizeof(float));
		free(tmp);
	}
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		ft_die(FT_EXIT_IO, "'%s': cannot open: %s", path, strerror(errno));
	size_t cap = 1 << 14, n = 0, r;
	char *s = xmalloc(cap);
	while ((r = fread(s + n, 1, cap - n - 1, fp)) > 0)
		if ((n += r) + 1 == cap)
			xgrow((void **)&s, &cap, cap * 2, 1);
	if (ferror(fp))
		ft_die(FT_EXIT_IO, "'%s': cannot read: %s", path, strerror(errno));
	fclose(fp);
	s[n] = 0;
	return s;
}

static int json_empty(const cJSON *v)
{
	return !v || cJSON_IsNull(v) || ((cJSON_IsObject(v) || cJSON_IsArray(v)) && !v->child);
}

/* PEFT's check_target_module_exists for a list: the name itself or a suffix after a '.'. */
static int target_matches(const cJSON *tm, const char *name)
{
	if (cJSON_IsString(tm)) {
		if (!strcmp(tm->valuestring, "all-linear"))
			return 1;
		return !strcmp(tm->valuestring, name);
	}
	size_t nl = strlen(name);
	for (const cJSON *e = tm->child; e; e = e->next) {
		if (!cJSON_IsString(e))
			continue;
		const char *t = e->valuestring;
		size_t tl = strlen(t);
		if (!strcmp(t, name) || (nl > tl && name[nl - tl - 1] == '.' && !strcmp(name + nl - tl, t)))
			return 1;
	}
	return 0;
}

void model_lora_load(model_t *m, const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/adapter_config.json", dir);
	char *txt = slurp(path);
	cJSON *j = cJSON_Parse(txt);
	free(txt);
	if (!cJSON_IsObject(j))
		ft_die(FT_EXIT_DATA, "'%s': not a JSON object", path);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "peft_type");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "LORA") != 0)
		ft_die(FT_EXIT_DATA, "'%s': peft_type must be \"LORA\"", path);
	static const char *const refused[] = {"use_dora", "rank_pattern", "alpha_pattern", "modules_to_save",
					      "lora_bias", "fan_in_fan_out", "target_parameters", "layer_replication",
					      "trainable_token_indices", "use_qalora", "use_bdlora"};
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
		v = cJSON_GetObjectItemCaseSensitive(j, refused[i]);
		if (!json_empty(v) && !cJSON_IsFalse(v))
			ft_die(FT_EXIT_DATA, "'%s': '%s' is not supported", path, refused[i]);
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "bias");
	if (cJSON_IsString(v) && strcmp(v->valuestring, "none") != 0)
		ft_die(FT_EXIT_DATA, "'%s': bias '%s' is not supported (only \"none\")", path, v->valuestring);
	lora_cfg_t lc;
	memset(&lc, 0, sizeof lc);
	v = cJSON_GetObjectItemCaseSensitive(j, "r");
	if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble != floor(v->valuedouble))
		ft_die(FT_EXIT_DATA, "'%s': 'r' must be a positive integer", path);
	lc.r = (int)v->valuedouble;
	v = cJSON_GetObjectItemCaseSensitive(j, "lora_alpha");
	lc.alpha = cJSON_IsNumber(v) ? (float)v->valuedouble : 8.0f;   /* PEFT's default */
	lc.use_rslora = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "use_rslora"));
	v = cJSON_GetObjectItemCaseSensitive(j, "lora_dropout");
	lc.dropout = cJSON_IsNumber(v) ? (float)v->valuedouble : 0.0f;
	const cJSON *tm = cJSON_GetObjectItemCaseSensitive(j, "target_modules");
	if (!cJSON_IsArray(tm) && !cJSON_IsString(tm))
		ft_die(FT_EXIT_DATA, "'%s': 'target_modules' must be a list of module names", path);
	if (cJSON_IsString(tm) && strcmp(tm->valuestring, "all-linear") != 0 && strpbrk(tm->valuestring, ".*+?[](|)\\^$"))
		ft_die(FT_EXIT_DATA, "'%s': 'target_modules' as a regular expression ('%s') is not supported", path,
		       tm->valuestring);
	int L = m->cfg.L;
	unsigned char *layer_on = xmalloc((size_t)L);
	memset(layer_on, 1, (size_t)L);
	v = cJSON_GetObjectItemCaseSensitive(j, "layers_to_transform");
	if (!json_empty(v)) {
		memset(layer_on, 0, (size_t)L);
		if (cJSON_IsNumber(v)) {
			if (v->valueint >= 0 && v->valueint < L)
				layer_on[v->valueint] = 1;
		} else if (cJSON_IsArray(v)) {
			for (const cJSON *e = v->child; e; e = e->next)
				if (cJSON_IsNumber(e) && e->valueint >= 0 && e->valueint < L)
					layer_on[e->valueint] = 1;
		} else {
			ft_die(FT_EXIT_DATA, "'%s': 'layers_to_transform' must be an integer or a list", path);
		}
	}
	unsigned char *on = xcalloc((size_t)L * NLIN, 1);
	char name[256];
	int any = 0;
	for (int l = 0; l < L; l++)
		for (int li = 0; li < NLIN; li++) {
			snprintf(name, sizeof name, "model.layers.%d.%s.%s", l, lin_module(li), lin_names[li]);
			on[l * NLIN + li] = layer_on[l] && target_matches(tm, name);
			if (on[l * NLIN + li]) {
				lc.target[li] = 1;
				any = 1;
			}
		}
	/* a target naming a module we do not adapt (lm_head, embed_tokens) is refused by name */
	if (cJSON_IsArray(tm))
		for (const cJSON *e = tm->child; e; e = e->next) {
			int used = 0;
			for (int l = 0; l < L && !used; l++)
				for (int li = 0; li < NLIN && !used; li++) {
					snprintf(name, sizeof name, "model.layers.%d.%s.%s", l, lin_module(li), lin_names[li]);
					cJSON one = *e;
					one.next = one.prev = NULL;
					cJSON arr = {.type = cJSON_Array, .child = &one};
					used = target_matches(&arr, name);
				}
			if (!used)
				ft_die(FT_EXIT_DATA, "'%s': target module '%s' is not supported (LoRA on q/k/v/o and "
				       "gate/up/down projections only)", path, cJSON_IsString(e) ? e->valuestring : "?");
		}
	if (!any)
		ft_die(FT_EXIT_DATA, "'%s': 'target_modules' selects no module of this model", path);
	int all_layers = 1;
	for (int l = 0; l < L; l++)
		all_layers &= layer_on[l];
	lc.layers = all_layers ? NULL : layer_on;
	lora_setup(m, &lc, on);
	free(on);
	free(layer_on);
	cJSON_Delete(j);

	snprintf(path, sizeof path, "%s/adapter_model.safetensors", dir);
	st_file_t *f = st_open(path);
	size_t maxn = 1;
	for (int i = 0; i < m->nlp; i++)
		if (m->lparams[i].numel > maxn)
			maxn = m->lparams[i].numel;
	float *tmp = xmalloc(maxn * sizeof *tmp);
	for (int i = 0; i < m->nlp; i++) {
		param_t *p = &m->lparams[i];
		const st_tensor_t *t = st_need(f, p->name, 2, p->shape);
		st_read_f32(t, tmp);
		m->ops->upload(p->data, tmp, p->numel * sizeof(float));
	}
	free(tmp);
	for (int i = 0; i < f->n; i++)
		if (!model_lora_param_by_name(m, f->t[i].name))
			ft_die(FT_EXIT_DATA, "'%s': tensor '%s' is not a LoRA weight of the configured targets", path,
			       f->t[i].name);
	st_close(f);
}

/* A float32 value as Python's repr writes the number the user gave (shortest text that reads
 * back to the same float32; ".0" on integral values), e.g. 0.05f -> "0.05". */
static void py_float(char *buf, size_t n, float f)
{
	for (int p = 1; p <= 17; p++) {
		snprintf(buf, n, "%.*g", p, (double)f);
		if ((float)strtod(buf, NULL) == f)
			break;
	}
	if (!strpbrk(buf, ".eninf"))
		snprintf(buf + strlen(buf), n - strlen(buf), ".0");
}

typedef struct { const char *key; char *val; } kv_t;

static int cmp_kv(const void *a, const void *b) { return strcmp(((const kv_t *)a)->key, ((const kv_t *)b)->key); }

/* A JSON string as Python's json.dumps writes it (ensure_ascii: non-ASCII as \\uXXXX, UTF-16
 * surrogate pairs beyond the BMP; bytes that are not UTF-8 as U+FFFD). */
static char *jstr(const char *s)
{
	size_t n = strlen(s);
	char *o = xmalloc(n * 12 + 3), *p = o;
	*p++ = '"';
	const unsigned char *c = (const unsigned char *)s;
	while (*c) {
		uint32_t cp = *c;
		int len = 1;
		if (cp >= 0x80) {
			len = cp >= 0xf0 ? 4 : cp >= 0xe0 ? 3 : cp >= 0xc0 ? 2 : 0;
			cp = len == 4 ? cp & 7 : len == 3 ? cp & 15 : cp & 31;
			for (int k = 1; k < len; k++) {
				if ((c[k] & 0xc0) != 0x80) {
					len = 0;
					break;
				}
				cp = cp << 6 | (c[k] & 0x3f);
			}
			if (len == 0) {
				cp = 0xfffd;
				len = 1;
			}
		}
		if (cp == '"' || cp == '\\') {
			*p++ = '\\';
			*p++ = (char)cp;
		} else if (cp == '\n') {
			p += sprintf(p, "\\n");
		} else if (cp == '\t') {
			p += sprintf(p, "\\t");
		} else if (cp == '\r') {
			p += sprintf(p, "\\r");
		} else if (cp == '\b') {
			p += sprintf(p, "\\b");
		} else if (cp == '\f') {
			p += sprintf(p, "\\f");
		} else if (cp < 0x20 || (cp >= 0x7f && cp < 0x10000)) {
			p += sprintf(p, "\\u%04x", cp);
		} else if (cp >= 0x10000) {
			cp -= 0x10000;
			p += sprintf(p, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
		} else {
			*p++ = (char)cp;
		}
		c += len;
	}
	*p++ = '"';
	*p = 0;
	return o;
}

void model_lora_save(model_t *m, const char *dir, const char *base)
{
	if (!m->has_lora)
		ft_die(FT_EXIT_USAGE, "no LoRA adapter to save");
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		ft_die(FT_EXIT_IO, "'%s': cannot create: %s", dir, strerror(errno));
	char path[4096];
	snprintf(path, sizeof path, "%s/adapter_model.safetensors", dir);
	st_writer_t *w = st_writer_new();
	float *host = xmalloc(m->ltotal * sizeof *host);
	m->ops->download(host, m->ldata, m->ltotal * sizeof(float));
	for (int i = 0; i < m->nlp; i++) {
		param_t *p = &m->lparams[i];
		st_writer_add(w, p->name, ST_F32, 2, p->shape, host + (p->data - m->ldata));
	}
	st_writer_write(w, path);
	st_writer_free(w);
	free(host);

	/* adapter_config.json as PEFT writes it: json.dumps(indent=2, sort_keys=True) */
	const modelcfg_t *c = &m->cfg;
	int L = c->L;
	/* targets: module kinds (with layers_to_transform) when the adapted set is kinds x layers */
	int product = 1;
	unsigned char kind[NLIN] = {0}, layer[MODELCFG_MAX_LAYERS] = {0};
	for (int l = 0; l < L; l++)
		for (int li = 0; li < NLIN; li++)
			if (m->lora[l * NLIN + li].A)
				kind[li] = layer[l] = 1;
	for (int l = 0; l < L; l++)
		for (int li = 0; li < NLIN; li++)
			if ((kind[li] && layer[l]) != (m->lora[l * NLIN + li].A != NULL))
				product = 0;
	int all_layers = 1;
	for (int l = 0; l < L; l++)
		all_layers &= layer[l];
	size_t cap = 4096, n = 0;
	char *tms = xmalloc(cap);
	/* PEFT writes a set as a list in no fixed order: we sort the names */
	const char *sorted[NLIN];
	int ns = 0;
	for (int li = 0; li < NLIN; li++)
		if (kind[li])
			sorted[ns++] = lin_names[li];
	for (int i = 1; i < ns; i++)
		for (int k = i; k > 0 && strcmp(sorted[k - 1], sorted[k]) > 0; k--) {
			const char *t = sorted[k];
			sorted[k] = sorted[k - 1];
			sorted[k - 1] = t;
		}
	n += (size_t)snprintf(tms + n, cap - n, "[");
	int first = 1;
	if (product) {
		for (int i = 0; i < ns; i++) {
			n += (size_t)snprintf(tms + n, cap - n, "%s\n    \"%s\"", first ? "" : ",", sorted[i]);
			first = 0;
		}
	} else {
		for (int l = 0; l < L; l++)
			for (int li = 0; li < NLIN; li++)
				if (m->lora[l * NLIN + li].A) {
					xgrow((void **)&tms, &cap, n + 128, 1);
					n += (size_t)snprintf(tms + n, cap - n, "%s\n    \"model.layers.%d.%s.%s\"", first ? "" : ",",
							      l, lin_module(li), lin_names[li]);
					first = 0;
				}
	}
	xgrow((void **)&tms, &cap, n + 8, 1);
	snprintf(tms + n, cap - n, "\n  ]");
	char *ltt;
	if (product && !all_layers) {
		size_t lc2 = (size_t)L * 16 + 16, ln = 0;
		ltt = xmalloc(lc2);
		ln += (size_t)snprintf(ltt, lc2, "[");
		first = 1;
		for (int l = 0; l < L; l++)
			if (layer[l]) {
				ln += (size_t)snprintf(ltt + ln, lc2 - ln, "%s\n    %d", first ? "" : ",", l);
				first = 0;
			}
		snprintf(ltt + ln, lc2 - ln, "\n  ]");
	} else {
		ltt = xstrdup("null");
	}
	char alpha[64], drop[64];
	if (m->lcfg.alpha == floorf(m->lcfg.alpha) && fabsf(m->lcfg.alpha) < 1e9f)
		snprintf(alpha, sizeof alpha, "%d", (int)m->lcfg.alpha);
	else
		py_float(alpha, sizeof alpha, m->lcfg.alpha);
	py_float(drop, sizeof drop, m->lcfg.dropout);
	char rbuf[32];
	snprintf(rbuf, sizeof rbuf, "%d", m->lcfg.r);
	kv_t kv[] = {
		{"alpha_pattern", xstrdup("{}")},
		{"auto_mapping", xstrdup("null")},
		{"base_model_name_or_path", base ? jstr(base) : xstrdup("null")},
		{"bias", xstrdup("\"none\"")},
		{"fan_in_fan_out", xstrdup("false")},
		{"inference_mode", xstrdup("true")},
		{"init_lora_weights", xstrdup("true")},
		{"layers_pattern", xstrdup("null")},
		{"layers_to_transform", ltt},
		{"lora_alpha", xstrdup(alpha)},
		{"lora_bias", xstrdup("false")},
		{"lora_dropout", xstrdup(drop)},
		{"modules_to_save", xstrdup("null")},
		{"peft_type", xstrdup("\"LORA\"")},
		{"r", xstrdup(rbuf)},
		{"rank_pattern", xstrdup("{}")},
		{"revision", xstrdup("null")},
		{"target_modules", tms},
		{"task_type", xstrdup("\"CAUSAL_LM\"")},
		{"use_dora", xstrdup("false")},
		{"use_rslora", xstrdup(m->lcfg.use_rslora ? "true" : "false")},
	};
	int nkv = (int)(sizeof kv / sizeof *kv);
	qsort(kv, nkv, sizeof *kv, cmp_kv);
	size_t oc = 4096, on = 0;
	char *out = xmalloc(oc);
	on += (size_t)snprintf(out, oc, "{");
	for (int i = 0; i < nkv; i++) {
		xgrow((void **)&out, &oc, on + strlen(kv[i].key) + strlen(kv[i].val) + 16, 1);
		on += (size_t)snprintf(out + on, oc - on, "%s\n  \"%s\": %s", i ? "," : "", kv[i].key, kv[i].val);
		free(kv[i].val);
	}
	xgrow((void **)&out, &oc, on + 4, 1);
	on += (size_t)snprintf(out + on, oc - on, "\n}");
	snprintf(path, sizeof path, "%s/adapter_config.json", dir);
	file_write_atomic(path, out, on);
	free(out);
}

void model_lora_merge(model_t *m)
{
	if (!m->has_lora)
		return;
	const modelcfg_t *c = &m->cfg;
	for (int l = 0; l < c->L; l++)
		for (int li = 0; li < NLIN; li++) {
			lora_t *lo = &m->lora[l * NLIN + li];
			if (!lo->A)
				continue;
			int din, dout;
			lin_dims(c, li, &din, &dout);
			/* W (out, in) += scale * B (out, R) @ A (R, in) */
			m->ops->matmul(m->lw[l * NROLE + lin_weight[li]]->data, lo->B->data, lo->A->data, dout, din,
				       m->lcfg.r, 0, 0, lo->scale, 1.0f);
		}
	m->ops->free(m->ldata);
	m->ops->free(m->lgdata);
	m->ldata = m->lgdata = NULL;
	free(m->lparams);
	m->lparams = NULL;
	free(m->lora);
	m->lora = NULL;
	free(m->lcfg_layers);
	m->lcfg_layers = NULL;
	m->nlp = 0;
	m->ltotal = 0;
	m->has_lora = 0;
	acts_free(m);
}

int model_lora_nparams(const model_t *m) { return m->nlp; }
param_t *model_lora_param(model_t *m, int i) { return i >= 0 && i < m->nlp ? &m->lparams[i] : NULL; }

param_t *model_lora_param_by_name(model_t *m, const char *name)
{
	for (int i = 0; i < m->nlp; i++)
		if (strcmp(m->lparams[i].name, name) == 0)
			return &m->lparams[i];
	return NULL;
}

const lora_cfg_t *model_lora_cfg(const model_t *m) { return m->has_lora ? &m->lcfg : NULL; }
