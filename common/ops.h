/* ops: the table of operations the transformer is written against (DESIGN.md "One model, two
 * backends").
 *
 * model.c calls only these; the CPU backend (ops_cpu.c, float32, OpenMP) is the oracle and the
 * CUDA backend implements the same table. Every pointer argument is backend memory (host
 * memory for the CPU backend) except where marked "host". Tensors are row-major and packed:
 * N tokens of all samples of a batch flattened, sample s spanning tokens
 * [cu_seqlens[s], cu_seqlens[s+1]); attention never crosses a sample boundary.
 *
 * Conventions:
 * - Backward ops ACCUMULATE (+=) into every gradient they write (input and weight gradients),
 *   as llm.c does, so residual branches and tied weights just add up; callers zero first.
 * - Dimension names: N tokens, C hidden, V vocab, NH query heads, NKV key/value heads,
 *   HD head dim, I intermediate, R LoRA rank.
 * - Element types: float32 throughout, which is what the CPU oracle computes in. A bf16 CUDA
 *   backend has two ways in: keep this interface (float32 master weights and activations at
 *   the boundary, bf16 inside the kernels), or change the tensor arguments to opaque pointers
 *   with a per-backend activation size; model.c passes element counts, never byte sizes,
 *   except through alloc/copy/zero, so the second is a mechanical change. Not decided yet. */
#ifndef FT_OPS_H
#define FT_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "modelcfg.h"

