// cuda_common: what the kernel files of the CUDA backend share — the checking macros (every
// CUDA and cuBLAS call, and every launch, keeps its __FILE__:__LINE__; a failure is fatal with
// exit status 5, FT_EXIT_GPU), the per-op timing bracket, and launch helpers.
#ifndef FT_CUDA_COMMON_CUH
#define FT_CUDA_COMMON_CUH

#include <cuda_runtime.h>
#include <stdio.h>
#include <stdlib.h>

// diag.h's ft_die (C; its _Noreturn is C11 only), exit status 5 is FT_EXIT_GPU
extern "C" void ft_die(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
#define FT_EXIT_GPU 5
#include "ops_cuda.h"

#define CUDA_CHECK(call)                                                                            \
	do {                                                                                        \
		cudaError_t e_ = (call);                                                            \
		if (e_ != cudaSuccess)                                                              \
			ft_die(FT_EXIT_GPU, "%s:%d: cuda: %s (%s)", __FILE__, __LINE__,               \
			       cudaGetErrorString(e_), #call);                                      \
	} while (0)
// after every launch: launch-configuration errors now, execution errors at the next sync
#define CUDA_LAUNCHED() CUDA_CHECK(cudaGetLastError())

static inline unsigned ceil_div(size_t a, size_t b) { return (unsigned)((a + b - 1) / b); }
// elementwise grid: enough blocks to fill the GPU, grid-stride loops cover the rest
static inline unsigned ew_blocks(size_t n)
{
	size_t b = (n + 255) / 256;
	return (unsigned)(b < 1 ? 1 : b > 65535 ? 65535 : b);
}

// Per-op timing bracket (ops_cuda.h), a no-op unless profiling is on.
void prof_begin(int fam);
void prof_end(int fam);
struct prof_scope {
	int fam;
	explicit prof_scope(int f) : fam(f) { prof_begin(f); }
	~prof_scope() { prof_end(fam); }
};
#define PROF(fam) prof_scope prof_scope_(fam)

// Attention (attention.cu); float32 tensors, see ops.h.
void cuda_attention_fwd(float *out, float *lse, const float *q, const float *k, const float *v, const int *cu,
			int nseq, int max_seqlen, int N, int NH, int NKV, int HD, float scale, float softcap, int window);
void cuda_attention_bwd(float *dq, float *dk, float *dv, const float *dout, const float *out, const float *lse,
			const float *q, const float *k, const float *v, const int *cu, int nseq, int max_seqlen,
			int N, int NH, int NKV, int HD, float scale, float softcap, int window);
// Tensor-core attention (attention_tc.cu): whether HD suits it; the calls return 0 for an
// unsupported HD (the caller then uses the float32 kernels).
int cuda_attention_tc_ok(int HD);
int cuda_attention_tc_fwd(float *out, float *lse, const float *q, const float *k, const float *v, const int *cu,
			  int nseq, int max_seqlen, int NH, int NKV, int HD, float scale, float softcap, int window);
int cuda_attention_tc_bwd(float *dq, float *dk, float *dv, const float *dout, const float *D, const float *lse,
			  const float *q, const float *k, const float *v, const int *cu, int nseq, int max_seqlen,
			  int NH, int NKV, int HD, float scale, float softcap, int window);
// The matrix-product mode (cuda_mm_t) in force; attention follows it: float32 kernels for
// CUDA_MM_FP32, tensor cores otherwise.
int cuda_matmul_mode(void);
// A device scratch buffer that grows as needed (one per slot; the backend is single-stream):
// 0 sums, 1 host conversions, 2 bf16 attention fallback, 3 cuBLAS workspace, 4 flash attention.
#define CUDA_SCRATCH_SLOTS 5
void *cuda_scratch(int slot, size_t bytes);
// bf16 attention kernels (flash_attn.cu): return 0 where they do not apply (the caller then
// falls back to the float32 kernels on converted copies).
int cuda_flash_fwd(void *out, float *lse, const void *q, const void *k, const void *v, const int *cu, int nseq,
		   int max_seqlen, int N, int NH, int NKV, int HD, float scale, float softcap, int window);
int cuda_flash_bwd(void *dq, void *dk, void *dv, const void *dout, const void *out, const float *lse, const void *q,
		   const void *k, const void *v, const int *cu, int nseq, int max_seqlen, int N, int NH, int NKV, int HD,
		   float scale, float softcap, int window);

#endif
