/* test_flash: the bf16 FlashAttention kernels (kernels/flash_attn.cu) against the CPU oracle
 * (ops_cpu.attention_fwd/bwd, float32 with double sums) run on the same bf16-rounded inputs
 * converted to float. Random inputs, fresh for every case; out and lse poisoned with NaN before
 * the run; gradients accumulated into random bf16 starting values (so += is checked) and the
 * change compared. Exit status 1 if any check failed. Runs on the GPU machine.
 *
 *   test_flash           every correctness case, a table last
 *   test_flash --quick   four small cases (for compute-sanitizer)
 *   test_flash --bench   timing: N=4096 as one sample and as 4 x 1024, NH 32, NKV 8, HD 64 and 128,
 *                        best of 5, forward and backward, against attention_tc (TF32, float32)
 *
 * Tolerance: max |gpu - cpu| <= 1e-2 max |cpu| per tensor (out, dq, dk, dv). Reasons: the
 * outputs are bf16 (rounding 2^-9 relative, 2e-3); P is cast to bf16 for the P V product and
 * dS for dK, dQ (2^-9 relative per term, random in sign, so sums keep ~2^-9 relative); the
 * gradients are compared as changes from starting values of up to half their magnitude, whose
 * bf16 sum rounds to 2^-9 of 1.5 max|ref| (3e-3). Together under 1e-2 with room, while a wrong
 * mask, a lost tile or a wrong index gives errors of order 1. lse is float32 from float32 sums
 * of exact bf16 products: |err| <= 1e-3 absolute (it is the log of a sum; measured errors are
 * ~1e-6). ||err|| / ||ref|| is printed too. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cuda_runtime_api.h>

#include "flash_attn.h"
#include "gpu_check.h"

static uint16_t f2bf(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	if ((u & 0x7fffffffu) > 0x7f800000u)
		return 0x7fc0;
	u += 0x7fffu + ((u >> 16) & 1);   // round to nearest even
	return (uint16_t)(u >> 16);
}

static float bf2f(uint16_t b)
{
	uint32_t u = (uint32_t)b << 16;
	float f;
	memcpy(&f, &u, 4);
	return f;
}

/* n random values in [lo, hi) rounded to bf16: the bf16 bits in *bits, their float values returned */
static float *brand(size_t n, float lo, float hi, uint16_t **bits)
{
	float *f = hrand(n, lo, hi);
	uint16_t *b = malloc((n ? n : 1) * sizeof *b);
	for (size_t i = 0; i < n; i++) {
		b[i] = f2bf(f[i]);
		f[i] = bf2f(b[i]);
	}
	*bits = b;
	return f;
}

static void *dev_bits(const uint16_t *b, size_t n) { return dup_dev(b, n * 2); }

static float *down_bf(const void *d, size_t n)
{
	uint16_t *b = malloc((n ? n : 1) * 2);
	ops_cuda.download(b, d, n * 2);
	float *f = malloc((n ? n : 1) * sizeof *f);
	for (size_t i = 0; i < n; i++)
		f[i] = bf2f(b[i]);
	free(b);
	return f;
}

static double maxabs(const float *x, size_t n)
{
	double m = 0;
	for (size_t i = 0; i < n; i++)
		m = fabs(x[i]) > m ? fabs(x[i]) : m;
	return m;
}

static int check(const char *op, const char *what, const float *got, const float *ref, size_t n, double tol)
{
	double mr = maxabs(ref, n), num = 0, den = 0;
	for (size_t i = 0; i < n; i++) {
		double d = (double)got[i] - ref[i];
		num += d * d;
		den += (double)ref[i] * ref[i];
	}
	char w[160];
	snprintf(w, sizeof w, "%s ||e||/||r||=%.2g", what, sqrt(num / (den > 0 ? den : 1)));
	return gc_cmp(op, w, got, ref, n, tol * (mr > 0 ? mr : 1), 0);
}

static int *make_cu(const int *lens, int nseq, int *N, int *maxlen)
{
	int *cu = malloc((nseq + 1) * sizeof *cu);
	cu[0] = 0;
	*maxlen = 0;
	for (int s = 0; s < nseq; s++) {
		cu[s + 1] = cu[s] + lens[s];
		*maxlen = lens[s] > *maxlen ? lens[s] : *maxlen;
	}
	*N = cu[nseq];
	return cu;
}

