// flash_attn: bf16 FlashAttention-2 on tensor cores (mma.sync m16n8k16, bf16 operands, float32
// accumulation), forward and backward, for the bf16 CUDA backend. Contract in flash_attn.h (the
// attention of ops.h on bf16 tensors); ops_cpu.c's attention is the oracle (tests/gpu/test_flash.c).
//
// Layout of the work (FlashAttention-2, Dao 2023):
//  - forward: a block holds BM = 16 MT NW query rows of one head of one sample, each warp 16 MT;
//    key/value tiles of BN rows stream through shared memory, double-buffered with cp.async. S =
//    Q K^T stays in registers; the online softmax (running max m and sum l per row, base-2
//    exponentials with log2(e) folded into the scale) works on the accumulator fragments, and P,
//    cast to bf16, is fed straight back as the A operand of O += P V (the m16n8k16 accumulator
//    layout of two n-tiles is the A layout of one k-tile). lse saved per row.
//  - backward: D = rowsum(dout * out) first, then one block per (key tile, kv head, sample): each
//    warp holds 16 keys (all HD columns, or half of them at HD > 128 where two warps share the
//    keys), walks every query head of the group and every query tile that can see its keys,
//    recomputes S^T = K Q^T and dP^T = V dO^T, and accumulates dV += P^T dO and dK += dS^T Q in
//    registers: no atomics on dk, dv, written once (+=) at the end. dQ += dS K goes through dS^T
//    in shared memory and float32 atomics into the workspace; a last pass adds it into dq.
// Shared-memory rows are padded by 16 bytes (HD + 8 bf16): ldmatrix reads 8 rows of 16 bytes,
// and a padded stride puts them in 8 different 16-byte bank groups for every HD multiple of 16.
#include <cuda_bf16.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cuda_common.cuh"
#include "flash_attn.h"

typedef __nv_bfloat16 bf16;

#define LOG2E 1.4426950408889634f
#define LN2 0.6931471805599453f

struct fa_args {
	const bf16 *q, *k, *v;   // (N, NH, HD), (N, NKV, HD) x2
	const int *cu;           // (nseq + 1)
	int NH, NKV, G, window;  // G = NH / NKV
	float scale, softcap;
	bf16 *out;               // fwd: (N, NH, HD)
	float *lse;              // (N, NH): written by fwd, read by bwd
	const bf16 *dout;        // bwd: (N, NH, HD)
	const float *D;          // bwd: (N, NH)
	float *dqacc;            // bwd: (N, NH, HD) float32
	bf16 *dk, *dv;           // bwd: (N, NKV, HD)
};

// ---- PTX wrappers ----

__device__ __forceinline__ uint32_t smem_u32(const void *p) { return (uint32_t)__cvta_generic_to_shared(p); }

// 16 bytes global -> shared, zero-filled when !valid (src is then not read)
__device__ __forceinline__ void cp_async16(void *dst, const void *src, bool valid)
{
	asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem_u32(dst)), "l"(src),
		     "r"(valid ? 16 : 0));
}
__device__ __forceinline__ void cp_async4(void *dst, const void *src, bool valid)
{
	asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(smem_u32(dst)), "l"(src),
		     "r"(valid ? 4 : 0));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
__device__ __forceinline__ void cp_async_wait_all() { asm volatile("cp.async.wait_group 0;\n" ::); }

__device__ __forceinline__ void ldsm_x4(uint32_t *r, const void *p)
{
	asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
		     : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
		     : "r"(smem_u32(p)));
}
__device__ __forceinline__ void ldsm_x4_t(uint32_t *r, const void *p)
{
	asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
		     : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
		     : "r"(smem_u32(p)));
}
__device__ __forceinline__ void ldsm_x2_t(uint32_t *r, const void *p)
{
	asm volatile("ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 {%0, %1}, [%2];\n"
		     : "=r"(r[0]), "=r"(r[1])
		     : "r"(smem_u32(p)));
}

