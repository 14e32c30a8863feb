/* nf4: bitsandbytes' NF4 and blockwise 8-bit quantisation. See nf4.h. */
#include "nf4.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* bitsandbytes' NF4 code (fp32), as stored in every 4-bit checkpoint's quant_map */
const float nf4_code[16] = {
	-1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
	-0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
	0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
	0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f,
};

/* create_dynamic_map(signed=True) as float32 bit patterns, copied from a checkpoint written by
 * bitsandbytes 0.50 (its nested_quant_map): 0, 1 and signed 10^(i-6) multiples of midpoints */
static const uint32_t dynamic_map_bits[256] = {
	0xbf7e3333, 0xbf7a999a, 0xbf770000, 0xbf736666, 0xbf6fcccd, 0xbf6c3333, 0xbf68999a, 0xbf650000,
	0xbf616666, 0xbf5dcccd, 0xbf5a3333, 0xbf56999a, 0xbf530000, 0xbf4f6666, 0xbf4bcccd, 0xbf483333,
	0xbf44999a, 0xbf410000, 0xbf3d6666, 0xbf39cccd, 0xbf363334, 0xbf32999a, 0xbf2f0000, 0xbf2b6666,
	0xbf27cccd, 0xbf243334, 0xbf20999a, 0xbf1d0000, 0xbf196666, 0xbf15cccd, 0xbf123334, 0xbf0e999a,
	0xbf0b0000, 0xbf076666, 0xbf03cccc, 0xbf003333, 0xbef93332, 0xbef20000, 0xbeeacccc, 0xbee3999a,
	0xbedc6666, 0xbed53333, 0xbece0000, 0xbec6cccc, 0xbebf999a, 0xbeb86666, 0xbeb13333, 0xbeaa0000,
	0xbea2cccc, 0xbe9b999a, 0xbe946666, 0xbe8d3334, 0xbe860000, 0xbe7d9999, 0xbe6f3333, 0xbe60cccd,
	0xbe526666, 0xbe440000, 0xbe35999a, 0xbe273333, 0xbe18cccd, 0xbe0a6666, 0xbdf80000, 0xbddb3334,
	0xbdc9eb85, 0xbdc428f7, 0xbdbe6667, 0xbdb8a3d7, 0xbdb2e148, 0xbdad1eb8, 0xbda75c2a, 0xbda1999a,
	0xbd9bd70a, 0xbd96147b, 0xbd9051eb, 0xbd8a8f5d, 0xbd84cccd, 0xbd7e147b, 0xbd728f5d, 0xbd670a3d,
	0xbd5b851f, 0xbd500000, 0xbd447ae1, 0xbd38f5c3, 0xbd2d70a3, 0xbd21eb85, 0xbd166667, 0xbd0ae148,
	0xbcfeb852, 0xbce7ae15, 0xbcd0a3d7, 0xbcb9999a, 0xbca28f5d, 0xbc8b851f, 0xbc68f5c3, 0xbc3ae148,
	0xbc1f3b64, 0xbc160418, 0xbc0ccccd, 0xbc039581, 0xbbf4bc6a, 0xbbe24dd3, 0xbbcfdf3b, 0xbbbd70a4,
	0xbbab020d, 0xbb989374, 0xbb8624dd, 0xbb676c8a, 0xbb428f5c, 0xbb1db22d, 0xbaf1a9fc, 0xbaa7ef9d,
	0xba7765ff, 0xba59e83e, 0xba3c6a80, 0xba1eecc1, 0xba016f01, 0xb9c7e283, 0xb98ce705, 0xb923d70b,
	0xb8ba1f4b, 0xb88aefb3, 0xb8378034, 0xb7b24206, 0xb70205ff, 0xb65a1a94, 0xb513a3b7, 0x00000000,
	0x3513a3b7, 0x365a1a94, 0x370205ff, 0x37b24206, 0x38378034, 0x388aefb3, 0x38ba1f4b, 0x3923d70b,
	0x398ce705, 0x39c7e283, 0x3a016f01, 0x3a1eecc1, 0x3a3c6a80, 0x3a59e83e, 0x3a7765ff, 0x3aa7ef9d,
	0x3af1a9fc, 0x3b1db22d, 0x3b428f5c, 0x3b676c8a, 0x3b8624dd, 0x3b989374, 0x3bab020d, 0x3bbd70a4,
	0x3bcfdf3b, 0x3be24dd3, 0x3bf4bc6a, 0x3c039581, 0x3c0ccccd, 0x3c160418, 0x3c1f3b64, 0x3c3ae148,
	0x3c68f5c3, 0x3c8b851f, 0x3ca28f5d, 0x3cb9999a, 0x3cd0a3d7, 0x3ce7ae15, 0x3cfeb852, 0x3d0ae148,
	0x3d166667, 0x3d21eb85, 0x3d2d70a3, 0x3d38f5c3, 0x3d447ae1, 0x3d500000, 0x3d5b851f, 0x3d670a3d,
	0x3d728f5d, 0x3d7e147b, 0x3d84cccd, 0x3d8a8f5d, 0x3d9051eb, 0x3d96147b, 0x3d9bd70a, 0x3da1999a,
	0x3da75c2a, 0x3dad1eb8, 0x3db2e148, 0x3db8a3d7, 0x3dbe6667, 0x3dc428f7, 0x3dc9eb85, 0x3ddb3334,
	0x3df80000, 0x3e0a6666, 0x3e18cccd, 0x3e273333, 0x3e35999a, 0x3e440000, 0x3e526666, 0x3e60cccd,
	0x3e6f3333, 0x3e7d9999, 0x3e860000, 0x3e8d3334, 0x3e946666, 0x3e9b999a, 0x3ea2cccc, 0x3eaa0000,
	0x3eb13333, 0x3eb86666, 0x3ebf999a, 0x3ec6cccc, 0x3ece0000, 0x3ed53333, 0x3edc6666, 0x3ee3999a,
	0x3eeacccc, 0x3ef20000, 0x3ef93332, 0x3f003333, 0x3f03cccc, 0x3f076666, 0x3f0b0000, 0x3f0e999a,
	0x3f123334, 0x3f15cccd, 0x3f196666, 0x3f1d0000, 0x3f20999a, 0x3f243334, 0x3f27cccd, 0x3f2b6666,
	0x3f2f0000, 0x3f32999a, 0x3f363334, 0x3f39cccd, 0x3f3d6666, 0x3f410000, 0x3f44999a, 0x3f483333,
	0x3f4bcccd, 0x3f4f6666, 0x3f530000, 0x3f56999a, 0x3f5a3333, 0x3f5dcccd, 0x3f616666, 0x3f650000,
	0x3f68999a, 0x3f6c3333, 0x3f6fcccd, 0x3f736666, 0x3f770000, 0x3f7a999a, 0x3f7e3333, 0x3f800000,
};



