// matmul.cuh: matrix products through cuBLAS, in the precision set by ops_cuda_set_matmul.
// An op family of ops_cuda.cu, included there once (see there why).
#ifndef FT_CUDA_MATMUL_CUH
#define FT_CUDA_MATMUL_CUH

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

#endif