typedef struct ops {
	const char *name;

	/* memory */
	void *(*alloc)(size_t bytes);                   /* zeroed */
	void (*free)(void *p);
	void (*upload)(void *dst, const void *host_src, size_t bytes);
	void (*download)(void *host_dst, const void *src, size_t bytes);
	void (*copy)(void *dst, const void *src, size_t bytes);
	void (*zero)(void *p, size_t bytes);

	/* out (M, N) = alpha * op(a) @ op(b) + beta * out, op(x) = x or x^T.
	 * a is (M, K), or (K, M) with ta; b is (K, N), or (N, K) with tb.
	 * Linear forward y = x W^T: matmul(y, x, W, N, out, in, 0, 1, 1, 0);
	 * dx += dy W: (dx, dy, W, N, in, out, 0, 0, 1, 1); dW += dy^T x: (dW, dy, x, out, in, N, 1, 0, 1, 1). */
	void (*matmul)(float *out, const float *a, const float *b, int M, int N, int K, int ta, int tb,
		       float alpha, float beta);
	/* out (M, N) += bias (N) broadcast over rows; dbias (N) += column sums of dout (M, N) */
	void (*bias_fwd)(float *out, const float *bias, int M, int N);
	void (*bias_bwd)(float *dbias, const float *dout, int M, int N);
	/* y += alpha * x, n elements */
	void (*axpy)(float *y, const float *x, float alpha, size_t n);
	/* DoRA's per-output-channel scaling: out (M, N) = x * g[column] + beta * out (may alias x);
	 * dg (N) += column sums of a * b, both (M, N); out (M) = L2 norm of each row of x (M, N);
	 * out (n) = a / b. */
	void (*colscale)(float *out, const float *x, const float *g, int M, int N, float beta);
	void (*colmul_sum)(float *dg, const float *a, const float *b, int M, int N);
	void (*rownorm)(float *out, const float *x, int M, int N);
	void (*div)(float *out, const float *a, const float *b, size_t n);

	/* out (N, C) = x (N, C) * rstd * (w + w_offset); rstd (N) saved for backward.
	 * w_offset is 1 for Gemma's (1 + w) norms, else 0. out may not alias x. */
	void (*rmsnorm_fwd)(float *out, float *rstd, const float *x, const float *w, int N, int C, float eps,
			    float w_offset);
	/* dx (N, C) += ..., dw (C) += ... (dw may be NULL: frozen weight) */
	void (*rmsnorm_bwd)(float *dx, float *dw, const float *dout, const float *x, const float *w,
			    const float *rstd, int N, int C, float w_offset);

	/* In-place rotary embedding of x (N, H, HD) by positions pos (N) (int): the first rot_dim
	 * dims of each head, half-split (HF layout), angle pos * inv_freq[i] (rot_dim / 2 floats,
	 * backend memory), cos and sin multiplied by attn_scaling. bwd rotates back (dx in place). */
	void (*rope_fwd)(float *x, const int *pos, const float *inv_freq, int N, int H, int HD, int rot_dim,
			 float attn_scaling);
	void (*rope_bwd)(float *dx, const int *pos, const float *inv_freq, int N, int H, int HD, int rot_dim,
			 float attn_scaling);

	/* Causal attention within each sample. q (N, NH, HD), k and v (N, NKV, HD) (GQA: query head
	 * h reads kv head h / (NH / NKV)); out (N, NH, HD); lse (N, NH) the log-sum-exp of each
	 * softmax row, saved for backward. Scores s = scale * q.k, then softcap * tanh(s / softcap)
	 * when softcap > 0; key j is visible from query i (positions within the sample) iff
	 * j <= i and, when window > 0, j > i - window. cu_seqlens (nseq + 1) is backend memory;
	 * max_seqlen (the longest sample) is given from the host, as varlen kernels want it. */
	void (*attention_fwd)(float *out, float *lse, const float *q, const float *k, const float *v,
			      const int *cu_seqlens, int nseq, int max_seqlen, int N, int NH, int NKV, int HD,
			      float scale, float softcap, int window);
	void (*attention_bwd)(float *dq, float *dk, float *dv, const float *dout, const float *out,
			      const float *lse, const float *q, const float *k, const float *v,
			      const int *cu_seqlens, int nseq, int max_seqlen, int N, int NH, int NKV, int HD,
			      float scale, float softcap, int window);

	/* Gated MLP: out (n) = act(gate) * up; bwd accumulates dgate, dup. */
	void (*glu_fwd)(float *out, const float *gate, const float *up, size_t n, act_t act);
	void (*glu_bwd)(float *dgate, float *dup, const float *dout, const float *gate, const float *up,
			size_t n, act_t act);

	/* out (N, C) = scale * wte[ids[i]]; dwte (V, C) += scale * dout at the rows ids name. */
	void (*embedding_fwd)(float *out, const int *ids, const float *wte, int N, int C, float scale);
	void (*embedding_bwd)(float *dwte, const float *dout, const int *ids, int N, int C, float scale);

	/* In place x = cap * tanh(x / cap), n elements. */
	void (*softcap_fwd)(float *x, size_t n, float cap);

	/* losses (N) = -log softmax(logits)[target] per row, 0 where target < 0 (ignored).
	 * targets (N) int. */
	void (*crossentropy_fwd)(float *losses, const float *logits, const int *targets, int N, int V);
	/* dlogits (N, V) = dloss * (softmax - onehot), 0 rows where target < 0; written, not
	 * accumulated, and may alias logits (then logits are lost). When softcap > 0 the logits
	 * are the capped ones and the result is the gradient w.r.t. the logits before capping. */
	void (*crossentropy_bwd)(float *dlogits, const float *logits, const int *targets, float dloss, int N,
				 int V, float softcap);
	/* Inverted dropout, in place allowed: out[i] = keep(seed, i) ? x[i] / (1 - p) : 0, where
	 * keep(seed, i) is u >= p * 2^24 for u = splitmix64(seed + (i + 1) * 0x9e3779b97f4a7c15) >> 40
	 * (ops_cpu.c) — a counter-based mask every backend reproduces exactly, so the backward
	 * applies the same mask by calling this again with the same seed. */
	void (*dropout)(float *out, const float *x, size_t n, float p, uint64_t seed);
	/* Sum of n floats, returned to the host (for losses). */
	double (*sum)(const float *x, size_t n);
} ops_t;

/* The CPU backend. */
extern const ops_t ops_cpu;
/* Work (elements, or multiply-adds / 16 for matrix products) below which a CPU op runs on one
 * thread; 0 threads everything (tests that results do not depend on the thread count). */
extern size_t ops_cpu_min_parallel;

#endif
