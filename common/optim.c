/* optim: torch's AdamW (single-tensor path, torch/optim/adamw.py), in float32 with the scalar
 * factors computed in double as Python computes them, then used as float32 as torch's float
 * kernels use them; and bitsandbytes' 8-bit blockwise AdamW (optim.h), written from its CUDA
 * kernels' arithmetic. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "optim.h"

int adamw_decays(const char *name)
{
	/* transformers' get_decay_parameter_names: not "bias", not LayerNorm-like modules
	 * (names with "layernorm", "rmsnorm", "norm" as a component, or ending in "_norm") */
	if (strstr(name, "bias") || strstr(name, "layernorm") || strstr(name, "rmsnorm") || strstr(name, "norm."))
		return 0;
	return 1;
}

void adamw_init(adamw_t *o, const ops_t *ops, param_t **p, int n, double beta1, double beta2, double eps, double wd)
{
	memset(o, 0, sizeof *o);
	o->ops = ops;
	o->n = n;
	o->p = xmalloc((size_t)(n ? n : 1) * sizeof *o->p);
	memcpy(o->p, p, (size_t)n * sizeof *p);
	o->m = xcalloc((size_t)(n ? n : 1), sizeof *o->m);
	o->v = xcalloc((size_t)(n ? n : 1), sizeof *o->v);
	o->decay = xcalloc((size_t)(n ? n : 1), 1);
	for (int i = 0; i < n; i++) {
		o->m[i] = ops->alloc((p[i]->numel ? p[i]->numel : 1) * sizeof(float));
		o->v[i] = ops->alloc((p[i]->numel ? p[i]->numel : 1) * sizeof(float));
		o->decay[i] = (unsigned char)adamw_decays(p[i]->name);
	}
	o->gscale = 1.0f;
	o->beta1 = beta1;
	o->beta2 = beta2;
	o->eps = eps;
	o->wd = wd;
}

void adamw_free(adamw_t *o)
{
	for (int i = 0; i < o->n; i++) {
		if (o->m[i])
			o->ops->free(o->m[i]);
		if (o->v[i])
			o->ops->free(o->v[i]);
	}
	free(o->m);
	free(o->v);
	if (o->bits8)
		for (int i = 0; i < o->n; i++) {
			free(o->c1[i]);
			free(o->c2[i]);
			free(o->absmax1[i]);
			free(o->absmax2[i]);
			if (o->dc1 && o->dc1[i]) {
				o->ops->free(o->dc1[i]);
				o->ops->free(o->dc2[i]);
				o->ops->free(o->da1[i]);
				o->ops->free(o->da2[i]);
			}
		}
	if (o->dmaps)
		o->ops->free(o->dmaps);
	free(o->dc1);
	free(o->dc2);
	free(o->da1);
	free(o->da2);
	free(o->c1);
	free(o->c2);
	free(o->absmax1);
	free(o->absmax2);
	free(o->decay);
	free(o->p);
	memset(o, 0, sizeof *o);
}

/* torch.linspace(start, end, steps) in float32 as torch's CPU kernel computes it: the first
 * half from start, the second half back from end */
static float linspace_at(float start, float end, int steps, int i)
{
	float step = (end - start) / (float)(steps - 1);
	return i < steps / 2 ? start + step * (float)i : end - step * (float)(steps - i - 1);
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return x < y ? -1 : x > y;
}

void optim_dynamic_map(float code[256], int is_signed)
{
	/* for each exponent i (0..6): the midpoints of linspace(0.1, 1, k + 1) scaled by
	 * 10^(i - 6), k = 2^i codes signed (and their negatives), 2^(i+1) unsigned; then 0 and 1 */
	int n = 0;
	for (int i = 0; i < 7; i++) {
		int items = is_signed ? (1 << i) + 1 : (1 << (i + 1)) + 1;
		float scale = (float)pow(10.0, (double)(i - 6));
		for (int k = 0; k + 1 < items; k++) {
			float mean = (linspace_at(0.1f, 1.0f, items, k) + linspace_at(0.1f, 1.0f, items, k + 1)) / 2.0f;
			code[n++] = mean * scale;
			if (is_signed)
				code[n++] = mean * -scale;
		}
	}
	code[n++] = 0.0f;
	code[n++] = 1.0f;
	while (n < 256)
		code[n++] = 0.0f;   /* never: 127 * 2 + 2 and 254 + 2 codes fill it */
	qsort(code, 256, sizeof *code, cmp_float);
}

