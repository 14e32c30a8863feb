// attention_tc: the same attention as attention.cu (ops.h's contract) on TF32 tensor cores
// through WMMA, used when the matrix products run on tensor cores too (ops_cuda_set_matmul
// tf32 or bf16) and the head dimension is a multiple of 16 up to 128; float32 in memory,
// TF32 operands (10-bit mantissa) and float32 accumulation inside, so results agree with the
// oracle to ~1e-3 relative, not float32 rounding (tests/gpu/test_cuda_ops.c checks both paths).
//
// FlashAttention-2's tiling: blocks of 64 rows, 4 warps of 16 rows each, tiles of 64 staged in
// shared memory (rows padded to HD + 4 floats: 16-byte multiples as WMMA wants, and off the
// 32-bank stride). Score tiles go through shared memory, where two lanes per row apply the
// scale, soft-cap, causal/window mask and (online) softmax, since WMMA's accumulator layout is
// opaque.
//  - forward: per query tile, S = Q K^T, online softmax (running m, l per row, in registers of
//    the row's two lanes), O = O corr + P V with O kept in shared memory; lse saved.
//  - dq: per query tile, S = Q K^T, dP = dO V^T, dS = P (dP - D), dq += dS K (accumulators in
//    registers).
//  - dk, dv: per key tile and every query head of its group, S^T = K Q^T, dP^T = V dO^T,
//    dv += P^T dO, dk += dS^T Q.
#include <math.h>
#include <mma.h>
#include <stdint.h>

#include "cuda_common.cuh"

using namespace nvcuda;

#define TB 64          // rows per block and per staged tile
#define TW 4           // warps per block, 16 rows each
#define SLD (TB + 4)   // leading dimension of score tiles

typedef wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::row_major> frag_a;
typedef wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::col_major> frag_bt;   // X^T of row-major X
typedef wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::row_major> frag_b;
typedef wmma::fragment<wmma::accumulator, 16, 16, 8, float> frag_c;

template <typename F> __device__ __forceinline__ void to_tf32(F &f)
{
#pragma unroll
	for (int i = 0; i < f.num_elements; i++)
		f.x[i] = wmma::__float_to_tf32(f.x[i]);
}

struct tc_args {
	const int *cu;
	int NH, NKV, window;
	float scale, softcap;
};

__device__ __forceinline__ bool tc_visible(int i, int j, int window) { return j <= i && (window <= 0 || j > i - window); }

// out (16 x 64, ld SLD) = A (16 rows of ld LD) B^T where B is 64 rows of ld LD: scores of 16
// rows against 64, contracting over HD
template <int HD> __device__ void mm_abt(float *out, const float *A, const float *B)
{
	constexpr int LD = HD + 4;
	// up to HD 64 the 16 x HD A operand is loaded once for the four column tiles (HD / 8
	// fragments, 32 registers at HD 64); above, registers are short (dk/dv at HD 128 spill)
	constexpr int NA = HD <= 64 ? HD / 8 : 1;
	frag_a ah[NA];
	if (HD <= 64) {
#pragma unroll
		for (int k = 0; k < NA; k++) {
			wmma::load_matrix_sync(ah[k], A + k * 8, LD);
			to_tf32(ah[k]);
		}
	}
#pragma unroll
	for (int n = 0; n < TB / 16; n++) {
		frag_c c;
		wmma::fill_fragment(c, 0.0f);
#pragma unroll
		for (int k = 0; k < HD; k += 8) {
			frag_bt b;
			wmma::load_matrix_sync(b, B + n * 16 * LD + k, LD);
			to_tf32(b);
			if (HD <= 64) {
				wmma::mma_sync(c, ah[k / 8], b, c);
			} else {
				frag_a a;
				wmma::load_matrix_sync(a, A + k, LD);
				to_tf32(a);
				wmma::mma_sync(c, a, b, c);
			}
		}
		wmma::store_matrix_sync(out + n * 16, c, SLD, wmma::mem_row_major);
	}
}

// acc[n] (16 x 16 each, HD/16 of them) += P (16 x 64, ld SLD) X (64 rows of ld LD)
template <int HD> __device__ void mm_pv(frag_c *acc, const float *P, const float *X)
{
	constexpr int LD = HD + 4;
#pragma unroll
	for (int k = 0; k < TB; k += 8) {
		frag_a a;
		wmma::load_matrix_sync(a, P + k, SLD);
		to_tf32(a);
#pragma unroll
		for (int n = 0; n < HD / 16; n++) {
			frag_b b;
			wmma::load_matrix_sync(b, X + k * LD + n * 16, LD);
			to_tf32(b);
			wmma::mma_sync(acc[n], a, b, acc[n]);
		}
	}
}

