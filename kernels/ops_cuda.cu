// ops_cuda: the CUDA backend of the op table (ops.h, ops_cuda.h): its two tables, the per-op
// profiling, and one header per op family (memory.cuh, matmul.cuh, rmsnorm.cuh, ... below),
// included here once so that one translation unit instantiates every template for both element
// types, as llm.c's train_gpt2.cu includes llmc/*.cuh. The attention kernels proper are their
// own translation units (attention.cu, attention_tc.cu, flash_attn.cu); backend.cu plugs the
// tables into common/ (backend.h).
//
// Two tables: ops_cuda, float32 tensors like the CPU oracle (its parity configuration), and
// ops_cuda_bf16, bfloat16 activations and compute weights (the fast one). Reductions that the
// CPU does in double (norms, column sums, softmax sums) are done in double here too: this
// backend's first job is to agree with the oracle, and on an H200 double arithmetic is not what
// limits these memory-bound kernels. Everything runs on the default stream, in order; ops
// return without waiting except download and sum, which hand data to the host.
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cuda_common.cuh"
#include "optim.h"

#define CUBLAS_CHECK(call)                                                                          \
	do {                                                                                        \
		cublasStatus_t s_ = (call);                                                         \
		if (s_ != CUBLAS_STATUS_SUCCESS)                                                    \
			ft_die(FT_EXIT_GPU, "%s:%d: cublas: %s (%s)", __FILE__, __LINE__,             \
			       cublasGetStatusString(s_), #call);                                   \
	} while (0)

// ---- profiling ----

const char *const ops_cuda_prof_names[PROF_NFAM] = {"matmul", "attention_fwd", "attention_bwd", "rmsnorm", "rope",
						   "glu", "embedding", "crossentropy", "eltwise", "memory", "dora", "optimizer"};
static int prof_on, prof_depth;
static cudaEvent_t prof_ev[2];
static double prof_ms[PROF_NFAM];
static long prof_calls[PROF_NFAM];

void prof_begin(int fam)
{
	if (!prof_on || prof_depth++)
		return;
	CUDA_CHECK(cudaEventRecord(prof_ev[0], 0));
}

void prof_end(int fam)
{
	if (!prof_on || --prof_depth)
		return;
	CUDA_CHECK(cudaEventRecord(prof_ev[1], 0));
	CUDA_CHECK(cudaEventSynchronize(prof_ev[1]));
	float ms = 0;
	CUDA_CHECK(cudaEventElapsedTime(&ms, prof_ev[0], prof_ev[1]));
	prof_ms[fam] += ms;
	prof_calls[fam]++;
}

extern "C" void ops_cuda_profile(int on)
{
	if (on && !prof_ev[0]) {
		CUDA_CHECK(cudaEventCreate(&prof_ev[0]));
		CUDA_CHECK(cudaEventCreate(&prof_ev[1]));
	}
	prof_on = on;
}

extern "C" void ops_cuda_profile_reset(void)
{
	memset(prof_ms, 0, sizeof prof_ms);
	memset(prof_calls, 0, sizeof prof_calls);
}

extern "C" void ops_cuda_profile_get(double *ms, long *calls)
{
	memcpy(ms, prof_ms, sizeof prof_ms);
	memcpy(calls, prof_calls, sizeof prof_calls);
}

extern "C" size_t ops_cuda_mem_used(void)
{
	size_t fr = 0, tot = 0;
	CUDA_CHECK(cudaMemGetInfo(&fr, &tot));
	return tot - fr;
}

extern "C" void ops_cuda_sync(void) { CUDA_CHECK(cudaDeviceSynchronize()); }


// ---- the op families, one header each, in dependency order ----

#include "memory.cuh"
#include "eltype.cuh"
#include "matmul.cuh"
#include "reduce.cuh"
#include "eltwise.cuh"
#include "rmsnorm.cuh"
#include "rope.cuh"
#include "attention_ops.cuh"
#include "glu.cuh"
#include "embedding.cuh"
#include "crossentropy.cuh"
#include "dropout.cuh"
#include "adamw.cuh"

// ---- the tables ----

#define OPS_TABLE(T, NAME, ATT_FWD, ATT_BWD, ADAMW_SPLIT)                                                         \
	{                                                                                           \
		.name = NAME, .es = sizeof(T), .alloc = cu_alloc, .free = cu_free, .upload = cu_upload,     \
		.download = cu_download, .copy = cu_copy, .zero = cu_zero, .upload_f32 = cu_upload_f32<T>,  \
		.download_f32 = cu_download_f32<T>, .to_f32 = cu_to_f32<T>, .from_f32 = cu_from_f32<T>,     \
		.matmul = cu_matmul<T>, .matmul_f32out = cu_matmul_f32out<T>, .bias_fwd = cu_bias_fwd<T>,   \
		.bias_bwd = cu_bias_bwd<T>, .axpy = cu_axpy<T>, .axpy_f32 = cu_axpy_f32, .colscale = cu_colscale<T>,                   \
		.colmul_sum = cu_colmul_sum<T>, .rownorm = cu_rownorm<T>, .div = cu_div,                         \
		.rmsnorm_fwd = cu_rmsnorm_fwd<T>, .rmsnorm_bwd = cu_rmsnorm_bwd<T>, .rope_fwd = cu_rope_fwd<T>, \
		.rope_bwd = cu_rope_bwd<T>, .attention_fwd = ATT_FWD, .attention_bwd = ATT_BWD, .attention_kv_fwd = cu_attention_kv_fwd<T>,             \
		.glu_fwd = cu_glu_fwd<T>, .glu_bwd = cu_glu_bwd<T>, .embedding_fwd = cu_embedding_fwd<T>,   \
		.embedding_bwd = cu_embedding_bwd<T>, .softcap_fwd = cu_softcap_fwd<T>,                    \
		.crossentropy_fwd = cu_crossentropy_fwd<T>, .crossentropy_bwd = cu_crossentropy_bwd<T>, .argmax_rows = cu_argmax_rows<T>,     \
		.dropout = cu_dropout<T>, .uniform_noise = cu_uniform_noise<T>, .sum = cu_sum, .sumsq = cu_sumsq, .sumsq_h = cu_sumsq_h<T>, .scale = cu_scale,              \
		.adamw = cu_adamw<T>, .adamw_split = ADAMW_SPLIT, .adamw8 = cu_adamw8,                                                                       \
		.mem_used = ops_cuda_mem_used, .sync = ops_cuda_sync, .nprof = PROF_NFAM,                   \
		.prof_names = ops_cuda_prof_names, .profile = ops_cuda_profile,                              \
		.profile_reset = ops_cuda_profile_reset, .profile_get = ops_cuda_profile_get,                \
	}

extern "C" const ops_t ops_cuda = OPS_TABLE(float, "cuda", cu_attention_fwd, cu_attention_bwd, NULL);
extern "C" const ops_t ops_cuda_bf16 = OPS_TABLE(bf16, "cuda-bf16", cu_attention_fwd_bf16, cu_attention_bwd_bf16,
						  cu_adamw_split<bf16>);
