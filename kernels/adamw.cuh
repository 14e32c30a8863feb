// adamw.cuh: AdamW (float32 masters, split masters) and bitsandbytes' 8-bit AdamW.
// An op family of ops_cuda.cu, included there once (see there why).
#ifndef FT_CUDA_ADAMW_CUH
#define FT_CUDA_ADAMW_CUH

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

#endif
