/* ops_cpu: the CPU backend of the op table, float32 with OpenMP — the oracle every other
 * backend is checked against, and itself checked against the Hugging Face fixtures.
 *
 * Clarity before speed, except in the matrix products, which are tiled and vectorised (they
 * are nearly all the work). Reductions (norms, softmax sums, attention dots) accumulate in
 * double, matrix products in float32 blocks of 64 summed in double, so our own rounding stays
 * below the float32 reference's. Work is split over OpenMP threads only where each thread
 * writes its own outputs, so results do not depend on the thread count. See ops.h for the contract of each op. */
#include "ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* Threads only where the work pays for waking them: on a busy machine every parallel region
 * waits for its slowest thread, and the model runs hundreds of small ones per step. Results do
 * not depend on this (each output is computed the same way on any thread). */
size_t ops_cpu_min_parallel = (size_t)1 << 16;
#define BIG(work) ((work) >= ops_cpu_min_parallel)

static void *cpu_alloc(size_t n) { return xcalloc(1, n ? n : 1); }
static void cpu_free(void *p) { free(p); }
static void cpu_copy(void *d, const void *s, size_t n) { if (n) memmove(d, s, n); }
static void cpu_zero(void *p, size_t n) { if (n) memset(p, 0, n); }

/* Matrix products. Two kernels, both accumulating float32 partial sums over blocks of MM_K
 * products (vectorised) and adding the blocks in double, so rounding stays near double's even
 * for long reductions while the inner loops run at float SIMD speed:
 *  - b not transposed (NN, TN): out rows are sums of rows of b scaled by a's entries
 *    (axpy form, contiguous in j), on tiles of MM_R rows by MM_J columns;
 *  - b transposed (NT, TT): 4 x 4 blocks of dot products, contiguous in k.
 * Rows of op(a) are first copied into a per-thread buffer, which makes ta free. */
#define MM_R 4
#define MM_J 256
#define MM_K 64

static inline void pack_rows(float *ap, const float *a, int M, int K, int ta, int i0, int nr)
{
	for (int r = 0; r < nr; r++) {
		float *d = ap + (size_t)r * K;
		if (ta)
			for (int k = 0; k < K; k++)
				d[k] = a[(size_t)k * M + i0 + r];
		else
			memcpy(d, a + (size_t)(i0 + r) * K, (size_t)K * sizeof *d);
	}
}

static inline void store(float *o, double v, float alpha, float beta)
{
	*o = beta == 0 ? (float)(alpha * v) : (float)(alpha * v + (double)beta * *o);
}

static void matmul_nn(float *out, const float *a, const float *b, int M, int N, int K, int ta, float alpha,
		      float beta)
{
	int ti_n = (M + MM_R - 1) / MM_R, tj_n = (N + MM_J - 1) / MM_J;
	#pragma omp parallel if (BIG((size_t)M * N * K / 16))
	{
		float *ap = xmalloc((size_t)MM_R * (K ? K : 1) * sizeof *ap);
		float *f = xmalloc((size_t)MM_R * MM_J * sizeof *f);
		double *d = xmalloc((size_t)MM_R * MM_J * sizeof *d);
		#pragma omp for collapse(2) schedule(static)
		for (int ti = 0; ti < ti_n; ti++)
			for (int tj = 0; tj < tj_n; tj++) {
				int i0 = ti * MM_R, nr = M - i0 < MM_R ? M - i0 : MM_R;
				int j0 = tj * MM_J, nj = N - j0 < MM_J ? N - j0 : MM_J;
				pack_rows(ap, a, M, K, ta, i0, nr);
				for (int x = 0; x < MM_R * MM_J; x++)
					d[x] = 0;
				for (int kb = 0; kb < K; kb += MM_K) {
					int ke = kb + MM_K < K ? kb + MM_K : K;
					for (int x = 0; x < MM_R * MM_J; x++)
						f[x] = 0;
					for (int k = kb; k < ke; k++) {
						const float *br = b + (size_t)k * N + j0;
						for (int r = 0; r < nr; r++) {
							float av = ap[(size_t)r * K + k];
							float *fr = f + r * MM_J;
							#pragma omp simd
							for (int j = 0; j < nj; j++)
								fr[j] += av * br[j];
						}
					}
					for (int x = 0; x < MM_R * MM_J; x++)
						d[x] += f[x];
				}
				for (int r = 0; r < nr; r++)
					for (int j = 0; j < nj; j++)
						store(out + (size_t)(i0 + r) * N + j0 + j, d[r * MM_J + j], alpha, beta);
			}
		free(ap);
		free(f);
		free(d);
	}
}

