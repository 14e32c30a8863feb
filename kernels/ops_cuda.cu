// ops_cuda: the CUDA backend of the op table (ops.h, ops_cuda.h) — memory, matrix products
// through cuBLAS, and the elementwise / row-wise kernels; attention is in attention.cu.
//
// Two tables: ops_cuda, float32 tensors like the CPU oracle (its parity configuration), and
// ops_cuda_bf16, bfloat16 activations and compute weights (the fast one). Reductions that the CPU does in double (norms,
// column sums, softmax sums) are done in double here too: this backend's first job is to agree
// with the oracle, and on an H200 double arithmetic is not what limits these memory-bound
// kernels. Everything runs on the default stream, in order; ops return without waiting except
// download and sum, which hand data to the host.
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cuda_common.cuh"
#include "optim.h"

#define CUBLAS_CHECK(call)                                                                          \
	do {                                                                                        \
		cublasStatus_t s_ = (call);                                                         \
		if (s_ != CUBLAS_STATUS_SUCCESS)                                                    \
			ft_die(FT_EXIT_GPU, "%s:%d: cublas: %s (%s)", __FILE__, __LINE__,             \
			       cublasGetStatusString(s_), #call);                                   \
	} while (0)

// ---- profiling ----

const char *const ops_cuda_prof_names[PROF_NFAM] = {"matmul", "attention_fwd", "attention_bwd", "rmsnorm", "rope",
						   "glu", "embedding", "crossentropy", "eltwise", "memory", "dora", "optimizer"};
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
	cudaError_t e = cudaMalloc(&p, n ? n : 16);
	if (e == cudaErrorMemoryAllocation) {
		size_t fr = 0, tot = 0;
		cudaGetLastError();
		cudaMemGetInfo(&fr, &tot);
		ft_die(FT_EXIT_GPU, "GPU out of memory: %.2f GiB more needed, %.2f GiB free of %.2f; lower micro_batch_size "
		       "or sequence_len, or set gradient_checkpointing: true", n / 1073741824.0, fr / 1073741824.0,
		       tot / 1073741824.0);
	}
	CUDA_CHECK(e);
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

static void *scratch_p[CUDA_SCRATCH_SLOTS];
static size_t scratch_n[CUDA_SCRATCH_SLOTS];

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

// ---- element types ----
// Kernels over the `void *` tensors of ops.h are templates on T, float (ops_cuda) or
// __nv_bfloat16 (ops_cuda_bf16); they load into float, compute in float or double, and round
// once when they store.

typedef __nv_bfloat16 bf16;
__device__ __forceinline__ float ld(float x) { return x; }
__device__ __forceinline__ float ld(bf16 x) { return __bfloat162float(x); }
template <typename T> __device__ __forceinline__ T st(float x);
template <> __device__ __forceinline__ float st<float>(float x) { return x; }
template <> __device__ __forceinline__ bf16 st<bf16>(float x) { return __float2bfloat16_rn(x); }

// Accumulation: double for float32 tensors (the parity configuration agrees with the CPU's
// double sums), float for bf16 ones (their inputs carry 8 bits; float keeps the kernels at
// memory speed).
template <typename T> struct acc_of { typedef double type; };
template <> struct acc_of<bf16> { typedef float type; };

// 8 bf16 in one 16-byte load or store (uint4). The bf16 kernels that use it need their counts
// multiples of 8 and their tensors 16-byte aligned (vec8), and keep a scalar fallback.
union bf8 {
	uint4 u;
	bf16 h[8];
};

static int vec8(size_t n, const void *a, const void *b, const void *c, const void *d, const void *e)
{
	uintptr_t m = (uintptr_t)a | (uintptr_t)b | (uintptr_t)c | (uintptr_t)d | (uintptr_t)e;
	return n % 8 == 0 && (m & 15) == 0;
}

#define GRID_STRIDE(i, n) \
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < (n); i += (size_t)gridDim.x * blockDim.x)

template <typename D, typename S> __global__ void convert_kernel(D *d, const S *s, size_t n)
{
	GRID_STRIDE(i, n) d[i] = st<D>(ld(s[i]));
}

template <typename D, typename S> static void convert(D *d, const S *s, size_t n)
{
	if (!n)
		return;
	convert_kernel<D, S><<<ew_blocks(n), 256>>>(d, s, n);
	CUDA_LAUNCHED();
}

// host float32 <-> device T, through a device staging buffer in chunks (slot 1)
#define STAGE_ELEMS ((size_t)1 << 24)
template <typename T> static void cu_upload_f32(void *dst, const float *src, size_t n)
{
	PROF(PROF_MEMORY);
	if (sizeof(T) == sizeof(float)) {
		cu_upload(dst, src, n * sizeof(float));
		return;
	}
	float *stage = (float *)cuda_scratch(1, STAGE_ELEMS * sizeof(float));
	for (size_t at = 0; at < n; at += STAGE_ELEMS) {
		size_t k = n - at < STAGE_ELEMS ? n - at : STAGE_ELEMS;
		CUDA_CHECK(cudaMemcpy(stage, src + at, k * sizeof(float), cudaMemcpyHostToDevice));
		convert((T *)dst + at, stage, k);
	}
}

template <typename T> static void cu_download_f32(float *dst, const void *src, size_t n)
{
	PROF(PROF_MEMORY);
	if (sizeof(T) == sizeof(float)) {
		cu_download(dst, src, n * sizeof(float));
		return;
	}
	float *stage = (float *)cuda_scratch(1, STAGE_ELEMS * sizeof(float));
	for (size_t at = 0; at < n; at += STAGE_ELEMS) {
		size_t k = n - at < STAGE_ELEMS ? n - at : STAGE_ELEMS;
		convert(stage, (const T *)src + at, k);
		CUDA_CHECK(cudaMemcpy(dst + at, stage, k * sizeof(float), cudaMemcpyDeviceToHost));
	}
}

template <typename T> static void cu_to_f32(float *dst, const void *src, size_t n)
{
	PROF(PROF_MEMORY);
	convert(dst, (const T *)src, n);
}

template <typename T> static void cu_from_f32(void *dst, const float *src, size_t n)
{
	PROF(PROF_MEMORY);
	convert((T *)dst, src, n);
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
	// a workspace lets cuBLAS pick its faster split-K / stream-K kernels
	size_t ws = (size_t)64 << 20;
	CUBLAS_CHECK(cublasSetWorkspace(cublas, cuda_scratch(3, ws), ws));
	if (mm_mode < 0) {
		const char *e = getenv("FT_CUDA_MATMUL");
		mm_mode = !e || !strcmp(e, "fp32") ? CUDA_MM_FP32 : !strcmp(e, "tf32") ? CUDA_MM_TF32
			: !strcmp(e, "bf16") ? CUDA_MM_BF16 : -2;
		if (mm_mode == -2)
			ft_die(2, "FT_CUDA_MATMUL: '%s' is not fp32, tf32 or bf16", e);
	}
}

template <typename T> __global__ void scale_kernel(T *x, float a, size_t n)
{
	GRID_STRIDE(i, n) x[i] = st<T>(a * ld(x[i]));
}

// Row-major out (M, N) = alpha op(a) op(b) + beta out is column-major out^T = op(b)^T op(a)^T:
// a row-major buffer read column-major is its transpose, so b goes first, and a transposed
// operand (ta/tb) is the one cuBLAS must transpose back. Operands of type T (float32 or bf16),
// out of type O; bf16 operands always use bf16 tensor cores with float32 accumulation.
template <typename T, typename O>
static void gemm(O *out, const T *a, const T *b, int M, int N, int K, int ta, int tb, float alpha, float beta)
{
	if (M <= 0 || N <= 0)
		return;
	PROF(PROF_MATMUL);
	cublas_init();
	if (K <= 0) {   // an empty sum: out = beta out
		size_t n = (size_t)M * N;
		if (beta == 0)
			CUDA_CHECK(cudaMemsetAsync(out, 0, n * sizeof(O), 0));
		else
			scale_kernel<O><<<ew_blocks(n), 256>>>(out, beta, n);
		return;
	}
	cudaDataType_t tt = sizeof(T) == 2 ? CUDA_R_16BF : CUDA_R_32F, ot = sizeof(O) == 2 ? CUDA_R_16BF : CUDA_R_32F;
	cublasComputeType_t ct = sizeof(T) == 2 ? CUBLAS_COMPUTE_32F
			       : mm_mode == CUDA_MM_TF32 ? CUBLAS_COMPUTE_32F_FAST_TF32
			       : mm_mode == CUDA_MM_BF16 ? CUBLAS_COMPUTE_32F_FAST_16BF : CUBLAS_COMPUTE_32F;
	CUBLAS_CHECK(cublasGemmEx(cublas, tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N, N, M, K,
				  &alpha, b, tt, tb ? K : N, a, tt, ta ? M : K, &beta, out, ot, N, ct,
				  CUBLAS_GEMM_DEFAULT));
}

template <typename T>
static void cu_matmul(void *out, const void *a, const void *b, int M, int N, int K, int ta, int tb, float alpha,
		      float beta)
{
	gemm<T, T>((T *)out, (const T *)a, (const T *)b, M, N, K, ta, tb, alpha, beta);
}