unsigned char optim_quantize(const float code[256], int is_signed, float x)
{
	/* bitsandbytes' quantize_2D: comparisons only, so NaN falls to the lowest branch */
	int pivot = 127, upper_pivot = 255, lower_pivot = 0;
	float lower = is_signed ? -1.0f : 0.0f, upper = 1.0f, val = code[127];
	for (int i = 64; i > 0; i >>= 1) {
		if (x > val) {
			lower_pivot = pivot;
			lower = val;
			pivot += i;
		} else {
			upper_pivot = pivot;
			upper = val;
			pivot -= i;
		}
		val = code[pivot];
	}
	if (x > val)
		return (unsigned char)(x > (upper + val) * 0.5f ? upper_pivot : pivot);
	return (unsigned char)(x < (lower + val) * 0.5f ? lower_pivot : pivot);
}

static float qmap_signed[256], qmap_unsigned[256];

void adamw_set_8bit(adamw_t *o)
{
	optim_dynamic_map(qmap_signed, 1);
	optim_dynamic_map(qmap_unsigned, 0);
	int n = o->n ? o->n : 1;
	o->bits8 = 1;
	o->c1 = xcalloc((size_t)n, sizeof *o->c1);
	o->c2 = xcalloc((size_t)n, sizeof *o->c2);
	o->absmax1 = xcalloc((size_t)n, sizeof *o->absmax1);
	o->absmax2 = xcalloc((size_t)n, sizeof *o->absmax2);
	for (int i = 0; i < o->n; i++) {
		size_t numel = o->p[i]->numel;
		if (numel < OPTIM_8BIT_MIN_SIZE)
			continue;
		size_t nb = (numel + OPTIM_8BIT_BLOCK - 1) / OPTIM_8BIT_BLOCK;
		o->c1[i] = xcalloc(numel, 1);   /* code 0 of a zero absmax: zero moments */
		o->c2[i] = xcalloc(numel, 1);
		o->absmax1[i] = xcalloc(nb, sizeof(float));
		o->absmax2[i] = xcalloc(nb, sizeof(float));
		o->ops->free(o->m[i]);
		o->ops->free(o->v[i]);
		o->m[i] = o->v[i] = NULL;
	}
	if (o->ops == &ops_cpu)
		return;
	o->dc1 = xcalloc((size_t)n, sizeof *o->dc1);
	o->dc2 = xcalloc((size_t)n, sizeof *o->dc2);
	o->da1 = xcalloc((size_t)n, sizeof *o->da1);
	o->da2 = xcalloc((size_t)n, sizeof *o->da2);
	for (int i = 0; i < o->n; i++) {
		if (!o->c1[i])
			continue;
		size_t numel = o->p[i]->numel, nb = (numel + OPTIM_8BIT_BLOCK - 1) / OPTIM_8BIT_BLOCK;
		o->dc1[i] = o->ops->alloc(numel);   /* zeroed, as the host copies */
		o->dc2[i] = o->ops->alloc(numel);
		o->da1[i] = o->ops->alloc(nb * sizeof(float));
		o->da2[i] = o->ops->alloc(nb * sizeof(float));
	}
	o->dmaps = o->ops->alloc(512 * sizeof(float));
	o->ops->upload(o->dmaps, qmap_signed, 256 * sizeof(float));
	o->ops->upload(o->dmaps + 256, qmap_unsigned, 256 * sizeof(float));
}