static void matmul_nt(float *out, const float *a, const float *b, int M, int N, int K, int ta, float alpha,
		      float beta)
{
	int ti_n = (M + 3) / 4, tj_n = (N + 3) / 4;
	#pragma omp parallel if (BIG((size_t)M * N * K / 16))
	{
		float *ap = xmalloc((size_t)4 * (K ? K : 1) * sizeof *ap);
		int last = -1;
		#pragma omp for collapse(2) schedule(static)
		for (int ti = 0; ti < ti_n; ti++)
			for (int tj = 0; tj < tj_n; tj++) {
				int i0 = ti * 4, nr = M - i0 < 4 ? M - i0 : 4;
				int j0 = tj * 4, nc = N - j0 < 4 ? N - j0 : 4;
				if (ti != last) {
					pack_rows(ap, a, M, K, ta, i0, nr);
					for (int r = nr; r < 4; r++)   /* missing rows: reuse row 0, results unused */
						memcpy(ap + (size_t)r * K, ap, (size_t)K * sizeof *ap);
					last = ti;
				}
				const float *a0 = ap, *a1 = ap + K, *a2 = ap + 2 * (size_t)K, *a3 = ap + 3 * (size_t)K;
				const float *b0 = b + (size_t)j0 * K;
				const float *b1 = nc > 1 ? b0 + K : b0, *b2 = nc > 2 ? b0 + 2 * (size_t)K : b0,
					    *b3 = nc > 3 ? b0 + 3 * (size_t)K : b0;
				double d[16] = {0};
				for (int kb = 0; kb < K; kb += MM_K) {
					int ke = kb + MM_K < K ? kb + MM_K : K;
					float s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
					float s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
					#pragma omp simd reduction(+ : s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33)
					for (int k = kb; k < ke; k++) {
						float x0 = a0[k], x1 = a1[k], x2 = a2[k], x3 = a3[k];
						float y0 = b0[k], y1 = b1[k], y2 = b2[k], y3 = b3[k];
						s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
						s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
						s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
						s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
					}
					d[0] += s00; d[1] += s01; d[2] += s02; d[3] += s03;
					d[4] += s10; d[5] += s11; d[6] += s12; d[7] += s13;
					d[8] += s20; d[9] += s21; d[10] += s22; d[11] += s23;
					d[12] += s30; d[13] += s31; d[14] += s32; d[15] += s33;
				}
				for (int r = 0; r < nr; r++)
					for (int c = 0; c < nc; c++)
						store(out + (size_t)(i0 + r) * N + j0 + c, d[r * 4 + c], alpha, beta);
			}
		free(ap);
	}
}

static void cpu_matmul(void *out_, const void *a_, const void *b_, int M, int N, int K, int ta, int tb,
		       float alpha, float beta)
{
	float *out = out_;
	const float *a = a_;
	const float *b = b_;
	if (M <= 0 || N <= 0)
		return;
	if (tb)
		matmul_nt(out, a, b, M, N, K, ta, alpha, beta);
	else
		matmul_nn(out, a, b, M, N, K, ta, alpha, beta);
}

static void cpu_bias_fwd(void *out_, const void *bias_, int M, int N)
{
	float *out = out_;
	const float *bias = bias_;
	#pragma omp parallel for if (BIG((size_t)M * N))
	for (int i = 0; i < M; i++)
		for (int j = 0; j < N; j++)
			out[(size_t)i * N + j] += bias[j];
}

static void cpu_bias_bwd(float *dbias, const void *dout_, int M, int N)
{
	const float *dout = dout_;
	#pragma omp parallel for if (BIG((size_t)M * N))
	for (int j = 0; j < N; j++) {
		double s = 0;
		for (int i = 0; i < M; i++)
			s += dout[(size_t)i * N + j];
		dbias[j] += (float)s;
	}
}

static void cpu_axpy(void *y_, const void *x_, float alpha, size_t n)
{
	float *y = y_;
	const float *x = x_;
	#pragma omp parallel for if (BIG(n))
	for (size_t i = 0; i < n; i++)
		y[i] += alpha * x[i];
}

static void cpu_axpy_f32(float *y, const float *x, float alpha, size_t n) { cpu_axpy(y, x, alpha, n); }

