// attention_ops.cuh: the attention entries of the op table: the float32 kernels (attention.cu), the
// tensor-core ones (attention_tc.cu) and flash attention for bf16 (flash_glue.cu), and the
// KV-cache attention of generation.
// An op family of ops_cuda.cu, included there once (see there why).
#ifndef FT_CUDA_ATTENTION_OPS_CUH
#define FT_CUDA_ATTENTION_OPS_CUH

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

#endif
