// eltype.cuh: the element types of the `void *` tensors (float32, bfloat16), their loads and stores,
// the grid-stride loop, and conversions between host float32 and the backend's type.
// An op family of ops_cuda.cu, included there once (see there why).
#ifndef FT_CUDA_ELTYPE_CUH
#define FT_CUDA_ELTYPE_CUH

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

#endif
