/* optim: torch's AdamW (single-tensor path, torch/optim/adamw.py), in float32 with the scalar
 * factors computed in double as Python computes them, then used as float32 as torch's float
 * kernels use them. */
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

void adamw_init(adamw_t *o, param_t **p, int n, double beta1, double beta2, double eps, double wd)
{
	memset(o, 0, sizeof *o);
	o->n = n;
	o->p = xmalloc((size_t)(n ? n : 1) * sizeof *o->p);
	memcpy(o->p, p, (size_t)n * sizeof *p);
	o->m = xcalloc((size_t)(n ? n : 1), sizeof *o->m);
	o->v = xcalloc((size_t)(n ? n : 1), sizeof *o->v);
	o->decay = xcalloc((size_t)(n ? n : 1), 1);
	for (int i = 0; i < n; i++) {
		o->m[i] = xcalloc(p[i]->numel ? p[i]->numel : 1, sizeof(float));
		o->v[i] = xcalloc(p[i]->numel ? p[i]->numel : 1, sizeof(float));
		o->decay[i] = (unsigned char)adamw_decays(p[i]->name);
	}
	o->beta1 = beta1;
	o->beta2 = beta2;
	o->eps = eps;
	o->wd = wd;
}

void adamw_free(adamw_t *o)
{
	for (int i = 0; i < o->n; i++) {
		free(o->m[i]);
		free(o->v[i]);
	}
	free(o->m);
	free(o->v);
	free(o->decay);
	free(o->p);
	memset(o, 0, sizeof *o);
}

void adamw_step(adamw_t *o, double lr)
{
	o->step++;
	double t = (double)o->step;
	double bc1 = 1 - pow(o->beta1, t), bc2 = 1 - pow(o->beta2, t);
	float step_size = (float)(lr / bc1);
	float bc2_sqrt = (float)sqrt(bc2);
	float w1 = (float)(1 - o->beta1), b2 = (float)o->beta2, w2 = (float)(1 - o->beta2), eps = (float)o->eps;
	for (int i = 0; i < o->n; i++) {
		param_t *p = o->p[i];
		float *x = p->data, *g = p->grad, *m = o->m[i], *v = o->v[i];
		float decay = (float)(1 - lr * o->wd);
		int dodecay = o->decay[i] && o->wd != 0;
		size_t n = p->numel;
#pragma omp parallel for schedule(static) if (n > 65536)
		for (size_t k = 0; k < n; k++) {
			float xk = x[k];
			if (dodecay)
				xk *= decay;
			float gk = g[k];
			float mk = m[k] + w1 * (gk - m[k]);   /* torch lerp, weight < 0.5 */
			float vk = v[k] * b2 + w2 * gk * gk;
			m[k] = mk;
			v[k] = vk;
			float denom = sqrtf(vk) / bc2_sqrt + eps;
			x[k] = xk + (-step_size * mk) / denom;   /* addcdiv: self + value * t1 / t2 */
		}
	}
}

void optim_check_name(const char *name, const char *where)
{
	if (!name || !strcmp(name, "adamw_torch") || !strcmp(name, "adamw_torch_fused"))
		return;
	if (!strcmp(name, "adamw_bnb_8bit") || !strcmp(name, "adamw_8bit") || !strcmp(name, "paged_adamw_8bit"))
		ft_die(FT_EXIT_USAGE, "%s: 'optimizer': %s (8-bit blockwise AdamW) is not supported yet on the CPU "
		       "backend; use adamw_torch or adamw_torch_fused", where, q(name));
	ft_die(FT_EXIT_USAGE, "%s: 'optimizer': %s is not supported; use adamw_torch or adamw_torch_fused", where, q(name));
}