static void t_case(const int *lens, int nseq, int NH, int NKV, int HD, float softcap, int window, float qscale)
{
	int N, maxlen, *cu = make_cu(lens, nseq, &N, &maxlen);
	size_t nq = (size_t)N * NH * HD, nk = (size_t)N * NKV * HD, nl = (size_t)N * NH;
	float scale = 1.0f / sqrtf((float)HD);
	char what[120], lenstr[48] = "";
	for (int s = 0; s < nseq && strlen(lenstr) < 36; s++)
		snprintf(lenstr + strlen(lenstr), sizeof lenstr - strlen(lenstr), "%s%d", s ? "," : "", lens[s]);
	snprintf(what, sizeof what, "[%s] %d/%d HD%d cap%g win%d", lenstr, NH, NKV, HD, softcap, window);
	uint16_t *bq, *bk, *bv, *bdo;
	float *q = brand(nq, -qscale, qscale, &bq), *k = brand(nk, -qscale, qscale, &bk), *v = brand(nk, -1, 1, &bv);
	float *dout = brand(nq, -1, 1, &bdo);
	void *dq_ = dev_bits(bq, nq), *dk_ = dev_bits(bk, nk), *dv_ = dev_bits(bv, nk), *ddo = dev_bits(bdo, nq);
	int *dcu = (int *)dup_dev(cu, (nseq + 1) * sizeof *cu);
	/* forward, into NaN */
	uint16_t *nanb = malloc(nq * 2);
	for (size_t i = 0; i < nq; i++)
		nanb[i] = 0x7fc0;
	void *dout_ = dev_bits(nanb, nq);
	float *dlse = dpoison(nl);
	flash_attn_fwd(dout_, dlse, dq_, dk_, dv_, dcu, nseq, maxlen, N, NH, NKV, HD, scale, softcap, window, 0);
	float *out = malloc(nq * sizeof *out), *lse = malloc(nl * sizeof *lse);
	ops_cpu.attention_fwd(out, lse, q, k, v, cu, nseq, maxlen, N, NH, NKV, HD, scale, softcap, window);
	float *gout = down_bf(dout_, nq), *glse = hdown(dlse, nl);
	check("flash_fwd", what, gout, out, nq, 1e-2);
	gc_cmp("flash_lse", what, glse, lse, nl, 1e-3, 0);
	/* backward from the GPU's out and lse (the CPU gets the same values), into random starts */
	float *rq = calloc(nq, 4), *rk = calloc(nk, 4), *rv = calloc(nk, 4);
	ops_cpu.attention_bwd(rq, rk, rv, dout, gout, glse, q, k, v, cu, nseq, maxlen, N, NH, NKV, HD, scale, softcap,
			      window);
	float *refs[3] = {rq, rk, rv};
	size_t ns[3] = {nq, nk, nk};
	uint16_t *sb[3];
	float *st[3];
	void *dg[3];
	for (int t = 0; t < 3; t++) {
		double m = maxabs(refs[t], ns[t]) / 2;
		st[t] = brand(ns[t], (float)-m, (float)m, &sb[t]);
		dg[t] = dev_bits(sb[t], ns[t]);
	}
	void *ws = ops_cuda.alloc(flash_attn_bwd_workspace(N, NH, NKV, HD));
	/* bwd reads out and lse: the GPU's own, as uploaded back from what the CPU saw */
	flash_attn_bwd(dg[0], dg[1], dg[2], ddo, dout_, dlse, dq_, dk_, dv_, dcu, nseq, maxlen, N, NH, NKV, HD, scale,
		       softcap, window, ws, 0);
	const char *nm[3] = {"flash_dq", "flash_dk", "flash_dv"};
	for (int t = 0; t < 3; t++) {
		float *got = down_bf(dg[t], ns[t]);
		for (size_t i = 0; i < ns[t]; i++)
			got[i] -= st[t][i];
		check(nm[t], what, got, refs[t], ns[t], 1e-2);
		free(got), free(st[t]), free(sb[t]);
		ops_cuda.free(dg[t]);
	}
	ops_cuda.free(ws), ops_cuda.free(dq_), ops_cuda.free(dk_), ops_cuda.free(dv_), ops_cuda.free(ddo);
	ops_cuda.free(dout_), ops_cuda.free(dlse), ops_cuda.free(dcu);
	free(q), free(k), free(v), free(dout), free(bq), free(bk), free(bv), free(bdo), free(nanb);
	free(out), free(lse), free(gout), free(glse), free(rq), free(rk), free(rv), free(cu);
}