static void adamw8_copy(adamw_t *o, int to_host)
{
	if (!o->bits8 || o->ops == &ops_cpu)
		return;
	for (int i = 0; i < o->n; i++) {
		if (!o->c1[i])
			continue;
		size_t numel = o->p[i]->numel, nb = (numel + OPTIM_8BIT_BLOCK - 1) / OPTIM_8BIT_BLOCK;
		if (to_host) {
			o->ops->download(o->c1[i], o->dc1[i], numel);
			o->ops->download(o->c2[i], o->dc2[i], numel);
			o->ops->download(o->absmax1[i], o->da1[i], nb * sizeof(float));
			o->ops->download(o->absmax2[i], o->da2[i], nb * sizeof(float));
		} else {
			o->ops->upload(o->dc1[i], o->c1[i], numel);
			o->ops->upload(o->dc2[i], o->c2[i], numel);
			o->ops->upload(o->da1[i], o->absmax1[i], nb * sizeof(float));
			o->ops->upload(o->da2[i], o->absmax2[i], nb * sizeof(float));
		}
	}
}

void adamw8_to_host(adamw_t *o) { adamw8_copy(o, 1); }
void adamw8_to_device(adamw_t *o) { adamw8_copy(o, 0); }

/* bitsandbytes' update of one parameter (float32 moments for small ones, 8-bit blocks else) */
static void adamw8_param(adamw_t *o, int i, float lr, float step_size, float corr2)
{
	param_t *p = o->p[i];
	float *x = (float *)p->data, *g = p->grad;   /* CPU only: the float32 weights themselves */
	float b1 = (float)o->beta1, b2 = (float)o->beta2, eps = (float)o->eps;
	float wd = o->decay[i] ? (float)o->wd : 0.0f, decay = 1.0f - lr * wd;
	size_t n = p->numel;
	if (!o->c1[i]) {
		float *m = o->m[i], *v = o->v[i];
		for (size_t k = 0; k < n; k++) {
			m[k] = m[k] * b1 + (1.0f - b1) * g[k];
			v[k] = v[k] * b2 + (1.0f - b2) * (g[k] * g[k]);
			x[k] = x[k] + step_size * (m[k] / (sqrtf(v[k]) + eps * corr2));
			if (wd > 0.0f)
				x[k] = x[k] * decay;
		}
		return;
	}
	size_t nb = (n + OPTIM_8BIT_BLOCK - 1) / OPTIM_8BIT_BLOCK;
	unsigned char *c1 = o->c1[i], *c2 = o->c2[i];
	float *a1 = o->absmax1[i], *a2 = o->absmax2[i];
#pragma omp parallel for schedule(static) if (n > 65536)
	for (size_t b = 0; b < nb; b++) {
		float s1[OPTIM_8BIT_BLOCK], s2[OPTIM_8BIT_BLOCK], m1 = -FLT_MAX, m2 = -FLT_MAX;
		size_t k0 = b * OPTIM_8BIT_BLOCK, len = n - k0 < OPTIM_8BIT_BLOCK ? n - k0 : OPTIM_8BIT_BLOCK;
		for (size_t j = 0; j < len; j++) {
			float gk = g[k0 + j];
			if (isfinite(gk)) {
				s2[j] = qmap_unsigned[c2[k0 + j]] * a2[b];
				s2[j] = s2[j] * b2 + (1.0f - b2) * gk * gk;
				s1[j] = qmap_signed[c1[k0 + j]] * a1[b];
				s1[j] = s1[j] * b1 + (1.0f - b1) * gk;
			} else {
				s1[j] = s2[j] = 0.0f;
			}
			m1 = fmaxf(m1, fabsf(s1[j]));
			m2 = fmaxf(m2, fabsf(s2[j]));
		}
		a1[b] = m1;
		a2[b] = m2;
		for (size_t j = 0; j < len; j++) {
			size_t k = k0 + j;
			if (isfinite(g[k])) {
				x[k] = x[k] + step_size * (s1[j] / (sqrtf(s2[j]) + corr2 * eps));
				if (wd > 0.0f)
					x[k] = x[k] * decay;
			}
			/* an all-zero block divides 0 by 0 on the GPU: NaN, code 0 (times absmax 0) */
			unsigned char q1 = optim_quantize(qmap_signed, 1, m1 > 0 ? s1[j] / m1 : NAN);
			if (signbit(qmap_signed[q1]) != signbit(s1[j]))
				q1 = (unsigned char)(s1[j] > 0.0f ? q1 + 1 : q1 - 1);   /* m keeps its sign */
			c1[k] = q1;
			c2[k] = optim_quantize(qmap_unsigned, 0, m2 > 0 ? s2[j] / m2 : NAN);
		}
	}
}