// c (16 x 8, float32) += a (16 x 16, bf16, row) b (16 x 8, bf16, col)
__device__ __forceinline__ void mma16816(float *c, const uint32_t *a, uint32_t b0, uint32_t b1)
{
	asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, "
		     "{%8, %9}, {%0, %1, %2, %3};\n"
		     : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
		     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// two floats as a bf16 pair, lo in the low half (the lower column index, as fragments want)
__device__ __forceinline__ uint32_t pack_bf16(float lo, float hi)
{
	__nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
	return *(uint32_t *)&v;
}

// A fragments (16 x 16) of P from the accumulators of two n-tiles (16 x 8 each)
__device__ __forceinline__ void acc_to_a(uint32_t *a, const float *c0, const float *c1)
{
	a[0] = pack_bf16(c0[0], c0[1]);
	a[1] = pack_bf16(c0[2], c0[3]);
	a[2] = pack_bf16(c1[0], c1[1]);
	a[3] = pack_bf16(c1[2], c1[3]);
}

// 2^x on the special-function unit (flush-to-zero; 2^-inf = 0): exp2f adds range handling
// that softmax does not need
__device__ __forceinline__ float ex2(float x)
{
	float y;
	asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
	return y;
}

__device__ __forceinline__ bool fa_visible(int i, int j, int window) { return j <= i && (window <= 0 || j > i - window); }

// Stage ROWS rows of HD bf16 (row r at g + r * ld) into s (row stride HD + 8) with cp.async; rows
// r >= nvalid are zero-filled (keys past the sample must be finite: 0 * NaN would poison P V).
template <int HD, int ROWS, int NT>
__device__ __forceinline__ void load_tile(bf16 *s, const bf16 *g, size_t ld, int nvalid)
{
	constexpr int CPR = HD / 8, SLD = HD + 8;
#pragma unroll
	for (int c0 = 0; c0 < ROWS * CPR; c0 += NT) {
		int c = c0 + threadIdx.x, r = c / CPR, e = (c % CPR) * 8;
		bool ok = r < nvalid;
		if (ROWS * CPR % NT == 0 || c < ROWS * CPR)
			cp_async16(s + r * SLD + e, g + (size_t)(ok ? r : 0) * ld + e, ok);
	}
}

// ---- forward ----

// grid (NH nseq, 1, ceil(max_seqlen / BM)), the query tile reversed in z: the heads and samples of
// the longest query tiles first (blocks start in x, y, z order), so the causal triangle's short
// tiles fill the tail. Each warp holds MT m-tiles of 16 rows: the K and V fragments it loads from
// shared memory serve MT products.
template <int HD, int NW, int MT, int BN>
__global__ void __launch_bounds__(NW * 32) fa_fwd(fa_args a)
{
	constexpr int WR = 16 * MT, BM = NW * WR, SLD = HD + 8, NT = NW * 32;
	extern __shared__ __align__(16) unsigned char fa_smem[];
	bf16 *Qs = (bf16 *)fa_smem, *Ks = Qs + BM * SLD, *Vs = Ks + 2 * BN * SLD;   // K, V double-buffered
	int h = blockIdx.x % a.NH, s = blockIdx.x / a.NH, g = h / a.G;
	int start = a.cu[s], len = a.cu[s + 1] - start;
	int q0 = (gridDim.z - 1 - blockIdx.z) * BM;
	if (q0 >= len)
		return;
	int w = threadIdx.x >> 5, lane = threadIdx.x & 31;
	int qlast = min(len - 1, q0 + BM - 1);
	size_t qld = (size_t)a.NH * HD, kld = (size_t)a.NKV * HD;
	const bf16 *kg = a.k + ((size_t)start * a.NKV + g) * HD, *vg = a.v + ((size_t)start * a.NKV + g) * HD;
	int kmin = a.window > 0 ? max(0, q0 - a.window + 1) : 0;
	int ntiles = (qlast - kmin) / BN + 1;
	load_tile<HD, BM, NT>(Qs, a.q + ((size_t)(start + q0) * a.NH + h) * HD, qld, len - q0);
	load_tile<HD, BN, NT>(Ks, kg + (size_t)kmin * kld, kld, qlast + 1 - kmin);
	load_tile<HD, BN, NT>(Vs, vg + (size_t)kmin * kld, kld, qlast + 1 - kmin);
	cp_async_commit();

	float o[MT][HD / 8][4];
#pragma unroll
	for (int t = 0; t < MT; t++)
#pragma unroll
		for (int d = 0; d < HD / 8; d++)
			o[t][d][0] = o[t][d][1] = o[t][d][2] = o[t][d][3] = 0;
	float m[MT][2], l[MT][2];   // rows r0 + 16 t and r0 + 16 t + 8, log2 units
#pragma unroll
	for (int t = 0; t < MT; t++)
		m[t][0] = m[t][1] = -INFINITY, l[t][0] = l[t][1] = 0;
	int wrow0 = q0 + w * WR, r0 = wrow0 + (lane >> 2), c0 = 2 * (lane & 3);
	int wrowl = min(wrow0 + WR - 1, qlast);
	const float sl2 = a.scale * LOG2E;
	const bool cap = a.softcap > 0;
	for (int it = 0; it < ntiles; it++) {
		int kb = kmin + it * BN, buf = it & 1;
		cp_async_wait_all();
		__syncthreads();   // tile it landed for all; buffer buf ^ 1 (tile it - 1) is free
		if (it + 1 < ntiles) {
			int kn = kb + BN;
			load_tile<HD, BN, NT>(Ks + (buf ^ 1) * BN * SLD, kg + (size_t)kn * kld, kld, qlast + 1 - kn);
			load_tile<HD, BN, NT>(Vs + (buf ^ 1) * BN * SLD, vg + (size_t)kn * kld, kld, qlast + 1 - kn);
		}
		cp_async_commit();
		// a warp whose rows see no key of this tile (past the diagonal, before the window, or
		// rows past the sample) skips it
		if (wrow0 > qlast || kb > wrowl || (a.window > 0 && kb + BN - 1 <= wrow0 - a.window))
			continue;
		const bf16 *Kb = Ks + buf * BN * SLD, *Vb = Vs + buf * BN * SLD;
		float sc[MT][BN / 8][4];
#pragma unroll
		for (int t = 0; t < MT; t++)
#pragma unroll
			for (int n = 0; n < BN / 8; n++)
				sc[t][n][0] = sc[t][n][1] = sc[t][n][2] = sc[t][n][3] = 0;
#pragma unroll
		for (int kk = 0; kk < HD / 16; kk++) {
			uint32_t af[MT][4];
#pragma unroll
			for (int t = 0; t < MT; t++)
				ldsm_x4(af[t], Qs + (w * WR + t * 16 + (lane & 15)) * SLD + kk * 16 + (lane >> 4) * 8);
#pragma unroll
			for (int n = 0; n < BN / 8; n += 2) {
				uint32_t b[4];
				ldsm_x4(b, Kb + (n * 8 + (lane & 7) + (lane >> 4) * 8) * SLD + kk * 16 + ((lane >> 3) & 1) * 8);
#pragma unroll
				for (int t = 0; t < MT; t++) {
					mma16816(sc[t][n], af[t], b[0], b[1]);
					mma16816(sc[t][n + 1], af[t], b[2], b[3]);
				}
			}
		}
		bool mask = a.window > 0 || kb + BN - 1 > wrow0;
#pragma unroll
		for (int t = 0; t < MT; t++) {
			float mx[2] = {m[t][0], m[t][1]};
#pragma unroll
			for (int n = 0; n < BN / 8; n++)
#pragma unroll
				for (int e = 0; e < 4; e++) {
					float x = cap ? a.softcap * tanhf(sc[t][n][e] * a.scale / a.softcap) * LOG2E : sc[t][n][e] * sl2;
					if (mask && !fa_visible(r0 + t * 16 + (e >> 1) * 8, kb + n * 8 + c0 + (e & 1), a.window))
						x = -INFINITY;
					sc[t][n][e] = x;
					mx[e >> 1] = fmaxf(mx[e >> 1], x);
				}
			float corr[2], base[2];
#pragma unroll
			for (int r = 0; r < 2; r++) {
				mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 1));
				mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 2));
				base[r] = mx[r] == -INFINITY ? 0.0f : mx[r];   // a row with nothing visible yet
				corr[r] = ex2(m[t][r] - base[r]);
				m[t][r] = mx[r];
			}
			float ps[2] = {0, 0};
