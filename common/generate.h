/* generate: completions of token prompts on the model engine (ft-eval --generate), with the
 * KV cache of decode.c.
 *
 * Sampling follows transformers' generate with do_sample: the logits of the last token are
 * divided by the temperature, then top_k keeps the k largest (ties included), then top_p keeps
 * the smallest set of most probable tokens whose probability reaches top_p (at least one), and
 * a token is drawn from the softmax of what is left. Temperature 0 is greedy: the first argmax.
 * The random numbers are ft's (seeded splitmix64 per prompt), not torch's, so sampled text is
 * reproducible with ft but not the same as transformers'; greedy output is. */
#ifndef FT_GENERATE_H
#define FT_GENERATE_H

#include <stdint.h>

#include "model.h"
#include "rng.h"

typedef struct {
	int max_new_tokens;
	double temperature;    /* 0: greedy */
	int top_k;             /* 0: off */
	double top_p;          /* 1: off */
	uint64_t seed;
	const int *eos;        /* token ids that end a completion (kept out of it) */
	int neos;
} gen_opts_t;

/* Completes prompt (n ids) into *out (malloc'd, *nout ids, EOS not included); returns 1 when it
 * stopped at an EOS, 0 when it reached max_new_tokens. stream: the prompt's index, so each
 * prompt draws its own random numbers whatever the others. kv must hold n + max_new_tokens. */
int generate_ids(model_t *m, kvcache_t *kv, const int *prompt, int n, const gen_opts_t *g, uint64_t stream,
		 int **out, int *nout);
/* The choice of one token from logits (V, host memory; overwritten) under g. */
int generate_pick(float *logits, int V, const gen_opts_t *g, rng_t *r);

#endif
