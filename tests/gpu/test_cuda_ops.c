/* test_cuda_ops: every op of ops_cuda against ops_cpu (the oracle) on random inputs, odd sizes
 * included, fresh inputs for every check, outputs poisoned with NaN before the run (so an
 * element an op fails to write fails the check) and accumulated outputs started from the same
 * random values on both sides (so += is checked, not =). Prints one line per check and a table
 * last; exit status 1 if any check failed. Runs on the GPU machine (scripts/gpu-check.sh).
 *
 * Tolerances, |cuda - cpu| <= atol + rtol |cpu|, with their reasons:
 *  - exact (0, 0): memory ops, dropout (the same integer mask and one float multiply),
 *    embedding forward (one multiply), softcap/colscale/div/axpy/bias (one or two float ops
 *    each; FMA contraction can differ by 1 ulp: rtol 2e-7... written as 1e-6).
 *  - matmul: CPU sums float32 blocks of 64 in double, cuBLAS sums in float32 in its own order:
 *    error grows like sqrt(K) ulps of the sum of |terms|; inputs in [-1, 1] give |terms| <= 1,
 *    so atol 1e-6 K bounds it with room, rtol 1e-5.
 *  - reductions done in double on both sides in a different order (norms, column sums,
 *    cross-entropy, sum): float32 output rounding, rtol 1e-6 plus a small atol for values
 *    that cancel to near 0.
 *  - attention: float32 dot products and exp on the GPU against double on the CPU; scores of
 *    magnitude up to ~10 lose ~1e-6 relative: atol 2e-5 max|ref|, rtol 1e-4. Gradients are
 *    sums over up to 300 keys of such terms: atol 1e-4 max|ref|, rtol 1e-3.
 *  - glu, rope: libm functions on both sides (double glu; float cosf/sinf) differ by an ulp or
 *    two: rtol 1e-6, atol 1e-6 (rope's angles reach 4000 rad, where cosf's 1-ulp argument
 *    reduction differences are 1e-7 absolute). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu_check.h"
#include "optim.h"

static const ops_t *C = &ops_cpu, *G = &ops_cuda;

static void t_memory(void)
{
	size_t n = 100003;
	float *h = hrand(n, -1, 1), *back = malloc(n * sizeof *back);
	float *d = dpoison(n), *d2 = dpoison(n);
	G->upload(d, h, n * sizeof *h);
	G->copy(d2, d, n * sizeof *h);
	G->download(back, d2, n * sizeof *h);
	gc_cmp("memory", "upload/copy/download", back, h, n, 0, 0);
	G->zero(d2 + 7, 1001 * sizeof *h);
	G->download(back, d2, n * sizeof *h);
	memset(h + 7, 0, 1001 * sizeof *h);
	gc_cmp("memory", "zero (offset 7, 1001)", back, h, n, 0, 0);
	float *z = G->alloc(4097 * sizeof *h);
	float *hz = hdown(z, 4097), *zero = calloc(4097, sizeof *zero);
	gc_cmp("memory", "alloc is zeroed", hz, zero, 4097, 0, 0);
	G->free(d), G->free(d2), G->free(z);
	free(h), free(back), free(hz), free(zero);
}

static void t_matmul(int M, int N, int K, int ta, int tb, float alpha, float beta, int mode)
{
	float *a = hrand((size_t)M * K, -1, 1), *b = hrand((size_t)K * N, -1, 1);
	float *out = beta != 0 ? hrand((size_t)M * N, -1, 1) : NULL;
	float *ref = out ? hdup(out, (size_t)M * N) : hrand((size_t)M * N, NAN, NAN);
	float *da = dup_dev(a, (size_t)M * K * 4), *db = dup_dev(b, (size_t)K * N * 4);
	float *dout = out ? dup_dev(out, (size_t)M * N * 4) : dpoison((size_t)M * N);
	C->matmul(ref, a, b, M, N, K, ta, tb, alpha, beta);
	ops_cuda_set_matmul(mode);
	G->matmul(dout, da, db, M, N, K, ta, tb, alpha, beta);
	ops_cuda_set_matmul(CUDA_MM_FP32);
	float *got = hdown(dout, (size_t)M * N);
	char what[80];
	snprintf(what, sizeof what, "%dx%dx%d t%d%d a%.2g b%.2g", M, N, K, ta, tb, alpha, beta);
	if (mode == CUDA_MM_FP32)
		gc_cmp("matmul", what, got, ref, (size_t)M * N, 1e-6 * (K > 1 ? K : 1), 1e-5);
	else if (mode == CUDA_MM_TF32)   /* 10-bit mantissa operands: ~3e-4 relative (METHOD.md) */
		gc_cmp_norm("matmul_tf32", what, got, ref, (size_t)M * N, 2e-3);
	else                              /* 7-bit mantissa operands: 1e-3 to 1e-2 */
		gc_cmp_norm("matmul_bf16", what, got, ref, (size_t)M * N, 1e-2);
	G->free(da), G->free(db), G->free(dout);
	free(a), free(b), free(out), free(ref), free(got);
}

static void t_bias(int M, int N)
{
	size_t n = (size_t)M * N;
	float *out = hrand(n, -1, 1), *bias = hrand(N, -1, 1), *ref = hdup(out, n);
	float *dout = dup_dev(out, n * 4), *dbias = dup_dev(bias, N * 4);
	C->bias_fwd(ref, bias, M, N);
	G->bias_fwd(dout, dbias, M, N);
	float *got = hdown(dout, n);
	char what[64];
	snprintf(what, sizeof what, "fwd %dx%d", M, N);
	gc_cmp("bias", what, got, ref, n, 0, 1e-6);
	free(got);
	/* bwd accumulates into a random dbias */
	float *g = hrand(n, -1, 1), *db0 = hrand(N, -1, 1), *dref = hdup(db0, N);
	float *dg = dup_dev(g, n * 4), *ddb = dup_dev(db0, N * 4);
	C->bias_bwd(dref, g, M, N);
	G->bias_bwd(ddb, dg, M, N);
	got = hdown(ddb, N);
	snprintf(what, sizeof what, "bwd %dx%d", M, N);
	gc_cmp("bias", what, got, dref, N, 1e-6, 1e-6);
	G->free(dout), G->free(dbias), G->free(dg), G->free(ddb);
	free(out), free(bias), free(ref), free(got), free(g), free(db0), free(dref);
}

static void t_axpy(size_t n)
{
	float *y = hrand(n, -1, 1), *x = hrand(n, -1, 1), *ref = hdup(y, n);
	float *dy = dup_dev(y, n * 4), *dx = dup_dev(x, n * 4);
	C->axpy(ref, x, -0.37f, n);
	G->axpy(dy, dx, -0.37f, n);
	float *got = hdown(dy, n);
	gc_cmp("axpy", "n odd", got, ref, n, 1e-7, 1e-6);
	G->free(dy), G->free(dx);
	free(y), free(x), free(ref), free(got);
}