static void cpu_colscale(void *out_, const void *x_, const float *g, int M, int N, float beta)
{
	float *out = out_;
	const float *x = x_;
	#pragma omp parallel for if (BIG((size_t)M * N))
	for (int i = 0; i < M; i++)
		for (int j = 0; j < N; j++) {
			size_t k = (size_t)i * N + j;
			out[k] = x[k] * g[j] + (beta == 0 ? 0.0f : beta * out[k]);
		}
}

static void cpu_colmul_sum(float *dg, const void *a_, const void *b_, int M, int N)
{
	const float *a = a_, *b = b_;
	#pragma omp parallel for if (BIG((size_t)M * N))
	for (int j = 0; j < N; j++) {
		double s = 0;
		for (int i = 0; i < M; i++)
			s += (double)a[(size_t)i * N + j] * b[(size_t)i * N + j];
		dg[j] += (float)s;
	}
}

static void cpu_rownorm(float *out, const void *x_, int M, int N)
{
	const float *x = x_;
	#pragma omp parallel for if (BIG((size_t)M * N))
	for (int i = 0; i < M; i++) {
		double s = 0;
		for (int j = 0; j < N; j++)
			s += (double)x[(size_t)i * N + j] * x[(size_t)i * N + j];
		out[i] = (float)sqrt(s);
	}
}

static void cpu_div(float *out, const float *a, const float *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = a[i] / b[i];
}

static void cpu_rmsnorm_fwd(void *out_, float *rstd, const void *x_, const void *w_, int N, int C, float eps,
			    float w_offset)
{
	float *out = out_;
	const float *x = x_;
	const float *w = w_;
	#pragma omp parallel for if (BIG((size_t)N * C))
	for (int i = 0; i < N; i++) {
		const float *xi = x + (size_t)i * C;
		double ss = 0;
		for (int c = 0; c < C; c++)
			ss += (double)xi[c] * xi[c];
		float r = (float)(1.0 / sqrt(ss / C + eps));
		rstd[i] = r;
		float *o = out + (size_t)i * C;
		for (int c = 0; c < C; c++)
			o[c] = (xi[c] * r) * (w[c] + w_offset);
	}
}

static void cpu_rmsnorm_bwd(void *dx_, float *dw, const void *dout_, const void *x_, const void *w_,
			    const float *rstd, int N, int C, float w_offset)
{
	float *dx = dx_;
	const float *dout = dout_;
	const float *x = x_;
	const float *w = w_;
	#pragma omp parallel for if (BIG((size_t)N * C))
	for (int i = 0; i < N; i++) {
		const float *xi = x + (size_t)i * C, *dy = dout + (size_t)i * C;
		double r = rstd[i], dot = 0;
		for (int c = 0; c < C; c++)
			dot += (double)dy[c] * (w[c] + w_offset) * xi[c];
		/* y = x r g: dx = r g dy - r^3 x (sum dy g x) / C */
		double k = r * r * r * dot / C;
		float *d = dx + (size_t)i * C;
		for (int c = 0; c < C; c++)
			d[c] += (float)(r * (w[c] + w_offset) * dy[c] - k * xi[c]);
	}
	if (dw) {
		#pragma omp parallel for if (BIG((size_t)N * C))
		for (int c = 0; c < C; c++) {
			double s = 0;
			for (int i = 0; i < N; i++)
				s += (double)dout[(size_t)i * C + c] * x[(size_t)i * C + c] * rstd[i];
			dw[c] += (float)s;
		}
	}
}

static void rope_apply(float *x, const int *pos, const float *inv_freq, int N, int H, int HD, int rot_dim,
		       float attn_scaling, float sign)
{
	int half = rot_dim / 2;
	#pragma omp parallel for if (BIG((size_t)N * H * rot_dim))
	for (int i = 0; i < N; i++) {
		for (int k = 0; k < half; k++) {
			/* as HF: angle = pos * inv_freq in float32, then cos/sin times attention_scaling */
			float ang = (float)pos[i] * inv_freq[k];
			float c = cosf(ang) * attn_scaling, s = sign * sinf(ang) * attn_scaling;
			for (int h = 0; h < H; h++) {
				float *xh = x + ((size_t)i * H + h) * HD;
				float a = xh[k], b = xh[k + half];
				xh[k] = a * c - b * s;
				xh[k + half] = b * c + a * s;
			}
		}
	}
}