template <typename T>
static void cu_matmul_f32out(float *out, const void *a, const void *b, int M, int N, int K, int ta, int tb,
			     float alpha, float beta)
{
	gemm<T, float>(out, (const T *)a, (const T *)b, M, N, K, ta, tb, alpha, beta);
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
template <typename T>
__global__ void colsum_kernel(float *dst, const T *a, const T *b, const float *r, int M, int N)
{
	__shared__ double s[16][33];
	int j = blockIdx.x * 32 + threadIdx.x;
	double acc = 0;
	// gridDim.y > 1 (bf16): rows split in gridDim.y chunks, added with float atomics
	int per = (M + gridDim.y - 1) / gridDim.y, i0 = blockIdx.y * per, i1 = min(M, i0 + per);
	if (j < N)
		for (int i = i0 + threadIdx.y; i < i1; i += 16) {
			size_t k = (size_t)i * N + j;
			double x = ld(a[k]);
			if (b)
				x *= ld(b[k]);
			if (r)
				x *= r[i];
			acc += x;
		}
	s[threadIdx.y][threadIdx.x] = acc;
	__syncthreads();
	if (threadIdx.y == 0 && j < N) {
		for (int y = 1; y < 16; y++)
			acc += s[y][threadIdx.x];
		if (gridDim.y > 1)
			atomicAdd(&dst[j], (float)acc);
		else
			dst[j] += (float)acc;
	}
}

template <typename T> static void colsum(float *dst, const T *a, const T *b, const float *r, int M, int N)
{
	if (N <= 0)
		return;
	// float32 tensors: one pass down each column, deterministic, as the parity configuration
	// wants; bf16: enough row chunks to fill the GPU
	unsigned gy = sizeof(T) == 2 ? (unsigned)min(64, max(1, M / 256)) : 1;
	colsum_kernel<T><<<dim3(ceil_div(N, 32), gy), dim3(32, 16)>>>(dst, a, b, r, M, N);
	CUDA_LAUNCHED();
}

// ---- bias, axpy, DoRA ----

template <typename T> __global__ void bias_fwd_kernel(T *out, const T *bias, size_t MN, int N)
{
	GRID_STRIDE(i, MN) out[i] = st<T>(ld(out[i]) + ld(bias[i % N]));
}

template <typename T> static void cu_bias_fwd(void *out, const void *bias, int M, int N)
{
	size_t n = (size_t)M * N;
	if (!n)
		return;
	PROF(PROF_ELTWISE);
	bias_fwd_kernel<T><<<ew_blocks(n), 256>>>((T *)out, (const T *)bias, n, N);
	CUDA_LAUNCHED();
}

template <typename T> static void cu_bias_bwd(float *dbias, const void *dout, int M, int N)
{
	PROF(PROF_ELTWISE);
	colsum<T>(dbias, (const T *)dout, NULL, NULL, M, N);
}

template <typename T> __global__ void axpy_kernel(T *y, const T *x, float alpha, size_t n)
{
	GRID_STRIDE(i, n) y[i] = st<T>(ld(y[i]) + alpha * ld(x[i]));
}

template <typename T> static void cu_axpy(void *y, const void *x, float alpha, size_t n)
{
	if (!n)
		return;
	PROF(PROF_ELTWISE);
	axpy_kernel<T><<<ew_blocks(n), 256>>>((T *)y, (const T *)x, alpha, n);
	CUDA_LAUNCHED();
}

static void cu_axpy_f32(float *y, const float *x, float alpha, size_t n)
{
	if (!n)
		return;
	PROF(PROF_ELTWISE);
	axpy_kernel<float><<<ew_blocks(n), 256>>>(y, x, alpha, n);
	CUDA_LAUNCHED();
}

template <typename T> __global__ void colscale_kernel(T *out, const T *x, const float *g, size_t MN, int N, float beta)
{
	GRID_STRIDE(i, MN) out[i] = st<T>(ld(x[i]) * g[i % N] + (beta == 0 ? 0.0f : beta * ld(out[i])));
}

template <typename T> static void cu_colscale(void *out, const void *x, const float *g, int M, int N, float beta)
{
	size_t n = (size_t)M * N;
	if (!n)
		return;
	PROF(PROF_DORA);
	colscale_kernel<T><<<ew_blocks(n), 256>>>((T *)out, (const T *)x, g, n, N, beta);
	CUDA_LAUNCHED();
}

template <typename T> static void cu_colmul_sum(float *dg, const void *a, const void *b, int M, int N)
{
	PROF(PROF_DORA);
	colsum<T>(dg, (const T *)a, (const T *)b, NULL, M, N);
}

template <typename T> __global__ void rownorm_kernel(float *out, const T *x, int N)
{
	const T *xi = x + (size_t)blockIdx.x * N;
	double s = 0;
	for (int j = threadIdx.x; j < N; j += blockDim.x) {
		double v = ld(xi[j]);
		s += v * v;
	}
	s = block_sum(s);
	if (!threadIdx.x)
		out[blockIdx.x] = (float)sqrt(s);
}

template <typename T> static void cu_rownorm(float *out, const void *x, int M, int N)
{
	if (M <= 0)
		return;
	PROF(PROF_DORA);
	rownorm_kernel<T><<<M, 256>>>(out, (const T *)x, N);
	CUDA_LAUNCHED();
}

__global__ void div_kernel(float *out, const float *a, const float *b, size_t n)
{
	GRID_STRIDE(i, n) out[i] = a[i] / b[i];
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

// Block sums for the accumulator types (blockDim.x a multiple of 32, at most 1024).
__device__ __forceinline__ float warp_sumf(float v)
{
	for (int o = 16; o; o >>= 1)
		v += __shfl_xor_sync(0xffffffffu, v, o);
	return v;
}

__device__ float block_sumf(float v)
{
	__shared__ float s[32];
	int lane = threadIdx.x & 31, w = threadIdx.x >> 5, nw = blockDim.x >> 5;
	v = warp_sumf(v);
	__syncthreads();
	if (!lane)
		s[w] = v;
	__syncthreads();
	v = lane < nw ? s[lane] : 0.0f;
	return warp_sumf(v);
}

__device__ __forceinline__ double block_sum_acc(double v) { return block_sum(v); }
__device__ __forceinline__ float block_sum_acc(float v) { return block_sumf(v); }
__device__ __forceinline__ double warp_sum_acc(double v) { return warp_sum(v); }
__device__ __forceinline__ float warp_sum_acc(float v) { return warp_sumf(v); }

// Rows of at least 256 elements: a block of 256 threads per row; shorter rows (q/k norms over
// a head): a warp per row.
#define NORM_BLOCK_MIN 256

template <typename T>
__global__ void rmsnorm_fwd_kernel(T *out, float *rstd, const T *x, const T *w, int N, int C, float eps, float wo)
{
	typedef typename acc_of<T>::type A;
	int rows = blockDim.x >> 5, byblock = C >= NORM_BLOCK_MIN;
	int row = byblock ? blockIdx.x : blockIdx.x * rows + (threadIdx.x >> 5);
	int t = byblock ? threadIdx.x : threadIdx.x & 31, nt = byblock ? blockDim.x : 32;
	if (row >= N)
		return;
	const T *xi = x + (size_t)row * C;
	A ss = 0;
	for (int c = t; c < C; c += nt) {
		A v = ld(xi[c]);
		ss += v * v;
	}
	ss = byblock ? block_sum_acc(ss) : warp_sum_acc(ss);
	float r = (float)(1.0 / sqrt((double)ss / C + eps));
	if (!t)
		rstd[row] = r;
	T *o = out + (size_t)row * C;
	for (int c = t; c < C; c += nt)
		o[c] = st<T>((ld(xi[c]) * r) * (ld(w[c]) + wo));
}

static unsigned norm_grid(int N, int C) { return C >= NORM_BLOCK_MIN ? (unsigned)N : ceil_div(N, 8); }

// bf16 rows with C a multiple of 8 and 16-byte aligned tensors: 8 elements a thread in one
// 16-byte load, held in registers from the sum of squares to the output, so x is read once.
// The scalar kernels above read it twice, 2 bytes a load, and reached ~25% of an H200's
// bandwidth (profile: 2.9 ms for 66 calls at N 4096, C 2048). Rows of up to 256 elements (q/k
// norms over a head) take a group of g lanes, C/8 rounded up to a power of two, several rows to
// a warp; longer rows a block each, NV vectors a thread (C up to 8 * 256 * 8 = 16384; longer
// rows fall back). The formulas and the float accumulation are the scalar kernels'; only the
// order of the sums differs.
#define NORM8_BLOCK 256
#define NORM8_NV_MAX 8

struct norm8_t {
	int g;            // lanes per row, a power of two up to 32; 0: a block per row
	int nv;           // 16-byte vectors a thread holds: 1, 2, 4 or 8
	unsigned grid, block;
};

static int norm8_plan(norm8_t *p, int N, int C)
{
	int C8 = C / 8;
	if (C8 <= 32) {
		int g = 1;
		while (g < C8)
			g <<= 1;
		p->g = g, p->nv = 1, p->grid = ceil_div(N, NORM8_BLOCK / g), p->block = NORM8_BLOCK;
		return 1;
	}
	int nv = 1;
	while (nv < NORM8_NV_MAX && C8 > NORM8_BLOCK * nv)
		nv <<= 1;
	if (C8 > NORM8_BLOCK * nv)
		return 0;
	// the fewest warps that cover the row with nv vectors each: block_sumf wants whole warps
	p->g = 0, p->nv = nv, p->grid = (unsigned)N, p->block = (ceil_div(C8, nv) + 31) / 32 * 32;
	return 1;
}

// K<nv> launched with the plan p
#define NORM8_LAUNCH(K, p, ...)                                              \
	do {                                                                 \
		if ((p).nv == 1)                                             \
			K<1><<<(p).grid, (p).block>>>(__VA_ARGS__);          \
		else if ((p).nv == 2)                                        \
			K<2><<<(p).grid, (p).block>>>(__VA_ARGS__);          \
		else if ((p).nv == 4)                                        \
			K<4><<<(p).grid, (p).block>>>(__VA_ARGS__);          \
		else                                                         \
			K<8><<<(p).grid, (p).block>>>(__VA_ARGS__);          \
	} while (0)

// The row a thread works on, its index t among the row's nt threads.
__device__ __forceinline__ void norm8_row(int g, int &row, int &t, int &nt)
{
	if (g) {
		int lg = __ffs(g) - 1;
		row = blockIdx.x * (blockDim.x >> lg) + (threadIdx.x >> lg);
		t = threadIdx.x & (g - 1);
		nt = g;
	} else {
		row = blockIdx.x;
		t = threadIdx.x;
		nt = blockDim.x;
	}
}

// Sum over a row's threads: an aligned group of g lanes (every lane of the warp takes part, rows
// past N too), or the block when g is 0.
__device__ __forceinline__ float norm8_sum(float v, int g)
{
	if (!g)
		return block_sumf(v);
	for (int o = g >> 1; o; o >>= 1)
		v += __shfl_xor_sync(0xffffffffu, v, o);
	return v;
}

template <int NV>
__global__ void __launch_bounds__(NORM8_BLOCK)
rmsnorm_fwd8_kernel(uint4 *out, float *rstd, const uint4 *x, const uint4 *w, int N, int C, float eps, float wo, int g)
{
	int row, t, nt, C8 = C / 8;
	norm8_row(g, row, t, nt);
	int live = row < N;
	bf8 xv[NV];
	float ss = 0;
#pragma unroll
	for (int v = 0; v < NV; v++) {
		int j = t + v * nt;
		xv[v].u = live && j < C8 ? x[(size_t)row * C8 + j] : make_uint4(0, 0, 0, 0);
#pragma unroll
		for (int e = 0; e < 8; e++) {
			float f = ld(xv[v].h[e]);
			ss += f * f;
		}
	}
	ss = norm8_sum(ss, g);
	if (!live)
		return;
	float r = (float)(1.0 / sqrt((double)ss / C + eps));
	if (!t)
		rstd[row] = r;
#pragma unroll
	for (int v = 0; v < NV; v++) {
		int j = t + v * nt;
		if (j < C8) {
			bf8 wv, y;
			wv.u = w[j];
#pragma unroll
			for (int e = 0; e < 8; e++)
				y.h[e] = st<bf16>((ld(xv[v].h[e]) * r) * (ld(wv.h[e]) + wo));
			out[(size_t)row * C8 + j] = y.u;
		}
	}
}

template <typename T>
static void cu_rmsnorm_fwd(void *out, float *rstd, const void *x, const void *w, int N, int C, float eps, float wo)
{
	if (N <= 0)
		return;
	PROF(PROF_RMSNORM);
	norm8_t p;
	if (sizeof(T) == 2 && C > 0 && vec8(C, out, x, w, NULL, NULL) && norm8_plan(&p, N, C))
		NORM8_LAUNCH(rmsnorm_fwd8_kernel, p, (uint4 *)out, rstd, (const uint4 *)x, (const uint4 *)w, N, C, eps,
			     wo, p.g);
	else
		rmsnorm_fwd_kernel<T><<<norm_grid(N, C), 256>>>((T *)out, rstd, (const T *)x, (const T *)w, N, C, eps,
								 wo);
	CUDA_LAUNCHED();
}

template <typename T>
__global__ void rmsnorm_bwd_kernel(T *dx, const T *dout, const T *x, const T *w, const float *rstd, int N, int C,
				   float wo)
{
	typedef typename acc_of<T>::type A;
	int rows = blockDim.x >> 5, byblock = C >= NORM_BLOCK_MIN;
	int row = byblock ? blockIdx.x : blockIdx.x * rows + (threadIdx.x >> 5);
	int t = byblock ? threadIdx.x : threadIdx.x & 31, nt = byblock ? blockDim.x : 32;
	if (row >= N)
		return;
	const T *xi = x + (size_t)row * C, *dy = dout + (size_t)row * C;
	A r = rstd[row], dot = 0;
	for (int c = t; c < C; c += nt)
		dot += (A)ld(dy[c]) * (ld(w[c]) + wo) * ld(xi[c]);
	dot = byblock ? block_sum_acc(dot) : warp_sum_acc(dot);
	// y = x r g: dx = r g dy - r^3 x (sum dy g x) / C
	A k = r * r * r * dot / C;
	T *d = dx + (size_t)row * C;
	for (int c = t; c < C; c += nt)
		d[c] = st<T>(ld(d[c]) + (float)(r * (ld(w[c]) + wo) * ld(dy[c]) - k * ld(xi[c])));
}

// bf16, as rmsnorm_fwd8_kernel: x, dout and w read once into registers for the dot product and
// kept for dx; dx is read and written once (it accumulates).
template <int NV>
__global__ void __launch_bounds__(NORM8_BLOCK)
rmsnorm_bwd8_kernel(uint4 *dx, const uint4 *dout, const uint4 *x, const uint4 *w, const float *rstd, int N, int C,
		    float wo, int g)
{
	int row, t, nt, C8 = C / 8;
	norm8_row(g, row, t, nt);
	int live = row < N;
	bf8 xv[NV], dv[NV], wv[NV];
	float r = live ? rstd[row] : 0.0f, dot = 0;
#pragma unroll
	for (int v = 0; v < NV; v++) {
		int j = t + v * nt, in = live && j < C8;
		size_t at = (size_t)row * C8 + j;
		xv[v].u = in ? x[at] : make_uint4(0, 0, 0, 0);
		dv[v].u = in ? dout[at] : make_uint4(0, 0, 0, 0);
		wv[v].u = in ? w[j] : make_uint4(0, 0, 0, 0);
#pragma unroll
		for (int e = 0; e < 8; e++)
			dot += ld(dv[v].h[e]) * (ld(wv[v].h[e]) + wo) * ld(xv[v].h[e]);
	}
	dot = norm8_sum(dot, g);
	if (!live)
		return;
	// y = x r g: dx = r g dy - r^3 x (sum dy g x) / C
	float k = r * r * r * dot / C;
#pragma unroll
	for (int v = 0; v < NV; v++) {
		int j = t + v * nt;
		if (j < C8) {
			size_t at = (size_t)row * C8 + j;
			bf8 d;
			d.u = dx[at];
#pragma unroll
			for (int e = 0; e < 8; e++)
				d.h[e] = st<bf16>(ld(d.h[e]) + (float)(r * (ld(wv[v].h[e]) + wo) * ld(dv[v].h[e]) -
								       k * ld(xv[v].h[e])));
			dx[at] = d.u;
		}
	}
}

template <typename T>
static void cu_rmsnorm_bwd(void *dx, float *dw, const void *dout, const void *x, const void *w, const float *rstd,
			   int N, int C, float wo)
{
	if (N <= 0)
		return;
	PROF(PROF_RMSNORM);
	norm8_t p;
	if (sizeof(T) == 2 && C > 0 && vec8(C, dx, dout, x, w, NULL) && norm8_plan(&p, N, C))
		NORM8_LAUNCH(rmsnorm_bwd8_kernel, p, (uint4 *)dx, (const uint4 *)dout, (const uint4 *)x,
			     (const uint4 *)w, rstd, N, C, wo, p.g);
	else
		rmsnorm_bwd_kernel<T><<<norm_grid(N, C), 256>>>((T *)dx, (const T *)dout, (const T *)x, (const T *)w,
								 rstd, N, C, wo);
	CUDA_LAUNCHED();
	if (dw)
		colsum<T>(dw, (const T *)dout, (const T *)x, rstd, N, C);
}

// ---- RoPE: one thread per (token, rotated pair), looping over heads as the CPU does; bf16 8
// pairs a thread ----

template <typename T>
__global__ void rope_kernel(T *x, const int *pos, const float *inv_freq, int N, int H, int HD, int half,
			    float scaling, float sign)
{
	size_t n = (size_t)N * half;
	GRID_STRIDE(t, n) {
		int i = (int)(t / half), k = (int)(t % half);
		// as HF: the angle in float32, then cos/sin times attention_scaling (no fast math)
		float ang = (float)pos[i] * inv_freq[k];
		float c = cosf(ang) * scaling, s = sign * sinf(ang) * scaling;
		for (int h = 0; h < H; h++) {
			T *xh = x + ((size_t)i * H + h) * HD;
			float a = ld(xh[k]), b = ld(xh[k + half]);
			xh[k] = st<T>(a * c - b * s);
			xh[k + half] = st<T>(b * c + a * s);
		}
	}
}

// bf16 with half and HD multiples of 8 and x 16-byte aligned: a thread takes 8 consecutive pairs
// (k .. k+7) of one token for a group of hg heads (at most ROPE8_HEADS), 16-byte loads of both
// halves. It loads all its heads before it stores any, so each thread has up to 16 loads in
// flight, and computes its 8 cos/sin pairs once for the group. The scalar kernel moved 2 bytes a
// load and reached ~25% of an H200's bandwidth (profile: 1.1 ms for 64 calls, N 4096, HD 64, 32
// query and 8 key heads).
#define ROPE8_HEADS 8

__global__ void __launch_bounds__(256) rope8_kernel(bf16 *x, const int *pos, const float *inv_freq, int N, int H,
						     int HD, int half, int hg, float scaling, float sign)
{
	int half8 = half / 8, ng = (H + hg - 1) / hg;
	size_t n = (size_t)N * ng * half8;
	GRID_STRIDE(t, n) {
		int k = (int)(t % half8) * 8, g = (int)(t / half8 % ng), i = (int)(t / half8 / ng);
		int h0 = g * hg, nh = min(hg, H - h0);
		bf16 *xi = x + ((size_t)i * H + h0) * HD + k;   // head h0, pair k
		// the loads first: they are in flight while the cos/sin are computed
		bf8 a[ROPE8_HEADS], b[ROPE8_HEADS];
#pragma unroll
		for (int j = 0; j < ROPE8_HEADS; j++)
			if (j < nh) {
				a[j].u = *(const uint4 *)(xi + (size_t)j * HD);
				b[j].u = *(const uint4 *)(xi + (size_t)j * HD + half);
			}
		float f[8], c[8], s[8], p = (float)pos[i];
#pragma unroll
		for (int e = 0; e < 8; e++)
			f[e] = inv_freq[k + e];
#pragma unroll
		for (int e = 0; e < 8; e++) {
			// as rope_kernel: the angle in float32, then cos/sin times scaling (no fast math)
			float ang = p * f[e];
			c[e] = cosf(ang) * scaling;
			s[e] = sign * sinf(ang) * scaling;
		}
#pragma unroll
		for (int j = 0; j < ROPE8_HEADS; j++)
			if (j < nh) {
#pragma unroll
				for (int e = 0; e < 8; e++) {
					float av = ld(a[j].h[e]), bv = ld(b[j].h[e]);
					a[j].h[e] = st<bf16>(av * c[e] - bv * s[e]);
					b[j].h[e] = st<bf16>(bv * c[e] + av * s[e]);
				}
				*(uint4 *)(xi + (size_t)j * HD) = a[j].u;
				*(uint4 *)(xi + (size_t)j * HD + half) = b[j].u;
			}
	}
}

template <typename T>
static void rope(void *x, const int *pos, const float *inv_freq, int N, int H, int HD, int rot_dim, float sc, float sign)
{
	int half = rot_dim / 2;
	size_t n = (size_t)N * half;
	if (!n)
		return;
	PROF(PROF_ROPE);
	if (sizeof(T) == 2 && half % 8 == 0 && HD % 8 == 0 && ((uintptr_t)x & 15) == 0) {
		// the largest head group (the fewest cos/sin) that still leaves 32768 threads to spread
		// over the SMs, each with 2 hg loads of 16 bytes in flight; reasoned, not measured. At
		// N 4096, HD 64: 8 heads a thread for 32 query heads (16 MB in flight), 4 for 8 key
		// heads (4 MB; an H200 needs ~4 MB in flight: 4.8 TB/s times ~1 us of latency)
		int hg = ROPE8_HEADS;
		while (hg > 1 && n / 8 * ceil_div(H, hg) < 32768)
			hg /= 2;
		rope8_kernel<<<ew_blocks(n / 8 * ceil_div(H, hg)), 256>>>((bf16 *)x, pos, inv_freq, N, H, HD, half, hg,
									  sc, sign);
	} else {
		rope_kernel<T><<<ew_blocks(n), 256>>>((T *)x, pos, inv_freq, N, H, HD, half, sc, sign);
	}
	CUDA_LAUNCHED();
}

template <typename T>
static void cu_rope_fwd(void *x, const int *pos, const float *f, int N, int H, int HD, int rd, float sc)
{
	rope<T>(x, pos, f, N, H, HD, rd, sc, 1.0f);
}

template <typename T>
static void cu_rope_bwd(void *dx, const int *pos, const float *f, int N, int H, int HD, int rd, float sc)
{
	rope<T>(dx, pos, f, N, H, HD, rd, sc, -1.0f);
}

// ---- attention (attention.cu, attention_tc.cu; flash_attn.cu for bf16 when built in) ----

static void cu_attention_fwd(void *out, float *lse, const void *q, const void *k, const void *v, const int *cu,
			     int nseq, int max_seqlen, int N, int NH, int NKV, int HD, float scale, float softcap,
			     int window)
{
	PROF(PROF_ATTN_FWD);
	cuda_attention_fwd((float *)out, lse, (const float *)q, (const float *)k, (const float *)v, cu, nseq,
			   max_seqlen, N, NH, NKV, HD, scale, softcap, window);
}

static void cu_attention_bwd(void *dq, void *dk, void *dv, const void *dout, const void *out, const float *lse,
			     const void *q, const void *k, const void *v, const int *cu, int nseq, int max_seqlen,
			     int N, int NH, int NKV, int HD, float scale, float softcap, int window)
{
	PROF(PROF_ATTN_BWD);
	cuda_attention_bwd((float *)dq, (float *)dk, (float *)dv, (const float *)dout, (const float *)out, lse,
			   (const float *)q, (const float *)k, (const float *)v, cu, nseq, max_seqlen, N, NH, NKV, HD,
			   scale, softcap, window);
}

// bf16 attention: the bf16 kernels (flash_attn.cu) when present for this head size, else the
// float32/TF32 kernels on float32 copies (correct, slow: a stopgap for unusual shapes).
static void cu_attention_fwd_bf16(void *out, float *lse, const void *q, const void *k, const void *v, const int *cu,
				  int nseq, int max_seqlen, int N, int NH, int NKV, int HD, float scale, float softcap,
				  int window)
{
	PROF(PROF_ATTN_FWD);
	if (cuda_flash_fwd(out, lse, q, k, v, cu, nseq, max_seqlen, N, NH, NKV, HD, scale, softcap, window))
		return;
	size_t nq = (size_t)N * NH * HD, nk = (size_t)N * NKV * HD;
	int saved = mm_mode;
	mm_mode = CUDA_MM_TF32;   // the tensor-core kernels where they apply
	float *buf = (float *)cuda_scratch(2, (2 * nq + 2 * nk) * sizeof(float));
	float *fq = buf, *fk = fq + nq, *fv = fk + nk, *fo = fv + nk;
	convert(fq, (const bf16 *)q, nq);
	convert(fk, (const bf16 *)k, nk);
	convert(fv, (const bf16 *)v, nk);
	cuda_attention_fwd(fo, lse, fq, fk, fv, cu, nseq, max_seqlen, N, NH, NKV, HD, scale, softcap, window);
	convert((bf16 *)out, fo, nq);
	mm_mode = saved;
}

template <typename T> __global__ void add_f32_kernel(T *y, const float *x, size_t n)
{
	GRID_STRIDE(i, n) y[i] = st<T>(ld(y[i]) + x[i]);
}

static void cu_attention_bwd_bf16(void *dq, void *dk, void *dv, const void *dout, const void *out, const float *lse,
				  const void *q, const void *k, const void *v, const int *cu, int nseq, int max_seqlen,
				  int N, int NH, int NKV, int HD, float scale, float softcap, int window)
{
	PROF(PROF_ATTN_BWD);
	if (cuda_flash_bwd(dq, dk, dv, dout, out, lse, q, k, v, cu, nseq, max_seqlen, N, NH, NKV, HD, scale, softcap,
			   window))
		return;
	size_t nq = (size_t)N * NH * HD, nk = (size_t)N * NKV * HD;
	int saved = mm_mode;
	mm_mode = CUDA_MM_TF32;
	float *buf = (float *)cuda_scratch(2, (4 * nq + 4 * nk) * sizeof(float));
	float *fq = buf, *fo = fq + nq, *fdo = fo + nq, *fdq = fdo + nq, *fk = fdq + nq, *fv = fk + nk, *fdk = fv + nk,
	      *fdv = fdk + nk;
	convert(fq, (const bf16 *)q, nq);
	convert(fo, (const bf16 *)out, nq);
	convert(fdo, (const bf16 *)dout, nq);
	convert(fk, (const bf16 *)k, nk);
	convert(fv, (const bf16 *)v, nk);
	CUDA_CHECK(cudaMemsetAsync(fdq, 0, nq * sizeof(float), 0));
	CUDA_CHECK(cudaMemsetAsync(fdk, 0, 2 * nk * sizeof(float), 0));
	cuda_attention_bwd(fdq, fdk, fdv, fdo, fo, lse, fq, fk, fv, cu, nseq, max_seqlen, N, NH, NKV, HD, scale, softcap,
			   window);
	add_f32_kernel<bf16><<<ew_blocks(nq), 256>>>((bf16 *)dq, fdq, nq);
	add_f32_kernel<bf16><<<ew_blocks(nk), 256>>>((bf16 *)dk, fdk, nk);
	add_f32_kernel<bf16><<<ew_blocks(nk), 256>>>((bf16 *)dv, fdv, nk);
	CUDA_LAUNCHED();
	mm_mode = saved;
}

// ---- gated MLP: in double, as the CPU ----

#define GELU_K 0.7978845608028654   // sqrt(2 / pi)

template <typename T> __global__ void glu_fwd_kernel(T *out, const T *gate, const T *up, size_t n, int silu)
{
	typedef typename acc_of<T>::type A;
	GRID_STRIDE(i, n) {
		A x = ld(gate[i]), a;
		if (silu)
			a = x / (1 + exp(-x));
		else
			a = 0.5 * x * (1 + tanh(GELU_K * (x + 0.044715 * x * x * x)));
		out[i] = st<T>((float)a * ld(up[i]));
	}
}

template <typename T>
__global__ void glu_bwd_kernel(T *dgate, T *dup, const T *dout, const T *gate, const T *up, size_t n, int silu)
{
	typedef typename acc_of<T>::type A;
	GRID_STRIDE(i, n) {
		A x = ld(gate[i]), a, da;
		if (silu) {
			A sg = 1 / (1 + exp(-x));
			a = x * sg;
			da = sg * (1 + x * (1 - sg));
		} else {
			A t = tanh(GELU_K * (x + 0.044715 * x * x * x));
			a = 0.5 * x * (1 + t);
			da = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_K * (1 + 3 * 0.044715 * x * x);
		}
		float d = ld(dout[i]);
		dgate[i] = st<T>((float)(d * ld(up[i]) * da));
		dup[i] = st<T>((float)(d * a));
	}
}

// bf16, 8 elements a thread with 16-byte loads and stores (n a multiple of 8, aligned): the
// scalar kernels above move 2 bytes an instruction and reach under half the bandwidth.

__device__ __forceinline__ float glu_act(float x, int silu, float *da)
{
	if (silu) {
		float sg = 1.0f / (1.0f + expf(-x));
		if (da)
			*da = sg * (1.0f + x * (1.0f - sg));
		return x * sg;
	}
	const float k = 0.7978845608028654f;
	float t = tanhf(k * (x + 0.044715f * x * x * x));
	if (da)
		*da = 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * k * (1.0f + 3.0f * 0.044715f * x * x);
	return 0.5f * x * (1.0f + t);
}

__global__ void glu_fwd8_kernel(uint4 *out, const uint4 *gate, const uint4 *up, size_t n8, int silu)
{
	GRID_STRIDE(i, n8) {
		bf8 g, u, o;
		g.u = gate[i];
		u.u = up[i];
		for (int e = 0; e < 8; e++)
			o.h[e] = st<bf16>(glu_act(ld(g.h[e]), silu, NULL) * ld(u.h[e]));
		out[i] = o.u;
	}
}

__global__ void glu_bwd8_kernel(uint4 *dgate, uint4 *dup, const uint4 *dout, const uint4 *gate, const uint4 *up,
				size_t n8, int silu)
{
	GRID_STRIDE(i, n8) {
		bf8 g, u, d, dg, du;
		g.u = gate[i];
		u.u = up[i];
		d.u = dout[i];
		for (int e = 0; e < 8; e++) {
			float da, a = glu_act(ld(g.h[e]), silu, &da), dd = ld(d.h[e]);
			dg.h[e] = st<bf16>(dd * ld(u.h[e]) * da);
			du.h[e] = st<bf16>(dd * a);
		}
		dgate[i] = dg.u;
		dup[i] = du.u;
	}
}

static unsigned blocks8(size_t n8) { return (unsigned)((n8 + 255) / 256 < 16384 ? (n8 + 255) / 256 : 16384); }

template <typename T> static void cu_glu_fwd(void *out, const void *gate, const void *up, size_t n, act_t act)
{
	if (!n)
		return;
	PROF(PROF_GLU);
	if (sizeof(T) == 2 && vec8(n, out, gate, up, NULL, NULL))
		glu_fwd8_kernel<<<blocks8(n / 8), 256>>>((uint4 *)out, (const uint4 *)gate, (const uint4 *)up, n / 8,
							   act == ACT_SILU);
	else
		glu_fwd_kernel<T><<<ew_blocks(n), 256>>>((T *)out, (const T *)gate, (const T *)up, n, act == ACT_SILU);
	CUDA_LAUNCHED();
}

template <typename T>
static void cu_glu_bwd(void *dgate, void *dup, const void *dout, const void *gate, const void *up, size_t n, act_t act)
{
	if (!n)
		return;
	PROF(PROF_GLU);
	if (sizeof(T) == 2 && vec8(n, dgate, dup, dout, gate, up)) {
		glu_bwd8_kernel<<<blocks8(n / 8), 256>>>((uint4 *)dgate, (uint4 *)dup, (const uint4 *)dout,
							 (const uint4 *)gate, (const uint4 *)up, n / 8, act == ACT_SILU);
		CUDA_LAUNCHED();
		return;
	}
	glu_bwd_kernel<T><<<ew_blocks(n), 256>>>((T *)dgate, (T *)dup, (const T *)dout, (const T *)gate, (const T *)up, n,
						 act == ACT_SILU);
	CUDA_LAUNCHED();
}

// ---- embedding: gather forward, atomic scatter-add backward (repeated ids add up in any
// order: float32 rounding differs from the CPU's order by an ulp per repeat) ----

template <typename T> __global__ void embedding_fwd_kernel(T *out, const int *ids, const T *wte, int N, int C, float scale)
{
	size_t n = (size_t)N * C;
	GRID_STRIDE(t, n) out[t] = st<T>(ld(wte[(size_t)ids[t / C] * C + t % C]) * scale);
}

template <typename T>
__global__ void embedding_bwd_kernel(float *dwte, const T *dout, const int *ids, int N, int C, float scale)
{
	size_t n = (size_t)N * C;
	GRID_STRIDE(t, n) atomicAdd(&dwte[(size_t)ids[t / C] * C + t % C], scale * ld(dout[t]));
}

template <typename T> static void cu_embedding_fwd(void *out, const int *ids, const void *wte, int N, int C, float scale)
{
	size_t n = (size_t)N * C;
	if (!n)
		return;
	PROF(PROF_EMBED);
	embedding_fwd_kernel<T><<<ew_blocks(n), 256>>>((T *)out, ids, (const T *)wte, N, C, scale);
	CUDA_LAUNCHED();
}

template <typename T>
static void cu_embedding_bwd(float *dwte, const void *dout, const int *ids, int N, int C, float scale)
{
	size_t n = (size_t)N * C;
	if (!n)
		return;
	PROF(PROF_EMBED);
	embedding_bwd_kernel<T><<<ew_blocks(n), 256>>>(dwte, (const T *)dout, ids, N, C, scale);
	CUDA_LAUNCHED();
}

// ---- softcap, cross-entropy (one block per row, V up to 256k), dropout ----

template <typename T> __global__ void softcap_kernel(T *x, size_t n, float cap)
{
	GRID_STRIDE(i, n) x[i] = st<T>(cap * tanhf(ld(x[i]) / cap));
}

template <typename T> static void cu_softcap_fwd(void *x, size_t n, float cap)
{
	if (!n)
		return;
	PROF(PROF_ELTWISE);
	softcap_kernel<T><<<ew_blocks(n), 256>>>((T *)x, n, cap);
	CUDA_LAUNCHED();
}

template <typename T> __device__ double row_lse(const T *l, int V)
{
	typedef typename acc_of<T>::type A;
	float mx = -INFINITY;
	for (int j = threadIdx.x; j < V; j += blockDim.x)
		mx = fmaxf(mx, ld(l[j]));
	mx = block_max(mx);
	A s = 0;
	for (int j = threadIdx.x; j < V; j += blockDim.x)
		s += exp((A)ld(l[j]) - (A)mx);
	s = block_sum_acc(s);
	return mx + log((double)s);
}

template <typename T> __global__ void xent_fwd_kernel(float *losses, const T *logits, const int *targets, int V)
{
	int i = blockIdx.x, t = targets[i];
	if (t < 0) {   // the whole block takes this branch
		if (!threadIdx.x)
			losses[i] = 0;
		return;
	}
	const T *l = logits + (size_t)i * V;
	double lse = row_lse(l, V);
	if (!threadIdx.x)
		losses[i] = (float)(lse - ld(l[t]));
}

template <typename T>
__global__ void xent_bwd_kernel(T *dlogits, const T *logits, const int *targets, float dloss, int V, float softcap)
{
	int i = blockIdx.x, t = targets[i];
	const T *l = logits + (size_t)i * V;
	T *d = dlogits + (size_t)i * V;
	if (t < 0) {
		for (int j = threadIdx.x; j < V; j += blockDim.x)
			d[j] = st<T>(0.0f);
		return;
	}
	// every read of the row is done once row_lse returns (its reductions synchronise the
	// block), so d may alias l: each element is then read and written by one thread
	typedef typename acc_of<T>::type A;
	A lse = (A)row_lse(l, V);
	for (int j = threadIdx.x; j < V; j += blockDim.x) {
		A y = ld(l[j]);
		A g = (exp(y - lse) - (j == t)) * dloss;
		if (softcap > 0)
			g *= 1 - (y / softcap) * (y / softcap);
		d[j] = st<T>((float)g);
	}
}

// bf16 rows with V a multiple of 8: one pass for the log-sum-exp (a running max and sum per
// thread, merged across the block), 16-byte loads.
__device__ __forceinline__ void lse_merge(float &m, float &s, float m2, float s2)
{
	float mx = fmaxf(m, m2);
	s = (m == -INFINITY ? 0.0f : s * expf(m - mx)) + (m2 == -INFINITY ? 0.0f : s2 * expf(m2 - mx));
	m = mx;
}

__device__ float row_lse8(const uint4 *row, int V8)
{
	float m = -INFINITY, s = 0;
	for (int j = threadIdx.x; j < V8; j += blockDim.x) {
		bf8 x;
		x.u = row[j];
		float mx = m;
		for (int e = 0; e < 8; e++)
			mx = fmaxf(mx, ld(x.h[e]));
		float t = m == -INFINITY ? 0.0f : s * expf(m - mx);
		for (int e = 0; e < 8; e++)
			t += expf(ld(x.h[e]) - mx);
		m = mx;
		s = t;
	}
	for (int o = 16; o; o >>= 1)
		lse_merge(m, s, __shfl_xor_sync(0xffffffffu, m, o), __shfl_xor_sync(0xffffffffu, s, o));
	__shared__ float sm[32], ss[32];
	int lane = threadIdx.x & 31, w = threadIdx.x >> 5, nw = blockDim.x >> 5;
	__syncthreads();
	if (!lane) {
		sm[w] = m;
		ss[w] = s;
	}
	__syncthreads();
	m = lane < nw ? sm[lane] : -INFINITY;
	s = lane < nw ? ss[lane] : 0.0f;
	for (int o = 16; o; o >>= 1)
		lse_merge(m, s, __shfl_xor_sync(0xffffffffu, m, o), __shfl_xor_sync(0xffffffffu, s, o));
	return m + logf(s);
}

__global__ void xent_fwd8_kernel(float *losses, const bf16 *logits, const int *targets, int V)
{
	int i = blockIdx.x, t = targets[i];
	if (t < 0) {
		if (!threadIdx.x)
			losses[i] = 0;
		return;
	}
	const bf16 *l = logits + (size_t)i * V;
	float lse = row_lse8((const uint4 *)l, V / 8);
	if (!threadIdx.x)
		losses[i] = lse - ld(l[t]);
}

__global__ void xent_bwd8_kernel(bf16 *dlogits, const bf16 *logits, const int *targets, float dloss, int V,
				 float softcap)
{
	int i = blockIdx.x, t = targets[i], V8 = V / 8;
	const uint4 *l = (const uint4 *)(logits + (size_t)i * V);
	uint4 *d = (uint4 *)(dlogits + (size_t)i * V);
	if (t < 0) {
		for (int j = threadIdx.x; j < V8; j += blockDim.x)
			d[j] = make_uint4(0, 0, 0, 0);
		return;
	}
	// row_lse8 ends in block-wide synchronisation, so every read of the row is done before any
	// write: d may alias l
	float lse = row_lse8(l, V8);
	for (int j = threadIdx.x; j < V8; j += blockDim.x) {
		bf8 x, o;
		x.u = l[j];
		for (int e = 0; e < 8; e++) {
			float y = ld(x.h[e]);
			float g = (expf(y - lse) - (8 * j + e == t)) * dloss;
			if (softcap > 0)
				g *= 1 - (y / softcap) * (y / softcap);
			o.h[e] = st<bf16>(g);
		}
		d[j] = o.u;
	}
}

// argmax of each row (token accuracy): a block a row; (value, index) pairs reduced so that the
// larger value wins and, between equal values, the smaller index: the CPU's first maximum.
__device__ __forceinline__ void amax_pick(float &v, int &i, float v2, int i2)
{
	if (v2 > v || (v2 == v && i2 < i)) {
		v = v2;
		i = i2;
	}
}

template <typename T>
__global__ void argmax_rows_kernel(int *out, const T *x, int V)
{
	const T *row = x + (size_t)blockIdx.x * V;
	float bv = -INFINITY;
	int bi = 0x7fffffff;
	for (int c = threadIdx.x; c < V; c += blockDim.x)
		amax_pick(bv, bi, ld(row[c]), c);
	for (int o = 16; o; o >>= 1)
		amax_pick(bv, bi, __shfl_xor_sync(0xffffffffu, bv, o), __shfl_xor_sync(0xffffffffu, bi, o));
	__shared__ float sv[32];
	__shared__ int si[32];
	int w = threadIdx.x >> 5, lane = threadIdx.x & 31, nw = blockDim.x >> 5;
	if (!lane) {
		sv[w] = bv;
		si[w] = bi;
	}
	__syncthreads();
	if (w)
		return;
	bv = lane < nw ? sv[lane] : -INFINITY;
	bi = lane < nw ? si[lane] : 0x7fffffff;
	for (int o = 16; o; o >>= 1)
		amax_pick(bv, bi, __shfl_xor_sync(0xffffffffu, bv, o), __shfl_xor_sync(0xffffffffu, bi, o));
	if (!lane)
		out[blockIdx.x] = bi == 0x7fffffff ? 0 : bi;   /* a row of -inf only: index 0, as the CPU */
}

template <typename T> static void cu_argmax_rows(int *out, const void *x, int N, int V)
{
	if (N <= 0)
		return;
	PROF(PROF_XENT);
	argmax_rows_kernel<T><<<N, 512>>>(out, (const T *)x, V);
	CUDA_LAUNCHED();
}

template <typename T> static void cu_crossentropy_fwd(float *losses, const void *logits, const int *targets, int N, int V)
{
	if (N <= 0)
		return;
	PROF(PROF_XENT);
	if (sizeof(T) == 2 && V % 8 == 0 && ((uintptr_t)logits & 15) == 0)
		xent_fwd8_kernel<<<N, 512>>>(losses, (const bf16 *)logits, targets, V);
	else
		xent_fwd_kernel<T><<<N, 512>>>(losses, (const T *)logits, targets, V);
	CUDA_LAUNCHED();
}

template <typename T>
static void cu_crossentropy_bwd(void *dlogits, const void *logits, const int *targets, float dloss, int N, int V,
				float softcap)
{
	if (N <= 0)
		return;
	PROF(PROF_XENT);
	if (sizeof(T) == 2 && V % 8 == 0 && (((uintptr_t)logits | (uintptr_t)dlogits) & 15) == 0)
		xent_bwd8_kernel<<<N, 512>>>((bf16 *)dlogits, (const bf16 *)logits, targets, dloss, V, softcap);
	else
		xent_bwd_kernel<T><<<N, 512>>>((T *)dlogits, (const T *)logits, targets, dloss, V, softcap);
	CUDA_LAUNCHED();
}

__device__ __forceinline__ uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

// the counter-based mask of ops_cpu.c, bit for bit
template <typename T> __global__ void dropout_kernel(T *out, const T *x, size_t n, uint32_t thr, float k, uint64_t seed)
{
	GRID_STRIDE(i, n) {
		uint32_t u = (uint32_t)(mix64(seed + (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull) >> 40);
		out[i] = st<T>(u >= thr ? ld(x[i]) * k : 0.0f);
	}
}

template <typename T> static void cu_dropout(void *out, const void *x, size_t n, float p, uint64_t seed)
{
	if (!n)
		return;
	PROF(PROF_ELTWISE);
	uint32_t thr = (uint32_t)((double)p * 16777216.0);
	float k = 1.0f / (1.0f - p);
	dropout_kernel<T><<<ew_blocks(n), 256>>>((T *)out, (const T *)x, n, thr, k, seed);
	CUDA_LAUNCHED();
}

// Attention against a KV cache (generation): a simple kernel, one thread per (query, head),
// two passes over the keys (max, then sum and weighted values), float accumulation; not tuned.
template <typename T>
__global__ void attention_kv_kernel(T *out, const T *q, const T *k, const T *v, int n, int past, int NH, int NKV,
				    int HD, float scale, float softcap, int window)
{
	int idx = blockIdx.x * blockDim.x + threadIdx.x;
	if (idx >= n * NH)
		return;
	int i = idx / NH, h = idx % NH, g = h / (NH / NKV), t = past + i;
	int j0 = window > 0 && t - window + 1 > 0 ? t - window + 1 : 0;
	const T *qi = q + ((size_t)i * NH + h) * HD;
	float mx = -INFINITY, sum = 0.0f;
	for (int j = j0; j <= t; j++) {
		const T *kj = k + ((size_t)j * NKV + g) * HD;
		float s = 0.0f;
		for (int e = 0; e < HD; e++)
			s += ld(qi[e]) * ld(kj[e]);
		s *= scale;
		if (softcap > 0)
			s = softcap * tanhf(s / softcap);
		mx = fmaxf(mx, s);
	}
	float acc[256];   // head_dim <= 256 in every supported architecture (checked on the host)
	for (int e = 0; e < HD; e++)
		acc[e] = 0.0f;
	for (int pass = 0; pass < 2; pass++)
		for (int j = j0; j <= t; j++) {
			const T *kj = k + ((size_t)j * NKV + g) * HD, *vj = v + ((size_t)j * NKV + g) * HD;
			float s = 0.0f;
			for (int e = 0; e < HD; e++)
				s += ld(qi[e]) * ld(kj[e]);
			s *= scale;
			if (softcap > 0)
				s = softcap * tanhf(s / softcap);
			float p = expf(s - mx);
			if (pass == 0) {
				sum += p;
				continue;
			}
			p /= sum;
			for (int e = 0; e < HD; e++)
				acc[e] += p * ld(vj[e]);
		}
	T *o = out + ((size_t)i * NH + h) * HD;
	for (int e = 0; e < HD; e++)
		o[e] = st<T>(acc[e]);
}

template <typename T>
static void cu_attention_kv_fwd(void *out, const void *q, const void *k, const void *v, int n, int past, int NH,
				int NKV, int HD, float scale, float softcap, int window)
{
	if (n <= 0)
		return;
	if (HD > 256)
		ft_die(FT_EXIT_GPU, "attention_kv_fwd: head_dim %d > 256 is not supported on the GPU yet", HD);
	PROF(PROF_ATTN_FWD);
	attention_kv_kernel<T><<<(n * NH + 127) / 128, 128>>>((T *)out, (const T *)q, (const T *)k, (const T *)v, n, past,
							    NH, NKV, HD, scale, softcap, window);
	CUDA_LAUNCHED();
}

// NEFTune's noise: the counter of ops_cpu.c, bit for bit, added in float32
template <typename T> __global__ void uniform_noise_kernel(T *x, size_t n, float mag, uint64_t seed)
{
	GRID_STRIDE(i, n) {
		uint32_t u = (uint32_t)(mix64(seed + (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull) >> 40);
		x[i] = st<T>(ld(x[i]) + mag * ((float)u * (2.0f / 16777216.0f) - 1.0f));
	}
}

template <typename T> static void cu_uniform_noise(void *x, size_t n, float mag, uint64_t seed)
{
	if (!n)
		return;
	PROF(PROF_ELTWISE);
	uniform_noise_kernel<T><<<ew_blocks(n), 256>>>((T *)x, n, mag, seed);
	CUDA_LAUNCHED();
}

// Sum (of squares): per-block partial sums in double, added on the host in block order
// (deterministic). Enough blocks to keep memory busy (a gradient norm reads gigabytes), with
// 16-byte loads where the pointer allows.
#define SUM_BLOCKS 1024
__global__ void sum_kernel(double *part, const float *x, size_t n, int squares)
{
	double s = 0;
	size_t n4 = ((uintptr_t)x & 15) ? 0 : n / 4;
	const float4 *x4 = (const float4 *)x;
	GRID_STRIDE(i, n4) {
		float4 v = x4[i];
		s += squares ? (double)v.x * v.x + (double)v.y * v.y + (double)v.z * v.z + (double)v.w * v.w
			     : (double)v.x + (double)v.y + (double)v.z + (double)v.w;
	}
	GRID_STRIDE(i, n - 4 * n4) {
		double v = x[4 * n4 + i];
		s += squares ? v * v : v;
	}
	s = block_sum(s);
	if (!threadIdx.x)
		part[blockIdx.x] = s;
}

// The sum of squares of n bf16 elements, 8 at a time where aligned.
__global__ void sumsq_bf16_kernel(double *part, const bf16 *x, size_t n)
{
	double s = 0;
	size_t n8 = ((uintptr_t)x & 15) ? 0 : n / 8;
	const uint4 *x8 = (const uint4 *)x;
	GRID_STRIDE(i, n8) {
		uint4 u = x8[i];
		const bf16 *e = (const bf16 *)&u;
		for (int j = 0; j < 8; j++) {
			double v = __bfloat162float(e[j]);
			s += v * v;
		}
	}
	GRID_STRIDE(i, n - 8 * n8) {
		double v = __bfloat162float(x[8 * n8 + i]);
		s += v * v;
	}
	s = block_sum(s);
	if (!threadIdx.x)
		part[blockIdx.x] = s;
}

static double sum_parts(double *part)
{
	static double h[SUM_BLOCKS];
	CUDA_CHECK(cudaMemcpy(h, part, sizeof h, cudaMemcpyDeviceToHost));
	double s = 0;
	for (int b = 0; b < SUM_BLOCKS; b++)
		s += h[b];
	return s;
}

static double sum_any(const float *x, size_t n, int squares)
{
	if (!n)
		return 0;
	double *part = (double *)cuda_scratch(0, SUM_BLOCKS * sizeof(double));
	sum_kernel<<<SUM_BLOCKS, 256>>>(part, x, n, squares);
	CUDA_LAUNCHED();
	return sum_parts(part);
}

template <typename T> static double cu_sumsq_h(const void *x, size_t n);
template <> double cu_sumsq_h<float>(const void *x, size_t n)
{
	PROF(PROF_OPTIM);
	return sum_any((const float *)x, n, 1);
}
template <> double cu_sumsq_h<bf16>(const void *x, size_t n)
{
	if (!n)
		return 0;
	PROF(PROF_OPTIM);
	double *part = (double *)cuda_scratch(0, SUM_BLOCKS * sizeof(double));
	sumsq_bf16_kernel<<<SUM_BLOCKS, 256>>>(part, (const bf16 *)x, n);
	CUDA_LAUNCHED();
	return sum_parts(part);
}

static double cu_sum(const float *x, size_t n)
{
	PROF(PROF_XENT);
	return sum_any(x, n, 0);
}

static double cu_sumsq(const float *x, size_t n)
{
	PROF(PROF_OPTIM);
	return sum_any(x, n, 1);
}

static void cu_scale(float *x, float a, size_t n)
{
	if (!n)
		return;
	PROF(PROF_OPTIM);
	scale_kernel<float><<<ew_blocks(n), 256>>>(x, a, n);
	CUDA_LAUNCHED();
}

// AdamW, the arithmetic of ops_cpu.c's (torch's single-tensor path) element by element; the
// clipping factor is applied as each gradient is read (the same float product as scaling the
// gradients first). Memory-bound: 30 bytes an element for bf16 compute copies, so the main
// kernel moves 4 elements a thread with 16-byte loads where the pointers allow.
__device__ __forceinline__ float adamw_elt(float x, float g, float &m, float &v, const adamw_args_t &a)
{
	float xk = x * a.decay;
	float gk = a.gscale != 1.0f ? g * a.gscale : g;
	float mk = m + a.w1 * (gk - m);
	float vk = v * a.b2 + a.w2 * gk * gk;
	m = mk;
	v = vk;
	float denom = sqrtf(vk) / a.bc2_sqrt + a.eps;
	return xk + (-a.step_size * mk) / denom;
}

template <typename T>
__global__ void adamw_kernel(float *x, T *pc, const float *g, float *m, float *v, size_t n, adamw_args_t a)
{
	GRID_STRIDE(k, n) {
		float mk = m[k], vk = v[k];
		float xk = adamw_elt(x[k], g[k], mk, vk, a);
		m[k] = mk;
		v[k] = vk;
		x[k] = xk;
		if (pc)
			pc[k] = st<T>(xk);
	}
}

template <typename T>
__global__ void adamw4_kernel(float4 *x, T *pc, const float4 *g, float4 *m, float4 *v, size_t n4, adamw_args_t a)
{
	GRID_STRIDE(k, n4) {
		float4 xk = x[k], gk = g[k], mk = m[k], vk = v[k];
		xk.x = adamw_elt(xk.x, gk.x, mk.x, vk.x, a);
		xk.y = adamw_elt(xk.y, gk.y, mk.y, vk.y, a);
		xk.z = adamw_elt(xk.z, gk.z, mk.z, vk.z, a);
		xk.w = adamw_elt(xk.w, gk.w, mk.w, vk.w, a);
		x[k] = xk;
		m[k] = mk;
		v[k] = vk;
		if (pc) {
			T *o = pc + 4 * k;
			o[0] = st<T>(xk.x);
			o[1] = st<T>(xk.y);
			o[2] = st<T>(xk.z);
			o[3] = st<T>(xk.w);
		}
	}
}

static int al16(const void *p) { return ((uintptr_t)p & 15) == 0; }

template <typename T>
static void cu_adamw(float *p, void *pc, const float *g, float *m, float *v, size_t n, const adamw_args_t *a)
{
	if (!n)
		return;
	PROF(PROF_OPTIM);
	T *out = (T *)(pc == (void *)p ? NULL : pc);
	size_t n4 = al16(p) && al16(g) && al16(m) && al16(v) && (!out || ((uintptr_t)out & 7) == 0) ? n / 4 : 0;
	if (n4) {
		unsigned blocks = (unsigned)((n4 + 255) / 256 < 8192 ? (n4 + 255) / 256 : 8192);
		adamw4_kernel<T><<<blocks, 256>>>((float4 *)p, out, (const float4 *)g, (float4 *)m, (float4 *)v, n4, *a);
		CUDA_LAUNCHED();
	}
	size_t done = 4 * n4;
	if (done < n) {
		adamw_kernel<T><<<ew_blocks(n - done), 256>>>(p + done, out ? out + done : NULL, g + done, m + done,
								v + done, n - done, *a);
		CUDA_LAUNCHED();
	}
}

// AdamW on split masters (ops.h split_put, split_join): each float32 weight rebuilt exactly
// from its bf16 compute copy and low half, updated as adamw_elt does, and split again. 8
// elements a thread with 16-byte accesses: 26 bytes an element with bf16 gradients (hi, lo,
// g, m, v read; hi, lo, m, v written), 28 with float32 ones, against 30 for a separate master.
__device__ __forceinline__ float split_join_d(uint16_t hi, uint16_t lo)
{
	return __uint_as_float(((uint32_t)(uint16_t)(hi - (lo >= 0x8000u ? 1u : 0u)) << 16) | lo);
}

__device__ __forceinline__ void split_put_d(float x, uint16_t &hi, uint16_t &lo)
{
	uint32_t b = __float_as_uint(x);
	lo = (uint16_t)(b & 0xffffu);
	hi = (uint16_t)((b + 0x8000u) >> 16);
}

__device__ __forceinline__ void load8(float *d, const float *g, size_t k)
{
	float4 a = ((const float4 *)g)[2 * k], b = ((const float4 *)g)[2 * k + 1];
	d[0] = a.x, d[1] = a.y, d[2] = a.z, d[3] = a.w, d[4] = b.x, d[5] = b.y, d[6] = b.z, d[7] = b.w;
}

__device__ __forceinline__ void load8(float *d, const bf16 *g, size_t k)
{
	uint4 u = ((const uint4 *)g)[k];
	const bf16 *e = (const bf16 *)&u;
	for (int j = 0; j < 8; j++)
		d[j] = __bfloat162float(e[j]);
}

template <typename G>
__global__ void adamw_split8_kernel(uint4 *hi, uint4 *lo, const G *g, float4 *m, float4 *v, size_t n8, adamw_args_t a)
{
	GRID_STRIDE(k, n8) {
		uint4 h = hi[k], l = lo[k];
		uint16_t *hh = (uint16_t *)&h, *ll = (uint16_t *)&l;
		float gg[8];
		load8(gg, g, k);
		float4 m0 = m[2 * k], m1 = m[2 * k + 1], v0 = v[2 * k], v1 = v[2 * k + 1];
		float mm[8] = {m0.x, m0.y, m0.z, m0.w, m1.x, m1.y, m1.z, m1.w};
		float vv[8] = {v0.x, v0.y, v0.z, v0.w, v1.x, v1.y, v1.z, v1.w};
#pragma unroll
		for (int j = 0; j < 8; j++) {
			float x = adamw_elt(split_join_d(hh[j], ll[j]), gg[j], mm[j], vv[j], a);
			split_put_d(x, hh[j], ll[j]);
		}
		hi[k] = h;
		lo[k] = l;
		m[2 * k] = make_float4(mm[0], mm[1], mm[2], mm[3]);
		m[2 * k + 1] = make_float4(mm[4], mm[5], mm[6], mm[7]);
		v[2 * k] = make_float4(vv[0], vv[1], vv[2], vv[3]);
		v[2 * k + 1] = make_float4(vv[4], vv[5], vv[6], vv[7]);
	}
}

template <typename G>
__global__ void adamw_split_kernel(uint16_t *hi, uint16_t *lo, const G *g, float *m, float *v, size_t n, adamw_args_t a)
{
	GRID_STRIDE(k, n) {
		float mk = m[k], vk = v[k];
		float x = adamw_elt(split_join_d(hi[k], lo[k]), ld(g[k]), mk, vk, a);
		m[k] = mk;
		v[k] = vk;
		uint16_t h, l;
		split_put_d(x, h, l);
		hi[k] = h;
		lo[k] = l;
	}
}

template <typename G>
static void adamw_split_run(uint16_t *hi, uint16_t *lo, const G *g, float *m, float *v, size_t n, const adamw_args_t *a)
{
	size_t n8 = al16(hi) && al16(lo) && al16(g) && al16(m) && al16(v) ? n / 8 : 0;
	if (n8) {
		unsigned blocks = (unsigned)((n8 + 255) / 256 < 16384 ? (n8 + 255) / 256 : 16384);
		adamw_split8_kernel<G><<<blocks, 256>>>((uint4 *)hi, (uint4 *)lo, g, (float4 *)m, (float4 *)v, n8, *a);
		CUDA_LAUNCHED();
	}
	size_t done = 8 * n8;
	if (done < n) {
		adamw_split_kernel<G><<<ew_blocks(n - done), 256>>>(hi + done, lo + done, g + done, m + done, v + done,
								      n - done, *a);
		CUDA_LAUNCHED();
	}
}

template <typename T>
static void cu_adamw_split(void *hi, uint16_t *lo, const float *g, const void *gh, float *m, float *v, size_t n,
			   const adamw_args_t *a)
{
	if (!n)
		return;
	PROF(PROF_OPTIM);
	if (g)
		adamw_split_run<float>((uint16_t *)hi, lo, g, m, v, n, a);
	else
		adamw_split_run<bf16>((uint16_t *)hi, lo, (const bf16 *)gh, m, v, n, a);
}

// bitsandbytes' 8-bit blockwise AdamW, bit for bit as optim.c's adamw8_param computes it on
// the CPU: every product and sum rounded on its own (no contraction into fused multiply-adds,
// which the host code does not do), the codes found by the same binary search. A block of 256
// threads per block of 256 elements; the small-parameter path (float32 m, v) one thread an
// element.
#define A8_BLOCK 256
static_assert(A8_BLOCK == OPTIM_8BIT_BLOCK, "8-bit block size");

__device__ __forceinline__ float a8_x(const float *p, const uint16_t *hi, const uint16_t *lo, size_t k)
{
	return p ? p[k] : split_join_d(hi[k], lo[k]);
}

__device__ __forceinline__ void a8_put(float *p, uint16_t *hi, uint16_t *lo, size_t k, float x)
{
	if (p) {
		p[k] = x;
	} else {
		uint16_t h, l;
		split_put_d(x, h, l);
		hi[k] = h;
		lo[k] = l;
	}
}

__device__ __forceinline__ float a8_g(const float *g, const bf16 *gh, size_t k, float gscale)
{
	float x = g ? g[k] : __bfloat162float(gh[k]);
	return gscale != 1.0f ? __fmul_rn(x, gscale) : x;
}

// optim.c optim_quantize: comparisons only, so NaN falls to code 0
__device__ unsigned char a8_quantize(const float *code, int is_signed, float x)
{
	int pivot = 127, upper_pivot = 255, lower_pivot = 0;
	float lower = is_signed ? -1.0f : 0.0f, upper = 1.0f, val = code[127];
	for (int i = 64; i > 0; i >>= 1) {
		if (x > val) {
			lower_pivot = pivot;
			lower = val;
			pivot += i;
		} else {
			upper_pivot = pivot;
			upper = val;
			pivot -= i;
		}
		val = code[pivot];
	}
	if (x > val)
		return (unsigned char)(x > __fmul_rn(__fadd_rn(upper, val), 0.5f) ? upper_pivot : pivot);
	return (unsigned char)(x < __fmul_rn(__fadd_rn(lower, val), 0.5f) ? lower_pivot : pivot);
}

__global__ void adamw8_block_kernel(float *p, uint16_t *hi, uint16_t *lo, const float *g, const bf16 *gh,
				    unsigned char *c1, unsigned char *c2, float *a1, float *a2, size_t n, adamw8_args_t a)
{
	__shared__ float qs[256], qu[256], r1[32], r2[32];
	qs[threadIdx.x] = a.qsigned[threadIdx.x];
	qu[threadIdx.x] = a.qunsigned[threadIdx.x];
	size_t b = blockIdx.x, k = b * A8_BLOCK + threadIdx.x;
	bool in = k < n;
	__syncthreads();
	float gk = in ? a8_g(g, gh, k, a.gscale) : 0.0f, s1 = 0.0f, s2 = 0.0f;
	bool fin = in && isfinite(gk);
	if (fin) {
		s2 = __fmul_rn(qu[c2[k]], a2[b]);
		s2 = __fadd_rn(__fmul_rn(s2, a.b2), __fmul_rn(__fmul_rn(a.w2, gk), gk));
		s1 = __fmul_rn(qs[c1[k]], a1[b]);
		s1 = __fadd_rn(__fmul_rn(s1, a.b1), __fmul_rn(a.w1, gk));
	}
	float m1 = in ? fabsf(s1) : -FLT_MAX, m2 = in ? fabsf(s2) : -FLT_MAX;
	for (int o = 16; o; o >>= 1) {
		m1 = fmaxf(m1, __shfl_xor_sync(0xffffffffu, m1, o));
		m2 = fmaxf(m2, __shfl_xor_sync(0xffffffffu, m2, o));
	}
	int w = threadIdx.x >> 5, lane = threadIdx.x & 31;
	if (!lane) {
		r1[w] = m1;
		r2[w] = m2;
	}
	__syncthreads();
	m1 = -FLT_MAX, m2 = -FLT_MAX;
	for (int i = 0; i < A8_BLOCK / 32; i++) {
		m1 = fmaxf(m1, r1[i]);
		m2 = fmaxf(m2, r2[i]);
	}
	__syncthreads();   // every thread has read a1[b], a2[b] above
	if (!threadIdx.x) {
		a1[b] = m1;
		a2[b] = m2;
	}
	if (!in)
		return;
	if (fin) {
		float x = a8_x(p, hi, lo, k);
		float den = __fadd_rn(__fsqrt_rn(s2), __fmul_rn(a.corr2, a.eps));
		x = __fadd_rn(x, __fmul_rn(a.step_size, __fdiv_rn(s1, den)));
		if (a.decays)
			x = __fmul_rn(x, a.decay);
		a8_put(p, hi, lo, k, x);
	}
	unsigned char q1 = a8_quantize(qs, 1, m1 > 0 ? __fdiv_rn(s1, m1) : NAN);
	if (signbit(qs[q1]) != signbit(s1))   // m keeps its sign
		q1 = (unsigned char)(s1 > 0.0f ? q1 + 1 : q1 - 1);
	c1[k] = q1;
	c2[k] = a8_quantize(qu, 0, m2 > 0 ? __fdiv_rn(s2, m2) : NAN);
}

__global__ void adamw8_small_kernel(float *p, uint16_t *hi, uint16_t *lo, const float *g, const bf16 *gh, float *m,
				    float *v, size_t n, adamw8_args_t a)
{
	GRID_STRIDE(k, n) {
		float gk = a8_g(g, gh, k, a.gscale);
		float mk = __fadd_rn(__fmul_rn(m[k], a.b1), __fmul_rn(a.w1, gk));
		float vk = __fadd_rn(__fmul_rn(v[k], a.b2), __fmul_rn(a.w2, __fmul_rn(gk, gk)));
		m[k] = mk;
		v[k] = vk;
		float x = a8_x(p, hi, lo, k);
		float den = __fadd_rn(__fsqrt_rn(vk), __fmul_rn(a.eps, a.corr2));
		x = __fadd_rn(x, __fmul_rn(a.step_size, __fdiv_rn(mk, den)));
		if (a.decays)
			x = __fmul_rn(x, a.decay);
		a8_put(p, hi, lo, k, x);
	}
}

static void cu_adamw8(float *p, void *hi, uint16_t *lo, const float *g, const void *gh, unsigned char *c1,
		      unsigned char *c2, float *a1, float *a2, float *m, float *v, size_t n, const adamw8_args_t *a)
{
	if (!n)
		return;
	PROF(PROF_OPTIM);
	if (c1)
		adamw8_block_kernel<<<(unsigned)((n + A8_BLOCK - 1) / A8_BLOCK), A8_BLOCK>>>(
			p, (uint16_t *)hi, lo, g, (const bf16 *)gh, c1, c2, a1, a2, n, *a);
	else
		adamw8_small_kernel<<<ew_blocks(n), 256>>>(p, (uint16_t *)hi, lo, g, (const bf16 *)gh, m, v, n, *a);
	CUDA_LAUNCHED();
}

#define OPS_TABLE(T, NAME, ATT_FWD, ATT_BWD, ADAMW_SPLIT)                                                         \
	{                                                                                           \
		.name = NAME, .es = sizeof(T), .alloc = cu_alloc, .free = cu_free, .upload = cu_upload,     \
		.download = cu_download, .copy = cu_copy, .zero = cu_zero, .upload_f32 = cu_upload_f32<T>,  \
		.download_f32 = cu_download_f32<T>, .to_f32 = cu_to_f32<T>, .from_f32 = cu_from_f32<T>,     \
		.matmul = cu_matmul<T>, .matmul_f32out = cu_matmul_f32out<T>, .bias_fwd = cu_bias_fwd<T>,   \
		.bias_bwd = cu_bias_bwd<T>, .axpy = cu_axpy<T>, .axpy_f32 = cu_axpy_f32, .colscale = cu_colscale<T>,                   \
		.colmul_sum = cu_colmul_sum<T>, .rownorm = cu_rownorm<T>, .div = cu_div,                         \
		.rmsnorm_fwd = cu_rmsnorm_fwd<T>, .rmsnorm_bwd = cu_rmsnorm_bwd<T>, .rope_fwd = cu_rope_fwd<T>, \
		.rope_bwd = cu_rope_bwd<T>, .attention_fwd = ATT_FWD, .attention_bwd = ATT_BWD, .attention_kv_fwd = cu_attention_kv_fwd<T>,             \
		.glu_fwd = cu_glu_fwd<T>, .glu_bwd = cu_glu_bwd<T>, .embedding_fwd = cu_embedding_fwd<T>,   \
		.embedding_bwd = cu_embedding_bwd<T>, .softcap_fwd = cu_softcap_fwd<T>,                    \
		.crossentropy_fwd = cu_crossentropy_fwd<T>, .crossentropy_bwd = cu_crossentropy_bwd<T>, .argmax_rows = cu_argmax_rows<T>,     \
		.dropout = cu_dropout<T>, .uniform_noise = cu_uniform_noise<T>, .sum = cu_sum, .sumsq = cu_sumsq, .sumsq_h = cu_sumsq_h<T>, .scale = cu_scale,              \
		.adamw = cu_adamw<T>, .adamw_split = ADAMW_SPLIT, .adamw8 = cu_adamw8,                                                                       \
		.mem_used = ops_cuda_mem_used, .sync = ops_cuda_sync, .nprof = PROF_NFAM,                   \
		.prof_names = ops_cuda_prof_names, .profile = ops_cuda_profile,                              \
		.profile_reset = ops_cuda_profile_reset, .profile_get = ops_cuda_profile_get,                \
	}

extern "C" const ops_t ops_cuda = OPS_TABLE(float, "cuda", cu_attention_fwd, cu_attention_bwd, NULL);
extern "C" const ops_t ops_cuda_bf16 = OPS_TABLE(bf16, "cuda-bf16", cu_attention_fwd_bf16, cu_attention_bwd_bf16,
						  cu_adamw_split<bf16>);