// stage rows [r0, r0 + 64) of x (row stride ldx floats, row r at x + r * ldx) into s (64 x HD,
// ld HD + 4), zeros past rlast. 16-byte loads, all of a chunk issued before any is stored:
// the first version (one float per iteration of a runtime-bounded loop) waited out a global
// load latency per element and made the kernels latency-bound (bench/cuda-first.md v4).
// x must be 16-byte aligned (the callers check).
template <int HD>
__device__ __forceinline__ void stage(float *s, const float *x, size_t ldx, int r0, int rlast)
{
	constexpr int LD = HD + 4, V = HD / 4, PER = TB * V / (TW * 32), CH = PER <= 8 ? PER : PER % 8 == 0 ? 8 : PER / 2;
	static_assert(PER % CH == 0, "chunks");
#pragma unroll
	for (int c0 = 0; c0 < PER; c0 += CH) {
		float4 buf[CH];
#pragma unroll
		for (int u = 0; u < CH; u++) {
			int t = threadIdx.x + (c0 + u) * TW * 32, r = t / V, e = (t % V) * 4;
			buf[u] = r0 + r <= rlast ? __ldg((const float4 *)(x + (size_t)(r0 + r) * ldx + e))
						 : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
		}
#pragma unroll
		for (int u = 0; u < CH; u++) {
			int t = threadIdx.x + (c0 + u) * TW * 32, r = t / V, e = (t % V) * 4;
			*(float4 *)(s + r * LD + e) = buf[u];
		}
	}
}

template <int HD> __global__ void __launch_bounds__(TW * 32)
	tc_fwd(float *out, float *lse, const float *q, const float *k, const float *v, tc_args a)
{
	constexpr int LD = HD + 4;
	extern __shared__ __align__(128) float sm[];
	float *Qs = sm, *Ks = Qs + TB * LD, *Vs = Ks + TB * LD, *Os = Vs + TB * LD, *Ss = Os + TB * LD;
	int s = blockIdx.z, h = blockIdx.y, g = h / (a.NH / a.NKV);
	int start = a.cu[s], len = a.cu[s + 1] - start;
	int q0 = (gridDim.x - 1 - blockIdx.x) * TB;   // the longest rows first: a shorter tail
	if (q0 >= len)
		return;
	int w = threadIdx.x >> 5, lane = threadIdx.x & 31;
	int qlast = min(len - 1, q0 + TB - 1);
	stage<HD>(Qs, q + ((size_t)start * a.NH + h) * HD, (size_t)a.NH * HD, q0, qlast);
	for (int t = threadIdx.x; t < TB * LD; t += blockDim.x)
		Os[t] = 0;
	// lane pair (2 lanes per row) of the warp's 16 rows
	int rr = w * 16 + (lane >> 1), half = lane & 1, t = q0 + rr;
	float m = -INFINITY, l = 0;
	int kmin = a.window > 0 ? max(0, q0 - a.window + 1) : 0;
	for (int kb = kmin; kb <= qlast; kb += TB) {
		__syncthreads();
		stage<HD>(Ks, k + ((size_t)start * a.NKV + g) * HD, (size_t)a.NKV * HD, kb, qlast);
		stage<HD>(Vs, v + ((size_t)start * a.NKV + g) * HD, (size_t)a.NKV * HD, kb, qlast);
		__syncthreads();
		float *Sw = Ss + w * 16 * SLD;
		mm_abt<HD>(Sw, Qs + w * 16 * LD, Ks);
		__syncwarp();
		float *srow = Ss + rr * SLD + half * 32;
		float mx = -INFINITY;
		for (int c = 0; c < 32; c++) {
			int j = kb + half * 32 + c;
			float sc = -INFINITY;
			if (t <= qlast && j <= qlast && tc_visible(t, j, a.window)) {
				sc = srow[c] * a.scale;
				if (a.softcap > 0)
					sc = a.softcap * tanhf(sc / a.softcap);
			}
			srow[c] = sc;
			mx = fmaxf(mx, sc);
		}
		mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
		float mn = fmaxf(m, mx), corr = 1, ps = 0;
		if (mn != -INFINITY) {
			corr = expf(m - mn);
			for (int c = 0; c < 32; c++) {
				float p = expf(srow[c] - mn);   // exp(-inf) = 0 for masked keys
				srow[c] = p;
				ps += p;
			}
			m = mn;
		} else {
			for (int c = 0; c < 32; c++)
				srow[c] = 0;
		}
		ps += __shfl_xor_sync(0xffffffffu, ps, 1);
		l = l * corr + ps;
		float *orow = Os + rr * LD + half * (HD / 2);
		for (int e = 0; e < HD / 2; e++)
			orow[e] *= corr;
		__syncwarp();
		frag_c acc[HD / 16];
#pragma unroll
		for (int n = 0; n < HD / 16; n++)
			wmma::load_matrix_sync(acc[n], Os + w * 16 * LD + n * 16, LD, wmma::mem_row_major);
		mm_pv<HD>(acc, Sw, Vs);
#pragma unroll
		for (int n = 0; n < HD / 16; n++)
			wmma::store_matrix_sync(Os + w * 16 * LD + n * 16, acc[n], LD, wmma::mem_row_major);
		__syncwarp();
	}
	if (t > qlast)
		return;
	size_t row = (size_t)(start + t) * a.NH + h;
	float inv = 1.0f / l;
	const float *orow = Os + rr * LD + half * (HD / 2);
	for (int e = 0; e < HD / 2; e++)
		out[row * HD + half * (HD / 2) + e] = orow[e] * inv;
	if (!half)
		lse[row] = m + logf(l);
}

