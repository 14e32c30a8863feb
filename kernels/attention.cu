// attention: causal attention over packed variable-length samples (cu_seqlens), with GQA,
// soft-capping and a sliding window, forward and backward, never materialising the T x T
// score matrix (ops.h gives the contract; ops_cpu.c is the oracle).
//
// FlashAttention-2's structure in plain float32 CUDA-core arithmetic (no tensor cores yet):
//  - forward: a block holds QB query rows of one head of one sample, one warp per row; key and
//    value tiles of 32 rows are staged in shared memory; lane l scores key l of the tile, the
//    warp keeps an online softmax (running max m and sum l), each lane owns HD/32 dimensions
//    of the output accumulator. Saves lse = m + log(l) per row.
//  - backward, two kernels, so no atomics and a deterministic result:
//    dq: the forward's loop again, recomputing p = exp(s - lse) and ds = p (dp - D), with
//        D = rowsum(dout * out) computed by the warp first;
//    dk, dv: a block holds QB key rows of one kv head, one warp per key; it walks the query
//        tiles of every query head of the group that can see those keys, lane l taking
//        query l of the tile.
// Scores are float32 dot products (the CPU's are double): within rounding of a float32
// reference, which is what the tests allow for. When the matrix products run on tensor cores
// (ops_cuda_set_matmul tf32/bf16), attention does too, in attention_tc.cu, for HD a multiple
// of 16 up to 128; these kernels remain the float32 path and the fallback.
#include <math.h>

#include "cuda_common.cuh"

#define QB 8          // rows (warps) per block
#define KT 32         // rows per staged tile: one per lane
#define MAXHD 256
#define DPL (MAXHD / 32)   // dimensions per lane, at most

struct attn_args {
	const int *cu;
	int NH, NKV, HD, window;
	float scale, softcap;
};

// visible: key j from query i (positions within the sample), given both are in it
__device__ __forceinline__ bool visible(int i, int j, int window)
{
	return j <= i && (window <= 0 || j > i - window);
}

__device__ __forceinline__ float capped(float s, float softcap)
{
	return softcap > 0 ? softcap * tanhf(s / softcap) : s;
}

// dot of a row in shared memory (broadcast) and one in padded shared memory (one per lane)
__device__ __forceinline__ float sdot(const float *a, const float *b, int HD)
{
	float s = 0;
	for (int e = 0; e < HD; e++)
		s += a[e] * b[e];
	return s;
}

// grid (ceil(max_seqlen / QB), NH, nseq), block QB warps
// shared: Qs (QB, HD), Ks (KT, HD + 1), Vs (KT, HD)
__global__ void attn_fwd_kernel(float *out, float *lse, const float *q, const float *k, const float *v, attn_args a)
{
	extern __shared__ float sm[];
	int HD = a.HD, HP = HD + 1;
	float *Qs = sm, *Ks = Qs + QB * HD, *Vs = Ks + KT * HP;
	int s = blockIdx.z, h = blockIdx.y, g = h / (a.NH / a.NKV);
	int start = a.cu[s], len = a.cu[s + 1] - start;
	int t0 = blockIdx.x * QB;
	if (t0 >= len)
		return;
	int w = threadIdx.x >> 5, lane = threadIdx.x & 31, t = t0 + w;
	bool live = t < len;
	for (int x = threadIdx.x; x < QB * HD; x += blockDim.x) {
		int r = x / HD, e = x % HD;
		Qs[x] = t0 + r < len ? q[((size_t)(start + t0 + r) * a.NH + h) * HD + e] : 0.0f;
	}
	float acc[DPL];
#pragma unroll
	for (int u = 0; u < DPL; u++)
		acc[u] = 0;
	float m = -INFINITY, l = 0;
	int tlast = min(len - 1, t0 + QB - 1);
	int kmin = a.window > 0 ? max(0, t0 - a.window + 1) : 0;
	for (int kb = kmin; kb <= tlast; kb += KT) {
		__syncthreads();   // the previous tile is consumed (and Qs written, the first time)
		for (int x = threadIdx.x; x < KT * HD; x += blockDim.x) {
			int r = x / HD, e = x % HD;
			size_t src = ((size_t)(start + kb + r) * a.NKV + g) * HD + e;
			bool in = kb + r <= tlast;
			Ks[r * HP + e] = in ? k[src] : 0.0f;
			Vs[r * HD + e] = in ? v[src] : 0.0f;
		}
		__syncthreads();
		int j = kb + lane;
		bool ok = live && j <= tlast && visible(t, j, a.window);
		float sc = -INFINITY;
		if (ok)
			sc = capped(sdot(Qs + w * HD, Ks + lane * HP, HD) * a.scale, a.softcap);
		float mx = sc;
		for (int o = 16; o; o >>= 1)
			mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, o));
		float mn = fmaxf(m, mx);
		if (mn == -INFINITY)
			continue;   // nothing visible yet for this row (uniform across the warp)
		float p = ok ? expf(sc - mn) : 0.0f, corr = expf(m - mn);
		float ps = p;
		for (int o = 16; o; o >>= 1)
			ps += __shfl_xor_sync(0xffffffffu, ps, o);
		l = l * corr + ps;
		m = mn;
