/* ops: the table of operations the transformer is written against: one model, many backends.
 *
 * model.c calls only these; the CPU backend (ops_cpu.c, float32, OpenMP) is the oracle and the
 * CUDA backend (kernels/, reached through backend.h) implements the same table. Every pointer argument is backend memory (host
 * memory for the CPU backend) except where marked "host". Tensors are row-major and packed:
 * N tokens of all samples of a batch flattened, sample s spanning tokens
 * [cu_seqlens[s], cu_seqlens[s+1]); attention never crosses a sample boundary.
 *
 * Conventions:
 * - Backward ops ACCUMULATE (+=) into every gradient they write (input and weight gradients;
 *   glu_bwd is the one exception, below),
 *   as llm.c does, so residual branches and tied weights just add up; callers zero first.
 * - Dimension names: N tokens, C hidden, V vocab, NH query heads, NKV key/value heads,
 *   HD head dim, I intermediate, R LoRA rank.
 * - Element types: a backend has one element type for activations and for the
 *   compute copies of weights, `es` bytes wide: float32 on the CPU (es 4) and in the exact CUDA
 *   configuration (ops_cuda), bfloat16 in the fast one (ops_cuda_bf16, es 2). Those tensors
 *   are `void *` below. What stays float32 on every backend is typed `float *`: norm
 *   statistics (rstd), log-sum-exps, per-token losses, parameter gradients, optimizer state,
 *   RoPE frequencies. model.c never does arithmetic on a tensor pointer (it passes element
 *   counts and multiplies by es).
 * - bf16 training: the float32 master weights are split (split_put below)
 *   into the compute copy and a uint16 array of low halves, updated by adamw_split / adamw8;
 *   with one backward a step the layers' matrices may keep their gradients in the element type
 *   (model_set_half_grads), written by matmul with beta 0 first, summed by sumsq_h. */
#ifndef FT_OPS_H
#define FT_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "modelcfg.h"

/* The per-step scalars of bitsandbytes' 8-bit AdamW (optim.c adamw8_param has the arithmetic,
 * in float as its kernels compute it), and the device copies of its two quantisation maps. */
typedef struct adamw8_args {
	float b1, w1, b2, w2;   /* beta1, 1 - beta1, beta2, 1 - beta2 (float) */
	float eps, corr2, step_size;
	float decay;            /* 1 - lr wd, applied after the update when decays */
	int decays;
	float gscale;           /* clipping: gradients times this, as if scaled first */
	const float *qsigned, *qunsigned;   /* (256) each, backend memory */
} adamw8_args_t;

/* The per-step scalars of an AdamW update, computed once per step by optim.c as torch does. */
typedef struct adamw_args {
	float decay;       /* 1 - lr * weight_decay, or 1 */
	float w1;          /* 1 - beta1 */
	float b2, w2;      /* beta2, 1 - beta2 */
	float step_size;   /* lr / (1 - beta1^t) */
	float bc2_sqrt;    /* sqrt(1 - beta2^t) */
	float eps;
	float gscale;      /* gradients are used times this (clipping folded in), exactly as if
	                    * they had been scaled first; 1 when not clipping */
} adamw_args_t;