static void t_dora(int M, int N)
{
	size_t n = (size_t)M * N;
	char what[64];
	/* colscale, beta 0 into poison, then beta 0.5 in place (out aliases x) */
	float *x = hrand(n, -1, 1), *g = hrand(N, -2, 2), *ref = hrand(n, NAN, NAN);
	float *dx = dup_dev(x, n * 4), *dg = dup_dev(g, N * 4), *dout = dpoison(n);
	C->colscale(ref, x, g, M, N, 0);
	G->colscale(dout, dx, dg, M, N, 0);
	float *got = hdown(dout, n);
	snprintf(what, sizeof what, "colscale %dx%d beta 0", M, N);
	gc_cmp("colscale", what, got, ref, n, 0, 1e-6);
	free(got);
	memcpy(ref, x, n * 4);
	C->colscale(ref, ref, g, M, N, 0.5f);
	G->colscale(dx, dx, dg, M, N, 0.5f);
	got = hdown(dx, n);
	snprintf(what, sizeof what, "colscale %dx%d beta .5 in place", M, N);
	gc_cmp("colscale", what, got, ref, n, 1e-7, 1e-6);
	free(got);
	/* colmul_sum accumulates */
	float *a = hrand(n, -1, 1), *b = hrand(n, -1, 1), *s0 = hrand(N, -1, 1), *sref = hdup(s0, N);
	float *da = dup_dev(a, n * 4), *db = dup_dev(b, n * 4), *ds = dup_dev(s0, N * 4);
	C->colmul_sum(sref, a, b, M, N);
	G->colmul_sum(ds, da, db, M, N);
	got = hdown(ds, N);
	snprintf(what, sizeof what, "colmul_sum %dx%d", M, N);
	gc_cmp("colmul_sum", what, got, sref, N, 1e-6, 1e-6);
	free(got);
	/* rownorm, div */
	float *rn = hrand(M, NAN, NAN), *drn = dpoison(M);
	C->rownorm(rn, a, M, N);
	G->rownorm(drn, da, M, N);
	got = hdown(drn, M);
	snprintf(what, sizeof what, "rownorm %dx%d", M, N);
	gc_cmp("rownorm", what, got, rn, M, 0, 1e-6);
	free(got);
	float *q = hrand(n, NAN, NAN), *b2 = hrand(n, 0.5f, 2), *db2 = dup_dev(b2, n * 4), *dq = dpoison(n);
	C->div(q, a, b2, n);
	G->div(dq, da, db2, n);
	got = hdown(dq, n);
	gc_cmp("div", "n odd", got, q, n, 0, 1e-6);
	free(got);
	G->free(dx), G->free(dg), G->free(dout), G->free(da), G->free(db), G->free(ds), G->free(drn), G->free(db2),
		G->free(dq);
	free(x), free(g), free(ref), free(a), free(b), free(s0), free(sref), free(rn), free(q), free(b2);
}

static void t_rmsnorm(int N, int Cc, float wo, int with_dw)
{
	size_t n = (size_t)N * Cc;
	char what[64];
	float *x = hrand(n, -2, 2), *w = hrand(Cc, -1, 1), *out = hrand(n, NAN, NAN), *r = hrand(N, NAN, NAN);
	float *dx_ = dup_dev(x, n * 4), *dw_ = dup_dev(w, Cc * 4), *dout = dpoison(n), *dr = dpoison(N);
	C->rmsnorm_fwd(out, r, x, w, N, Cc, 1e-6f, wo);
	G->rmsnorm_fwd(dout, dr, dx_, dw_, N, Cc, 1e-6f, wo);
	float *got = hdown(dout, n), *gotr = hdown(dr, N);
	snprintf(what, sizeof what, "fwd %dx%d wo %g", N, Cc, wo);
	gc_cmp("rmsnorm", what, got, out, n, 1e-6, 1e-6);
	snprintf(what, sizeof what, "fwd rstd %dx%d", N, Cc);
	gc_cmp("rmsnorm", what, gotr, r, N, 0, 1e-6);
	free(got), free(gotr);
	/* bwd from the CPU's rstd on both sides, accumulating into random dx, dw */
	float *dy = hrand(n, -1, 1), *gx = hrand(n, -1, 1), *gw = hrand(Cc, -1, 1);
	float *gxr = hdup(gx, n), *gwr = hdup(gw, Cc);
	float *ddy = dup_dev(dy, n * 4), *dgx = dup_dev(gx, n * 4), *dgw = dup_dev(gw, Cc * 4), *drr = dup_dev(r, N * 4);
	C->rmsnorm_bwd(gxr, with_dw ? gwr : NULL, dy, x, w, r, N, Cc, wo);
	G->rmsnorm_bwd(dgx, with_dw ? dgw : NULL, ddy, dx_, dw_, drr, N, Cc, wo);
	got = hdown(dgx, n);
	snprintf(what, sizeof what, "bwd dx %dx%d%s", N, Cc, with_dw ? "" : " (dw NULL)");
	gc_cmp("rmsnorm", what, got, gxr, n, 1e-6, 1e-6);
	free(got);
	got = hdown(dgw, Cc);
	snprintf(what, sizeof what, "bwd dw %dx%d", N, Cc);
	gc_cmp("rmsnorm", what, got, gwr, Cc, 1e-5, 1e-6);   /* with_dw 0: unchanged */
	free(got);
	G->free(dx_), G->free(dw_), G->free(dout), G->free(dr), G->free(ddy), G->free(dgx), G->free(dgw), G->free(drr);
	free(x), free(w), free(out), free(r), free(dy), free(gx), free(gw), free(gxr), free(gwr);
}

static void t_rope(int N, int H, int HD, int rd, float sc)
{
	size_t n = (size_t)N * H * HD;
	char what[64];
	int *pos = malloc(N * sizeof *pos);
	for (int i = 0; i < N; i++)
		pos[i] = (int)(gc_uniform() * 4096);
	float *inv = malloc(rd / 2 * sizeof *inv);
	for (int k = 0; k < rd / 2; k++)
		inv[k] = (float)pow(10000.0, -2.0 * k / rd);
	float *x = hrand(n, -1, 1), *ref = hdup(x, n);
	float *dx = dup_dev(x, n * 4), *dinv = dup_dev(inv, rd / 2 * 4);
	int *dpos = (int *)dup_dev(pos, N * 4);
	C->rope_fwd(ref, pos, inv, N, H, HD, rd, sc);
	G->rope_fwd(dx, dpos, dinv, N, H, HD, rd, sc);
	float *got = hdown(dx, n);
	snprintf(what, sizeof what, "fwd N%d H%d HD%d rot%d s%g", N, H, HD, rd, sc);
	gc_cmp("rope", what, got, ref, n, 2e-6, 1e-5);
	free(got);
	C->rope_bwd(ref, pos, inv, N, H, HD, rd, sc);
	G->rope_bwd(dx, dpos, dinv, N, H, HD, rd, sc);
	got = hdown(dx, n);
	snprintf(what, sizeof what, "bwd (after fwd) N%d H%d HD%d", N, H, HD);
	gc_cmp("rope", what, got, ref, n, 4e-6, 1e-5);
	G->free(dx), G->free(dinv), G->free(dpos);
	free(got), free(pos), free(inv), free(x), free(ref);
}

/* tc: with the matrix products on TF32 tensor cores, attention runs on them too (attention_tc.cu,
 * HD a multiple of 16 up to 128): TF32 operands round to 2^-11 relative, so scores of
 * magnitude ~10 carry ~5e-3 absolute error, which exp passes on as relative error of p; checked
 * by ||cuda - cpu|| / ||cpu|| <= 5e-3 for out and each gradient (the gradients' change), 1e-3
 * for lse (its error is the scores' absolute error, ~1e-3 here, and with a window of a few keys
 * lse is itself a score of order 1; measured 2.5e-4 at window 1). Not for window 1: there
 * every query sees only itself, p = 1 and dp = D exactly, so the exact dq and dk are 0 and
 * both backends return rounding noise (TF32's dp against float32 D: 2% "error" of noise). */
static void t_attention_mode(const int *lens, int nseq, int NH, int NKV, int HD, float softcap, int window,
			     float qscale, int tc);
static void t_attention(const int *lens, int nseq, int NH, int NKV, int HD, float softcap, int window, float qscale)
{
	t_attention_mode(lens, nseq, NH, NKV, HD, softcap, window, qscale, 0);
	if (HD % 16 == 0 && HD <= 128 && window != 1)
		t_attention_mode(lens, nseq, NH, NKV, HD, softcap, window, qscale, 1);
}

