// crossentropy.cuh: soft-capping, cross-entropy of the LM head, and argmax of rows (token accuracy).
// An op family of ops_cuda.cu, included there once (see there why).
#ifndef FT_CUDA_CROSSENTROPY_CUH
#define FT_CUDA_CROSSENTROPY_CUH

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

#endif
