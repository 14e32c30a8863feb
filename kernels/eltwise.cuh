// eltwise.cuh: bias, axpy, and DoRA's column scaling, row norms and division.
// An op family of ops_cuda.cu, included there once (see there why).
#ifndef FT_CUDA_ELTWISE_CUH
#define FT_CUDA_ELTWISE_CUH

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

#endif