static void t_attention_mode(const int *lens, int nseq, int NH, int NKV, int HD, float softcap, int window,
			     float qscale, int tc)
{
	int *cu = malloc((nseq + 1) * sizeof *cu), maxlen = 0;
	cu[0] = 0;
	for (int s = 0; s < nseq; s++) {
		cu[s + 1] = cu[s] + lens[s];
		maxlen = lens[s] > maxlen ? lens[s] : maxlen;
	}
	int N = cu[nseq];
	size_t nq = (size_t)N * NH * HD, nk = (size_t)N * NKV * HD, nl = (size_t)N * NH;
	float scale = 1.0f / sqrtf((float)HD);
	char what[96];
	float *q = hrand(nq, -qscale, qscale), *k = hrand(nk, -qscale, qscale), *v = hrand(nk, -1, 1);
	float *out = hrand(nq, NAN, NAN), *lse = hrand(nl, NAN, NAN);
	float *dq_ = dup_dev(q, nq * 4), *dk_ = dup_dev(k, nk * 4), *dv_ = dup_dev(v, nk * 4);
	float *dout = dpoison(nq), *dlse = dpoison(nl);
	int *dcu = (int *)dup_dev(cu, (nseq + 1) * 4);
	C->attention_fwd(out, lse, q, k, v, cu, nseq, maxlen, N, NH, NKV, HD, scale, softcap, window);
	ops_cuda_set_matmul(tc ? CUDA_MM_TF32 : CUDA_MM_FP32);
	G->attention_fwd(dout, dlse, dq_, dk_, dv_, dcu, nseq, maxlen, N, NH, NKV, HD, scale, softcap, window);
	float *got = hdown(dout, nq), *gotl = hdown(dlse, nl);
	double mo = 0;
	for (size_t i = 0; i < nq; i++)
		mo = fabs(out[i]) > mo ? fabs(out[i]) : mo;
	snprintf(what, sizeof what, "fwd out N%d ns%d %d/%d HD%d cap%g win%d", N, nseq, NH, NKV, HD, softcap, window);
	if (tc)
		gc_cmp_norm("attn_tc_fwd", what, got, out, nq, 5e-3);
	else
		gc_cmp("attention_fwd", what, got, out, nq, 2e-5 * mo, 1e-4);
	snprintf(what, sizeof what, "fwd lse N%d HD%d", N, HD);
	if (tc)
		gc_cmp_norm("attn_tc_fwd", what, gotl, lse, nl, 1e-3);
	else
		gc_cmp("attention_fwd", what, gotl, lse, nl, 1e-5, 1e-5);
	free(got), free(gotl);
	/* backward from the CPU's out and lse, into random starting gradients */
	float *g = hrand(nq, -1, 1), *gq = hrand(nq, -1, 1), *gk = hrand(nk, -1, 1), *gv = hrand(nk, -1, 1);
	float *rq = hdup(gq, nq), *rk = hdup(gk, nk), *rv = hdup(gv, nk);
	float *dg = dup_dev(g, nq * 4), *dgq = dup_dev(gq, nq * 4), *dgk = dup_dev(gk, nk * 4), *dgv = dup_dev(gv, nk * 4);
	float *dO = dup_dev(out, nq * 4), *dL = dup_dev(lse, nl * 4);
	C->attention_bwd(rq, rk, rv, g, out, lse, q, k, v, cu, nseq, maxlen, N, NH, NKV, HD, scale, softcap, window);
	ops_cuda_set_matmul(tc ? CUDA_MM_TF32 : CUDA_MM_FP32);
	G->attention_bwd(dgq, dgk, dgv, dg, dO, dL, dq_, dk_, dv_, dcu, nseq, maxlen, N, NH, NKV, HD, scale, softcap,
			 window);
	ops_cuda_set_matmul(CUDA_MM_FP32);
	ops_cuda_set_matmul(CUDA_MM_FP32);
	const char *nm[3] = {"dq", "dk", "dv"};
	float *refs[3] = {rq, rk, rv}, *devs[3] = {dgq, dgk, dgv};
	size_t ns[3] = {nq, nk, nk};
	for (int t = 0; t < 3; t++) {
		/* the change from the random start, so the tolerance is relative to the gradient */
		float *start = t == 0 ? gq : t == 1 ? gk : gv;
		got = hdown(devs[t], ns[t]);
		double mg = 0;
		for (size_t i = 0; i < ns[t]; i++) {
			double d = fabs(refs[t][i] - start[i]);
			mg = d > mg ? d : mg;
		}
		snprintf(what, sizeof what, "bwd %s N%d %d/%d HD%d cap%g win%d", nm[t], N, NH, NKV, HD, softcap, window);
		if (tc) {   /* compare the changes, not the random starting values */
			for (size_t i = 0; i < ns[t]; i++) {
				got[i] -= start[i];
				refs[t][i] -= start[i];
			}
			gc_cmp_norm("attn_tc_bwd", what, got, refs[t], ns[t], 5e-3);
		} else {
			gc_cmp("attention_bwd", what, got, refs[t], ns[t], 1e-4 * mg + 1e-6, 1e-4);
		}
		free(got);
	}
	G->free(dq_), G->free(dk_), G->free(dv_), G->free(dout), G->free(dlse), G->free(dcu), G->free(dg),
		G->free(dgq), G->free(dgk), G->free(dgv), G->free(dO), G->free(dL);
	free(cu), free(q), free(k), free(v), free(out), free(lse), free(g), free(gq), free(gk), free(gv), free(rq),
		free(rk), free(rv);
}

static void t_glu(size_t n, act_t act)
{
	float *gate = hrand(n, -6, 6), *up = hrand(n, -2, 2), *out = hrand(n, NAN, NAN);
	float *dgate_ = dup_dev(gate, n * 4), *dup_ = dup_dev(up, n * 4), *dout = dpoison(n);
	const char *an = act == ACT_SILU ? "silu" : "gelu_tanh";
	char what[64];
	C->glu_fwd(out, gate, up, n, act);
	G->glu_fwd(dout, dgate_, dup_, n, act);
	float *got = hdown(dout, n);
	snprintf(what, sizeof what, "fwd %s", an);
	gc_cmp("glu", what, got, out, n, 1e-7, 1e-6);
	free(got);
	float *dy = hrand(n, -1, 1), *g0 = hrand(n, -1, 1), *u0 = hrand(n, -1, 1), *gr = hdup(g0, n), *ur = hdup(u0, n);
	float *ddy = dup_dev(dy, n * 4), *dg0 = dup_dev(g0, n * 4), *du0 = dup_dev(u0, n * 4);
	C->glu_bwd(gr, ur, dy, gate, up, n, act);
	G->glu_bwd(dg0, du0, ddy, dgate_, dup_, n, act);
	got = hdown(dg0, n);
	snprintf(what, sizeof what, "bwd dgate %s", an);
	gc_cmp("glu", what, got, gr, n, 1e-7, 1e-6);
	free(got);
	got = hdown(du0, n);
	snprintf(what, sizeof what, "bwd dup %s", an);
	gc_cmp("glu", what, got, ur, n, 1e-7, 1e-6);
	free(got);
	G->free(dgate_), G->free(dup_), G->free(dout), G->free(ddy), G->free(dg0), G->free(du0);
	free(gate), free(up), free(out), free(dy), free(g0), free(u0), free(gr), free(ur);
}

static void t_embedding(int V, int Cc, int N, float scale)
{
	int *ids = malloc(N * sizeof *ids);
	for (int i = 0; i < N; i++)
		ids[i] = (int)(gc_uniform() * V);   /* N > V: rows repeat */
	size_t nw = (size_t)V * Cc, n = (size_t)N * Cc;
	char what[64];
	float *w = hrand(nw, -1, 1), *out = hrand(n, NAN, NAN);
	float *dw = dup_dev(w, nw * 4), *dout = dpoison(n);
	int *dids = (int *)dup_dev(ids, N * 4);
	C->embedding_fwd(out, ids, w, N, Cc, scale);
	G->embedding_fwd(dout, dids, dw, N, Cc, scale);
	float *got = hdown(dout, n);
	snprintf(what, sizeof what, "fwd V%d C%d N%d s%.3g", V, Cc, N, scale);
	gc_cmp("embedding", what, got, out, n, 0, 0);
	free(got);
	/* bwd: atomics add repeats in any order: float32 rounding of a sum of ~N/V terms */
	float *g = hrand(n, -1, 1), *gw = hrand(nw, -1, 1), *gwr = hdup(gw, nw);
	float *dg = dup_dev(g, n * 4), *dgw = dup_dev(gw, nw * 4);
	C->embedding_bwd(gwr, g, ids, N, Cc, scale);
	G->embedding_bwd(dgw, dg, dids, N, Cc, scale);
	got = hdown(dgw, nw);
	snprintf(what, sizeof what, "bwd V%d C%d N%d", V, Cc, N);
	gc_cmp("embedding", what, got, gwr, nw, 1e-5 * scale, 1e-6);
	free(got);
	G->free(dw), G->free(dout), G->free(dids), G->free(dg), G->free(dgw);
	free(ids), free(w), free(out), free(g), free(gw), free(gwr);
}

