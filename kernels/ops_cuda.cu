// ops_cuda: the CUDA backend of the op table (ops.h, ops_cuda.h) — memory, matrix products
// through cuBLAS, and the elementwise / row-wise kernels; attention is in attention.cu.
//
// float32 at the boundary, like the CPU oracle. Reductions that the CPU does in double (norms,
// column sums, softmax sums) are done in double here too: this backend's first job is to agree
// with the oracle, and on an H200 double arithmetic is not what limits these memory-bound
// kernels. Everything runs on the default stream, in order; ops return without waiting except
// download and sum, which hand data to the host.
#include <cublas_v2.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cuda_common.cuh"

#define CUBLAS_CHECK(call)                                                                          \
	do {                                                                                        \
		cublasStatus_t s_ = (call);                                                         \
		if (s_ != CUBLAS_STATUS_SUCCESS)                                                    \
			ft_die(FT_EXIT_GPU, "%s:%d: cublas: %s (%s)", __FILE__, __LINE__,             \
			       cublasGetStatusString(s_), #call);                                   \
	} while (0)

// ---- profiling ----

const char *const ops_cuda_prof_names[PROF_NFAM] = {"matmul", "attention_fwd", "attention_bwd", "rmsnorm", "rope",
						   "glu", "embedding", "crossentropy", "eltwise", "memory", "dora"};
static int prof_on, prof_depth;
static cudaEvent_t prof_ev[2];
static double prof_ms[PROF_NFAM];
static long prof_calls[PROF_NFAM];

void prof_begin(int fam)
{
	if (!prof_on || prof_depth++)
		return;
	CUDA_CHECK(cudaEventRecord(prof_ev[0], 0));
}

void prof_end(int fam)
{
	if (!prof_on || --prof_depth)
		return;
	CUDA_CHECK(cudaEventRecord(prof_ev[1], 0));
	CUDA_CHECK(cudaEventSynchronize(prof_ev[1]));
	float ms = 0;
	CUDA_CHECK(cudaEventElapsedTime(&ms, prof_ev[0], prof_ev[1]));
	prof_ms[fam] += ms;
	prof_calls[fam]++;
}

extern "C" void ops_cuda_profile(int on)
{
	if (on && !prof_ev[0]) {
		CUDA_CHECK(cudaEventCreate(&prof_ev[0]));
		CUDA_CHECK(cudaEventCreate(&prof_ev[1]));
	}
	prof_on = on;
}

extern "C" void ops_cuda_profile_reset(void)
{
	memset(prof_ms, 0, sizeof prof_ms);
	memset(prof_calls, 0, sizeof prof_calls);
}

extern "C" void ops_cuda_profile_get(double *ms, long *calls)
{
	memcpy(ms, prof_ms, sizeof prof_ms);
	memcpy(calls, prof_calls, sizeof prof_calls);
}

extern "C" size_t ops_cuda_mem_used(void)
{
	size_t fr = 0, tot = 0;
	CUDA_CHECK(cudaMemGetInfo(&fr, &tot));
	return tot - fr;
}

extern "C" void ops_cuda_sync(void) { CUDA_CHECK(cudaDeviceSynchronize()); }

// ---- memory ----

static void *cu_alloc(size_t n)
{
	void *p = NULL;
	PROF(PROF_MEMORY);
	CUDA_CHECK(cudaMalloc(&p, n ? n : 16));
	CUDA_CHECK(cudaMemset(p, 0, n ? n : 16));
	return p;
}

static void cu_free(void *p)
{
	if (p)
		CUDA_CHECK(cudaFree(p));
}

static void cu_upload(void *d, const void *h, size_t n)
{
	PROF(PROF_MEMORY);
	if (n)
		CUDA_CHECK(cudaMemcpy(d, h, n, cudaMemcpyHostToDevice));
}

static void cu_download(void *h, const void *d, size_t n)
{
	PROF(PROF_MEMORY);
	if (n)
		CUDA_CHECK(cudaMemcpy(h, d, n, cudaMemcpyDeviceToHost));
}

static void cu_copy(void *d, const void *s, size_t n)
{
	PROF(PROF_MEMORY);
	if (n && d != s)
		CUDA_CHECK(cudaMemcpyAsync(d, s, n, cudaMemcpyDeviceToDevice, 0));
}

static void cu_zero(void *p, size_t n)
{
	PROF(PROF_MEMORY);
	if (n)
		CUDA_CHECK(cudaMemsetAsync(p, 0, n, 0));
}

static void *scratch_p[4];
static size_t scratch_n[4];

void *cuda_scratch(int slot, size_t bytes)
{
	if (bytes > scratch_n[slot]) {
		if (scratch_p[slot])
			CUDA_CHECK(cudaFree(scratch_p[slot]));   // synchronous: no kernel still uses it
		CUDA_CHECK(cudaMalloc(&scratch_p[slot], bytes));
		scratch_n[slot] = bytes;
	}
	return scratch_p[slot];
}

// ---- matrix products ----

static cublasHandle_t cublas;
static int mm_mode = -1;

extern "C" void ops_cuda_set_matmul(cuda_mm_t mode) { mm_mode = (int)mode; }
static void cublas_init(void);
int cuda_matmul_mode(void)
{
	cublas_init();
	return mm_mode;
}

static void cublas_init(void)
{
	if (cublas)
		return;
	CUBLAS_CHECK(cublasCreate(&cublas));
	// float32 means float32: no silent TF32 (cuBLAS's default math mode allows none either)
	CUBLAS_CHECK(cublasSetMathMode(cublas, CUBLAS_DEFAULT_MATH));
	if (mm_mode < 0) {
		const char *e = getenv("FT_CUDA_MATMUL");
		mm_mode = !e || !strcmp(e, "fp32") ? CUDA_MM_FP32 : !strcmp(e, "tf32") ? CUDA_MM_TF32
			: !strcmp(e, "bf16") ? CUDA_MM_BF16 : -2;
		if (mm_mode == -2)
			ft_die(2, "FT_CUDA_MATMUL: '%s' is not fp32, tf32 or bf16", e);
	}
}

// Row-major out (M, N) = alpha op(a) op(b) + beta out is column-major out^T = op(b)^T op(a)^T:
// a row-major buffer read column-major is its transpose, so b goes first, and a transposed
// operand (ta/tb) is the one cuBLAS must transpose back.
static void cu_matmul(float *out, const float *a, const float *b, int M, int N, int K, int ta, int tb, float alpha,
		      float beta)
{
	if (M <= 0 || N <= 0)
		return;
	PROF(PROF_MATMUL);
	cublas_init();
	if (K <= 0) {   // an empty sum: out = beta out
		if (beta == 0)
			CUDA_CHECK(cudaMemsetAsync(out, 0, (size_t)M * N * sizeof(float), 0));
		else
			CUBLAS_CHECK(cublasSscal(cublas, M * N, &beta, out, 1));
		return;
	}
	cublasComputeType_t ct = mm_mode == CUDA_MM_TF32 ? CUBLAS_COMPUTE_32F_FAST_TF32
			       : mm_mode == CUDA_MM_BF16 ? CUBLAS_COMPUTE_32F_FAST_16BF : CUBLAS_COMPUTE_32F;
	CUBLAS_CHECK(cublasGemmEx(cublas, tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N, N, M, K,
				  &alpha, b, CUDA_R_32F, tb ? K : N, a, CUDA_R_32F, ta ? M : K, &beta, out, CUDA_R_32F,
				  N, ct, CUBLAS_GEMM_DEFAULT));
}

// ---- reductions ----

__device__ __forceinline__ double warp_sum(double v)
{
	for (int o = 16; o; o >>= 1)
		v += __shfl_xor_sync(0xffffffffu, v, o);
	return v;
}

__device__ __forceinline__ float warp_maxf(float v)
{
	for (int o = 16; o; o >>= 1)
		v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
	return v;
}

// Sum over the block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
__device__ double block_sum(double v)
{
	__shared__ double s[32];
	int lane = threadIdx.x & 31, w = threadIdx.x >> 5, nw = blockDim.x >> 5;
	v = warp_sum(v);
	__syncthreads();   // s may still be read from a previous call
	if (!lane)
		s[w] = v;
	__syncthreads();
	v = lane < nw ? s[lane] : 0.0;
	return warp_sum(v);
}

__device__ float block_max(float v)
{
	__shared__ float s[32];
	int lane = threadIdx.x & 31, w = threadIdx.x >> 5, nw = blockDim.x >> 5;
	v = warp_maxf(v);
	__syncthreads();
	if (!lane)
		s[w] = v;
	__syncthreads();
	v = lane < nw ? s[lane] : -INFINITY;
	return warp_maxf(v);
}

// Column sums dst[j] += sum_i a[i, j] * (b ? b[i, j] : 1) * (r ? r[i] : 1), a, b (M, N), r (M):
// bias_bwd, DoRA's colmul_sum and rmsnorm's weight gradient. Block (32, 16): 32 columns, 16
// row strides, summed in double, then across the 16 in shared memory.
__global__ void colsum_kernel(float *dst, const float *a, const float *b, const float *r, int M, int N)
{
	__shared__ double s[16][33];
	int j = blockIdx.x * 32 + threadIdx.x;
	double acc = 0;
	if (j < N)
		for (int i = threadIdx.y; i < M; i += 16) {
			size_t k = (size_t)i * N + j;
			double x = a[k];
			if (b)
				x *= b[k];
			if (r)
				x *= r[i];
			acc += x;
		}
	s[threadIdx.y][threadIdx.x] = acc;
	__syncthreads();
	if (threadIdx.y == 0 && j < N) {
		for (int y = 1; y < 16; y++)
			acc += s[y][threadIdx.x];
		dst[j] += (float)acc;
	}
}

static void colsum(float *dst, const float *a, const float *b, const float *r, int M, int N)
{
	if (N <= 0)
		return;
	colsum_kernel<<<ceil_div(N, 32), dim3(32, 16)>>>(dst, a, b, r, M, N);
	CUDA_LAUNCHED();
}

// ---- bias, axpy, DoRA ----

__global__ void bias_fwd_kernel(float *out, const float *bias, size_t MN, int N)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < MN; i += (size_t)gridDim.x * blockDim.x)
		out[i] += bias[i % N];
}