static void cpu_rope_fwd(void *x_, const int *pos, const float *inv_freq, int N, int H, int HD, int rot_dim,
			 float attn_scaling)
{
	float *x = x_;
	rope_apply(x, pos, inv_freq, N, H, HD, rot_dim, attn_scaling, 1.0f);
}

/* The transpose of the rotation: the same with -sin (and the scaling applied once more). */
static void cpu_rope_bwd(void *dx_, const int *pos, const float *inv_freq, int N, int H, int HD, int rot_dim,
			 float attn_scaling)
{
	float *dx = dx_;
	rope_apply(dx, pos, inv_freq, N, H, HD, rot_dim, attn_scaling, -1.0f);
}

static inline float score(const float *qi, const float *kj, int HD, float scale, float softcap)
{
	double d = 0;
	for (int e = 0; e < HD; e++)
		d += (double)qi[e] * kj[e];
	float s = (float)d * scale;
	if (softcap > 0)
		s = softcap * tanhf(s / softcap);
	return s;
}

static void cpu_attention_fwd(void *out_, float *lse, const void *q_, const void *k_, const void *v_,
			      const int *cu, int nseq, int max_seqlen, int N, int NH, int NKV, int HD, float scale,
			      float softcap, int window)
{
	float *out = out_;
	const float *q = q_;
	const float *k = k_;
	const float *v = v_;
	int T = max_seqlen > 0 ? max_seqlen : 1, G = NH / NKV;
	#pragma omp parallel if (BIG((size_t)N * NH * T * HD))
	{
		float *p = xmalloc((size_t)T * sizeof *p);
		double *acc = xmalloc((size_t)HD * sizeof *acc);
		#pragma omp for collapse(2) schedule(dynamic, 8)
		for (int i = 0; i < N; i++)
			for (int h = 0; h < NH; h++) {
				int s = 0;
				while (cu[s + 1] <= i)
					s++;
				int start = cu[s], t = i - start;
				int j0 = window > 0 && t - window + 1 > 0 ? t - window + 1 : 0;
				const float *qi = q + ((size_t)i * NH + h) * HD;
				int g = h / G;
				float mx = -INFINITY;
				for (int j = j0; j <= t; j++) {
					p[j] = score(qi, k + ((size_t)(start + j) * NKV + g) * HD, HD, scale, softcap);
					if (p[j] > mx)
						mx = p[j];
				}
				double sum = 0;
				for (int j = j0; j <= t; j++)
					sum += exp((double)p[j] - mx);
				for (int e = 0; e < HD; e++)
					acc[e] = 0;
				for (int j = j0; j <= t; j++) {
					double pj = exp((double)p[j] - mx) / sum;
					const float *vj = v + ((size_t)(start + j) * NKV + g) * HD;
					for (int e = 0; e < HD; e++)
						acc[e] += pj * vj[e];
				}
				float *o = out + ((size_t)i * NH + h) * HD;
				for (int e = 0; e < HD; e++)
					o[e] = (float)acc[e];
				lse[(size_t)i * NH + h] = (float)(mx + log(sum));
			}
		free(p);
		free(acc);
	}
}

/* the arithmetic of cpu_attention_fwd, query by query against the cache */
static void cpu_attention_kv_fwd(void *out_, const void *q_, const void *k_, const void *v_, int n, int past, int NH,
				 int NKV, int HD, float scale, float softcap, int window)
{
	float *out = out_;
	const float *q = q_, *k = k_, *v = v_;
	int T = past + n, G = NH / NKV;
	#pragma omp parallel if (BIG((size_t)n * NH * T * HD))
	{
		float *p = xmalloc((size_t)T * sizeof *p);
		double *acc = xmalloc((size_t)HD * sizeof *acc);
		#pragma omp for collapse(2) schedule(dynamic, 8)
		for (int i = 0; i < n; i++)
			for (int h = 0; h < NH; h++) {
				int t = past + i, g = h / G;
				int j0 = window > 0 && t - window + 1 > 0 ? t - window + 1 : 0;
				const float *qi = q + ((size_t)i * NH + h) * HD;
				float mx = -INFINITY;
				for (int j = j0; j <= t; j++) {
					p[j] = score(qi, k + ((size_t)j * NKV + g) * HD, HD, scale, softcap);
					if (p[j] > mx)
						mx = p[j];
				}
				double sum = 0;
				for (int j = j0; j <= t; j++)
					sum += exp((double)p[j] - mx);
				for (int e = 0; e < HD; e++)
					acc[e] = 0;
				for (int j = j0; j <= t; j++) {
					double pj = exp((double)p[j] - mx) / sum;
					const float *vj = v + ((size_t)j * NKV + g) * HD;
					for (int e = 0; e < HD; e++)
						acc[e] += pj * vj[e];
				}
				float *o = out + ((size_t)i * NH + h) * HD;
				for (int e = 0; e < HD; e++)
					o[e] = (float)acc[e];
			}
		free(p);
		free(acc);
	}
}