static void t_softcap(size_t n, float cap)
{
	float *x = hrand(n, -100, 100), *ref = hdup(x, n), *dx = dup_dev(x, n * 4);
	C->softcap_fwd(ref, n, cap);
	G->softcap_fwd(dx, n, cap);
	float *got = hdown(dx, n);
	gc_cmp("softcap", "in place", got, ref, n, 1e-6, 1e-6);
	G->free(dx);
	free(x), free(ref), free(got);
}

static void t_xent(int N, int V, float softcap, int alias)
{
	size_t n = (size_t)N * V;
	char what[80];
	int *tg = malloc(N * sizeof *tg);
	for (int i = 0; i < N; i++)
		tg[i] = i % 5 == 3 ? -100 : (int)(gc_uniform() * V);
	float *l = hrand(n, -8, 8);
	if (softcap > 0)
		C->softcap_fwd(l, n, softcap);
	float *loss = hrand(N, NAN, NAN), *dl = dup_dev(l, n * 4), *dloss = dpoison(N);
	int *dtg = (int *)dup_dev(tg, N * 4);
	C->crossentropy_fwd(loss, l, tg, N, V);
	G->crossentropy_fwd(dloss, dl, dtg, N, V);
	float *got = hdown(dloss, N);
	snprintf(what, sizeof what, "fwd N%d V%d", N, V);
	gc_cmp("crossentropy", what, got, loss, N, 1e-6, 1e-6);
	free(got);
	float *ref = hrand(n, NAN, NAN), *dd = alias ? dl : dpoison(n);
	C->crossentropy_bwd(ref, l, tg, 0.37f, N, V, softcap);
	G->crossentropy_bwd(dd, dl, dtg, 0.37f, N, V, softcap);
	got = hdown(dd, n);
	snprintf(what, sizeof what, "bwd N%d V%d cap%g%s", N, V, softcap, alias ? " in place" : "");
	gc_cmp("crossentropy", what, got, ref, n, 1e-9, 1e-6);
	free(got);
	/* sum of the losses, as the model does */
	double s1 = C->sum(loss, N), s2 = G->sum(dloss, N);
	float a1 = (float)s1, a2 = (float)s2;
	gc_cmp("sum", "losses", &a2, &a1, 1, 0, 1e-6);
	if (!alias)
		G->free(dd);
	G->free(dl), G->free(dloss), G->free(dtg);
	free(tg), free(l), free(loss), free(ref);
}

static void t_dropout(size_t n, float p, uint64_t seed, int inplace)
{
	float *x = hrand(n, -1, 1), *ref = hrand(n, NAN, NAN), *dx = dup_dev(x, n * 4), *dout = inplace ? dx : dpoison(n);
	C->dropout(ref, x, n, p, seed);
	G->dropout(dout, dx, n, p, seed);
	float *got = hdown(dout, n);
	char what[64];
	snprintf(what, sizeof what, "p%g n%zu%s", p, n, inplace ? " in place" : "");
	gc_cmp("dropout", what, got, ref, n, 0, 0);   /* the same mask bit for bit */
	if (!inplace)
		G->free(dout);
	G->free(dx);
	free(x), free(ref), free(got);
}

/* NEFTune's noise: the same counter; one multiply-add per element (FMA on the GPU) */
static void t_uniform_noise(size_t n, float mag, uint64_t seed)
{
	float *x = hrand(n, -1, 1), *dx = dup_dev(x, n * 4);
	C->uniform_noise(x, n, mag, seed);
	G->uniform_noise(dx, n, mag, seed);
	float *got = hdown(dx, n);
	char what[64];
	snprintf(what, sizeof what, "mag%g n%zu", mag, n);
	gc_cmp("uniform_noise", what, got, x, n, 1e-7, 1e-6);
	G->free(dx);
	free(x), free(got);
}

/* AdamW: float32 weights, gradients, state; with a bf16 compute copy written from the updated
 * weights (ops_cuda_bf16) and a clipping factor; odd n (the vector kernel's tail) and an
 * offset start (its scalar path). Same float arithmetic element by element as the CPU: exact
 * up to sqrtf/division rounding (1 ulp). */
static void t_adamw(size_t n, size_t off, float gscale, int bf)
{
	const ops_t *B = bf ? &ops_cuda_bf16 : G;
	float *x = hrand(n + off, -1, 1), *g = hrand(n + off, -0.1f, 0.1f), *m = hrand(n + off, -0.01f, 0.01f),
	      *v = hrand(n + off, 0, 1e-3f);
	float *dx = dup_dev(x, (n + off) * 4), *dg = dup_dev(g, (n + off) * 4), *dm = dup_dev(m, (n + off) * 4),
	      *dv = dup_dev(v, (n + off) * 4);
	void *pc = bf ? B->alloc((n + off) * 2) : NULL;
	adamw_args_t a = {.decay = 1 - 1e-3f * 0.01f, .w1 = 0.1f, .b2 = 0.999f, .w2 = 0.001f, .step_size = 1e-3f / 0.19f,
			  .bc2_sqrt = sqrtf(0.001999f), .eps = 1e-8f, .gscale = gscale};
	C->adamw(x + off, NULL, g + off, m + off, v + off, n, &a);
	B->adamw(dx + off, pc ? (char *)pc + off * 2 : NULL, dg + off, dm + off, dv + off, n, &a);
	float *got = hdown(dx + off, n), *gm = hdown(dm + off, n);
	char what[64];
	snprintf(what, sizeof what, "n%zu off%zu gscale%g %s", n, off, gscale, bf ? "bf16" : "f32");
	gc_cmp("adamw", what, got, x + off, n, 1e-7, 1e-6);
	gc_cmp("adamw_m", what, gm, m + off, n, 1e-9, 1e-6);
	if (bf) {
		float *h = malloc(n * sizeof *h);
		B->download_f32(h, (char *)pc + off * 2, n);
		gc_cmp("adamw_bf16_copy", what, h, x + off, n, 0, 4e-3);   /* bf16 rounding: 2^-8 */
		free(h);
		B->free(pc);
	}
	G->free(dx), G->free(dg), G->free(dm), G->free(dv);
	free(x), free(g), free(m), free(v), free(got), free(gm);
}

/* bf16 kernels (ops_cuda_bf16) on bf16-rounded inputs against the CPU on the same values:
 * only the outputs' rounding to bf16 (2^-9 relative) and float-vs-double sums differ, so
 * ||got - ref|| / ||ref|| <= 1e-2. GLU and the loss have 16-byte vector paths (n, V multiples
 * of 8) and scalar ones. */
static void *bf_up(const float *h, size_t n)
{
	void *d = ops_cuda_bf16.alloc(n * 2);
	ops_cuda_bf16.upload_f32(d, h, n);
	return d;
}

static float *bf_down(const void *d, size_t n)
{
	float *h = malloc(n * sizeof *h);
	ops_cuda_bf16.download_f32(h, d, n);
	return h;
}

static void bf_round(float *h, size_t n)
{
	void *d = bf_up(h, n);
	ops_cuda_bf16.download_f32(h, d, n);
	ops_cuda_bf16.free(d);
}

