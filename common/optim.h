/* optim: AdamW as torch.optim.AdamW computes it (adamw_torch and adamw_torch_fused in the
 * Hugging Face Trainer; the same arithmetic up to float32 rounding):
 *
 *   p  *= 1 - lr * wd                         decoupled weight decay, before the update
 *   m   = lerp(m, g, 1 - beta1)               m + (1 - beta1) * (g - m)
 *   v   = v * beta2 + (1 - beta2) * g * g
 *   p  -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 *
 * Weight decay skips what the Trainer skips (get_decay_parameter_names): biases and norm
 * weights. The 8-bit optimizers (adamw_bnb_8bit, adamw_8bit, paged_adamw_8bit) are refused by
 * name: their state would differ from bitsandbytes' blockwise quantisation. */
#ifndef FT_OPTIM_H
#define FT_OPTIM_H

#include <stddef.h>

#include "model.h"

typedef struct {
	const ops_t *ops;     /* the backend holding weights, gradients and state */
	int n;
	param_t **p;          /* trainable parameters (not owned) */
	float **m, **v;       /* (numel) per parameter: exp_avg, exp_avg_sq (backend memory) */
	unsigned char *decay; /* per parameter: weight decay applies */
	long step;            /* optimizer steps taken */
	double beta1, beta2, eps, wd;
} adamw_t;

void adamw_init(adamw_t *o, const ops_t *ops, param_t **p, int n, double beta1, double beta2, double eps, double wd);
void adamw_free(adamw_t *o);
/* One update of every parameter from its .grad at learning rate lr (its master copy where it
 * has one, then the compute copy from it). */
void adamw_step(adamw_t *o, double lr);
/* Parameter i's state to or from host float32 (checkpoints). */
void adamw_state_get(const adamw_t *o, int i, float *m, float *v);
void adamw_state_set(adamw_t *o, int i, const float *m, const float *v);
/* Whether the Trainer decays a parameter of this name (not a bias, not a norm weight). */
int adamw_decays(const char *name);

/* Checks an `optimizer:` value: returns 0 for the AdamW variants implemented, dies naming the
 * value otherwise (FT_EXIT_USAGE). */
void optim_check_name(const char *name, const char *where);

#endif
