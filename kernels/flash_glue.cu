// flash_glue: the bf16 attention entry points the backend calls (cuda_common.cuh), on the
// FlashAttention-2 kernels of flash_attn.cu for every head size they support (multiples of 16
// up to 256); other head sizes decline (0) and ops_cuda_bf16 falls back to the float32
// kernels on converted copies.
#include "cuda_common.cuh"
#include "flash_attn.h"

int cuda_flash_fwd(void *out, float *lse, const void *q, const void *k, const void *v, const int *cu, int nseq,
		   int max_seqlen, int N, int NH, int NKV, int HD, float scale, float softcap, int window)
{
	if (!flash_attn_supported(HD))
		return 0;
	flash_attn_fwd(out, lse, q, k, v, cu, nseq, max_seqlen, N, NH, NKV, HD, scale, softcap, window, 0);
	CUDA_LAUNCHED();
	return 1;
}

int cuda_flash_bwd(void *dq, void *dk, void *dv, const void *dout, const void *out, const float *lse, const void *q,
		   const void *k, const void *v, const int *cu, int nseq, int max_seqlen, int N, int NH, int NKV, int HD,
		   float scale, float softcap, int window)
{
	if (!flash_attn_supported(HD))
		return 0;
	void *ws = cuda_scratch(4, flash_attn_bwd_workspace(N, NH, NKV, HD));
	flash_attn_bwd(dq, dk, dv, dout, out, lse, q, k, v, cu, nseq, max_seqlen, N, NH, NKV, HD, scale, softcap, window,
		       ws, 0);
	CUDA_LAUNCHED();
	return 1;
}