typedef struct ops {
	const char *name;
	size_t es;   /* bytes per element of the `void *` tensors: 4 float32, 2 bfloat16 */

	/* memory (bytes) */
	void *(*alloc)(size_t bytes);                   /* zeroed */
	void (*free)(void *p);
	void (*upload)(void *dst, const void *host_src, size_t bytes);
	void (*download)(void *host_dst, const void *src, size_t bytes);
	void (*copy)(void *dst, const void *src, size_t bytes);
	void (*zero)(void *p, size_t bytes);
	/* n elements between host float32 and the backend's element type (rounded to nearest even) */
	void (*upload_f32)(void *dst, const float *host_src, size_t n);
	void (*download_f32)(float *host_dst, const void *src, size_t n);
	/* the same between backend buffers: float32 master copies and compute copies */
	void (*to_f32)(float *dst, const void *src, size_t n);
	void (*from_f32)(void *dst, const float *src, size_t n);

	/* out (M, N) = alpha * op(a) @ op(b) + beta * out, op(x) = x or x^T.
	 * a is (M, K), or (K, M) with ta; b is (K, N), or (N, K) with tb.
	 * Linear forward y = x W^T: matmul(y, x, W, N, out, in, 0, 1, 1, 0);
	 * dx += dy W: (dx, dy, W, N, in, out, 0, 0, 1, 1); dW += dy^T x: (dW, dy, x, out, in, N, 1, 0, 1, 1).
	 * matmul_f32out is the same with a float32 out (weight gradients); float32 accumulation in both. */
	void (*matmul)(void *out, const void *a, const void *b, int M, int N, int K, int ta, int tb,
		       float alpha, float beta);
	void (*matmul_f32out)(float *out, const void *a, const void *b, int M, int N, int K, int ta, int tb,
			      float alpha, float beta);
	/* out (M, N) += bias (N) broadcast over rows; dbias (N) += column sums of dout (M, N) */
	void (*bias_fwd)(void *out, const void *bias, int M, int N);
	void (*bias_bwd)(float *dbias, const void *dout, int M, int N);
	/* y += alpha * x, n elements; axpy_f32 the same on float32 vectors */
	void (*axpy)(void *y, const void *x, float alpha, size_t n);
	void (*axpy_f32)(float *y, const float *x, float alpha, size_t n);
	/* DoRA's per-output-channel scaling: out (M, N) = x * g[column] + beta * out (may alias x);
	 * dg (N) += column sums of a * b, both (M, N); out (M) = L2 norm of each row of x (M, N);
	 * out (n) = a / b (may alias a). g, dg and the norms are float32, the rest the backend's
	 * element type; sums in double (float32 tensors) or float (bf16). */
	void (*colscale)(void *out, const void *x, const float *g, int M, int N, float beta);
	void (*colmul_sum)(float *dg, const void *a, const void *b, int M, int N);
	void (*rownorm)(float *out, const void *x, int M, int N);
	void (*div)(float *out, const float *a, const float *b, size_t n);

	/* out (N, C) = x (N, C) * rstd * (w + w_offset); rstd (N) saved for backward.
	 * w_offset is 1 for Gemma's (1 + w) norms, else 0. out may not alias x. */
	void (*rmsnorm_fwd)(void *out, float *rstd, const void *x, const void *w, int N, int C, float eps,
			    float w_offset);
	/* dx (N, C) += ..., dw (C) += ... (dw may be NULL: frozen weight) */
	void (*rmsnorm_bwd)(void *dx, float *dw, const void *dout, const void *x, const void *w,
			    const float *rstd, int N, int C, float w_offset);

	/* In-place rotary embedding of x (N, H, HD) by positions pos (N) (int): the first rot_dim
	 * dims of each head, half-split (HF layout), angle pos * inv_freq[i] (rot_dim / 2 floats,
	 * backend memory), cos and sin multiplied by attn_scaling. bwd rotates back (dx in place). */
	void (*rope_fwd)(void *x, const int *pos, const float *inv_freq, int N, int H, int HD, int rot_dim,
			 float attn_scaling);
	void (*rope_bwd)(void *dx, const int *pos, const float *inv_freq, int N, int H, int HD, int rot_dim,
			 float attn_scaling);

	/* Causal attention within each sample. q (N, NH, HD), k and v (N, NKV, HD) (GQA: query head
	 * h reads kv head h / (NH / NKV)); out (N, NH, HD); lse (N, NH) the log-sum-exp of each
	 * softmax row, saved for backward. Scores s = scale * q.k, then softcap * tanh(s / softcap)
	 * when softcap > 0; key j is visible from query i (positions within the sample) iff
	 * j <= i and, when window > 0, j > i - window. cu_seqlens (nseq + 1) is backend memory;
	 * max_seqlen (the longest sample) is given from the host, as varlen kernels want it. */
	void (*attention_fwd)(void *out, float *lse, const void *q, const void *k, const void *v,
			      const int *cu_seqlens, int nseq, int max_seqlen, int N, int NH, int NKV, int HD,
			      float scale, float softcap, int window);
	void (*attention_bwd)(void *dq, void *dk, void *dv, const void *dout, const void *out,
			      const float *lse, const void *q, const void *k, const void *v,
			      const int *cu_seqlens, int nseq, int max_seqlen, int N, int NH, int NKV, int HD,
			      float scale, float softcap, int window);

	/* Attention of n new queries of one sequence against its KV cache (generation): q (n, NH,
	 * HD) at positions past .. past + n - 1; k and v (past + n, NKV, HD) hold every position so
	 * far, the new ones included; out (n, NH, HD). Visibility, scores and softcap as
	 * attention_fwd, so a query gets what attention_fwd gives it in the whole sequence. */
	void (*attention_kv_fwd)(void *out, const void *q, const void *k, const void *v, int n, int past, int NH,
				 int NKV, int HD, float scale, float softcap, int window);

	/* Gated MLP: out (n) = act(gate) * up; bwd WRITES dgate and dup (the one exception to the
	 * accumulate convention: nothing else reaches them, and writing saves zeroing and reading
	 * them, a quarter of the MLP's elementwise traffic). */
	void (*glu_fwd)(void *out, const void *gate, const void *up, size_t n, act_t act);
	void (*glu_bwd)(void *dgate, void *dup, const void *dout, const void *gate, const void *up,
			size_t n, act_t act);

	/* out (N, C) = scale * wte[ids[i]]; dwte (V, C) += scale * dout at the rows ids name. */
	void (*embedding_fwd)(void *out, const int *ids, const void *wte, int N, int C, float scale);
	void (*embedding_bwd)(float *dwte, const void *dout, const int *ids, int N, int C, float scale);

	/* In place x = cap * tanh(x / cap), n elements. */
	void (*softcap_fwd)(void *x, size_t n, float cap);

	/* losses (N) = -log softmax(logits)[target] per row, 0 where target < 0 (ignored).
	 * targets (N) int. */
	void (*crossentropy_fwd)(float *losses, const void *logits, const int *targets, int N, int V);
	/* dlogits (N, V) = dloss * (softmax - onehot), 0 rows where target < 0; written, not
	 * accumulated, and may alias logits (then logits are lost). When softcap > 0 the logits
	 * are the capped ones and the result is the gradient w.r.t. the logits before capping. */
	void (*crossentropy_bwd)(void *dlogits, const void *logits, const int *targets, float dloss, int N,
				 int V, float softcap);
	/* out (N) = the index of each row's largest value (N, V), the first of equal ones (token
	 * accuracy); rows without NaN. */
	void (*argmax_rows)(int *out, const void *x, int N, int V);
	/* Inverted dropout, in place allowed: out[i] = keep(seed, i) ? x[i] / (1 - p) : 0, where
	 * keep(seed, i) is u >= p * 2^24 for u = splitmix64(seed + (i + 1) * 0x9e3779b97f4a7c15) >> 40
	 * (ops_cpu.c) — a counter-based mask every backend reproduces exactly, so the backward
	 * applies the same mask by calling this again with the same seed. */
	void (*dropout)(void *out, const void *x, size_t n, float p, uint64_t seed);
	/* NEFTune's noise, in place: x[i] += mag * (2 u - 1), u = (the same splitmix64 of
	 * (seed, i) as dropout >> 40) / 2^24, uniform in [-mag, mag) and the same on every backend. */
	void (*uniform_noise)(void *x, size_t n, float mag, uint64_t seed);
	/* Sum of n floats, returned to the host (losses); sum of their squares (gradient norms);
	 * the same of n elements of the backend's type (gradients kept in it: model.h). */
	double (*sum)(const float *x, size_t n);
	double (*sumsq)(const float *x, size_t n);
	double (*sumsq_h)(const void *x, size_t n);
	/* x *= a, n floats (gradient clipping) */
	void (*scale)(float *x, float a, size_t n);
	/* One AdamW update of n elements as torch computes it (optim.h): p the float32 weights
	 * (the master copy), g their gradient, m and v the state; when pc is not NULL it receives
	 * the updated weights in the backend's element type (the compute copy). */
	void (*adamw)(float *p, void *pc, const float *g, float *m, float *v, size_t n, const adamw_args_t *a);
	/* The same update of split float32 weights (bfloat16 backends, model.h "split masters"):
	 * hi (n bf16) is the weights' compute copy and lo (n) their low 16 bits, the weights being
	 * exactly split_join(hi, lo); both are rewritten by split_put. The gradient is the float32 g,
	 * or when g is NULL gh in the backend's type. NULL on backends whose es is 4. */
	void (*adamw_split)(void *hi, uint16_t *lo, const float *g, const void *gh, float *m, float *v, size_t n,
			    const adamw_args_t *a);
	/* bitsandbytes' 8-bit AdamW of one parameter of n elements, as optim.c's CPU path computes
	 * it, bit for bit. Weights: float32 p, or when p is NULL split (hi, lo). Gradient: g, or
	 * gh in the backend's type when g is NULL. State: codes c1, c2 (n) and block maxima a1, a2
	 * (one per OPTIM_8BIT_BLOCK elements), or when c1 is NULL float32 m and v (parameters under
	 * OPTIM_8BIT_MIN_SIZE). NULL on the CPU backend, which runs optim.c's loops itself. */
	void (*adamw8)(float *p, void *hi, uint16_t *lo, const float *g, const void *gh, unsigned char *c1,
		       unsigned char *c2, float *a1, float *a2, float *m, float *v, size_t n, const adamw8_args_t *a);

	/* Optional hooks of a device backend, NULL on the CPU: device memory in use (bytes); wait
	 * for all queued work (host-clock timing); per-op-family timing, where every op is
	 * bracketed by events and synchronised while on (it slows the run) and the milliseconds and
	 * calls of family f (prof_names[f], nprof of them) add up until reset. */
	size_t (*mem_used)(void);
	void (*sync)(void);
	int nprof;
	const char *const *prof_names;
	void (*profile)(int on);
	void (*profile_reset)(void);
	void (*profile_get)(double *ms, long *calls);   /* ms (nprof), calls (nprof) */
} ops_t;