// scale, cap, mask, then p = exp(s - lse) and ds = p (dp - D) (1 - tanh^2) scale, for one
// score; returns ds, p through *pp
__device__ __forceinline__ float tc_ds(float sraw, float dp, float L, float D, bool ok, const tc_args &a, float *pp)
{
	if (!ok) {
		*pp = 0;
		return 0;
	}
	float sc = sraw * a.scale, th = 0;
	if (a.softcap > 0) {
		th = tanhf(sc / a.softcap);
		sc = a.softcap * th;
	}
	float p = expf(sc - L);
	*pp = p;
	float ds = p * (dp - D);
	if (a.softcap > 0)
		ds *= 1 - th * th;
	return ds * a.scale;
}

template <int HD> __global__ void __launch_bounds__(TW * 32)
	tc_dq(float *dq, const float *dout, const float *D, const float *lse, const float *q, const float *k,
	      const float *v, tc_args a)
{
	constexpr int LD = HD + 4;
	extern __shared__ __align__(128) float sm[];
	float *Qs = sm, *dOs = Qs + TB * LD, *Ks = dOs + TB * LD, *Vs = Ks + TB * LD, *Ss = Vs + TB * LD,
	      *Ps = Ss + TB * SLD;
	int s = blockIdx.z, h = blockIdx.y, g = h / (a.NH / a.NKV);
	int start = a.cu[s], len = a.cu[s + 1] - start;
	int q0 = (gridDim.x - 1 - blockIdx.x) * TB;   // the longest rows first: a shorter tail
	if (q0 >= len)
		return;
	int w = threadIdx.x >> 5, lane = threadIdx.x & 31;
	int qlast = min(len - 1, q0 + TB - 1);
	size_t qs = (size_t)a.NH * HD, ks = (size_t)a.NKV * HD;
	stage<HD>(Qs, q + ((size_t)start * a.NH + h) * HD, qs, q0, qlast);
	stage<HD>(dOs, dout + ((size_t)start * a.NH + h) * HD, qs, q0, qlast);
	int rr = w * 16 + (lane >> 1), half = lane & 1, t = q0 + rr;
	size_t row = (size_t)(start + min(t, qlast)) * a.NH + h;
	float L = lse[row], Dr = D[row];
	frag_c acc[HD / 16];
#pragma unroll
	for (int n = 0; n < HD / 16; n++)
		wmma::fill_fragment(acc[n], 0.0f);
	int kmin = a.window > 0 ? max(0, q0 - a.window + 1) : 0;
	for (int kb = kmin; kb <= qlast; kb += TB) {
		__syncthreads();
		stage<HD>(Ks, k + ((size_t)start * a.NKV + g) * HD, ks, kb, qlast);
		stage<HD>(Vs, v + ((size_t)start * a.NKV + g) * HD, ks, kb, qlast);
		__syncthreads();
		float *Sw = Ss + w * 16 * SLD, *Pw = Ps + w * 16 * SLD;
		mm_abt<HD>(Sw, Qs + w * 16 * LD, Ks);
		mm_abt<HD>(Pw, dOs + w * 16 * LD, Vs);   // dP = dO V^T
		__syncwarp();
		float *srow = Ss + rr * SLD + half * 32, *prow = Ps + rr * SLD + half * 32;
		for (int c = 0; c < 32; c++) {
			int j = kb + half * 32 + c;
			float p;
			srow[c] = tc_ds(srow[c], prow[c], L, Dr, t <= qlast && j <= qlast && tc_visible(t, j, a.window), a, &p);
		}
		__syncwarp();
		mm_pv<HD>(acc, Sw, Ks);   // dq += dS K
	}
	__syncthreads();   // Qs is free now: the warp's 16 x HD result goes there
	float *Rw = Qs + w * 16 * LD;
#pragma unroll
	for (int n = 0; n < HD / 16; n++)
		wmma::store_matrix_sync(Rw + n * 16, acc[n], LD, wmma::mem_row_major);
	__syncwarp();
	if (t > qlast)
		return;
	for (int e = half * (HD / 2); e < (half + 1) * (HD / 2); e++)
		dq[row * HD + e] += Qs[rr * LD + e];
}

