/* flash_attn: bf16 FlashAttention-2 forward and backward for the CUDA backend (kernels/flash_attn.cu),
 * the attention of ops.h's contract on bf16 tensors: causal within each packed sample, GQA,
 * soft-capping and a sliding window. Head dimensions: multiples of 16 from 16 to 256 (64 and 128
 * are the tuned ones). Tensors are device memory; every call runs on the given stream.
 *
 * q (N, NH, HD), k, v (N, NKV, HD) bf16 (__nv_bfloat16 passed as void *), packed samples: sample s
 * spans tokens [cu_seqlens[s], cu_seqlens[s+1]) (device int array, nseq + 1), causal within each
 * sample, GQA (query head h reads kv head h / (NH / NKV)). out (N, NH, HD) bf16, lse (N, NH) float32
 * (natural-log log-sum-exp of each scaled score row, as ops.h defines it). Scores s = scale * q.k,
 * then softcap * tanh(s / softcap) when softcap > 0; key j visible from query i iff j <= i and
 * (window <= 0 or j > i - window). max_seqlen = the longest sample (host int). */
#ifndef FT_FLASH_ATTN_H
#define FT_FLASH_ATTN_H

#include <stddef.h>

#include <cuda_runtime_api.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Whether HD is one the kernels are built for (a multiple of 16, 16..256). The calls below exit
 * with status 2 for any other. */
int flash_attn_supported(int HD);

void flash_attn_fwd(void *out, float *lse, const void *q, const void *k, const void *v, const int *cu_seqlens,
		    int nseq, int max_seqlen, int N, int NH, int NKV, int HD, float scale, float softcap, int window,
		    cudaStream_t stream);

/* Backward. ACCUMULATES into dq, dk, dv (bf16, +=), as every backward op of ops.h does. dk and dv
 * take no atomics (one block owns a key tile of one kv head and walks every query head of its
 * group), dq goes through a float32 accumulator in the workspace. workspace: float32 scratch of
 * flash_attn_bwd_workspace(N, NH, NKV, HD) bytes (the dq accumulator, N*NH*HD floats, and the
 * rowwise D = sum(dout * out), N*NH floats), allocated by the caller, 16-byte aligned. */
size_t flash_attn_bwd_workspace(int N, int NH, int NKV, int HD);
void flash_attn_bwd(void *dq, void *dk, void *dv, const void *dout, const void *out, const float *lse,
		    const void *q, const void *k, const void *v, const int *cu_seqlens, int nseq, int max_seqlen,
		    int N, int NH, int NKV, int HD, float scale, float softcap, int window, void *workspace,
		    cudaStream_t stream);

#ifdef __cplusplus
}
#endif

#endif
