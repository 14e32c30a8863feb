// rmsnorm.cuh: RMSNorm forward and backward.
// An op family of ops_cuda.cu, included there once (see there why).
#ifndef FT_CUDA_RMSNORM_CUH
#define FT_CUDA_RMSNORM_CUH

// ---- RMSNorm: one warp per row (rows are as short as a head, 16, with q/k norm) ----

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

#endif
