// rope.cuh: rotary position embedding, forward and backward.
// An op family of ops_cuda.cu, included there once (see there why).
#ifndef FT_CUDA_ROPE_CUH
#define FT_CUDA_ROPE_CUH

// ---- RoPE: one thread per (token, rotated pair), looping over heads as the CPU does; bf16 8
// pairs a thread ----

template <typename T>
__global__ void rope_kernel(T *x, const int *pos, const float *inv_freq, int N, int H, int HD, int half,
			    float scaling, float sign)
{
	size_t n = (size_t)N * half;
	GRID_STRIDE(t, n) {
		int i = (int)(t / half), k = (int)(t % half);
		// as HF: the angle in float32, then cos/sin times attention_scaling (no fast math)
		float ang = (float)pos[i] * inv_freq[k];
		float c = cosf(ang) * scaling, s = sign * sinf(ang) * scaling;
		for (int h = 0; h < H; h++) {
			T *xh = x + ((size_t)i * H + h) * HD;
			float a = ld(xh[k]), b = ld(xh[k + half]);
			xh[k] = st<T>(a * c - b * s);
			xh[k + half] = st<T>(b * c + a * s);
		}
	}
}

// bf16 with half and HD multiples of 8 and x 16-byte aligned: a thread takes 8 consecutive pairs
// (k .. k+7) of one token for a group of hg heads (at most ROPE8_HEADS), 16-byte loads of both
// halves. It loads all its heads before it stores any, so each thread has up to 16 loads in
// flight, and computes its 8 cos/sin pairs once for the group. The scalar kernel moved 2 bytes a
// load and reached ~25% of an H200's bandwidth (profile: 1.1 ms for 64 calls, N 4096, HD 64, 32
// query and 8 key heads).
#define ROPE8_HEADS 8

__global__ void __launch_bounds__(256) rope8_kernel(bf16 *x, const int *pos, const float *inv_freq, int N, int H,
						     int HD, int half, int hg, float scaling, float sign)
{
	int half8 = half / 8, ng = (H + hg - 1) / hg;
	size_t n = (size_t)N * ng * half8;
	GRID_STRIDE(t, n) {
		int k = (int)(t % half8) * 8, g = (int)(t / half8 % ng), i = (int)(t / half8 / ng);
		int h0 = g * hg, nh = min(hg, H - h0);
		bf16 *xi = x + ((size_t)i * H + h0) * HD + k;   // head h0, pair k
		// the loads first: they are in flight while the cos/sin are computed
		bf8 a[ROPE8_HEADS], b[ROPE8_HEADS];
#pragma unroll
		for (int j = 0; j < ROPE8_HEADS; j++)
			if (j < nh) {
				a[j].u = *(const uint4 *)(xi + (size_t)j * HD);
				b[j].u = *(const uint4 *)(xi + (size_t)j * HD + half);
			}
		float f[8], c[8], s[8], p = (float)pos[i];
#pragma unroll
		for (int e = 0; e < 8; e++)
			f[e] = inv_freq[k + e];
#pragma unroll
		for (int e = 0; e < 8; e++) {
			// as rope_kernel: the angle in float32, then cos/sin times scaling (no fast math)
			float ang = p * f[e];
			c[e] = cosf(ang) * scaling;
			s[e] = sign * sinf(ang) * scaling;
		}
#pragma unroll
		for (int j = 0; j < ROPE8_HEADS; j++)
			if (j < nh) {
#pragma unroll
				for (int e = 0; e < 8; e++) {
					float av = ld(a[j].h[e]), bv = ld(b[j].h[e]);
					a[j].h[e] = st<bf16>(av * c[e] - bv * s[e]);
					b[j].h[e] = st<bf16>(bv * c[e] + av * s[e]);
				}
				*(uint4 *)(xi + (size_t)j * HD) = a[j].u;
				*(uint4 *)(xi + (size_t)j * HD + half) = b[j].u;
			}
	}
}

template <typename T>
static void rope(void *x, const int *pos, const float *inv_freq, int N, int H, int HD, int rot_dim, float sc, float sign)
{
	int half = rot_dim / 2;
	size_t n = (size_t)N * half;
	if (!n)
		return;
	PROF(PROF_ROPE);
	if (sizeof(T) == 2 && half % 8 == 0 && HD % 8 == 0 && ((uintptr_t)x & 15) == 0) {
		// the largest head group (the fewest cos/sin) that still leaves 32768 threads to spread
		// over the SMs, each with 2 hg loads of 16 bytes in flight; reasoned, not measured. At
		// N 4096, HD 64: 8 heads a thread for 32 query heads (16 MB in flight), 4 for 8 key
		// heads (4 MB; an H200 needs ~4 MB in flight: 4.8 TB/s times ~1 us of latency)
		int hg = ROPE8_HEADS;
		while (hg > 1 && n / 8 * ceil_div(H, hg) < 32768)
			hg /= 2;
		rope8_kernel<<<ew_blocks(n / 8 * ceil_div(H, hg)), 256>>>((bf16 *)x, pos, inv_freq, N, H, HD, half, hg,
									  sc, sign);
	} else {
		rope_kernel<T><<<ew_blocks(n), 256>>>((T *)x, pos, inv_freq, N, H, HD, half, sc, sign);
	}
	CUDA_LAUNCHED();
}

template <typename T>
static void cu_rope_fwd(void *x, const int *pos, const float *f, int N, int H, int HD, int rd, float sc)
{
	rope<T>(x, pos, f, N, H, HD, rd, sc, 1.0f);
}

template <typename T>
static void cu_rope_bwd(void *dx, const int *pos, const float *f, int N, int H, int HD, int rd, float sc)
{
	rope<T>(dx, pos, f, N, H, HD, rd, sc, -1.0f);
}

#endif