#pragma unroll
		for (int u = 0; u < DPL; u++)
			acc[u] *= corr;
		for (int jj = 0; jj < KT; jj++) {
			float pj = __shfl_sync(0xffffffffu, p, jj);
			if (pj == 0.0f)
				continue;   // uniform: pj is the same in every lane
			const float *vr = Vs + jj * HD;
#pragma unroll
			for (int u = 0; u < DPL; u++) {
				int e = lane + 32 * u;
				if (e < HD)
					acc[u] += pj * vr[e];
			}
		}
	}
	if (!live)
		return;
	size_t row = (size_t)(start + t) * a.NH + h;
	float inv = 1.0f / l;
#pragma unroll
	for (int u = 0; u < DPL; u++) {
		int e = lane + 32 * u;
		if (e < HD)
			out[row * HD + e] = acc[u] * inv;
	}
	if (!lane)
		lse[row] = m + logf(l);
}

// dq += sum_j ds_ij k_j. grid and block as the forward.
// shared: Qs (QB, HD), dOs (QB, HD), Ks (KT, HD + 1), Vs (KT, HD + 1)
__global__ void attn_bwd_dq_kernel(float *dq, const float *dout, const float *out, const float *lse, const float *q,
				   const float *k, const float *v, attn_args a)
{
	extern __shared__ float sm[];
	int HD = a.HD, HP = HD + 1;
	float *Qs = sm, *dOs = Qs + QB * HD, *Ks = dOs + QB * HD, *Vs = Ks + KT * HP;
	int s = blockIdx.z, h = blockIdx.y, g = h / (a.NH / a.NKV);
	int start = a.cu[s], len = a.cu[s + 1] - start;
	int t0 = blockIdx.x * QB;
	if (t0 >= len)
		return;
	int w = threadIdx.x >> 5, lane = threadIdx.x & 31, t = t0 + w;
	bool live = t < len;
	for (int x = threadIdx.x; x < QB * HD; x += blockDim.x) {
		int r = x / HD, e = x % HD;
		size_t src = ((size_t)(start + t0 + r) * a.NH + h) * HD + e;
		bool in = t0 + r < len;
		Qs[x] = in ? q[src] : 0.0f;
		dOs[x] = in ? dout[src] : 0.0f;
	}
	size_t row = (size_t)(start + (live ? t : 0)) * a.NH + h;
	// D = dout . out for this row
	float D = 0;
	if (live)
		for (int e = lane; e < HD; e += 32)
			D += dout[row * HD + e] * out[row * HD + e];
	for (int o = 16; o; o >>= 1)
		D += __shfl_xor_sync(0xffffffffu, D, o);
	float L = live ? lse[row] : 0.0f;
	float acc[DPL];
#pragma unroll
	for (int u = 0; u < DPL; u++)
		acc[u] = 0;
	int tlast = min(len - 1, t0 + QB - 1);
	int kmin = a.window > 0 ? max(0, t0 - a.window + 1) : 0;
	for (int kb = kmin; kb <= tlast; kb += KT) {
		__syncthreads();
		for (int x = threadIdx.x; x < KT * HD; x += blockDim.x) {
			int r = x / HD, e = x % HD;
			size_t src = ((size_t)(start + kb + r) * a.NKV + g) * HD + e;
			bool in = kb + r <= tlast;
			Ks[r * HP + e] = in ? k[src] : 0.0f;
			Vs[r * HP + e] = in ? v[src] : 0.0f;
		}
		__syncthreads();
		int j = kb + lane;
		bool ok = live && j <= tlast && visible(t, j, a.window);
		float ds = 0;
		if (ok) {
			float sc = capped(sdot(Qs + w * HD, Ks + lane * HP, HD) * a.scale, a.softcap);
			float p = expf(sc - L);
			float dp = sdot(dOs + w * HD, Vs + lane * HP, HD);
			ds = p * (dp - D);
			if (a.softcap > 0) {
				float th = sc / a.softcap;
				ds *= 1 - th * th;
			}
			ds *= a.scale;
		}
		for (int jj = 0; jj < KT; jj++) {
			float d = __shfl_sync(0xffffffffu, ds, jj);
			if (d == 0.0f)
				continue;
			const float *kr = Ks + jj * HP;
#pragma unroll
			for (int u = 0; u < DPL; u++) {
				int e = lane + 32 * u;
				if (e < HD)
					acc[u] += d * kr[e];
			}
		}
	}
	if (!live)
		return;
#pragma unroll
	for (int u = 0; u < DPL; u++) {
		int e = lane + 32 * u;
		if (e < HD)
			dq[row * HD + e] += acc[u];
	}
}