/* Split float32 weights (bfloat16 backends): the bits b of a float32 weight are kept as
 * hi = (b + 0x8000) >> 16, the weight rounded to bfloat16 (to nearest, ties away from zero),
 * which is the compute copy the products read, and lo = b & 0xffff. hi's bits are b's top
 * half, or one more when lo >= 0x8000 (it rounded up), so the pair gives b back exactly:
 * 4 bytes a weight for the master and its compute copy together instead of 6. */
static inline void split_put(float x, uint16_t *hi, uint16_t *lo)
{
	union { float f; uint32_t u; } b;
	b.f = x;
	*lo = (uint16_t)(b.u & 0xffffu);
	*hi = (uint16_t)((b.u + 0x8000u) >> 16);
}

static inline float split_join(uint16_t hi, uint16_t lo)
{
	union { float f; uint32_t u; } b;
	b.u = ((uint32_t)(uint16_t)(hi - (lo >= 0x8000u)) << 16) | lo;
	return b.f;
}

/* The CPU backend; the others are reached through backend.h. */
extern const ops_t ops_cpu;
/* Work (elements, or multiply-adds / 16 for matrix products) below which a CPU op runs on one
 * thread; 0 threads everything (tests that results do not depend on the thread count). */
extern size_t ops_cpu_min_parallel;

#endif