static void t_bf16_glu(size_t n, act_t act)
{
	const ops_t *B = &ops_cuda_bf16;
	float *g = hrand(n, -4, 4), *u = hrand(n, -2, 2), *d = hrand(n, -1, 1), *dg = hrand(n, -1, 1), *du = hrand(n, -1, 1);
	bf_round(g, n), bf_round(u, n), bf_round(d, n), bf_round(dg, n), bf_round(du, n);
	float *o = malloc(n * sizeof *o);
	void *bg = bf_up(g, n), *bu = bf_up(u, n), *bd = bf_up(d, n), *bdg = bf_up(dg, n), *bdu = bf_up(du, n),
	     *bo = B->alloc(n * 2);
	C->glu_fwd(o, g, u, n, act);
	B->glu_fwd(bo, bg, bu, n, act);
	C->glu_bwd(dg, du, d, g, u, n, act);
	B->glu_bwd(bdg, bdu, bd, bg, bu, n, act);
	char what[64];
	snprintf(what, sizeof what, "n%zu %s", n, act == ACT_SILU ? "silu" : "gelu");
	float *h = bf_down(bo, n);
	gc_cmp_norm("bf16_glu_fwd", what, h, o, n, 1e-2);
	free(h);
	h = bf_down(bdg, n);
	gc_cmp_norm("bf16_glu_bwd", what, h, dg, n, 1e-2);
	free(h);
	h = bf_down(bdu, n);
	gc_cmp_norm("bf16_glu_bwd", what, h, du, n, 1e-2);
	free(h);
	B->free(bg), B->free(bu), B->free(bd), B->free(bdg), B->free(bdu), B->free(bo);
	free(g), free(u), free(d), free(dg), free(du), free(o);
}

static void t_bf16_xent(int N, int V, float softcap)
{
	const ops_t *B = &ops_cuda_bf16;
	size_t n = (size_t)N * V;
	float *l = hrand(n, -8, 8), *loss = malloc(N * sizeof *loss), *dl = malloc(n * sizeof *dl);
	bf_round(l, n);
	int *t = malloc(N * sizeof *t);
	for (int i = 0; i < N; i++)
		t[i] = i % 5 == 3 ? -100 : (int)(gc_uniform() * V);
	int *dt = (int *)dup_dev(t, N * sizeof *t);
	void *bl = bf_up(l, n);
	float *bloss = B->alloc(N * sizeof(float));
	C->crossentropy_fwd(loss, l, t, N, V);
	B->crossentropy_fwd(bloss, bl, dt, N, V);
	C->crossentropy_bwd(dl, l, t, 0.5f, N, V, softcap);
	B->crossentropy_bwd(bl, bl, dt, 0.5f, N, V, softcap);
	char what[64];
	snprintf(what, sizeof what, "N%d V%d cap%g", N, V, softcap);
	float *h = hdown(bloss, N);
	gc_cmp("bf16_xent_fwd", what, h, loss, N, 1e-4, 1e-4);
	free(h);
	h = bf_down(bl, n);
	gc_cmp_norm("bf16_xent_bwd", what, h, dl, n, 1e-2);
	free(h);
	B->free(bl), B->free(bloss), G->free(dt);
	free(l), free(loss), free(dl), free(t);
}

/* argmax_rows (token accuracy) on float32 and on bf16 rows: exactly the CPU's index, the first
 * of equal maxima; bf16 rows round to few distinct values (ties), and some rows get a planted
 * tie of their maximum at a later column. */
static void t_argmax(int N, int V, int bf)
{
	const ops_t *B = bf ? &ops_cuda_bf16 : G;
	size_t n = (size_t)N * V;
	float *x = hrand(n, -8, 8);
	if (bf)
		bf_round(x, n);
	for (int i = 0; i < N; i += 3) {   /* a tie: the row's maximum again further right */
		float *row = x + (size_t)i * V;
		int best = 0;
		for (int v = 1; v < V; v++)
			best = row[v] > row[best] ? v : best;
		row[(best + 1 + i) % V] = row[best];
	}
	int *want = malloc(N * sizeof *want), *got = malloc(N * sizeof *got);
	C->argmax_rows(want, x, N, V);
	void *dx = bf ? bf_up(x, n) : dup_dev(x, n * 4);
	int *dout = B->alloc(N * sizeof(int));
	B->argmax_rows(dout, dx, N, V);
	B->download(got, dout, N * sizeof(int));
	float bad = 0, zero = 0;
	for (int i = 0; i < N; i++)
		bad += got[i] != want[i];
	char what[64];
	snprintf(what, sizeof what, "N%d V%d %s (rows off)", N, V, bf ? "bf16" : "f32");
	gc_cmp("argmax_rows", what, &bad, &zero, 1, 0, 0);
	B->free(dx), B->free(dout);
	free(x), free(want), free(got);
}

/* bf16 device copy of n host floats, off elements into a buffer of n + off, which *base gets
 * (to free): off % 8 != 0 leaves it off 16-byte alignment, where the vector kernels fall back */
static void *bf_up_at(const float *h, size_t n, size_t off, void **base)
{
	*base = ops_cuda_bf16.alloc((n + off) * 2);
	void *d = (char *)*base + off * 2;
	ops_cuda_bf16.upload_f32(d, h, n);
	return d;
}

/* bf16 RMSNorm on bf16-rounded inputs against the CPU on the same values, element by element
 * (so one wrong element fails). Vector path for C % 8 == 0, C <= 16384 and 16-byte aligned
 * tensors: a group of lanes per row for C <= 256, a block per row above; the scalar kernels
 * otherwise (`path` says which the case means to reach). Tolerances:
 *  - rstd: float sums in a different order from the CPU's double: a row's sum of squares passes
 *    through at most ~72 float additions (64 in a thread at C 16384, 8 in the tree), 6e-8
 *    relative each, halved by the square root: rtol 1e-5.
 *  - outputs rounded to bf16: at most 2^-8 = 3.9e-3 relative, plus rstd's 5e-6: rtol 4e-3;
 *    the backward's r g dy - k x cancels near 0, where the float dot product's rounding (a few
 *    1e-6 at worst) is absolute: atol 3e-5 (values are O(1), so a wrong element still fails). */
static void t_bf16_rmsnorm(int N, int Cc, float wo, size_t off, const char *path)
{
	const ops_t *B = &ops_cuda_bf16;
	size_t n = (size_t)N * Cc;
	char what[96];
	float *x = hrand(n, -2, 2), *w = hrand(Cc, -1, 1), *dy = hrand(n, -1, 1), *gx = hrand(n, -1, 1);
	bf_round(x, n), bf_round(w, Cc), bf_round(dy, n), bf_round(gx, n);
	float *out = hrand(n, NAN, NAN), *r = hrand(N, NAN, NAN), *gxr = hdup(gx, n);
	void *b1, *b2, *b3, *b4, *b5;
	void *bx = bf_up_at(x, n, off, &b1), *bw = bf_up_at(w, Cc, off, &b2), *bo = bf_up_at(out, n, off, &b3);
	void *bdy = bf_up_at(dy, n, off, &b4), *bgx = bf_up_at(gx, n, off, &b5);
	float *dr = dpoison(N);
	C->rmsnorm_fwd(out, r, x, w, N, Cc, 1e-6f, wo);
	B->rmsnorm_fwd(bo, dr, bx, bw, N, Cc, 1e-6f, wo);
	float *got = bf_down(bo, n), *gotr = hdown(dr, N);
	snprintf(what, sizeof what, "fwd %dx%d wo%g off%zu: %s", N, Cc, wo, off, path);
	gc_cmp("bf16_rmsnorm", what, got, out, n, 1e-6, 4e-3);
	snprintf(what, sizeof what, "fwd rstd %dx%d: %s", N, Cc, path);
	gc_cmp("bf16_rmsnorm", what, gotr, r, N, 0, 1e-5);
	free(got), free(gotr);
	/* bwd from the CPU's rstd on both sides, accumulating into the same random dx */
	float *drr = dup_dev(r, N * 4);
	C->rmsnorm_bwd(gxr, NULL, dy, x, w, r, N, Cc, wo);
	B->rmsnorm_bwd(bgx, NULL, bdy, bx, bw, drr, N, Cc, wo);
	got = bf_down(bgx, n);
	snprintf(what, sizeof what, "bwd dx %dx%d wo%g off%zu: %s", N, Cc, wo, off, path);
	gc_cmp("bf16_rmsnorm", what, got, gxr, n, 3e-5, 4e-3);
	free(got);
	B->free(b1), B->free(b2), B->free(b3), B->free(b4), B->free(b5), G->free(dr), G->free(drr);
	free(x), free(w), free(dy), free(gx), free(out), free(r), free(gxr);
}

