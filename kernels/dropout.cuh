// dropout.cuh: dropout and NEFTune's noise: the counter-based random numbers of ops_cpu.c, bit for bit.
// An op family of ops_cuda.cu, included there once (see there why).
#ifndef FT_CUDA_DROPOUT_CUH
#define FT_CUDA_DROPOUT_CUH

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

#endif