#define CK(call)                                                                                    \
	do {                                                                                        \
		cudaError_t e_ = (call);                                                            \
		if (e_ != cudaSuccess) {                                                            \
			fprintf(stderr, "test_flash: %s:%d: cuda: %s\n", __FILE__, __LINE__,          \
				cudaGetErrorString(e_));                                            \
			exit(5);                                                                    \
		}                                                                                   \
	} while (0)

/* best of 5 of fn(arg), ms, after a warm-up call */
static double best_ms(void (*fn)(void *), void *arg)
{
	cudaEvent_t a, b;
	CK(cudaEventCreate(&a));
	CK(cudaEventCreate(&b));
	fn(arg);
	CK(cudaDeviceSynchronize());
	double best = 1e30;
	for (int r = 0; r < 5; r++) {
		CK(cudaEventRecord(a, 0));
		fn(arg);
		CK(cudaEventRecord(b, 0));
		CK(cudaEventSynchronize(b));
		float ms;
		CK(cudaEventElapsedTime(&ms, a, b));
		best = ms < best ? ms : best;
	}
	CK(cudaGetLastError());
	cudaEventDestroy(a), cudaEventDestroy(b);
	return best;
}

typedef struct {
	int *cu, nseq, maxlen, N, NH, NKV, HD;
	float scale;
	void *q, *k, *v, *o, *dO, *dq, *dk, *dv, *ws;
	float *lse;
	float *fq, *fk, *fv, *fo, *fdo, *fdq, *fdk, *fdv, *flse;   /* float32 copies for attention_tc */
} bench_t;

static void b_fwd(void *p)
{
	bench_t *b = p;
	flash_attn_fwd(b->o, b->lse, b->q, b->k, b->v, b->cu, b->nseq, b->maxlen, b->N, b->NH, b->NKV, b->HD, b->scale,
		       0, 0, 0);
}
static void b_bwd(void *p)
{
	bench_t *b = p;
	flash_attn_bwd(b->dq, b->dk, b->dv, b->dO, b->o, b->lse, b->q, b->k, b->v, b->cu, b->nseq, b->maxlen, b->N,
		       b->NH, b->NKV, b->HD, b->scale, 0, 0, b->ws, 0);
}
static void b_tc_fwd(void *p)
{
	bench_t *b = p;
	ops_cuda.attention_fwd(b->fo, b->flse, b->fq, b->fk, b->fv, b->cu, b->nseq, b->maxlen, b->N, b->NH, b->NKV,
			       b->HD, b->scale, 0, 0);
}
static void b_tc_bwd(void *p)
{
	bench_t *b = p;
	ops_cuda.attention_bwd(b->fdq, b->fdk, b->fdv, b->fdo, b->fo, b->flse, b->fq, b->fk, b->fv, b->cu, b->nseq,
			       b->maxlen, b->N, b->NH, b->NKV, b->HD, b->scale, 0, 0);
}