/* bf16 RoPE, forward and backward each from the same bf16-rounded input as the CPU, element by
 * element. Vector path for rot_dim/2 and HD multiples of 8 and x 16-byte aligned, a thread
 * taking 8 pairs for a group of 1 to 8 heads (8 at N 4096 and 32 heads, 4 at 8 heads; 1 for
 * small N); the scalar kernel otherwise. Tolerance: rope's float one (cosf/sinf ulps, atol
 * 2e-6) plus the outputs' rounding to bf16, at most 2^-8 = 3.9e-3 relative: rtol 4e-3. */
static void t_bf16_rope(int N, int H, int HD, int rd, float sc, size_t off, const char *path)
{
	const ops_t *B = &ops_cuda_bf16;
	size_t n = (size_t)N * H * HD;
	char what[96];
	int *pos = malloc(N * sizeof *pos);
	for (int i = 0; i < N; i++)
		pos[i] = (int)(gc_uniform() * 4096);
	float *inv = malloc(rd / 2 * sizeof *inv);
	for (int k = 0; k < rd / 2; k++)
		inv[k] = (float)pow(10000.0, -2.0 * k / rd);
	float *x = hrand(n, -1, 1);
	bf_round(x, n);
	float *rf = hdup(x, n), *rb = hdup(x, n);
	void *b1, *b2;
	void *bf = bf_up_at(x, n, off, &b1), *bb = bf_up_at(x, n, off, &b2);
	float *dinv = dup_dev(inv, rd / 2 * 4);
	int *dpos = (int *)dup_dev(pos, N * 4);
	C->rope_fwd(rf, pos, inv, N, H, HD, rd, sc);
	B->rope_fwd(bf, dpos, dinv, N, H, HD, rd, sc);
	C->rope_bwd(rb, pos, inv, N, H, HD, rd, sc);
	B->rope_bwd(bb, dpos, dinv, N, H, HD, rd, sc);
	float *got = bf_down(bf, n);
	snprintf(what, sizeof what, "fwd N%d H%d HD%d rot%d s%g off%zu: %s", N, H, HD, rd, sc, off, path);
	gc_cmp("bf16_rope", what, got, rf, n, 2e-6, 4e-3);
	free(got);
	got = bf_down(bb, n);
	snprintf(what, sizeof what, "bwd N%d H%d HD%d rot%d s%g off%zu: %s", N, H, HD, rd, sc, off, path);
	gc_cmp("bf16_rope", what, got, rb, n, 2e-6, 4e-3);
	free(got);
	B->free(b1), B->free(b2), G->free(dinv), G->free(dpos);
	free(pos), free(inv), free(x), free(rf), free(rb);
}

/* generation: n new queries at positions past.. against a cache of past + n keys (the
 * simple kernel accumulates in float, the CPU in double: attention_fwd's tolerance) */
static void t_attention_kv(int n, int past, int NH, int NKV, int HD, float softcap, int window)
{
	int T = past + n;
	size_t nq = (size_t)n * NH * HD, nk = (size_t)T * NKV * HD;
	float scale = 1.0f / sqrtf((float)HD);
	float *q = hrand(nq, -2, 2), *k = hrand(nk, -2, 2), *v = hrand(nk, -1, 1), *out = hrand(nq, NAN, NAN);
	float *dq_ = dup_dev(q, nq * 4), *dk_ = dup_dev(k, nk * 4), *dv_ = dup_dev(v, nk * 4), *dout = dpoison(nq);
	C->attention_kv_fwd(out, q, k, v, n, past, NH, NKV, HD, scale, softcap, window);
	G->attention_kv_fwd(dout, dq_, dk_, dv_, n, past, NH, NKV, HD, scale, softcap, window);
	float *got = hdown(dout, nq);
	double mo = 0;
	for (size_t i = 0; i < nq; i++)
		mo = fabs(out[i]) > mo ? fabs(out[i]) : mo;
	char what[96];
	snprintf(what, sizeof what, "n%d past%d %d/%d HD%d cap%g win%d", n, past, NH, NKV, HD, softcap, window);
	gc_cmp("attention_kv_fwd", what, got, out, nq, 2e-5 * mo, 1e-4);
	G->free(dq_), G->free(dk_), G->free(dv_), G->free(dout);
	free(q), free(k), free(v), free(out), free(got);
}

static void t_sum(size_t n)
{
	float *x = hrand(n, -1, 1), *dx = dup_dev(x, n * 4);
	double a = C->sum(x, n), b = G->sum(dx, n);
	/* both in double: the difference is double rounding, far below float */
	float fa = (float)a, fb = (float)b;
	gc_cmp("sum", "n 1000003", &fb, &fa, 1, 1e-9, 1e-9);
	a = C->sumsq(x + 1, n - 1), b = G->sumsq(dx + 1, n - 1);   /* unaligned: the scalar path */
	fa = (float)a, fb = (float)b;
	gc_cmp("sumsq", "n 1000002 offset 1", &fb, &fa, 1, 1e-9, 1e-9);
	a = C->sumsq(x, n), b = G->sumsq(dx, n);
	fa = (float)a, fb = (float)b;
	gc_cmp("sumsq", "n 1000003", &fb, &fa, 1, 1e-9, 1e-9);
	G->free(dx);
	free(x);
}

/* AdamW on split masters (ops.h split_put/split_join; ops_cuda_bf16.adamw_split): float32
 * weights split on the host into the bf16 compute copy and low halves, the gradient float32 or
 * bf16 (half), against the CPU's float32 AdamW on the joined weights and the same gradient
 * values: the same float arithmetic element by element, so as t_adamw (1 ulp of sqrtf and
 * division); each pair must be canonical (hi exactly split_put's rounding of the weight the pair
 * holds, or join would not give it back after the next update). odd n and an
 * offset exercise the scalar path. Also the bf16 sum of squares (sumsq_h), in double. */
static void t_adamw_split(size_t n, size_t off, float gscale, int half)
{
	const ops_t *B = &ops_cuda_bf16;
	size_t t = n + off;
	float *x = hrand(t, -1, 1), *g = hrand(t, -0.1f, 0.1f), *m = hrand(t, -0.01f, 0.01f), *v = hrand(t, 0, 1e-3f);
	uint16_t *hi = malloc(t * 2), *lo = malloc(t * 2), *gh = malloc(t * 2);
	for (size_t k = 0; k < t; k++) {
		uint16_t dummy;
		split_put(x[k], &hi[k], &lo[k]);
		x[k] = split_join(hi[k], lo[k]);   /* exact: checks the pair too */
		if (half) {   /* bf16 gradient: the CPU gets the same values */
			split_put(g[k], &gh[k], &dummy);
			g[k] = split_join(gh[k], 0);
		}
	}
	void *dhi = B->alloc(t * 2), *dlo = B->alloc(t * 2), *dgh = B->alloc(t * 2);
	B->upload(dhi, hi, t * 2);
	B->upload(dlo, lo, t * 2);
	B->upload(dgh, gh, t * 2);
	float *dg = dup_dev(g, t * 4), *dm = dup_dev(m, t * 4), *dv = dup_dev(v, t * 4);
	adamw_args_t a = {.decay = 1 - 1e-3f * 0.01f, .w1 = 0.1f, .b2 = 0.999f, .w2 = 0.001f, .step_size = 1e-3f / 0.19f,
			  .bc2_sqrt = sqrtf(0.001999f), .eps = 1e-8f, .gscale = gscale};
	C->adamw(x + off, NULL, g + off, m + off, v + off, n, &a);
	B->adamw_split((char *)dhi + off * 2, (uint16_t *)dlo + off, half ? NULL : dg + off,
		       half ? (const void *)((char *)dgh + off * 2) : NULL, dm + off, dv + off, n, &a);
	B->download(hi, dhi, t * 2);
	B->download(lo, dlo, t * 2);
	float *got = malloc(n * sizeof *got), *gm = hdown(dm + off, n);
	int copies = 0;
	for (size_t k = 0; k < n; k++) {
		got[k] = split_join(hi[off + k], lo[off + k]);
		uint16_t eh, el;
		split_put(got[k], &eh, &el);
		copies += eh != hi[off + k] || el != lo[off + k];
	}
	char what[80];
	snprintf(what, sizeof what, "n%zu off%zu gscale%g %s gradient", n, off, gscale, half ? "bf16" : "f32");
	gc_cmp("adamw_split", what, got, x + off, n, 1e-7, 1e-6);
	gc_cmp("adamw_split_m", what, gm, m + off, n, 1e-9, 1e-6);
	float fc = (float)copies, zero = 0;
	gc_cmp("adamw_split_copy_mismatches", what, &fc, &zero, 1, 0, 0);
	if (half) {   /* the sum of squares of the bf16 gradient */
		double want = 0;
		for (size_t k = 0; k < n; k++)
			want += (double)g[off + k] * g[off + k];
		float fw = (float)want, fg = (float)B->sumsq_h((char *)dgh + off * 2, n);
		gc_cmp("sumsq_bf16", what, &fg, &fw, 1, 1e-9, 1e-9);
	}
	B->free(dhi), B->free(dlo), B->free(dgh), G->free(dg), G->free(dm), G->free(dv);
	free(x), free(g), free(m), free(v), free(hi), free(lo), free(gh), free(got), free(gm);
}

