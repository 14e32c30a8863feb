// embedding.cuh: token embedding: gather forward, scatter-add backward.
// An op family of ops_cuda.cu, included there once (see there why).
#ifndef FT_CUDA_EMBEDDING_CUH
#define FT_CUDA_EMBEDDING_CUH

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

#endif