static void cu_bias_fwd(float *out, const float *bias, int M, int N)
{
	size_t n = (size_t)M * N;
	if (!n)
		return;
	PROF(PROF_ELTWISE);
	bias_fwd_kernel<<<ew_blocks(n), 256>>>(out, bias, n, N);
	CUDA_LAUNCHED();
}

static void cu_bias_bwd(float *dbias, const float *dout, int M, int N)
{
	PROF(PROF_ELTWISE);
	colsum(dbias, dout, NULL, NULL, M, N);
}

__global__ void axpy_kernel(float *y, const float *x, float alpha, size_t n)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
		y[i] += alpha * x[i];
}

static void cu_axpy(float *y, const float *x, float alpha, size_t n)
{
	if (!n)
		return;
	PROF(PROF_ELTWISE);
	axpy_kernel<<<ew_blocks(n), 256>>>(y, x, alpha, n);
	CUDA_LAUNCHED();
}

__global__ void colscale_kernel(float *out, const float *x, const float *g, size_t MN, int N, float beta)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < MN; i += (size_t)gridDim.x * blockDim.x)
		out[i] = x[i] * g[i % N] + (beta == 0 ? 0.0f : beta * out[i]);
}

static void cu_colscale(float *out, const float *x, const float *g, int M, int N, float beta)
{
	size_t n = (size_t)M * N;
	if (!n)
		return;
	PROF(PROF_DORA);
	colscale_kernel<<<ew_blocks(n), 256>>>(out, x, g, n, N, beta);
	CUDA_LAUNCHED();
}