#pragma unroll
			for (int n = 0; n < BN / 8; n++)
#pragma unroll
				for (int e = 0; e < 4; e++) {
					float p = ex2(sc[t][n][e] - base[e >> 1]);
					sc[t][n][e] = p;
					ps[e >> 1] += p;
				}
			// l stays a per-lane partial sum (the row's 4 lanes add up at the end)
			l[t][0] = l[t][0] * corr[0] + ps[0];
			l[t][1] = l[t][1] * corr[1] + ps[1];
#pragma unroll
			for (int d = 0; d < HD / 8; d++) {
				o[t][d][0] *= corr[0];
				o[t][d][1] *= corr[0];
				o[t][d][2] *= corr[1];
				o[t][d][3] *= corr[1];
			}
		}
#pragma unroll
		for (int kc = 0; kc < BN / 16; kc++) {
			uint32_t af[MT][4];
#pragma unroll
			for (int t = 0; t < MT; t++)
				acc_to_a(af[t], sc[t][2 * kc], sc[t][2 * kc + 1]);
#pragma unroll
			for (int d = 0; d < HD / 8; d += 2) {
				uint32_t b[4];
				ldsm_x4_t(b, Vb + (kc * 16 + (lane & 7) + ((lane >> 3) & 1) * 8) * SLD + d * 8 + (lane >> 4) * 8);
#pragma unroll
				for (int t = 0; t < MT; t++) {
					mma16816(o[t][d], af[t], b[0], b[1]);
					mma16816(o[t][d + 1], af[t], b[2], b[3]);
				}
			}
		}
	}
	cp_async_wait_all();