static void cpu_attention_bwd(void *dq_, void *dk_, void *dv_, const void *dout_, const void *out_,
			      const float *lse, const void *q_, const void *k_, const void *v_, const int *cu,
			      int nseq, int max_seqlen, int N, int NH, int NKV, int HD, float scale, float softcap,
			      int window)
{
	float *dq = dq_;
	float *dk = dk_;
	float *dv = dv_;
	const float *dout = dout_;
	const float *out = out_;
	const float *q = q_;
	const float *k = k_;
	const float *v = v_;
	int G = NH / NKV;
	/* one thread per (sample, kv head): it alone writes dk, dv of that head in that sample
	 * and dq of the query heads that read it */
	#pragma omp parallel for collapse(2) schedule(dynamic, 1) if (BIG((size_t)N * NH * max_seqlen * HD))
	for (int s = 0; s < nseq; s++)
		for (int g = 0; g < NKV; g++) {
			int start = cu[s], len = cu[s + 1] - cu[s];
			for (int hh = 0; hh < G; hh++) {
				int h = g * G + hh;
				for (int t = 0; t < len; t++) {
					int i = start + t;
					int j0 = window > 0 && t - window + 1 > 0 ? t - window + 1 : 0;
					const float *qi = q + ((size_t)i * NH + h) * HD;
					const float *doi = dout + ((size_t)i * NH + h) * HD;
					const float *oi = out + ((size_t)i * NH + h) * HD;
					float *dqi = dq + ((size_t)i * NH + h) * HD;
					double D = 0;
					for (int e = 0; e < HD; e++)
						D += (double)doi[e] * oi[e];
					float L = lse[(size_t)i * NH + h];
					for (int j = j0; j <= t; j++) {
						const float *kj = k + ((size_t)(start + j) * NKV + g) * HD;
						const float *vj = v + ((size_t)(start + j) * NKV + g) * HD;
						float sc = score(qi, kj, HD, scale, softcap);
						double pij = exp((double)sc - L);
						double dp = 0;
						for (int e = 0; e < HD; e++)
							dp += (double)doi[e] * vj[e];
						double ds = pij * (dp - D);
						if (softcap > 0) {
							double th = sc / softcap;
							ds *= 1 - th * th;
						}
						ds *= scale;
						float *dkj = dk + ((size_t)(start + j) * NKV + g) * HD;
						float *dvj = dv + ((size_t)(start + j) * NKV + g) * HD;
						for (int e = 0; e < HD; e++) {
							dqi[e] += (float)(ds * kj[e]);
							dkj[e] += (float)(ds * qi[e]);
							dvj[e] += (float)(pij * doi[e]);
						}
					}
				}
			}
		}
}

static const double GELU_K = 0.7978845608028654;   /* sqrt(2 / pi) */

static void cpu_glu_fwd(void *out_, const void *gate_, const void *up_, size_t n, act_t act)
{
	float *out = out_;
	const float *gate = gate_;
	const float *up = up_;
	#pragma omp parallel for if (BIG(n))
	for (size_t i = 0; i < n; i++) {
		double x = gate[i], a;
		if (act == ACT_SILU)
			a = x / (1 + exp(-x));
		else
			a = 0.5 * x * (1 + tanh(GELU_K * (x + 0.044715 * x * x * x)));
		out[i] = (float)a * up[i];
	}
}

static void cpu_glu_bwd(void *dgate_, void *dup_, const void *dout_, const void *gate_, const void *up_,
			size_t n, act_t act)
{
	float *dgate = dgate_;
	float *dup = dup_;
	const float *dout = dout_;
	const float *gate = gate_;
	const float *up = up_;
	#pragma omp parallel for if (BIG(n))
	for (size_t i = 0; i < n; i++) {
		double x = gate[i], a, da;
		if (act == ACT_SILU) {
			double sg = 1 / (1 + exp(-x));
			a = x * sg;
			da = sg * (1 + x * (1 - sg));
		} else {
			double t = tanh(GELU_K * (x + 0.044715 * x * x * x));
			a = 0.5 * x * (1 + t);
			da = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_K * (1 + 3 * 0.044715 * x * x);
		}
		dgate[i] = (float)(dout[i] * up[i] * da);
		dup[i] = (float)(dout[i] * a);
	}
}