static void cu_colmul_sum(float *dg, const float *a, const float *b, int M, int N)
{
	PROF(PROF_DORA);
	colsum(dg, a, b, NULL, M, N);
}

__global__ void rownorm_kernel(float *out, const float *x, int N)
{
	const float *xi = x + (size_t)blockIdx.x * N;
	double s = 0;
	for (int j = threadIdx.x; j < N; j += blockDim.x)
		s += (double)xi[j] * xi[j];
	s = block_sum(s);
	if (!threadIdx.x)
		out[blockIdx.x] = (float)sqrt(s);
}

static void cu_rownorm(float *out, const float *x, int M, int N)
{
	if (M <= 0)
		return;
	PROF(PROF_DORA);
	rownorm_kernel<<<M, 256>>>(out, x, N);
	CUDA_LAUNCHED();
}

__global__ void div_kernel(float *out, const float *a, const float *b, size_t n)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
		out[i] = a[i] / b[i];
}

static void cu_div(float *out, const float *a, const float *b, size_t n)
{
	if (!n)
		return;
	PROF(PROF_DORA);
	div_kernel<<<ew_blocks(n), 256>>>(out, a, b, n);
	CUDA_LAUNCHED();
}

// ---- RMSNorm: one warp per row (rows are as short as a head, 16, with q/k norm) ----

