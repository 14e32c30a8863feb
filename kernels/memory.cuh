// memory.cuh: device memory: zeroed allocations that say how much was missing, copies, and the
// growing scratch buffers the other families borrow.
// An op family of ops_cuda.cu, included there once (see there why).
#ifndef FT_CUDA_MEMORY_CUH
#define FT_CUDA_MEMORY_CUH

// ---- memory ----

static void *cu_alloc(size_t n)
{
	void *p = NULL;
	PROF(PROF_MEMORY);
	cudaError_t e = cudaMalloc(&p, n ? n : 16);
	if (e == cudaErrorMemoryAllocation) {
		size_t fr = 0, tot = 0;
		cudaGetLastError();
		cudaMemGetInfo(&fr, &tot);
		ft_die(FT_EXIT_GPU, "GPU out of memory: %.2f GiB more needed, %.2f GiB free of %.2f; lower micro_batch_size "
		       "or sequence_len, or set gradient_checkpointing: true", n / 1073741824.0, fr / 1073741824.0,
		       tot / 1073741824.0);
	}
	CUDA_CHECK(e);
	CUDA_CHECK(cudaMemset(p, 0, n ? n : 16));
	return p;
}

static void cu_free(void *p)
{
	if (p)
		CUDA_CHECK(cudaFree(p));
}

static void cu_upload(void *d, const void *h, size_t n)
{
	PROF(PROF_MEMORY);
	if (n)
		CUDA_CHECK(cudaMemcpy(d, h, n, cudaMemcpyHostToDevice));
}

static void cu_download(void *h, const void *d, size_t n)
{
	PROF(PROF_MEMORY);
	if (n)
		CUDA_CHECK(cudaMemcpy(h, d, n, cudaMemcpyDeviceToHost));
}

static void cu_copy(void *d, const void *s, size_t n)
{
	PROF(PROF_MEMORY);
	if (n && d != s)
		CUDA_CHECK(cudaMemcpyAsync(d, s, n, cudaMemcpyDeviceToDevice, 0));
}

static void cu_zero(void *p, size_t n)
{
	PROF(PROF_MEMORY);
	if (n)
		CUDA_CHECK(cudaMemsetAsync(p, 0, n, 0));
}

static void *scratch_p[CUDA_SCRATCH_SLOTS];
static size_t scratch_n[CUDA_SCRATCH_SLOTS];

void *cuda_scratch(int slot, size_t bytes)
{
	if (bytes > scratch_n[slot]) {
		if (scratch_p[slot])
			CUDA_CHECK(cudaFree(scratch_p[slot]));   // synchronous: no kernel still uses it
		CUDA_CHECK(cudaMalloc(&scratch_p[slot], bytes));
		scratch_n[slot] = bytes;
	}
	return scratch_p[slot];
}

#endif
