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
	o->beta1 = beta1;
	o->beta2 = beta2;
	o->eps = eps;
	o->wd = wd;
}

void adamw_free(adamw_t *o)
{
	for (int i = 0; i < o->n; i++) {
		o->ops->free(o->m[i]);
		o->ops->free(o->v[i]);
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
	adamw_args_t a = {
		.w1 = (float)(1 - o->beta1), .b2 = (float)o->beta2, .w2 = (float)(1 - o->beta2),
		.step_size = (float)(lr / bc1), .bc2_sqrt = (float)sqrt(bc2), .eps = (float)o->eps,
	};
	for (int i = 0; i < o->n; i++) {
		param_t *p = o->p[i];
		a.decay = o->decay[i] && o->wd != 0 ? (float)(1 - lr * o->wd) : 1.0f;
		/* the float32 weights: the master copy, or the compute copy when it is float32 */
		if (p->master)
			o->ops->adamw(p->master, p->data, p->grad, o->m[i], o->v[i], p->numel, &a);
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

void optim_check_name(const char *name, const char *where)
{
	if (!name || !strcmp(name, "adamw_torch") || !strcmp(name, "adamw_torch_fused"))
		return;
	if (!strcmp(name, "adamw_bnb_8bit") || !strcmp(name, "adamw_8bit") || !strcmp(name, "paged_adamw_8bit"))
		ft_die(FT_EXIT_USAGE, "%s: 'optimizer': %s (8-bit blockwise AdamW) is not supported yet on the CPU "
		       "backend; use adamw_torch or adamw_torch_fused", where, q(name));
	ft_die(FT_EXIT_USAGE, "%s: 'optimizer': %s is not supported; use adamw_torch or adamw_torch_fused", where, q(name));
}