__global__ void rmsnorm_fwd_kernel(float *out, float *rstd, const float *x, const float *w, int N, int C, float eps,
				   float wo)
{
	int row = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5), lane = threadIdx.x & 31;
	if (row >= N)
		return;
	const float *xi = x + (size_t)row * C;
	double ss = 0;
	for (int c = lane; c < C; c += 32)
		ss += (double)xi[c] * xi[c];
	ss = warp_sum(ss);
	float r = (float)(1.0 / sqrt(ss / C + eps));
	if (!lane)
		rstd[row] = r;
	float *o = out + (size_t)row * C;
	for (int c = lane; c < C; c += 32)
		o[c] = (xi[c] * r) * (w[c] + wo);
}

static void cu_rmsnorm_fwd(float *out, float *rstd, const float *x, const float *w, int N, int C, float eps, float wo)
{
	if (N <= 0)
		return;
	PROF(PROF_RMSNORM);
	rmsnorm_fwd_kernel<<<ceil_div(N, 8), 256>>>(out, rstd, x, w, N, C, eps, wo);
	CUDA_LAUNCHED();
}

__global__ void rmsnorm_bwd_kernel(float *dx, const float *dout, const float *x, const float *w, const float *rstd,
				   int N, int C, float wo)
{
	int row = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5), lane = threadIdx.x & 31;
	if (row >= N)
		return;
	const float *xi = x + (size_t)row * C, *dy = dout + (size_t)row * C;
	double r = rstd[row], dot = 0;
	for (int c = lane; c < C; c += 32)
		dot += (double)dy[c] * (w[c] + wo) * xi[c];
	dot = warp_sum(dot);
	// y = x r g: dx = r g dy - r^3 x (sum dy g x) / C
	double k = r * r * r * dot / C;
	float *d = dx + (size_t)row * C;
	for (int c = lane; c < C; c += 32)
		d[c] += (float)(r * (w[c] + wo) * dy[c] - k * xi[c]);
}

static void cu_rmsnorm_bwd(float *dx, float *dw, const float *dout, const float *x, const float *w, const float *rstd,
			   int N, int C, float wo)
{
	if (N <= 0)
		return;
	PROF(PROF_RMSNORM);
	rmsnorm_bwd_kernel<<<ceil_div(N, 8), 256>>>(dx, dout, x, w, rstd, N, C, wo);
	CUDA_LAUNCHED();
	if (dw)
		colsum(dw, dout, x, rstd, N, C);
}

// ---- RoPE: one thread per (token, rotated pair), looping over heads as the CPU does ----