template <int HD> __global__ void __launch_bounds__(TW * 32)
	tc_dkv(float *dk, float *dv, const float *dout, const float *D, const float *lse, const float *q, const float *k,
	       const float *v, tc_args a)
{
	constexpr int LD = HD + 4;
	extern __shared__ __align__(128) float sm[];
	float *Ks = sm, *Vs = Ks + TB * LD, *Qs = Vs + TB * LD, *dOs = Qs + TB * LD, *St = dOs + TB * LD,
	      *Pt = St + TB * SLD, *Ls = Pt + TB * SLD, *Ds = Ls + TB;
	int s = blockIdx.z, g = blockIdx.y, G = a.NH / a.NKV;
	int start = a.cu[s], len = a.cu[s + 1] - start;
	int k0 = blockIdx.x * TB;
	if (k0 >= len)
		return;
	int w = threadIdx.x >> 5, lane = threadIdx.x & 31;
	int klast = min(len - 1, k0 + TB - 1);
	int ilast = a.window > 0 ? min(len - 1, klast + a.window - 1) : len - 1;
	size_t qs = (size_t)a.NH * HD, ks = (size_t)a.NKV * HD;
	stage<HD>(Ks, k + ((size_t)start * a.NKV + g) * HD, ks, k0, klast);
	stage<HD>(Vs, v + ((size_t)start * a.NKV + g) * HD, ks, k0, klast);
	int rr = w * 16 + (lane >> 1), half = lane & 1, j = k0 + rr;
	frag_c accK[HD / 16], accV[HD / 16];
#pragma unroll
	for (int n = 0; n < HD / 16; n++) {
		wmma::fill_fragment(accK[n], 0.0f);
		wmma::fill_fragment(accV[n], 0.0f);
	}
	for (int hh = 0; hh < G; hh++) {
		int h = g * G + hh;
		for (int ib = k0; ib <= ilast; ib += TB) {
			__syncthreads();
			stage<HD>(Qs, q + ((size_t)start * a.NH + h) * HD, qs, ib, ilast);
			stage<HD>(dOs, dout + ((size_t)start * a.NH + h) * HD, qs, ib, ilast);
			if (threadIdx.x < TB) {
				int r = threadIdx.x;
				size_t src = (size_t)(start + ib + r) * a.NH + h;
				Ls[r] = ib + r <= ilast ? lse[src] : 0.0f;
				Ds[r] = ib + r <= ilast ? D[src] : 0.0f;
			}
			__syncthreads();
			float *Sw = St + w * 16 * SLD, *Pw = Pt + w * 16 * SLD;
			mm_abt<HD>(Sw, Ks + w * 16 * LD, Qs);    // S^T = K Q^T
			mm_abt<HD>(Pw, Vs + w * 16 * LD, dOs);   // dP^T = V dO^T
			__syncwarp();
			float *srow = St + rr * SLD + half * 32, *prow = Pt + rr * SLD + half * 32;
			for (int c = 0; c < 32; c++) {
				int cc = half * 32 + c, i = ib + cc;
				float p;
				float ds = tc_ds(srow[c], prow[c], Ls[cc], Ds[cc],
						 j <= klast && i <= ilast && tc_visible(i, j, a.window), a, &p);
				srow[c] = p;
				prow[c] = ds;
			}
			__syncwarp();
			mm_pv<HD>(accV, Sw, dOs);   // dv += P^T dO
			mm_pv<HD>(accK, Pw, Qs);    // dk += dS^T Q
		}
	}
	__syncthreads();   // Qs and dOs are free: results go there
	float *Rk = Qs + w * 16 * LD, *Rv = dOs + w * 16 * LD;
#pragma unroll
	for (int n = 0; n < HD / 16; n++) {
		wmma::store_matrix_sync(Rk + n * 16, accK[n], LD, wmma::mem_row_major);
		wmma::store_matrix_sync(Rv + n * 16, accV[n], LD, wmma::mem_row_major);
	}
	__syncwarp();
	if (j > klast)
		return;
	size_t row = (size_t)(start + j) * a.NKV + g;
	for (int e = half * (HD / 2); e < (half + 1) * (HD / 2); e++) {
		dk[row * HD + e] += Qs[rr * LD + e];
		dv[row * HD + e] += dOs[rr * LD + e];
	}
}