// D (N, NH) = rowsum(dout * out), one warp per row
__global__ void attn_rowdot_kernel(float *D, const float *dout, const float *out, int rows, int HD)
{
	int r = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5), lane = threadIdx.x & 31;
	if (r >= rows)
		return;
	float d = 0;
	for (int e = lane; e < HD; e += 32)
		d += dout[(size_t)r * HD + e] * out[(size_t)r * HD + e];
	for (int o = 16; o; o >>= 1)
		d += __shfl_xor_sync(0xffffffffu, d, o);
	if (!lane)
		D[r] = d;
}

// dk += sum_i ds_ij q_i, dv += sum_i p_ij dout_i over the query heads of kv head g.
// grid (ceil(max_seqlen / QB), NKV, nseq), block QB warps, one per key.
// shared: Kw (QB, HD), Vw (QB, HD), Qs (KT, HD + 1), dOs (KT, HD + 1), Ls (KT), Ds (KT)
__global__ void attn_bwd_dkv_kernel(float *dk, float *dv, const float *dout, const float *D, const float *lse,
				    const float *q, const float *k, const float *v, attn_args a)
{
	extern __shared__ float sm[];
	int HD = a.HD, HP = HD + 1, G = a.NH / a.NKV;
	float *Kw = sm, *Vw = Kw + QB * HD, *Qs = Vw + QB * HD, *dOs = Qs + KT * HP, *Ls = dOs + KT * HP, *Ds = Ls + KT;
	int s = blockIdx.z, g = blockIdx.y;
	int start = a.cu[s], len = a.cu[s + 1] - start;
	int j0 = blockIdx.x * QB;
	if (j0 >= len)
		return;
	int w = threadIdx.x >> 5, lane = threadIdx.x & 31, j = j0 + w;
	bool live = j < len;
	for (int x = threadIdx.x; x < QB * HD; x += blockDim.x) {
		int r = x / HD, e = x % HD;
		size_t src = ((size_t)(start + j0 + r) * a.NKV + g) * HD + e;
		bool in = j0 + r < len;
		Kw[x] = in ? k[src] : 0.0f;
		Vw[x] = in ? v[src] : 0.0f;
	}
	float ak[DPL], av[DPL];
#pragma unroll
	for (int u = 0; u < DPL; u++)
		ak[u] = av[u] = 0;
	int jlast = min(len - 1, j0 + QB - 1);
	int ilast = a.window > 0 ? min(len - 1, jlast + a.window - 1) : len - 1;
	for (int hh = 0; hh < G; hh++) {
		int h = g * G + hh;
		for (int ib = j0; ib <= ilast; ib += KT) {
			__syncthreads();
			for (int x = threadIdx.x; x < KT * HD; x += blockDim.x) {
				int r = x / HD, e = x % HD;
				size_t src = ((size_t)(start + ib + r) * a.NH + h) * HD + e;
				bool in = ib + r <= ilast;
				Qs[r * HP + e] = in ? q[src] : 0.0f;
				dOs[r * HP + e] = in ? dout[src] : 0.0f;
			}
			if (threadIdx.x < KT) {
				int r = threadIdx.x;
				size_t src = (size_t)(start + ib + r) * a.NH + h;
				bool in = ib + r <= ilast;
				Ls[r] = in ? lse[src] : 0.0f;
				Ds[r] = in ? D[src] : 0.0f;
			}
			__syncthreads();
			int i = ib + lane;
			bool ok = live && i <= ilast && visible(i, j, a.window);
			float p = 0, ds = 0;
			if (ok) {
				float sc = capped(sdot(Kw + w * HD, Qs + lane * HP, HD) * a.scale, a.softcap);
				p = expf(sc - Ls[lane]);
				float dp = sdot(Vw + w * HD, dOs + lane * HP, HD);
				ds = p * (dp - Ds[lane]);
				if (a.softcap > 0) {
					float th = sc / a.softcap;
					ds *= 1 - th * th;
				}
				ds *= a.scale;
			}
			for (int ii = 0; ii < KT; ii++) {
				float pi = __shfl_sync(0xffffffffu, p, ii), di = __shfl_sync(0xffffffffu, ds, ii);
				if (pi == 0.0f && di == 0.0f)
					continue;
				const float *qr = Qs + ii * HP, *dr = dOs + ii * HP;
#pragma unroll
				for (int u = 0; u < DPL; u++) {
					int e = lane + 32 * u;
					if (e < HD) {
						ak[u] += di * qr[e];
						av[u] += pi * dr[e];
					}
				}
			}
		}
	}
	if (!live)
		return;
	size_t row = (size_t)(start + j) * a.NKV + g;
#pragma unroll
	for (int u = 0; u < DPL; u++) {
		int e = lane + 32 * u;
		if (e < HD) {
			dk[row * HD + e] += ak[u];
			dv[row * HD + e] += av[u];
		}
	}
}