static void cpu_embedding_fwd(void *out_, const int *ids, const void *wte_, int N, int C, float scale)
{
	float *out = out_;
	const float *wte = wte_;
	#pragma omp parallel for if (BIG((size_t)N * C))
	for (int i = 0; i < N; i++)
		for (int c = 0; c < C; c++)
			out[(size_t)i * C + c] = wte[(size_t)ids[i] * C + c] * scale;
}

static void cpu_embedding_bwd(float *dwte, const void *dout_, const int *ids, int N, int C, float scale)
{
	const float *dout = dout_;
	/* split by column so no two threads add to the same row element */
	#pragma omp parallel for if (BIG((size_t)N * C))
	for (int c = 0; c < C; c++)
		for (int i = 0; i < N; i++)
			dwte[(size_t)ids[i] * C + c] += scale * dout[(size_t)i * C + c];
}

static void cpu_softcap_fwd(void *x_, size_t n, float cap)
{
	float *x = x_;
	#pragma omp parallel for if (BIG(n))
	for (size_t i = 0; i < n; i++)
		x[i] = cap * tanhf(x[i] / cap);
}

static double row_lse(const float *l, int V)
{
	float mx = -INFINITY;
	for (int j = 0; j < V; j++)
		if (l[j] > mx)
			mx = l[j];
	double s = 0;
	for (int j = 0; j < V; j++)
		s += exp((double)l[j] - mx);
	return mx + log(s);
}

static void cpu_argmax_rows(int *out, const void *x_, int N, int V)
{
	const float *x = x_;
	#pragma omp parallel for if (BIG((size_t)N * V))
	for (int i = 0; i < N; i++) {
		const float *row = x + (size_t)i * V;
		int best = 0;
		for (int v = 1; v < V; v++)
			if (row[v] > row[best])
				best = v;
		out[i] = best;
	}
}

static void cpu_crossentropy_fwd(float *losses, const void *logits_, const int *targets, int N, int V)
{
	const float *logits = logits_;
	#pragma omp parallel for if (BIG((size_t)N * V))
	for (int i = 0; i < N; i++) {
		int t = targets[i];
		if (t < 0) {
			losses[i] = 0;
			continue;
		}
		const float *l = logits + (size_t)i * V;
		losses[i] = (float)(row_lse(l, V) - l[t]);
	}
}

static void cpu_crossentropy_bwd(void *dlogits_, const void *logits_, const int *targets, float dloss, int N,
				 int V, float softcap)
{
	float *dlogits = dlogits_;
	const float *logits = logits_;
	#pragma omp parallel for if (BIG((size_t)N * V))
	for (int i = 0; i < N; i++) {
		int t = targets[i];
		const float *l = logits + (size_t)i * V;
		float *d = dlogits + (size_t)i * V;
		if (t < 0) {
			for (int j = 0; j < V; j++)
				d[j] = 0;
			continue;
		}
		double lse = row_lse(l, V);
		for (int j = 0; j < V; j++) {
			double y = l[j];
			double g = (exp(y - lse) - (j == t)) * dloss;
			if (softcap > 0)
				g *= 1 - (y / softcap) * (y / softcap);
			d[j] = (float)g;
		}
	}
}

static inline uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void cpu_dropout(void *out_, const void *x_, size_t n, float p, uint64_t seed)
{
	float *out = out_;
	const float *x = x_;
	uint32_t thr = (uint32_t)((double)p * 16777216.0);
	float k = 1.0f / (1.0f - p);
	#pragma omp parallel for if (BIG(n))
	for (size_t i = 0; i < n; i++) {
		uint32_t u = (uint32_t)(mix64(seed + (i + 1) * 0x9e3779b97f4a7c15ull) >> 40);
		out[i] = u >= thr ? x[i] * k : 0.0f;
	}
}

