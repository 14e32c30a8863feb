// reduce.cuh: reductions: warp and block sums and maxima, column sums, and the sums of ops.h (losses,
// gradient norms) with the scaling of gradients.
// An op family of ops_cuda.cu, included there once (see there why).
#ifndef FT_CUDA_REDUCE_CUH
#define FT_CUDA_REDUCE_CUH

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

#endif