/* bitsandbytes' 8-bit AdamW (ops.h adamw8) through optim.c's adamw_step, against the CPU's
 * loops on the same weights and gradients, 3 steps: bit for bit (weights, codes, block maxima,
 * the small parameter's float32 moments), as the kernel rounds every operation as the host
 * does. Parameters: 10000 elements (40 blocks, the last partial) with a NaN and an inf gradient
 * in it, 100000 (vector-sized), and 1000 (under min_8bit_size: float32 moments); weight decay
 * 0.01, clipping factors 0.5, 1, 0.25. bf: on ops_cuda_bf16, split masters and bf16
 * gradients (the CPU gets the same values). */
static void t_adamw8(int bf)
{
	const ops_t *B = bf ? &ops_cuda_bf16 : G;
	enum { NP = 3 };
	size_t n[NP] = {10000, 100000, 1000};
	param_t pc[NP], pg[NP], *ppc[NP], *ppg[NP];
	float *hx[NP], *hg[NP];
	for (int i = 0; i < NP; i++) {
		memset(&pc[i], 0, sizeof pc[i]);
		snprintf(pc[i].name, sizeof pc[i].name, "w%d", i);
		pc[i].ndim = 1, pc[i].shape[0] = (int64_t)n[i], pc[i].numel = n[i];
		pg[i] = pc[i];
		hx[i] = hrand(n[i], -1, 1);
		hg[i] = malloc(n[i] * sizeof(float));
		pc[i].data = malloc(n[i] * sizeof(float));
		pc[i].grad = malloc(n[i] * sizeof(float));
		if (bf) {   /* split masters: the CPU starts from the joined weights */
			uint16_t *hi = malloc(n[i] * 2), *lo = malloc(n[i] * 2);
			for (size_t k = 0; k < n[i]; k++) {
				split_put(hx[i][k], &hi[k], &lo[k]);
				hx[i][k] = split_join(hi[k], lo[k]);
			}
			pg[i].data = B->alloc(n[i] * 2);
			pg[i].lo = B->alloc(n[i] * 2);
			B->upload(pg[i].data, hi, n[i] * 2);
			B->upload(pg[i].lo, lo, n[i] * 2);
			pg[i].gradh = B->alloc(n[i] * 2);
			free(hi), free(lo);
		} else {
			pg[i].data = dup_dev(hx[i], n[i] * 4);
			pg[i].grad = B->alloc(n[i] * 4);
		}
		memcpy(pc[i].data, hx[i], n[i] * sizeof(float));
		ppc[i] = &pc[i], ppg[i] = &pg[i];
	}
	adamw_t oc, og;
	adamw_init(&oc, C, ppc, NP, 0.9, 0.999, 1e-8, 0.01);
	adamw_init(&og, B, ppg, NP, 0.9, 0.999, 1e-8, 0.01);
	adamw_set_8bit(&oc);
	adamw_set_8bit(&og);
	float gs[3] = {0.5f, 1.0f, 0.25f};
	char what[80];
	for (int step = 0; step < 3; step++) {
		for (int i = 0; i < NP; i++) {
			for (size_t k = 0; k < n[i]; k++)
				hg[i][k] = (float)(gc_uniform() * 0.2 - 0.1);
			if (i == 0) {
				hg[i][77] = NAN;
				hg[i][5000] = INFINITY;
			}
			if (bf) {
				uint16_t *h = malloc(n[i] * 2), dummy;
				for (size_t k = 0; k < n[i]; k++) {
					split_put(hg[i][k], &h[k], &dummy);
					if (isnan(hg[i][k]))
						h[k] = 0x7fc0;   /* a quiet NaN, not the rounding of one */
					hg[i][k] = split_join(h[k], 0);
					if (isnan(hg[i][k]))
						hg[i][k] = NAN;
				}
				B->upload(pg[i].gradh, h, n[i] * 2);
				free(h);
			} else {
				B->upload(pg[i].grad, hg[i], n[i] * 4);
			}
			memcpy(pc[i].grad, hg[i], n[i] * sizeof(float));
		}
		oc.gscale = og.gscale = gs[step];
		adamw_step(&oc, 1e-3);
		adamw_step(&og, 1e-3);
		adamw8_to_host(&og);
		for (int i = 0; i < NP; i++) {
			float *got = malloc(n[i] * sizeof *got), bad = 0, zero = 0;
			if (bf) {
				uint16_t *hi = malloc(n[i] * 2), *lo = malloc(n[i] * 2);
				B->download(hi, pg[i].data, n[i] * 2);
				B->download(lo, pg[i].lo, n[i] * 2);
				for (size_t k = 0; k < n[i]; k++)
					got[k] = split_join(hi[k], lo[k]);
				free(hi), free(lo);
			} else {
				B->download(got, pg[i].data, n[i] * 4);
			}
			bad += memcmp(got, pc[i].data, n[i] * 4) != 0;
			if (oc.c1[i]) {
				size_t nb = (n[i] + OPTIM_8BIT_BLOCK - 1) / OPTIM_8BIT_BLOCK;
				bad += memcmp(oc.c1[i], og.c1[i], n[i]) != 0;
				bad += memcmp(oc.c2[i], og.c2[i], n[i]) != 0;
				bad += memcmp(oc.absmax1[i], og.absmax1[i], nb * 4) != 0;
				bad += memcmp(oc.absmax2[i], og.absmax2[i], nb * 4) != 0;
			} else {
				float *m0 = malloc(n[i] * 4), *v0 = malloc(n[i] * 4), *m1 = malloc(n[i] * 4), *v1 = malloc(n[i] * 4);
				adamw_state_get(&oc, i, m0, v0);
				adamw_state_get(&og, i, m1, v1);
				bad += memcmp(m0, m1, n[i] * 4) != 0;
				bad += memcmp(v0, v1, n[i] * 4) != 0;
				free(m0), free(v0), free(m1), free(v1);
			}
			snprintf(what, sizeof what, "%s n%zu step %d (tensors off)", bf ? "bf16 split" : "f32", n[i], step + 1);
			gc_cmp("adamw8", what, &bad, &zero, 1, 0, 0);
			free(got);
		}
	}
	adamw_free(&oc);
	adamw_free(&og);
	for (int i = 0; i < NP; i++) {
		free(pc[i].data), free(pc[i].grad), free(hx[i]), free(hg[i]);
		B->free(pg[i].data);
		if (bf)
			B->free(pg[i].lo), B->free(pg[i].gradh);
		else
			B->free(pg[i].grad);
	}
}