#pragma unroll
	for (int t = 0; t < MT; t++)
#pragma unroll
		for (int r = 0; r < 2; r++) {
			float lr = l[t][r];
			lr += __shfl_xor_sync(0xffffffffu, lr, 1);
			lr += __shfl_xor_sync(0xffffffffu, lr, 2);
			int i = r0 + t * 16 + r * 8;
			if (i > qlast)
				continue;
			size_t row = (size_t)(start + i) * a.NH + h;
			float inv = 1.0f / lr;
			bf16 *orow = a.out + row * HD + c0;
#pragma unroll
			for (int d = 0; d < HD / 8; d++)
				*(uint32_t *)(orow + d * 8) = pack_bf16(o[t][d][2 * r] * inv, o[t][d][2 * r + 1] * inv);
			if ((lane & 3) == 0)
				a.lse[row] = m[t][r] * LN2 + logf(lr);
		}
}

// ---- backward ----

// D (N*NH) = rowsum(dout * out) in float32, one warp per row
__global__ void fa_bwd_dot(float *D, const bf16 *dout, const bf16 *out, size_t rows, int HD)
{
	size_t r = blockIdx.x * (size_t)(blockDim.x / 32) + threadIdx.x / 32;
	int lane = threadIdx.x & 31;
	if (r >= rows)
		return;
	const __nv_bfloat162 *x = (const __nv_bfloat162 *)(dout + r * HD), *y = (const __nv_bfloat162 *)(out + r * HD);
	float acc = 0;
	for (int e = lane; e < HD / 2; e += 32) {
		float2 a = __bfloat1622float2(x[e]), b = __bfloat1622float2(y[e]);
		acc += a.x * b.x + a.y * b.y;
	}
#pragma unroll
	for (int o = 16; o; o >>= 1)
		acc += __shfl_xor_sync(0xffffffffu, acc, o);
	if (!lane)
		D[r] = acc;
}

// dq (n bf16, n even) += acc (float32)
__global__ void fa_bwd_dq_add(bf16 *dq, const float *acc, size_t n2)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n2; i += (size_t)gridDim.x * blockDim.x) {
		__nv_bfloat162 *p = (__nv_bfloat162 *)dq + i;
		float2 d = __bfloat1622float2(*p), s = ((const float2 *)acc)[i];
		*p = __floats2bfloat162_rn(d.x + s.x, d.y + s.y);
	}
}

