/* lrsched: learning-rate schedules as transformers' get_scheduler computes them (and Axolotl's
 * cosine_min_lr_ratio variant), so the learning rate a step uses is the one the Hugging Face
 * Trainer would use.
 *
 * The factor is a function of the number of COMPLETED optimizer steps s (LambdaLR's
 * last_epoch): optimizer step k (1-based) runs at lr * factor(k - 1). With warm-up, step 1
 * therefore runs at learning rate 0 — the Trainer's convention, which the fixtures pin. */
#ifndef FT_LRSCHED_H
#define FT_LRSCHED_H

typedef enum { SCHED_COSINE, SCHED_LINEAR, SCHED_CONSTANT, SCHED_CONSTANT_WARMUP } sched_kind_t;

typedef struct {
	sched_kind_t kind;
	long warmup;        /* warm-up steps */
	long total;         /* num_training_steps */
	double min_ratio;   /* cosine_min_lr_ratio; < 0: unset (plain cosine) */
} sched_t;

/* "cosine", "linear", "constant", "constant_with_warmup"; -1 for anything else. */
int sched_from_name(const char *name);
/* The multiplier of the base learning rate after s completed steps. */
double sched_factor(const sched_t *sc, long s);

#endif
