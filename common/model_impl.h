/* model_impl: the inside of model_t, shared by the files that implement model.h — model.c
 * (construction, forward, backward), model_io.c (loading and saving checkpoints) and lora.c
 * (adapters). Nothing else includes it. */
#ifndef FT_MODEL_IMPL_H
#define FT_MODEL_IMPL_H

#include "model.h"

/* Per-layer parameters. */
enum {
	P_ATTN_NORM, P_Q, P_K, P_V, P_O, P_QB, P_KB, P_VB, P_OB, P_Q_NORM, P_K_NORM,
	P_POST_ATTN_NORM,   /* gemma2/3: norm of the attention output */
	P_MLP_NORM,         /* pre-MLP norm: llama's post_attention_layernorm, gemma2's pre_feedforward */
	P_POST_FF_NORM,     /* gemma2/3 */
	P_GATE, P_UP, P_DOWN, NROLE
};

extern const int lin_weight[NLIN];   /* the weight role of each linear */
extern const int lin_bias[NLIN];     /* its bias role, -1 if it has none */

typedef struct {   /* activations of one layer kept for the backward (void *: ops.h element type) */
	void *ln1; float *ln1_r;      /* (N, C), (N) */
	void *q_pre; float *qn_r;     /* (N, NH*HD), (N*NH): before q norm (qk_norm only) */
	void *k_pre; float *kn_r;     /* (N, NKV*HD), (N*NKV) */
	void *q, *k, *v;              /* after norm and RoPE: (N, NH*HD), (N, NKV*HD) x2 */
	void *att; float *lse;        /* (N, NH*HD), (N, NH) */
	void *o; float *pa_r;         /* (N, C), (N): attention projection (sandwich only) */
	void *mid;                    /* (N, C) residual after attention */
	void *ln2; float *ln2_r;      /* (N, C), (N) */
	void *gate, *up, *h;          /* (N, I) */
	void *down; float *pf_r;      /* (N, C), (N) (sandwich only) */
	void *lh[NLIN];               /* (N, R) LoRA: x A^T */
	void *z[NLIN];                /* (N, out) DoRA: x W^T + s (x A^T) B^T, unscaled */
} acts_t;

typedef struct {
	param_t *A, *B;               /* (R, in), (out, R) */
	param_t *M;                   /* (out) DoRA magnitude, NULL for plain LoRA */
	float scale;
	float *wn, *g;                /* (out) DoRA: |W + s B A| per row (detached), M / wn */
} lora_t;

struct model {
	modelcfg_t cfg;
	const ops_t *ops;
	int np;
	param_t *params;
	void *pdata;                  /* one block for all base parameters (compute copies) */
	float *gdata;                 /* their float32 gradients, packed in parameter order */
	void *ghdata;                 /* the gradients kept in the backend's type (model_set_half_grads) */
	size_t gsize, ghsize;         /* elements of each */
	int galloc;                   /* gradient memory follows ptrain (grads_sync has run) */
	int half_grads;               /* model_set_half_grads */
	int gh_fresh;                 /* ghdata holds nothing yet this step: the first product writes */
	unsigned char *pmat;          /* (np) a layer's linear weight: one product a backward writes its gradient */
	size_t ptotal;
	param_t *embed, *norm, *lm_head;
	param_t **lw;                 /* (L, NROLE) */
	unsigned char *ptrain;        /* (np) which base parameters get gradients */
	/* checkpoint tensors the model does not use (a vision tower), written back unchanged */
	int npass;
	struct passthrough { char *name; st_dtype_t dtype; int ndim; int64_t shape[ST_MAX_DIMS]; void *data; size_t nbytes; } *pass;

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
	void *ldata;
	float *lgdata;                /* gradients */
	uint16_t *llo;                /* low halves of the float32 weights where es != 4 (param_t lo) */
	size_t ltotal;
	lora_t *lora;                 /* (L, NLIN); A == NULL where not adapted */
	float *lvec;                  /* DoRA's wn and g of every adapted linear */
	void *dora_w;                 /* (max out * in) scratch: W + s B A (element type es) */
	int dora_norm_frozen;         /* tests: keep wn as last computed (the detached function) */

	/* activations, sized for ncap tokens */
	int ncap;
	int ckpt, acts_ckpt;          /* gradient checkpointing asked for; how acts are laid out */
	int head_rows;                /* chunked head: rows per block of this forward (0: all) */
	int logits_cap;               /* rows the logits buffer holds */
	int head_rows_forced;         /* model_set_head_rows */
	int fwd_valid;                /* a forward to differentiate */
	float dloss_next;             /* model_set_dloss: the next forward runs the head's backward */
	int head_done;                /* the last forward did (with head_dloss) */
	float head_dloss;
	void **allocs;
	int nallocs, capallocs;
	void **x;                     /* L + 1 residual streams (N, C) */
	acts_t *acts;                 /* L */
	void *lnf, *logits;
	float *lnf_r, *losses;
	int *d_ids, *d_pos, *d_cu, *d_targets, *d_pred;
	int predict;                  /* model_set_predict: forwards leave each row's argmax in d_pred */
	/* backward scratch */
	void *dres, *dln, *dq, *dk, *dv, *datt, *dtmp, *dh, *dgate, *dup, *dlh, *dqp, *dkp;
	void *xdrop, *xdrop2;        /* (N, max(C, I, NH*HD)) LoRA dropout of a linear's input, its grad */
	void *gdy;                    /* DoRA: (N, max out) g * dy */
	float *dvec;                  /* DoRA: (max out) */

	int training;                 /* dropout on */
	float neftune_alpha;          /* NEFTune noise while training; 0: none */
	uint64_t seed;

	/* last forward */
	int N, nseq, max_seqlen, have_targets, ntok;
	double loss_sum;
	int logits_valid;
};

const char *role_name(const model_t *m, int role);
void lin_dims(const modelcfg_t *c, int lin, int *in, int *out);
model_t *model_new(const modelcfg_t *cfg, const ops_t *ops);
/* Frees the activations; the next forward allocates them again (for a changed LoRA set). */
void acts_free(model_t *m);
/* DoRA: lo->wn = row norms of W + s B A, lo->g = M / wn, for adapted linear (l, lin). */
void lora_dora_norm(model_t *m, int l, int lin);
/* Activations for N tokens in nseq samples (reallocated when larger); for decode.c too. */
void acts_ensure(model_t *m, int N, int nseq);
/* out (N, out) = in W^T + b + LoRA (model.c) */
void linear_fwd(model_t *m, int l, int lin, void *out, const void *in, int N, acts_t *a);
/* Block l forward from m->x[l] to m->x[l + 1] for N tokens, its activations in m->acts[l].
 * kcache NULL: causal attention within the samples of the last forward's cu_seqlens (training,
 * evaluation); else generation: the N tokens at positions past.. append their keys and values
 * to layer l's cache (kcache, vcache) and attend to all of it. */
void layer_fwd(model_t *m, int l, int N, void *kcache, void *vcache, int past);
/* Uniform (0, 1) from a splitmix64 stream: seeded initialisation, the same on every machine. */
double rng_uniform(uint64_t *s);
/* Element i of tensor p (ops element type) as a pointer: p + i * es. */
static inline void *elt(const model_t *m, const void *p, size_t i) { return (char *)p + i * m->ops->es; }

#endif
