/* train: the training loop of ft-train and the evaluation of ft-eval, on the model engine.
 *
 * The arithmetic a user can observe is the Hugging Face Trainer's: optimizer step k runs at
 * learning_rate * factor(k - 1) (lrsched.h), micro batches of micro_batch_size rows are
 * accumulated gradient_accumulation_steps at a time and the step's loss is the sum of token
 * cross-entropies over all of them divided by their label tokens, the global L2 norm of the
 * trainable gradients is logged before clipping to max_grad_norm, and AdamW is torch's
 * (optim.h). Rows are shuffled per epoch from `seed` (in order under curriculum_sampling);
 * the last incomplete micro batch of an epoch is dropped, an incomplete accumulation at the
 * end of an epoch is a (shorter) step, as the Trainer does.
 *
 * Everything a run depends on is a function of the config, the data and the step, so a
 * checkpoint (weights or adapter, AdamW moments, step, data position, loss accumulators)
 * resumes bit-exactly: the same final weights and the same metrics as a run never stopped. */
#ifndef FT_TRAIN_H
#define FT_TRAIN_H

#include <stdint.h>

#include "config.h"
#include "model.h"
#include "rowset.h"
#include "safetensors.h"

typedef struct {
	const char *data;      /* --data: .ftp/.ftt; NULL: the config's datasets */
	const char *val;       /* --val; NULL: the validation split of the config's datasets */
	int progress;          /* -1 auto (a bar when stderr is a terminal), 0 plain lines, 1 bar */
	long stop_after;       /* stop after this global step, saving a checkpoint; 0: never */
	const char *device;    /* --device: cpu, cuda or auto (NULL) */
} train_opts_t;

/* The whole of ft-train: model, data, loop, outputs in output_dir. Dies on errors. */
void train_run(const ft_config_t *cfg, const train_opts_t *o);

/* Evaluation: mean loss over every label token of rs (micro batches of mbs rows). */
typedef struct {
	double loss_sum;
	long ntok, ncorrect, nrows, ntokens_in;
} eval_result_t;
void train_evaluate(model_t *m, const rowset_t *rs, int mbs, eval_result_t *er);

/* The model of a config: base_model's folder (or a random init under reinit_weights), with
 * its LoRA adapter attached as the config asks (fresh, or lora_model_dir). *dtype gets the
 * dtype of the base's weights (ST_F32 for a random init). */
model_t *train_load_model(const ft_config_t *cfg, const ops_t *ops, st_dtype_t *dtype, int with_adapter);
/* LoRA settings from the config (lora_r, lora_alpha, lora_dropout, targets, rsLoRA); refuses
 * what the engine cannot do by name. */
void train_lora_cfg(const ft_config_t *cfg, lora_cfg_t *lc);

#endif