static float map_val(int i)
{
	float f;
	memcpy(&f, &dynamic_map_bits[i], 4);
	return f;
}

/* index of the code for x: the first bound (midpoint of neighbours) >= x, as torch.bucketize */
static int bucket(const float *code, int ncode, float x)
{
	int lo = 0, hi = ncode - 1;   /* answer in [lo, hi] */
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		float bound = (code[mid] + code[mid + 1]) / 2;
		if (x <= bound)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static void block_absmax_scale(const float *x, size_t n, int bs, size_t b, float *absmax, float *inv)
{
	size_t i0 = b * (size_t)bs, i1 = i0 + (size_t)bs < n ? i0 + (size_t)bs : n;
	float m = 0;
	for (size_t i = i0; i < i1; i++)
		m = fabsf(x[i]) > m ? fabsf(x[i]) : m;
	*absmax = m;
	*inv = 1.0f / (m > 1e-38f ? m : 1e-38f);
}

void nf4_quantize(const float *w, size_t n, int bs, uint8_t *packed, float *absmax)
{
	size_t nb = (n + (size_t)bs - 1) / (size_t)bs;
	memset(packed, 0, (n + 1) / 2);
	for (size_t b = 0; b < nb; b++) {
		float inv;
		block_absmax_scale(w, n, bs, b, &absmax[b], &inv);
		size_t i0 = b * (size_t)bs, i1 = i0 + (size_t)bs < n ? i0 + (size_t)bs : n;
		for (size_t i = i0; i < i1; i++) {
			float s = w[i] * inv;
			s = s < -1 ? -1 : s > 1 ? 1 : s;
			int q = bucket(nf4_code, 16, s);
			packed[i >> 1] |= (uint8_t)(i & 1 ? q : q << 4);
		}
	}
	if (n & 1)   /* the pad element: bucket(0) */
		packed[n >> 1] |= (uint8_t)bucket(nf4_code, 16, 0.0f);
}

void nf4_dequantize(const uint8_t *packed, const float *absmax, const float *code, size_t n, int bs, float *out)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t byte = packed[i >> 1];
		int q = i & 1 ? byte & 0x0f : byte >> 4;
		out[i] = code[q] * absmax[i / (size_t)bs];
	}
}