static void bench(int nseq, int len, int HD)
{
	int NH = 32, NKV = 8, lens[16];
	for (int s = 0; s < nseq; s++)
		lens[s] = len;
	bench_t b = {0};
	int *cu = make_cu(lens, nseq, &b.N, &b.maxlen);
	b.nseq = nseq, b.NH = NH, b.NKV = NKV, b.HD = HD, b.scale = 1.0f / sqrtf((float)HD);
	size_t nq = (size_t)b.N * NH * HD, nk = (size_t)b.N * NKV * HD, nl = (size_t)b.N * NH;
	uint16_t *bq, *bk, *bv, *bdo;
	float *q = brand(nq, -2, 2, &bq), *k = brand(nk, -2, 2, &bk), *v = brand(nk, -1, 1, &bv);
	float *dO = brand(nq, -1, 1, &bdo);
	b.cu = (int *)dup_dev(cu, (nseq + 1) * sizeof *cu);
	b.q = dev_bits(bq, nq), b.k = dev_bits(bk, nk), b.v = dev_bits(bv, nk), b.dO = dev_bits(bdo, nq);
	b.o = ops_cuda.alloc(nq * 2), b.dq = ops_cuda.alloc(nq * 2), b.dk = ops_cuda.alloc(nk * 2);
	b.dv = ops_cuda.alloc(nk * 2), b.lse = ops_cuda.alloc(nl * 4);
	b.ws = ops_cuda.alloc(flash_attn_bwd_workspace(b.N, NH, NKV, HD));
	double fl = 0;
	for (int s = 0; s < nseq; s++)
		fl += 4.0 * lens[s] * (double)lens[s] / 2 * NH * HD;
	double tf = best_ms(b_fwd, &b), tb = best_ms(b_bwd, &b);
	/* attention_tc, TF32 on float32 tensors: the path this replaces */
	b.fq = dup_dev(q, nq * 4), b.fk = dup_dev(k, nk * 4), b.fv = dup_dev(v, nk * 4), b.fdo = dup_dev(dO, nq * 4);
	b.fo = ops_cuda.alloc(nq * 4), b.fdq = ops_cuda.alloc(nq * 4), b.fdk = ops_cuda.alloc(nk * 4);
	b.fdv = ops_cuda.alloc(nk * 4), b.flse = ops_cuda.alloc(nl * 4);
	ops_cuda_set_matmul(CUDA_MM_TF32);
	double cf = HD <= 128 ? best_ms(b_tc_fwd, &b) : 0, cb = HD <= 128 ? best_ms(b_tc_bwd, &b) : 0;
	ops_cuda_set_matmul(CUDA_MM_FP32);
	printf("bench %dx%-5d NH%d/%d HD%-3d  flash fwd %7.3f ms %6.1f TF/s  bwd %7.3f ms %6.1f TF/s  |  "
	       "tc fwd %7.3f ms %5.1f TF/s  bwd %7.3f ms %5.1f TF/s\n",
	       nseq, len, NH, NKV, HD, tf, fl / tf * 1e-9, tb, 2.5 * fl / tb * 1e-9, cf, cf > 0 ? fl / cf * 1e-9 : 0, cb,
	       cb > 0 ? 2.5 * fl / cb * 1e-9 : 0);
	void *bufs[] = {b.cu, b.q, b.k, b.v, b.dO, b.o, b.dq, b.dk, b.dv, b.lse, b.ws,
			b.fq, b.fk, b.fv, b.fdo, b.fo, b.fdq, b.fdk, b.fdv, b.flse};
	for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
		ops_cuda.free(bufs[i]);
	free(q), free(k), free(v), free(dO), free(bq), free(bk), free(bv), free(bdo), free(cu);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "--bench")) {
		for (int hd = 64; hd <= 128; hd += 64) {
			bench(1, 4096, hd);
			bench(4, 1024, hd);
		}
		return 0;
	}
	static const int l1[] = {1, 7, 100, 333}, l2[] = {2048}, l3[] = {333, 1, 700, 64}, l4[] = {100, 333, 17},
			 l5[] = {7, 333, 130}, l6[] = {333, 200}, l7[] = {333, 100, 1, 65}, l8[] = {150, 31},
			 l9[] = {65, 17, 128}, l10[] = {1000, 1048};
	if (!strcmp(mode, "--quick")) {
		t_case(l1, 4, 8, 2, 64, 0, 0, 2);
		t_case(l8, 2, 4, 1, 80, 50, 64, 2);
		t_case(l9, 3, 4, 1, 256, 0, 0, 2);
		t_case(l9, 3, 8, 2, 128, 0, 0, 2);
	} else {
		t_case(l1, 4, 8, 8, 64, 0, 0, 2);      /* odd lengths, GQA 1 */
		t_case(l1, 4, 8, 2, 128, 0, 0, 2);     /* GQA 4 */
		t_case(l2, 1, 4, 1, 64, 0, 0, 2);      /* long, GQA 4 */
		t_case(l10, 2, 8, 1, 128, 0, 0, 2);    /* long, GQA 8 */
		t_case(l3, 4, 8, 1, 128, 0, 0, 2);     /* GQA 8 */
		t_case(l4, 3, 4, 2, 80, 0, 0, 2);      /* generic HD */
		t_case(l5, 3, 4, 1, 256, 0, 0, 2);
		t_case(l4, 3, 4, 4, 96, 0, 0, 2);
		t_case(l6, 2, 4, 1, 64, 50, 0, 4);     /* softcap, scores of ~5 */
		t_case(l6, 2, 8, 2, 128, 50, 0, 4);
		t_case(l7, 4, 8, 2, 64, 0, 64, 2);     /* window */
		t_case(l7, 4, 8, 2, 128, 0, 64, 2);
		t_case(l8, 2, 4, 1, 256, 50, 64, 2);   /* both, large HD */
		t_case(l9, 3, 4, 2, 16, 0, 7, 2);
		t_case(l9, 3, 4, 2, 32, 0, 0, 2);
		t_case(l9, 3, 4, 2, 144, 0, 0, 2);     /* odd n-tile count per half (72 / 8) */
		t_case(l7, 4, 4, 1, 64, 0, 2, 2);      /* window 2: itself and one key before */
	}
	return gc_table("flash_attn (bf16) vs ops_cpu") ? 1 : 0;
}
