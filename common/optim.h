/* optim: AdamW as torch.optim.AdamW computes it (adamw_torch and adamw_torch_fused in the
 * Hugging Face Trainer; the same arithmetic up to float32 rounding):
 *
 *   p  *= 1 - lr * wd                         decoupled weight decay, before the update
 *   m   = lerp(m, g, 1 - beta1)               m + (1 - beta1) * (g - m)
 *   v   = v * beta2 + (1 - beta2) * g * g
 *   p  -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 *
 * Weight decay skips what the Trainer skips (get_decay_parameter_names): biases and norm
 * weights.
 *
 * The 8-bit optimizers (adamw_bnb_8bit, adamw_8bit, paged_adamw_8bit: bitsandbytes.optim.AdamW
 * with optim_bits 8; paging changes where the state lives, not the numbers) follow bitsandbytes'
 * CUDA kernels (kOptimizerStatic8bit2StateBlockwise, kOptimizer32bit2State):
 *
 *   m, v  dequantised: code[c] * absmax of the block (blocks of 256 elements)
 *   m     = m * beta1 + (1 - beta1) * g;  v = v * beta2 + (1 - beta2) * g * g
 *   p    += -lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps * sqrt(1 - beta2^t))
 *   p    *= 1 - lr * wd                   weight decay after the update, unlike torch
 *   m, v  requantised: absmax = max |.| of the block, c = the nearest code of x / absmax
 *         (m on the signed dynamic map, v on the unsigned one; m keeps its sign)
 *
 * A parameter of fewer than 4096 elements (min_8bit_size) keeps float32 moments with the same
 * update. The quantised state is what a checkpoint saves, so resuming stays exact. */
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
	float gscale;         /* the next step's gradient factor (clipping): set before adamw_step,
	                       * back to 1 after it */
	double beta1, beta2, eps, wd;
	/* 8-bit state (adamw_set_8bit): per parameter, NULL where the moments stay float32 */
	int bits8;
	unsigned char **c1, **c2; /* (numel) codes of exp_avg (signed map), exp_avg_sq (unsigned map) */
	float **absmax1, **absmax2; /* (nblocks) */
	/* on a GPU: the same state in backend memory (the host arrays above are its copy for
	 * checkpoints: adamw8_to_host, adamw8_to_device) and the two maps */
	unsigned char **dc1, **dc2;
	float **da1, **da2, *dmaps;
} adamw_t;

#define OPTIM_8BIT_BLOCK 256        /* bitsandbytes' blocksize for 8-bit optimizer state */
#define OPTIM_8BIT_MIN_SIZE 4096    /* min_8bit_size: smaller parameters keep float32 state */

void adamw_init(adamw_t *o, const ops_t *ops, param_t **p, int n, double beta1, double beta2, double eps, double wd);
void adamw_free(adamw_t *o);
/* Switch to bitsandbytes' 8-bit blockwise state (before the first step): parameters of at
 * least OPTIM_8BIT_MIN_SIZE elements get codes and absmax (host memory, and on a GPU backend
 * memory too, where the update runs: ops.h adamw8), their m and v are freed (NULL). */
void adamw_set_8bit(adamw_t *o);
/* The 8-bit state between backend and host (no-ops on the CPU): to the host before a
 * checkpoint is written from c1, c2, absmax1, absmax2; to the backend after they are read. */
void adamw8_to_host(adamw_t *o);
void adamw8_to_device(adamw_t *o);
/* One update of every parameter from its .grad at learning rate lr (its master copy where it
 * has one, then the compute copy from it). */
void adamw_step(adamw_t *o, double lr);
/* Parameter i's float32 state to or from host float32 (checkpoints); not for 8-bit state. */
void adamw_state_get(const adamw_t *o, int i, float *m, float *v);
void adamw_state_set(adamw_t *o, int i, const float *m, const float *v);
/* bitsandbytes' dynamic quantisation map (functional.create_dynamic_map with 7 exponent bits
 * and 8 bits in all): 256 sorted codes in [-1, 1] (signed) or [0, 1] (unsigned). */
void optim_dynamic_map(float code[256], int is_signed);
/* The code of x in a map as bitsandbytes' quantize_2D picks it (binary search from the middle,
 * then the nearer neighbour); NaN gives 0. */
unsigned char optim_quantize(const float code[256], int is_signed, float x);
/* Whether the Trainer decays a parameter of this name (not a bias, not a norm weight). */
int adamw_decays(const char *name);

/* Checks an `optimizer:` value: returns 0 for torch's AdamW, 1 for the 8-bit AdamW names, dies
 * naming the value otherwise (FT_EXIT_USAGE). */
int optim_check_name(const char *name, const char *where);

#endif