int main(void)
{
	ops_cpu_min_parallel = 1 << 16;
	t_memory();
	int mm[][3] = {{37, 53, 71}, {128, 96, 300}, {1, 7, 1}, {64, 1, 513}, {5, 3, 0}, {257, 129, 2049}};
	for (size_t i = 0; i < sizeof mm / sizeof *mm; i++)
		for (int ta = 0; ta < 2; ta++)
			for (int tb = 0; tb < 2; tb++) {
				t_matmul(mm[i][0], mm[i][1], mm[i][2], ta, tb, 1.0f, 0.0f, CUDA_MM_FP32);
				t_matmul(mm[i][0], mm[i][1], mm[i][2], ta, tb, 0.7f, 0.3f, CUDA_MM_FP32);
			}
	for (int ta = 0; ta < 2; ta++)
		for (int tb = 0; tb < 2; tb++) {
			t_matmul(257, 129, 2049, ta, tb, 1.0f, 1.0f, CUDA_MM_TF32);
			t_matmul(257, 129, 2049, ta, tb, 1.0f, 1.0f, CUDA_MM_BF16);
		}
	t_bias(37, 53);
	t_bias(4099, 129);
	t_axpy(100003);
	t_dora(37, 53);
	t_dora(513, 2051);
	t_rmsnorm(37, 2051, 0, 1);
	t_rmsnorm(301, 16, 1, 1);
	t_rmsnorm(99, 128, 0, 0);
	t_rope(67, 5, 64, 64, 1.0f);
	t_rope(33, 3, 80, 40, 0.9f);
	t_rope(41, 2, 256, 256, 1.0f);
	{
		int a[] = {5, 32, 63, 29, 1};
		t_attention(a, 5, 4, 2, 16, 0, 0, 2);
		int b[] = {70, 45};
		t_attention(b, 2, 8, 1, 64, 50.0f, 8, 3);
		int c[] = {300};
		t_attention(c, 1, 4, 4, 128, 0, 0, 2);
		int d[] = {70, 3};
		t_attention(d, 2, 2, 1, 256, 20.0f, 0, 2);
		int e[] = {97, 40, 33};
		t_attention(e, 3, 6, 3, 80, 0, 33, 2);
		int l1[] = {1000, 77};
		t_attention(l1, 2, 8, 2, 64, 0, 0, 2);
		int l2[] = {700};
		t_attention(l2, 1, 4, 1, 128, 30.0f, 200, 2);
		int f[] = {129};
		t_attention(f, 1, 4, 2, 96, 0, 1, 2);   /* window 1: each query sees itself */
	}
	t_glu(100003, ACT_SILU);
	t_glu(100003, ACT_GELU_TANH);
	t_embedding(97, 67, 301, 1.0f);
	t_embedding(1000, 64, 513, 8.0f);
	t_softcap(100003, 30.0f);
	t_xent(37, 32001, 0, 0);
	t_xent(9, 128256, 30.0f, 1);
	t_xent(64, 256, 0, 1);
	t_dropout(100003, 0.1f, 12345, 0);
	t_dropout(100003, 0.5f, 0xdeadbeefcafeull, 1);
	t_uniform_noise(100003, 0.05f, 77);
	t_adamw(100003, 0, 1.0f, 0);
	t_adamw(4096, 3, 0.5f, 0);
	t_adamw(100003, 0, 0.25f, 1);
	t_adamw(1001, 1, 1.0f, 1);
	t_adamw_split(1 << 20, 0, 1.0f, 1);   /* vector path, bf16 gradient */
	t_adamw_split(100003, 0, 0.25f, 0);   /* float32 gradient, a tail */
	t_adamw_split(1001, 3, 0.5f, 1);      /* offset: scalar path */
	t_adamw8(0);
	t_adamw8(1);
	t_bf16_glu(1 << 20, ACT_SILU);       /* vector path */
	t_bf16_glu(1 << 20, ACT_GELU_TANH);
	t_bf16_glu(100003, ACT_SILU);        /* scalar path */
	t_bf16_xent(37, 128256, 0);          /* vector path, Llama 3's vocabulary */
	t_bf16_xent(37, 32000, 30.0f);
	t_bf16_xent(9, 1001, 0);             /* scalar path */
	t_argmax(37, 128256, 1);
	t_argmax(100, 1001, 1);
	t_argmax(64, 32000, 0);
	t_argmax(5, 7, 0);
	/* bf16 RMSNorm: the vector kernels' layouts, then each reason to fall back */
	t_bf16_rmsnorm(4096, 2048, 0, 0, "vec block nv1 (the profiled shape)");
	t_bf16_rmsnorm(33, 2304, 1, 0, "vec block nv2, 160 threads, slots idle");
	t_bf16_rmsnorm(17, 5120, 0, 8, "vec block nv4, aligned offset");
	t_bf16_rmsnorm(5, 16384, 0, 0, "vec block nv8");
	t_bf16_rmsnorm(301, 264, 0, 0, "vec block nv1, 64 threads for 33");
	t_bf16_rmsnorm(32768, 64, 0, 0, "vec group g8 (q/k norm)");
	t_bf16_rmsnorm(1001, 64, 1, 0, "vec group g8, last block part empty");
	t_bf16_rmsnorm(515, 128, 0, 0, "vec group g16");
	t_bf16_rmsnorm(100, 256, 1, 0, "vec group g32");
	t_bf16_rmsnorm(77, 24, 0, 0, "vec group g4, 3 lanes used");
	t_bf16_rmsnorm(50, 8, 0, 0, "vec group g1");
	t_bf16_rmsnorm(9, 16392, 0, 0, "fallback C > 16384");
	t_bf16_rmsnorm(37, 2051, 0, 0, "fallback C % 8, block");
	t_bf16_rmsnorm(301, 100, 1, 0, "fallback C % 8, warp");
	t_bf16_rmsnorm(64, 2048, 0, 4, "fallback unaligned, block");
	t_bf16_rmsnorm(200, 64, 0, 4, "fallback unaligned, warp");
	/* bf16 RoPE */
	t_bf16_rope(4096, 32, 64, 64, 1.0f, 0, "vec 8 heads a thread (profiled q)");
	t_bf16_rope(4096, 8, 64, 64, 1.0f, 0, "vec 4 heads a thread (profiled k)");
	t_bf16_rope(4096, 12, 64, 64, 0.9f, 0, "vec groups of 8 and 4 heads");
	t_bf16_rope(2048, 32, 128, 128, 1.0f, 0, "vec HD128, 8 heads a thread");
	t_bf16_rope(67, 32, 128, 128, 1.0f, 0, "vec HD128, 1 head a thread");
	t_bf16_rope(41, 8, 256, 256, 1.0f, 8, "vec HD256, aligned offset");
	t_bf16_rope(1000, 8, 128, 64, 1.0f, 0, "vec partial rotary 64 of 128");
	t_bf16_rope(4096, 8, 80, 32, 1.0f, 0, "vec partial 32 of 80, 2 heads");
	t_bf16_rope(513, 5, 64, 64, 1.0f, 0, "vec 5 heads");
	t_bf16_rope(67, 5, 64, 24, 1.0f, 0, "fallback rot/2 % 8");
	t_bf16_rope(33, 3, 80, 40, 0.9f, 0, "fallback rot/2 % 8, partial");
	t_bf16_rope(45, 4, 100, 32, 1.0f, 0, "fallback HD % 8");
	t_bf16_rope(4096, 8, 64, 64, 1.0f, 4, "fallback unaligned");
	t_attention_kv(17, 0, 4, 2, 16, 0, 0);        /* a prompt */
	t_attention_kv(1, 300, 8, 2, 64, 50.0f, 8);   /* one token, softcap, sliding window */
	t_attention_kv(3, 1000, 4, 1, 256, 0, 0);
	t_sum(1000003);
	ops_cuda_sync();
	return gc_table("ops_cuda vs ops_cpu") ? 1 : 0;
}