template <int HD> static size_t smem_fwd() { return (size_t)(4 * TB * (HD + 4) + TB * SLD) * sizeof(float); }
template <int HD> static size_t smem_bwd() { return (size_t)(4 * TB * (HD + 4) + 2 * TB * SLD + 2 * TB) * sizeof(float); }

template <int HD>
static void tc_run_fwd(float *out, float *lse, const float *q, const float *k, const float *v, tc_args a, int nseq,
		       int max_seqlen)
{
	static int set;
	if (!set) {
		CUDA_CHECK(cudaFuncSetAttribute(tc_fwd<HD>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem_fwd<HD>()));
		set = 1;
	}
	dim3 grid(ceil_div(max_seqlen, TB), a.NH, nseq);
	tc_fwd<HD><<<grid, TW * 32, smem_fwd<HD>()>>>(out, lse, q, k, v, a);
	CUDA_LAUNCHED();
}

template <int HD>
static void tc_run_bwd(float *dq, float *dk, float *dv, const float *dout, const float *D, const float *lse,
		       const float *q, const float *k, const float *v, tc_args a, int nseq, int max_seqlen)
{
	static int set;
	if (!set) {
		CUDA_CHECK(cudaFuncSetAttribute(tc_dq<HD>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem_bwd<HD>()));
		CUDA_CHECK(cudaFuncSetAttribute(tc_dkv<HD>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem_bwd<HD>()));
		set = 1;
	}
	dim3 gq(ceil_div(max_seqlen, TB), a.NH, nseq), gk(ceil_div(max_seqlen, TB), a.NKV, nseq);
	tc_dq<HD><<<gq, TW * 32, smem_bwd<HD>()>>>(dq, dout, D, lse, q, k, v, a);
	CUDA_LAUNCHED();
	tc_dkv<HD><<<gk, TW * 32, smem_bwd<HD>()>>>(dk, dv, dout, D, lse, q, k, v, a);
	CUDA_LAUNCHED();
}

#define TC_DISPATCH(HDV, call)                                                                      \
	switch (HDV) {                                                                              \
	case 16: call(16); break;                                                                   \
	case 32: call(32); break;                                                                   \
	case 48: call(48); break;                                                                   \
	case 64: call(64); break;                                                                   \
	case 80: call(80); break;                                                                   \
	case 96: call(96); break;                                                                   \
	case 112: call(112); break;                                                                 \
	case 128: call(128); break;                                                                 \
	default: return 0;                                                                          \
	}

int cuda_attention_tc_ok(int HD) { return HD % 16 == 0 && HD >= 16 && HD <= 128; }

static int aligned16(const void *p) { return ((uintptr_t)p & 15) == 0; }

int cuda_attention_tc_fwd(float *out, float *lse, const float *q, const float *k, const float *v, const int *cu,
			  int nseq, int max_seqlen, int NH, int NKV, int HD, float scale, float softcap, int window)
{
	if (!aligned16(q) || !aligned16(k) || !aligned16(v))
		return 0;
	tc_args a = {cu, NH, NKV, window, scale, softcap};
#define CALL(H) tc_run_fwd<H>(out, lse, q, k, v, a, nseq, max_seqlen)
	TC_DISPATCH(HD, CALL)
#undef CALL
	return 1;
}

int cuda_attention_tc_bwd(float *dq, float *dk, float *dv, const float *dout, const float *D, const float *lse,
			  const float *q, const float *k, const float *v, const int *cu, int nseq, int max_seqlen,
			  int NH, int NKV, int HD, float scale, float softcap, int window)
{
	if (!aligned16(q) || !aligned16(k) || !aligned16(v) || !aligned16(dout))
		return 0;
	tc_args a = {cu, NH, NKV, window, scale, softcap};
#define CALL(H) tc_run_bwd<H>(dq, dk, dv, dout, D, lse, q, k, v, a, nseq, max_seqlen)
	TC_DISPATCH(HD, CALL)
#undef CALL
	return 1;
}
