/* ops_cuda: the CUDA backend of the op table (ops.h), checked against ops_cpu on the GPU machine
 * (tests/gpu/). Tools reach it only through common/backend.h (backend.cu plugs it in); the GPU
 * tests and benchmarks use it directly: model_load(dir, &ops_cuda).
 *
 * Two tables. ops_cuda has float32 tensors, like the CPU oracle (its parity configuration);
 * its matrix products go through cuBLAS with a selectable compute type: exact float32 (the
 * default), or TF32 / bf16 tensor cores with float32 accumulation. ops_cuda_bf16 has bfloat16
 * activations and compute copies of the weights (the fast one, used by bf16 training). */
#ifndef FT_OPS_CUDA_H
#define FT_OPS_CUDA_H

#include "ops.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const ops_t ops_cuda;        /* float32 tensors: the parity configuration */
extern const ops_t ops_cuda_bf16;   /* bfloat16 activations and compute weights */

/* Matrix product precision: float32 FMA (default), TF32 tensor cores, or bf16 tensor cores,
 * the last two accumulating in float32. The environment variable FT_CUDA_MATMUL (fp32, tf32,
 * bf16) sets it at the first product. */
typedef enum { CUDA_MM_FP32, CUDA_MM_TF32, CUDA_MM_BF16 } cuda_mm_t;
void ops_cuda_set_matmul(cuda_mm_t mode);

/* Device memory in use (cudaMemGetInfo: total - free), bytes. */
size_t ops_cuda_mem_used(void);

/* Wait for the GPU to finish all queued work (for host-clock timing). */
void ops_cuda_sync(void);

/* Per-op-family timing: when on, every op is bracketed by CUDA events and synchronised, and
 * the elapsed milliseconds add up per family until reset. For finding where time goes; it
 * slows the run by the synchronisations. */
enum {
	PROF_MATMUL, PROF_ATTN_FWD, PROF_ATTN_BWD, PROF_RMSNORM, PROF_ROPE, PROF_GLU, PROF_EMBED,
	PROF_XENT, PROF_ELTWISE, PROF_MEMORY, PROF_DORA, PROF_OPTIM, PROF_NFAM
};
extern const char *const ops_cuda_prof_names[PROF_NFAM];   /* also the tables' prof_names */
void ops_cuda_profile(int on);
void ops_cuda_profile_reset(void);
/* ms (PROF_NFAM) and calls (PROF_NFAM) so far */
void ops_cuda_profile_get(double *ms, long *calls);

#ifdef __cplusplus
}
#endif

#endif