__global__ void rope_kernel(float *x, const int *pos, const float *inv_freq, int N, int H, int HD, int half,
			    float scaling, float sign)
{
	size_t n = (size_t)N * half;
	for (size_t t = blockIdx.x * (size_t)blockDim.x + threadIdx.x; t < n; t += (size_t)gridDim.x * blockDim.x) {
		int i = (int)(t / half), k = (int)(t % half);
		// as HF: the angle in float32, then cos/sin times attention_scaling (no fast math)
		float ang = (float)pos[i] * inv_freq[k];
		float c = cosf(ang) * scaling, s = sign * sinf(ang) * scaling;
		for (int h = 0; h < H; h++) {
			float *xh = x + ((size_t)i * H + h) * HD;
			float a = xh[k], b = xh[k + half];
			xh[k] = a * c - b * s;
			xh[k + half] = b * c + a * s;
		}
	}
}

static void rope(float *x, const int *pos, const float *inv_freq, int N, int H, int HD, int rot_dim, float sc, float sign)
{
	size_t n = (size_t)N * (rot_dim / 2);
	if (!n)
		return;
	PROF(PROF_ROPE);
	rope_kernel<<<ew_blocks(n), 256>>>(x, pos, inv_freq, N, H, HD, rot_dim / 2, sc, sign);
	CUDA_LAUNCHED();
}

static void cu_rope_fwd(float *x, const int *pos, const float *f, int N, int H, int HD, int rd, float sc)
{
	rope(x, pos, f, N, H, HD, rd, sc, 1.0f);
}

static void cu_rope_bwd(float *dx, const int *pos, const float *f, int N, int H, int HD, int rd, float sc)
{
	rope(dx, pos, f, N, H, HD, rd, sc, -1.0f);
}

// ---- attention (attention.cu) ----

static void cu_attention_fwd(float *out, float *lse, const float *q, const float *k, const float *v, const int *cu,
			     int nseq, int max_seqlen, int N, int NH, int NKV, int HD, float scale, float softcap,
			     int window)
{
	PROF(PROF_ATTN_FWD);
	cuda_attention_fwd(out, lse, q, k, v, cu, nseq, max_seqlen, N, NH, NKV, HD, scale, softcap, window);
}

static void cu_attention_bwd(float *dq, float *dk, float *dv, const float *dout, const float *out, const float *lse,
			     const float *q, const float *k, const float *v, const int *cu, int nseq, int max_seqlen,
			     int N, int NH, int NKV, int HD, float scale, float softcap, int window)
{
	PROF(PROF_ATTN_BWD);
	cuda_attention_bwd(dq, dk, dv, dout, out, lse, q, k, v, cu, nseq, max_seqlen, N, NH, NKV, HD, scale, softcap,
			   window);
}

// ---- gated MLP: in double, as the CPU ----

#define GELU_K 0.7978845608028654   // sqrt(2 / pi)

__global__ void glu_fwd_kernel(float *out, const float *gate, const float *up, size_t n, int silu)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
		double x = gate[i], a;
		if (silu)
			a = x / (1 + exp(-x));
		else
			a = 0.5 * x * (1 + tanh(GELU_K * (x + 0.044715 * x * x * x)));
		out[i] = (float)a * up[i];
	}
}

__global__ void glu_bwd_kernel(float *dgate, float *dup, const float *dout, const float *gate, const float *up,
			       size_t n, int silu)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
		double x = gate[i], a, da;
		if (silu) {
			double sg = 1 / (1 + exp(-x));
			a = x * sg;
			da = sg * (1 + x * (1 - sg));
		} else {
			double t = tanh(GELU_K * (x + 0.044715 * x * x * x));
			a = 0.5 * x * (1 + t);
			da = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_K * (1 + 3 * 0.044715 * x * x);
		}
		dgate[i] += (float)(dout[i] * up[i] * da);
		dup[i] += (float)(dout[i] * a);
	}
}

static void cu_glu_fwd(float *out, const float *gate, const float *up, size_t n, act_t act)
{
	if (!n)
		return;
	PROF(PROF_GLU);
	glu_fwd_kernel<<<ew_blocks(n), 256>>>(out, gate, up, n, act == ACT_SILU);
	CUDA_LAUNCHED();
}