// grid (NKV nseq, 1, ceil(max_seqlen / KB)), KB = 16 NW / DS keys per block: the key tiles with the
// most queries (the first, z = 0) first, for every head and sample. Warp w holds keys 16 (w / DS) ... and columns
// [(w % DS) HD / DS, ...) of dK and dV; BM query rows per step.
template <int HD, int NW, int BM, int DS>
__global__ void __launch_bounds__(NW * 32) fa_bwd_dkv(fa_args a)
{
	constexpr int KB = 16 * NW / DS, SLD = HD + 8, NT = NW * 32, HDP = HD / DS, NTP = HDP / 8;
	constexpr int DSLD = BM + 8;                         // dS^T rows (keys) of BM queries
	constexpr int RG = BM / 16, CG = NW / RG;            // dQ: warps as RG row groups x CG column groups
	constexpr int NTQ = (HD / 8 + CG - 1) / CG;
	static_assert(NW % RG == 0, "dq warp split");
	extern __shared__ __align__(16) unsigned char fa_smem[];
	bf16 *Ks = (bf16 *)fa_smem, *Vs = Ks + KB * SLD;
	bf16 *Qs = Vs + KB * SLD, *dOs = Qs + 2 * BM * SLD;   // double-buffered
	bf16 *dSs = dOs + 2 * BM * SLD;                      // (KB, DSLD)
	float *Ls = (float *)(dSs + KB * DSLD), *Dsm = Ls + 2 * BM;
	int g = blockIdx.x % a.NKV, s = blockIdx.x / a.NKV;
	int start = a.cu[s], len = a.cu[s + 1] - start;
	int k0 = blockIdx.z * KB;
	if (k0 >= len)
		return;
	int w = threadIdx.x >> 5, lane = threadIdx.x & 31;
	int kgrp = w / DS, dpart = w % DS;
	int klast = min(len - 1, k0 + KB - 1);
	int ilast = a.window > 0 ? min(len - 1, klast + a.window - 1) : len - 1;
	int nqt = (ilast - k0) / BM + 1, niter = a.G * nqt;
	size_t qld = (size_t)a.NH * HD, kld = (size_t)a.NKV * HD;
	load_tile<HD, KB, NT>(Ks, a.k + ((size_t)(start + k0) * a.NKV + g) * HD, kld, klast + 1 - k0);
	load_tile<HD, KB, NT>(Vs, a.v + ((size_t)(start + k0) * a.NKV + g) * HD, kld, klast + 1 - k0);

	// stage query tile `it` (head g G + it / nqt, rows k0 + (it % nqt) BM ...) into buffer b
	auto load_q = [&](int it, int b) {
		int h = g * a.G + it / nqt, ib = k0 + (it % nqt) * BM, nv = ilast + 1 - ib;
		size_t r0 = (size_t)(start + ib) * a.NH + h;
		load_tile<HD, BM, NT>(Qs + b * BM * SLD, a.q + r0 * HD, qld, nv);
		load_tile<HD, BM, NT>(dOs + b * BM * SLD, a.dout + r0 * HD, qld, nv);
		for (int r = threadIdx.x; r < BM; r += NT) {
			bool ok = r < nv;
			size_t src = r0 + (size_t)(ok ? r : 0) * a.NH;
			cp_async4(Ls + b * BM + r, a.lse + src, ok);
			cp_async4(Dsm + b * BM + r, a.D + src, ok);
		}
	};
	load_q(0, 0);
	cp_async_commit();

	float dk[NTP][4], dv[NTP][4];
#pragma unroll
	for (int d = 0; d < NTP; d++)
#pragma unroll
		for (int e = 0; e < 4; e++)
			dk[d][e] = dv[d][e] = 0;
	int kw0 = k0 + kgrp * 16, jr = kw0 + (lane >> 2), c0 = 2 * (lane & 3);
	const bool cap = a.softcap > 0;
	for (int it = 0; it < niter; it++) {
		int buf = it & 1, h = g * a.G + it / nqt, ib = k0 + (it % nqt) * BM;
		cp_async_wait_all();
		__syncthreads();   // tile it landed; buffer buf ^ 1 and dSs are free
		if (it + 1 < niter)
			load_q(it + 1, buf ^ 1);
		cp_async_commit();
		const bf16 *Qb = Qs + buf * BM * SLD, *dOb = dOs + buf * BM * SLD;
		const float *Lb = Ls + buf * BM, *Db = Dsm + buf * BM;
		float st[BM / 8][4], dpt[BM / 8][4];   // S^T, then P^T; dP^T, then dS^T (16 keys x BM queries)
#pragma unroll
		for (int n = 0; n < BM / 8; n++)
#pragma unroll
			for (int e = 0; e < 4; e++)
				st[n][e] = dpt[n][e] = 0;
		// the warp's keys see none of these queries: all before the keys, or past the window
		bool none = kw0 > klast || ib + BM - 1 < kw0 || (a.window > 0 && ib > kw0 + 15 + a.window - 1);
		if (!none) {
#pragma unroll
			for (int kk = 0; kk < HD / 16; kk++) {
				uint32_t ak[4], av[4];
				ldsm_x4(ak, Ks + (kgrp * 16 + (lane & 15)) * SLD + kk * 16 + (lane >> 4) * 8);
				ldsm_x4(av, Vs + (kgrp * 16 + (lane & 15)) * SLD + kk * 16 + (lane >> 4) * 8);
#pragma unroll
				for (int n = 0; n < BM / 8; n += 2) {
					int off = (n * 8 + (lane & 7) + (lane >> 4) * 8) * SLD + kk * 16 + ((lane >> 3) & 1) * 8;
					uint32_t b[4];
					ldsm_x4(b, Qb + off);
					mma16816(st[n], ak, b[0], b[1]);
					mma16816(st[n + 1], ak, b[2], b[3]);
					ldsm_x4(b, dOb + off);
					mma16816(dpt[n], av, b[0], b[1]);
					mma16816(dpt[n + 1], av, b[2], b[3]);
				}
			}
			bool mask = a.window > 0 || ib < kw0 + 15 || ib + BM - 1 > ilast;
#pragma unroll
			for (int n = 0; n < BM / 8; n++) {
				float2 L2 = *(const float2 *)(Lb + n * 8 + c0), D2 = *(const float2 *)(Db + n * 8 + c0);
#pragma unroll
				for (int e = 0; e < 4; e++) {
					int qi = n * 8 + c0 + (e & 1), i = ib + qi, j = jr + (e >> 1) * 8;
					float x = st[n][e] * a.scale, th = 0;
					if (cap) {
						th = tanhf(x / a.softcap);
						x = a.softcap * th;
					}
					float p = ex2((x - (e & 1 ? L2.y : L2.x)) * LOG2E);
					if (mask && !(i <= ilast && fa_visible(i, j, a.window)))
						p = 0;
					float ds = p * (dpt[n][e] - (e & 1 ? D2.y : D2.x));
					if (cap)
						ds *= 1 - th * th;
					st[n][e] = p;
					dpt[n][e] = ds * a.scale;
				}
			}
			// dV += P^T dO, dK += dS^T Q over the warp's columns
#pragma unroll
			for (int kc = 0; kc < BM / 16; kc++) {
				uint32_t ap[4], ad[4];
				acc_to_a(ap, st[2 * kc], st[2 * kc + 1]);
				acc_to_a(ad, dpt[2 * kc], dpt[2 * kc + 1]);
				int rowoff = (kc * 16 + (lane & 7) + ((lane >> 3) & 1) * 8) * SLD + dpart * HDP;
#pragma unroll
				for (int d = 0; d + 1 < NTP; d += 2) {
					uint32_t b[4];
					ldsm_x4_t(b, dOb + rowoff + d * 8 + (lane >> 4) * 8);
					mma16816(dv[d], ap, b[0], b[1]);
					mma16816(dv[d + 1], ap, b[2], b[3]);
					ldsm_x4_t(b, Qb + rowoff + d * 8 + (lane >> 4) * 8);
					mma16816(dk[d], ad, b[0], b[1]);
					mma16816(dk[d + 1], ad, b[2], b[3]);
				}
				if (NTP & 1) {
					uint32_t b[2];
					ldsm_x2_t(b, dOb + rowoff + (NTP - 1) * 8);
					mma16816(dv[NTP - 1], ap, b[0], b[1]);
					ldsm_x2_t(b, Qb + rowoff + (NTP - 1) * 8);
					mma16816(dk[NTP - 1], ad, b[0], b[1]);
				}
			}
		}
		// dS^T (bf16) to shared memory for dQ; zeros from a warp that saw nothing
		if (dpart == 0) {
#pragma unroll
			for (int n = 0; n < BM / 8; n++) {
				*(uint32_t *)(dSs + (kgrp * 16 + (lane >> 2)) * DSLD + n * 8 + c0) = pack_bf16(dpt[n][0], dpt[n][1]);
				*(uint32_t *)(dSs + (kgrp * 16 + (lane >> 2) + 8) * DSLD + n * 8 + c0) = pack_bf16(dpt[n][2], dpt[n][3]);
			}
		}
		__syncthreads();
		// dQ (BM x HD) += dS (BM x KB) K (KB x HD): warp w rows 16 (w % RG) ..., n-tiles
		// NTQ (w / RG) + c, c < NTQ (pairs loaded by one ldmatrix)
		{
			int rg = w % RG, cg = w / RG;
			float dq[NTQ][4];
#pragma unroll
			for (int c = 0; c < NTQ; c++)
				dq[c][0] = dq[c][1] = dq[c][2] = dq[c][3] = 0;
#pragma unroll
			for (int kc = 0; kc < KB / 16; kc++) {
				uint32_t af[4];
				int mi = lane >> 3;   // A = dS from dS^T: ldmatrix.trans of (keys, queries) blocks
				ldsm_x4_t(af, dSs + (kc * 16 + (lane & 7) + (mi >> 1) * 8) * DSLD + rg * 16 + (mi & 1) * 8);
				const bf16 *krow = Ks + (kc * 16 + (lane & 7) + ((lane >> 3) & 1) * 8) * SLD;
#pragma unroll
				for (int c = 0; c < NTQ; c += 2) {
					int nt = cg * NTQ + c;
					if (c + 1 < NTQ && nt + 1 < HD / 8) {
						uint32_t b[4];
						ldsm_x4_t(b, krow + nt * 8 + (lane >> 4) * 8);
						mma16816(dq[c], af, b[0], b[1]);
						mma16816(dq[c + 1], af, b[2], b[3]);
					} else if (nt < HD / 8) {
						uint32_t b[2];
						ldsm_x2_t(b, krow + nt * 8);
						mma16816(dq[c], af, b[0], b[1]);
					}
				}
			}
#pragma unroll
			for (int r = 0; r < 2; r++) {
				int i = ib + rg * 16 + (lane >> 2) + r * 8;
				if (i > ilast)
					continue;
				float *dst = a.dqacc + ((size_t)(start + i) * a.NH + h) * HD + c0;
#pragma unroll
				for (int c = 0; c < NTQ; c++) {
					int nt = cg * NTQ + c;
					if (nt < HD / 8)
						atomicAdd((float2 *)(dst + nt * 8), make_float2(dq[c][2 * r], dq[c][2 * r + 1]));
				}
			}
		}
	}
	cp_async_wait_all();
	// dk, dv += the accumulators; this block alone owns these rows
#pragma unroll
	for (int r = 0; r < 2; r++) {
		int j = jr + r * 8;
		if (j > klast)
			continue;
		size_t off = ((size_t)(start + j) * a.NKV + g) * HD + dpart * HDP + c0;
#pragma unroll
		for (int d = 0; d < NTP; d++) {
			__nv_bfloat162 *pk = (__nv_bfloat162 *)(a.dk + off + d * 8), *pv = (__nv_bfloat162 *)(a.dv + off + d * 8);
			float2 ok = __bfloat1622float2(*pk), ov = __bfloat1622float2(*pv);
			*pk = __floats2bfloat162_rn(ok.x + dk[d][2 * r], ok.y + dk[d][2 * r + 1]);
			*pv = __floats2bfloat162_rn(ov.x + dv[d][2 * r], ov.y + dv[d][2 * r + 1]);
		}
	}
}