static size_t fwd_smem(int HD) { return (size_t)(QB * HD + KT * (HD + 1) + KT * HD) * sizeof(float); }
static size_t dq_smem(int HD) { return (size_t)(2 * QB * HD + 2 * KT * (HD + 1)) * sizeof(float); }
static size_t dkv_smem(int HD) { return (size_t)(2 * QB * HD + 2 * KT * (HD + 1) + 2 * KT) * sizeof(float); }

static void attn_setup(int HD)
{
	static int done;
	if (HD > MAXHD || HD <= 0)
		ft_die(FT_EXIT_GPU, "attention: head dimension %d is over the CUDA kernels' %d", HD, MAXHD);
	if (done)
		return;
	// above the 48 KiB default for the largest heads (HD 256: about 82 KiB)
	int mx = (int)dkv_smem(MAXHD);
	CUDA_CHECK(cudaFuncSetAttribute(attn_fwd_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, mx));
	CUDA_CHECK(cudaFuncSetAttribute(attn_bwd_dq_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, mx));
	CUDA_CHECK(cudaFuncSetAttribute(attn_bwd_dkv_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, mx));
	done = 1;
}

void cuda_attention_fwd(float *out, float *lse, const float *q, const float *k, const float *v, const int *cu,
			int nseq, int max_seqlen, int N, int NH, int NKV, int HD, float scale, float softcap, int window)
{
	if (N <= 0 || nseq <= 0 || max_seqlen <= 0)
		return;
	if (cuda_matmul_mode() != CUDA_MM_FP32 && cuda_attention_tc_ok(HD)
	    && cuda_attention_tc_fwd(out, lse, q, k, v, cu, nseq, max_seqlen, NH, NKV, HD, scale, softcap, window))
		return;
	attn_setup(HD);
	attn_args a = {cu, NH, NKV, HD, window, scale, softcap};
	dim3 grid(ceil_div(max_seqlen, QB), NH, nseq);
	attn_fwd_kernel<<<grid, QB * 32, fwd_smem(HD)>>>(out, lse, q, k, v, a);
	CUDA_LAUNCHED();
}

void cuda_attention_bwd(float *dq, float *dk, float *dv, const float *dout, const float *out, const float *lse,
			const float *q, const float *k, const float *v, const int *cu, int nseq, int max_seqlen,
			int N, int NH, int NKV, int HD, float scale, float softcap, int window)
{
	if (N <= 0 || nseq <= 0 || max_seqlen <= 0)
		return;
	attn_setup(HD);
	attn_args a = {cu, NH, NKV, HD, window, scale, softcap};
	float *D = (float *)cuda_scratch(1, (size_t)N * NH * sizeof(float));   // (N, NH)
	attn_rowdot_kernel<<<ceil_div((size_t)N * NH, 8), 256>>>(D, dout, out, N * NH, HD);
	CUDA_LAUNCHED();
	if (cuda_matmul_mode() != CUDA_MM_FP32 && cuda_attention_tc_ok(HD)
	    && cuda_attention_tc_bwd(dq, dk, dv, dout, D, lse, q, k, v, cu, nseq, max_seqlen, NH, NKV, HD, scale, softcap,
				     window))
		return;
	dim3 gq(ceil_div(max_seqlen, QB), NH, nseq);
	attn_bwd_dq_kernel<<<gq, QB * 32, dq_smem(HD)>>>(dq, dout, out, lse, q, k, v, a);
	CUDA_LAUNCHED();
	dim3 gk(ceil_div(max_seqlen, QB), NKV, nseq);
	attn_bwd_dkv_kernel<<<gk, QB * 32, dkv_smem(HD)>>>(dk, dv, dout, D, lse, q, k, v, a);
	CUDA_LAUNCHED();
}