static void cu_glu_bwd(float *dgate, float *dup, const float *dout, const float *gate, const float *up, size_t n,
		       act_t act)
{
	if (!n)
		return;
	PROF(PROF_GLU);
	glu_bwd_kernel<<<ew_blocks(n), 256>>>(dgate, dup, dout, gate, up, n, act == ACT_SILU);
	CUDA_LAUNCHED();
}

// ---- embedding: gather forward, atomic scatter-add backward (repeated ids add up in any
// order: float32 rounding differs from the CPU's order by an ulp per repeat) ----

__global__ void embedding_fwd_kernel(float *out, const int *ids, const float *wte, int N, int C, float scale)
{
	size_t n = (size_t)N * C;
	for (size_t t = blockIdx.x * (size_t)blockDim.x + threadIdx.x; t < n; t += (size_t)gridDim.x * blockDim.x)
		out[t] = wte[(size_t)ids[t / C] * C + t % C] * scale;
}

__global__ void embedding_bwd_kernel(float *dwte, const float *dout, const int *ids, int N, int C, float scale)
{
	size_t n = (size_t)N * C;
	for (size_t t = blockIdx.x * (size_t)blockDim.x + threadIdx.x; t < n; t += (size_t)gridDim.x * blockDim.x)
		atomicAdd(&dwte[(size_t)ids[t / C] * C + t % C], scale * dout[t]);
}

static void cu_embedding_fwd(float *out, const int *ids, const float *wte, int N, int C, float scale)
{
	size_t n = (size_t)N * C;
	if (!n)
		return;
	PROF(PROF_EMBED);
	embedding_fwd_kernel<<<ew_blocks(n), 256>>>(out, ids, wte, N, C, scale);
	CUDA_LAUNCHED();
}

static void cu_embedding_bwd(float *dwte, const float *dout, const int *ids, int N, int C, float scale)
{
	size_t n = (size_t)N * C;
	if (!n)
		return;
	PROF(PROF_EMBED);
	embedding_bwd_kernel<<<ew_blocks(n), 256>>>(dwte, dout, ids, N, C, scale);
	CUDA_LAUNCHED();
}

// ---- softcap, cross-entropy (one block per row, V up to 256k), dropout ----

__global__ void softcap_kernel(float *x, size_t n, float cap)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
		x[i] = cap * tanhf(x[i] / cap);
}

static void cu_softcap_fwd(float *x, size_t n, float cap)
{
	if (!n)
		return;
	PROF(PROF_ELTWISE);
	softcap_kernel<<<ew_blocks(n), 256>>>(x, n, cap);
	CUDA_LAUNCHED();
}

__device__ double row_lse(const float *l, int V)
{
	float mx = -INFINITY;
	for (int j = threadIdx.x; j < V; j += blockDim.x)
		mx = fmaxf(mx, l[j]);
	mx = block_max(mx);
	double s = 0;
	for (int j = threadIdx.x; j < V; j += blockDim.x)
		s += exp((double)l[j] - mx);
	s = block_sum(s);
	return mx + log(s);
}

__global__ void xent_fwd_kernel(float *losses, const float *logits, const int *targets, int V)
{
	int i = blockIdx.x, t = targets[i];
	if (t < 0) {   // the whole block takes this branch
		if (!threadIdx.x)
			losses[i] = 0;
		return;
	}
	const float *l = logits + (size_t)i * V;
	double lse = row_lse(l, V);
	if (!threadIdx.x)
		losses[i] = (float)(lse - l[t]);
}

__global__ void xent_bwd_kernel(float *dlogits, const float *logits, const int *targets, float dloss, int V,
				float softcap)
{
	int i = blockIdx.x, t = targets[i];
	const float *l = logits + (size_t)i * V;
	float *d = dlogits + (size_t)i * V;
	if (t < 0) {
		for (int j = threadIdx.x; j < V; j += blockDim.x)
			d[j] = 0;
		return;
	}
	// every read of the row is done once row_lse returns (its reductions synchronise the
	// block), so d may alias l: each element is then read and written by one thread
	double lse = row_lse(l, V);
	for (int j = threadIdx.x; j < V; j += blockDim.x) {
		double y = l[j];
		double g = (exp(y - lse) - (j == t)) * dloss;
		if (softcap > 0)
			g *= 1 - (y / softcap) * (y / softcap);
		d[j] = (float)g;
	}
}