void adamw_step(adamw_t *o, double lr)
{
	if (o->bits8) {
		o->step++;
		/* the kernels' scalars, in float as they compute them */
		float t = (float)o->step;
		float corr1 = 1.0f - powf((float)o->beta1, t), corr2 = sqrtf(1.0f - powf((float)o->beta2, t));
		float step_size = -(float)lr * corr2 / corr1;
		if (o->ops != &ops_cpu) {   /* the same arithmetic in a kernel (ops.h adamw8) */
			float b1 = (float)o->beta1, b2 = (float)o->beta2;
			adamw8_args_t a = {.b1 = b1, .w1 = 1.0f - b1, .b2 = b2, .w2 = 1.0f - b2, .eps = (float)o->eps,
					   .corr2 = corr2, .step_size = step_size, .gscale = o->gscale,
					   .qsigned = o->dmaps, .qunsigned = o->dmaps + 256};
			for (int i = 0; i < o->n; i++) {
				param_t *p = o->p[i];
				float wd = o->decay[i] ? (float)o->wd : 0.0f;
				a.decay = 1.0f - (float)lr * wd;
				a.decays = wd > 0.0f;
				o->ops->adamw8(p->lo ? NULL : (float *)p->data, p->lo ? p->data : NULL, p->lo, p->grad, p->gradh,
					       o->dc1[i], o->dc2[i], o->da1[i], o->da2[i], o->m[i], o->v[i], p->numel, &a);
			}
			o->gscale = 1.0f;
			return;
		}
		if (o->gscale != 1.0f)   /* clipping, applied to the gradients themselves here */
			for (int i = 0; i < o->n; i++)
				o->ops->scale(o->p[i]->grad, o->gscale, o->p[i]->numel);
		o->gscale = 1.0f;
		for (int i = 0; i < o->n; i++)
			adamw8_param(o, i, (float)lr, step_size, corr2);
		return;
	}
	o->step++;
	double t = (double)o->step;
	double bc1 = 1 - pow(o->beta1, t), bc2 = 1 - pow(o->beta2, t);
	adamw_args_t a = {
		.w1 = (float)(1 - o->beta1), .b2 = (float)o->beta2, .w2 = (float)(1 - o->beta2),
		.step_size = (float)(lr / bc1), .bc2_sqrt = (float)sqrt(bc2), .eps = (float)o->eps,
		.gscale = o->gscale,
	};
	o->gscale = 1.0f;
	for (int i = 0; i < o->n; i++) {
		param_t *p = o->p[i];
		a.decay = o->decay[i] && o->wd != 0 ? (float)(1 - lr * o->wd) : 1.0f;
		/* the float32 weights: split into the compute copy and low halves, or the compute
		 * copy itself when it is float32 */
		if (p->lo)
			o->ops->adamw_split(p->data, p->lo, p->grad, p->gradh, o->m[i], o->v[i], p->numel, &a);
		else
			o->ops->adamw((float *)p->data, NULL, p->grad, o->m[i], o->v[i], p->numel, &a);
	}
}

void adamw_state_get(const adamw_t *o, int i, float *m, float *v)
{
	o->ops->download(m, o->m[i], o->p[i]->numel * sizeof(float));
	o->ops->download(v, o->v[i], o->p[i]->numel * sizeof(float));
}

void adamw_state_set(adamw_t *o, int i, const float *m, const float *v)
{
	o->ops->upload(o->m[i], m, o->p[i]->numel * sizeof(float));
	o->ops->upload(o->v[i], v, o->p[i]->numel * sizeof(float));
}

int optim_check_name(const char *name, const char *where)
{
	if (!name || !strcmp(name, "adamw_torch") || !strcmp(name, "adamw_torch_fused"))
		return 0;
	if (!strcmp(name, "adamw_bnb_8bit") || !strcmp(name, "adamw_8bit") || !strcmp(name, "paged_adamw_8bit"))
		return 1;
	ft_die(FT_EXIT_USAGE, "%s: 'optimizer': %s is not supported; use adamw_torch, adamw_torch_fused or an "
	       "8-bit AdamW (adamw_bnb_8bit, adamw_8bit, paged_adamw_8bit)", where, q(name));
}