static void cpu_uniform_noise(void *xv, size_t n, float mag, uint64_t seed)
{
	float *x = xv;
	#pragma omp parallel for if (BIG(n))
	for (size_t i = 0; i < n; i++) {
		uint32_t u = (uint32_t)(mix64(seed + (i + 1) * 0x9e3779b97f4a7c15ull) >> 40);
		x[i] += mag * ((float)u * (2.0f / 16777216.0f) - 1.0f);
	}
}

static double cpu_sum(const float *x, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	return s;
}

static double cpu_sumsq(const float *x, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += (double)x[i] * x[i];
	return s;
}

static double cpu_sumsq_h(const void *x, size_t n) { return cpu_sumsq(x, n); }   /* es 4: float32 */

static void cpu_scale(float *x, float a, size_t n)
{
	#pragma omp parallel for if (BIG(n))
	for (size_t i = 0; i < n; i++)
		x[i] *= a;
}

/* The float32 element type: conversions are copies, and the float32 out of a weight gradient
 * is the ordinary product. */
static void cpu_copy_f32(void *d, const float *s, size_t n) { cpu_copy(d, s, n * sizeof(float)); }
static void cpu_copy_to_f32(float *d, const void *s, size_t n) { cpu_copy(d, s, n * sizeof(float)); }
static void cpu_matmul_f32out(float *out, const void *a, const void *b, int M, int N, int K, int ta, int tb,
			      float alpha, float beta)
{
	cpu_matmul(out, a, b, M, N, K, ta, tb, alpha, beta);
}

/* torch's single-tensor AdamW (optim.h), element by element */
static void cpu_adamw(float *x, void *pc, const float *g, float *m, float *v, size_t n, const adamw_args_t *a)
{
	#pragma omp parallel for schedule(static) if (n > 65536)
	for (size_t k = 0; k < n; k++) {
		float xk = x[k] * a->decay;
		float gk = a->gscale != 1.0f ? g[k] * a->gscale : g[k];
		float mk = m[k] + a->w1 * (gk - m[k]);   /* torch lerp, weight < 0.5 */
		float vk = v[k] * a->b2 + a->w2 * gk * gk;
		m[k] = mk;
		v[k] = vk;
		float denom = sqrtf(vk) / a->bc2_sqrt + a->eps;
		x[k] = xk + (-a->step_size * mk) / denom;   /* addcdiv: self + value * t1 / t2 */
	}
	if (pc && pc != x)
		cpu_copy(pc, x, n * sizeof(float));
}

const ops_t ops_cpu = {
	.name = "cpu",
	.es = sizeof(float),
	.alloc = cpu_alloc,
	.free = cpu_free,
	.upload = cpu_copy,
	.download = cpu_copy,
	.copy = cpu_copy,
	.zero = cpu_zero,
	.upload_f32 = cpu_copy_f32,
	.download_f32 = cpu_copy_to_f32,
	.to_f32 = cpu_copy_to_f32,
	.from_f32 = cpu_copy_f32,
	.matmul = cpu_matmul,
	.matmul_f32out = cpu_matmul_f32out,
	.bias_fwd = cpu_bias_fwd,
	.bias_bwd = cpu_bias_bwd,
	.axpy = cpu_axpy,
	.axpy_f32 = cpu_axpy_f32,
	.colscale = cpu_colscale,
	.colmul_sum = cpu_colmul_sum,
	.rownorm = cpu_rownorm,
	.div = cpu_div,
	.rmsnorm_fwd = cpu_rmsnorm_fwd,
	.rmsnorm_bwd = cpu_rmsnorm_bwd,
	.rope_fwd = cpu_rope_fwd,
	.rope_bwd = cpu_rope_bwd,
	.attention_fwd = cpu_attention_fwd,
	.attention_bwd = cpu_attention_bwd,
	.attention_kv_fwd = cpu_attention_kv_fwd,
	.glu_fwd = cpu_glu_fwd,
	.glu_bwd = cpu_glu_bwd,
	.embedding_fwd = cpu_embedding_fwd,
	.embedding_bwd = cpu_embedding_bwd,
	.softcap_fwd = cpu_softcap_fwd,
	.crossentropy_fwd = cpu_crossentropy_fwd,
	.argmax_rows = cpu_argmax_rows,
	.crossentropy_bwd = cpu_crossentropy_bwd,
	.dropout = cpu_dropout,
	.uniform_noise = cpu_uniform_noise,
	.sum = cpu_sum,
	.sumsq = cpu_sumsq,
	.sumsq_h = cpu_sumsq_h,
	.scale = cpu_scale,
	.adamw = cpu_adamw,
};