void bnb_quantize_blockwise(const float *x, size_t n, int bs, const float *code, uint8_t *q, float *absmax2)
{
	size_t nb = (n + (size_t)bs - 1) / (size_t)bs;
	for (size_t b = 0; b < nb; b++) {
		float inv;
		block_absmax_scale(x, n, bs, b, &absmax2[b], &inv);
		size_t i0 = b * (size_t)bs, i1 = i0 + (size_t)bs < n ? i0 + (size_t)bs : n;
		for (size_t i = i0; i < i1; i++) {
			float s = x[i] * inv;
			s = s < -1 ? -1 : s > 1 ? 1 : s;
			q[i] = (uint8_t)bucket(code, 256, s);
		}
	}
}

void bnb_dequantize_absmax(const uint8_t *q, const float *absmax2, const float *code, float offset, size_t n, int bs,
			   float *absmax)
{
	for (size_t b = 0; b < n; b++) {
		volatile float t = code[q[b]] * absmax2[b / (size_t)bs];   /* no fused multiply-add */
		absmax[b] = t + offset;
	}
}

void nf4_roundtrip(float *w, size_t n, int bs, int double_quant)
{
	size_t nb = (n + (size_t)bs - 1) / (size_t)bs;
	uint8_t *packed = xmalloc(n / 2 + 1);
	float *absmax = xmalloc(nb * sizeof *absmax);
	nf4_quantize(w, n, bs, packed, absmax);
	if (double_quant) {
		float map[256];
		for (int i = 0; i < 256; i++)
			map[i] = map_val(i);
		/* torch's absmax.mean(): a float32 sum (sequential here, which is what torch gives for
		 * the few blocks we checked; its vectorised cascade may differ by an ulp on long
		 * tensors: re-quantising is not guaranteed bit-exact, dequantising a file is) */
		float sum = 0;
		for (size_t b = 0; b < nb; b++)
			sum += absmax[b];
		float offset = sum / (float)nb;
		float *centred = xmalloc(nb * sizeof *centred), *a2 = xmalloc((nb / 256 + 1) * sizeof *a2);
		uint8_t *qa = xmalloc(nb);
		for (size_t b = 0; b < nb; b++)
			centred[b] = absmax[b] - offset;
		bnb_quantize_blockwise(centred, nb, 256, map, qa, a2);
		bnb_dequantize_absmax(qa, a2, map, offset, nb, 256, absmax);
		free(centred);
		free(a2);
		free(qa);
	}
	nf4_dequantize(packed, absmax, nf4_code, n, bs, w);
	free(packed);
	free(absmax);
}

void bnb_dynamic_map(float code[256])
{
	for (int i = 0; i < 256; i++)
		code[i] = map_val(i);
}