// ---- host side ----

template <int HD, int NW, int MT, int BN> static size_t fwd_smem()
{
	return (size_t)(16 * MT * NW + 4 * BN) * (HD + 8) * sizeof(bf16);
}

template <int HD, int NW, int MT, int BN>
static void run_fwd(const fa_args &a, int nseq, int max_seqlen, cudaStream_t st)
{
	static int set;
	size_t sm = fwd_smem<HD, NW, MT, BN>();
	if (!set) {
		CUDA_CHECK(cudaFuncSetAttribute(fa_fwd<HD, NW, MT, BN>, cudaFuncAttributeMaxDynamicSharedMemorySize,
						(int)sm));
		set = 1;
	}
	dim3 grid((unsigned)a.NH * nseq, 1, ceil_div(max_seqlen, 16 * MT * NW));
	fa_fwd<HD, NW, MT, BN><<<grid, NW * 32, sm, st>>>(a);
	CUDA_LAUNCHED();
}

template <int HD, int NW, int BM, int DS> static size_t bwd_smem()
{
	constexpr int KB = 16 * NW / DS;
	return (size_t)(2 * KB + 4 * BM) * (HD + 8) * sizeof(bf16) + (size_t)KB * (BM + 8) * sizeof(bf16) +
	       4 * BM * sizeof(float);
}