static void cu_crossentropy_fwd(float *losses, const float *logits, const int *targets, int N, int V)
{
	if (N <= 0)
		return;
	PROF(PROF_XENT);
	xent_fwd_kernel<<<N, 512>>>(losses, logits, targets, V);
	CUDA_LAUNCHED();
}

static void cu_crossentropy_bwd(float *dlogits, const float *logits, const int *targets, float dloss, int N, int V,
				float softcap)
{
	if (N <= 0)
		return;
	PROF(PROF_XENT);
	xent_bwd_kernel<<<N, 512>>>(dlogits, logits, targets, dloss, V, softcap);
	CUDA_LAUNCHED();
}

__device__ __forceinline__ uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

// the counter-based mask of ops_cpu.c, bit for bit
__global__ void dropout_kernel(float *out, const float *x, size_t n, uint32_t thr, float k, uint64_t seed)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
		uint32_t u = (uint32_t)(mix64(seed + (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull) >> 40);
		out[i] = u >= thr ? x[i] * k : 0.0f;
	}
}

static void cu_dropout(float *out, const float *x, size_t n, float p, uint64_t seed)
{
	if (!n)
		return;
	PROF(PROF_ELTWISE);
	uint32_t thr = (uint32_t)((double)p * 16777216.0);
	float k = 1.0f / (1.0f - p);
	dropout_kernel<<<ew_blocks(n), 256>>>(out, x, n, thr, k, seed);
	CUDA_LAUNCHED();
}

// Sum: per-block partial sums in double, added on the host in block order (deterministic).
#define SUM_BLOCKS 256
__global__ void sum_kernel(double *part, const float *x, size_t n)
{
	double s = 0;
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
		s += x[i];
	s = block_sum(s);
	if (!threadIdx.x)
		part[blockIdx.x] = s;
}

static double cu_sum(const float *x, size_t n)
{
	if (!n)
		return 0;
	PROF(PROF_XENT);
	double *part = (double *)cuda_scratch(0, SUM_BLOCKS * sizeof(double)), h[SUM_BLOCKS];
	sum_kernel<<<SUM_BLOCKS, 256>>>(part, x, n);
	CUDA_LAUNCHED();
	CUDA_CHECK(cudaMemcpy(h, part, sizeof h, cudaMemcpyDeviceToHost));
	double s = 0;
	for (int b = 0; b < SUM_BLOCKS; b++)
		s += h[b];
	return s;
}

extern "C" const ops_t ops_cuda = {
	.name = "cuda",
	.alloc = cu_alloc,
	.free = cu_free,
	.upload = cu_upload,
	.download = cu_download,
	.copy = cu_copy,
	.zero = cu_zero,
	.matmul = cu_matmul,
	.bias_fwd = cu_bias_fwd,
	.bias_bwd = cu_bias_bwd,
	.axpy = cu_axpy,
	.colscale = cu_colscale,
	.colmul_sum = cu_colmul_sum,
	.rownorm = cu_rownorm,
	.div = cu_div,
	.rmsnorm_fwd = cu_rmsnorm_fwd,
	.rmsnorm_bwd = cu_rmsnorm_bwd,
	.rope_fwd = cu_rope_fwd,
	.rope_bwd = cu_rope_bwd,
	.attention_fwd = cu_attention_fwd,
	.attention_bwd = cu_attention_bwd,
	.glu_fwd = cu_glu_fwd,
	.glu_bwd = cu_glu_bwd,
	.embedding_fwd = cu_embedding_fwd,
	.embedding_bwd = cu_embedding_bwd,
	.softcap_fwd = cu_softcap_fwd,
	.crossentropy_fwd = cu_crossentropy_fwd,
	.crossentropy_bwd = cu_crossentropy_bwd,
	.dropout = cu_dropout,
	.sum = cu_sum,
};
