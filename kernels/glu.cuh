// glu.cuh: the gated MLP's activation (SiLU, GELU-tanh) times up, forward and backward.
// An op family of ops_cuda.cu, included there once (see there why).
#ifndef FT_CUDA_GLU_CUH
#define FT_CUDA_GLU_CUH

// ---- gated MLP: in double, as the CPU ----

#define GELU_K 0.7978845608028654   // sqrt(2 / pi)

template <typename T> __global__ void glu_fwd_kernel(T *out, const T *gate, const T *up, size_t n, int silu)
{
	typedef typename acc_of<T>::type A;
	GRID_STRIDE(i, n) {
		A x = ld(gate[i]), a;
		if (silu)
			a = x / (1 + exp(-x));
		else
			a = 0.5 * x * (1 + tanh(GELU_K * (x + 0.044715 * x * x * x)));
		out[i] = st<T>((float)a * ld(up[i]));
	}
}

template <typename T>
__global__ void glu_bwd_kernel(T *dgate, T *dup, const T *dout, const T *gate, const T *up, size_t n, int silu)
{
	typedef typename acc_of<T>::type A;
	GRID_STRIDE(i, n) {
		A x = ld(gate[i]), a, da;
		if (silu) {
			A sg = 1 / (1 + exp(-x));
			a = x * sg;
			da = sg * (1 + x * (1 - sg));
		} else {
			A t = tanh(GELU_K * (x + 0.044715 * x * x * x));
			a = 0.5 * x * (1 + t);
			da = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_K * (1 + 3 * 0.044715 * x * x);
		}
		float d = ld(dout[i]);
		dgate[i] = st<T>((float)(d * ld(up[i]) * da));
		dup[i] = st<T>((float)(d * a));
	}
}

// bf16, 8 elements a thread with 16-byte loads and stores (n a multiple of 8, aligned): the
// scalar kernels above move 2 bytes an instruction and reach under half the bandwidth.

__device__ __forceinline__ float glu_act(float x, int silu, float *da)
{
	if (silu) {
		float sg = 1.0f / (1.0f + expf(-x));
		if (da)
			*da = sg * (1.0f + x * (1.0f - sg));
		return x * sg;
	}
	const float k = 0.7978845608028654f;
	float t = tanhf(k * (x + 0.044715f * x * x * x));
	if (da)
		*da = 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * k * (1.0f + 3.0f * 0.044715f * x * x);
	return 0.5f * x * (1.0f + t);
}

__global__ void glu_fwd8_kernel(uint4 *out, const uint4 *gate, const uint4 *up, size_t n8, int silu)
{
	GRID_STRIDE(i, n8) {
		bf8 g, u, o;
		g.u = gate[i];
		u.u = up[i];
		for (int e = 0; e < 8; e++)
			o.h[e] = st<bf16>(glu_act(ld(g.h[e]), silu, NULL) * ld(u.h[e]));
		out[i] = o.u;
	}
}

__global__ void glu_bwd8_kernel(uint4 *dgate, uint4 *dup, const uint4 *dout, const uint4 *gate, const uint4 *up,
				size_t n8, int silu)
{
	GRID_STRIDE(i, n8) {
		bf8 g, u, d, dg, du;
		g.u = gate[i];
		u.u = up[i];
		d.u = dout[i];
		for (int e = 0; e < 8; e++) {
			float da, a = glu_act(ld(g.h[e]), silu, &da), dd = ld(d.h[e]);
			dg.h[e] = st<bf16>(dd * ld(u.h[e]) * da);
			du.h[e] = st<bf16>(dd * a);
		}
		dgate[i] = dg.u;
		dup[i] = du.u;
	}
}

static unsigned blocks8(size_t n8) { return (unsigned)((n8 + 255) / 256 < 16384 ? (n8 + 255) / 256 : 16384); }

template <typename T> static void cu_glu_fwd(void *out, const void *gate, const void *up, size_t n, act_t act)
{
	if (!n)
		return;
	PROF(PROF_GLU);
	if (sizeof(T) == 2 && vec8(n, out, gate, up, NULL, NULL))
		glu_fwd8_kernel<<<blocks8(n / 8), 256>>>((uint4 *)out, (const uint4 *)gate, (const uint4 *)up, n / 8,
							   act == ACT_SILU);
	else
		glu_fwd_kernel<T><<<ew_blocks(n), 256>>>((T *)out, (const T *)gate, (const T *)up, n, act == ACT_SILU);
	CUDA_LAUNCHED();
}

template <typename T>
static void cu_glu_bwd(void *dgate, void *dup, const void *dout, const void *gate, const void *up, size_t n, act_t act)
{
	if (!n)
		return;
	PROF(PROF_GLU);
	if (sizeof(T) == 2 && vec8(n, dgate, dup, dout, gate, up)) {
		glu_bwd8_kernel<<<blocks8(n / 8), 256>>>((uint4 *)dgate, (uint4 *)dup, (const uint4 *)dout,
							 (const uint4 *)gate, (const uint4 *)up, n / 8, act == ACT_SILU);
		CUDA_LAUNCHED();
		return;
	}
	glu_bwd_kernel<T><<<ew_blocks(n), 256>>>((T *)dgate, (T *)dup, (const T *)dout, (const T *)gate, (const T *)up, n,
						 act == ACT_SILU);
	CUDA_LAUNCHED();
}

#endif