template <int HD, int NW, int BM, int DS>
static void run_bwd(const fa_args &a, int nseq, int max_seqlen, cudaStream_t st)
{
	static int set;
	size_t sm = bwd_smem<HD, NW, BM, DS>();
	if (!set) {
		CUDA_CHECK(cudaFuncSetAttribute(fa_bwd_dkv<HD, NW, BM, DS>, cudaFuncAttributeMaxDynamicSharedMemorySize,
						(int)sm));
		set = 1;
	}
	dim3 grid((unsigned)a.NKV * nseq, 1, ceil_div(max_seqlen, 16 * NW / DS));
	fa_bwd_dkv<HD, NW, BM, DS><<<grid, NW * 32, sm, st>>>(a);
	CUDA_LAUNCHED();
}

// Tile shapes. Registers per thread: forward MT (HD/2 (O) + BN/2 (S)); backward HD (dK, dV) + BM
// (S^T, dP^T) per 16 keys, hence two warps per 16 keys above HD 128. HD 64 and 128 were picked
// on an H200 (bench/flash-attn.md: N = 4096 and 4 x 1024, NH 32/8): forward HD 64 128 rows of
// 8 warps (191 TFLOP/s; 4 warps 190, 2 m-tiles per warp 182), HD 128 two m-tiles per warp and
// key tiles of 32 (249; one m-tile 179-196: each K/V fragment from shared memory feeds two
// products); backward 128 keys of 8 warps, query tiles of 64 (HD 64 147, HD 128 171; 64 keys
// 139 / 146; query tiles of 32 at HD 128 161). The other HD use untuned shapes.
#define FA_GENERIC(X)                                                                               \
	X(16) X(32) X(48) X(80) X(96) X(112) X(144) X(160) X(176) X(192) X(208) X(224) X(240) X(256)

extern "C" int flash_attn_supported(int HD) { return HD >= 16 && HD <= 256 && HD % 16 == 0; }

static void fa_check(int HD, int NH, int NKV)
{
	if (!flash_attn_supported(HD))
		ft_die(2, "flash_attn: head dimension %d is not a multiple of 16 in 16..256", HD);
	if (NKV <= 0 || NH % NKV)
		ft_die(2, "flash_attn: %d query heads are not a multiple of %d kv heads", NH, NKV);
}

static void fa_fwd_dispatch(const fa_args &a, int HD, int nseq, int T, cudaStream_t st)
{
	switch (HD) {
	case 64:
		run_fwd<64, 8, 1, 64>(a, nseq, T, st);
		return;
	case 128:
		run_fwd<128, 4, 2, 32>(a, nseq, T, st);
		return;
#define X(H)                                                                                        \
	case H:                                                                                     \
		run_fwd<H, 4, 1, (H > 128 ? 32 : 64)>(a, nseq, T, st);                             \
		return;
		FA_GENERIC(X)
#undef X
	}
}

static void fa_bwd_dispatch(const fa_args &a, int HD, int nseq, int T, cudaStream_t st)
{
	switch (HD) {
	case 64:
		run_bwd<64, 8, 64, 1>(a, nseq, T, st);
		return;
	case 128:
		run_bwd<128, 8, 64, 1>(a, nseq, T, st);
		return;
#define X(H)                                                                                        \
	case H:                                                                                     \
		run_bwd<H, 8, (H > 128 ? 32 : 64), (H > 128 ? 2 : 1)>(a, nseq, T, st);             \
		return;
		FA_GENERIC(X)
#undef X
	}
}

extern "C" void flash_attn_fwd(void *out, float *lse, const void *q, const void *k, const void *v,
			       const int *cu_seqlens, int nseq, int max_seqlen, int N, int NH, int NKV, int HD,
			       float scale, float softcap, int window, cudaStream_t stream)
{
	fa_check(HD, NH, NKV);
	if (N <= 0 || nseq <= 0 || max_seqlen <= 0)
		return;
	fa_args a;
	memset(&a, 0, sizeof a);
	a.q = (const bf16 *)q, a.k = (const bf16 *)k, a.v = (const bf16 *)v, a.cu = cu_seqlens;
	a.NH = NH, a.NKV = NKV, a.G = NH / NKV, a.window = window, a.scale = scale, a.softcap = softcap;
	a.out = (bf16 *)out, a.lse = lse;
	fa_fwd_dispatch(a, HD, nseq, max_seqlen, stream);
}

static size_t align256(size_t n) { return (n + 255) & ~(size_t)255; }

extern "C" size_t flash_attn_bwd_workspace(int N, int NH, int NKV, int HD)
{
	return align256((size_t)N * NH * HD * sizeof(float)) + align256((size_t)N * NH * sizeof(float));
}

extern "C" void flash_attn_bwd(void *dq, void *dk, void *dv, const void *dout, const void *out, const float *lse,
			       const void *q, const void *k, const void *v, const int *cu_seqlens, int nseq,
			       int max_seqlen, int N, int NH, int NKV, int HD, float scale, float softcap, int window,
			       void *workspace, cudaStream_t stream)
{
	fa_check(HD, NH, NKV);
	if (N <= 0 || nseq <= 0 || max_seqlen <= 0)
		return;
	size_t nq = (size_t)N * NH * HD, rows = (size_t)N * NH;
	float *dqacc = (float *)workspace, *D = (float *)((char *)workspace + align256(nq * sizeof(float)));
	CUDA_CHECK(cudaMemsetAsync(dqacc, 0, nq * sizeof(float), stream));
	fa_bwd_dot<<<ceil_div(rows, 8), 256, 0, stream>>>(D, (const bf16 *)dout, (const bf16 *)out, rows, HD);
	CUDA_LAUNCHED();
	fa_args a;
	memset(&a, 0, sizeof a);
	a.q = (const bf16 *)q, a.k = (const bf16 *)k, a.v = (const bf16 *)v, a.cu = cu_seqlens;
	a.NH = NH, a.NKV = NKV, a.G = NH / NKV, a.window = window, a.scale = scale, a.softcap = softcap;
	a.lse = (float *)lse, a.dout = (const bf16 *)dout, a.D = D, a.dqacc = dqacc;
	a.dk = (bf16 *)dk, a.dv = (bf16 *)dv;
	fa_bwd_dispatch(a, HD, nseq, max_seqlen, stream);
	fa_bwd_dq_add<<<ew_blocks(nq / 2), 256, 0, stream>>>((bf16 *)dq, dqacc, nq / 2);
	CUDA_LAUNCHED();
}
