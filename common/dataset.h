/* dataset: the SFT data preparation Axolotl does before training, on ft's records.
 *
 * Order, as Axolotl's (axolotl.md §3.1): each dataset of `datasets:` is read and tokenized,
 * the results are concatenated in config order, shuffled with `seed` when
 * `shuffle_merged_datasets` (and not `curriculum_sampling`), filtered by length
 * (`excess_length_strategy`, `min_sample_len`), exactly deduplicated when
 * `dataset_exact_deduplication`, and split into train and validation by `val_set_size`
 * (the last part becomes validation, as `train_test_split(shuffle=False)` does) — or the
 * validation set is `test_datasets`, prepared the same way but not shuffled. Records dropped
 * by a policy are counted in ds_stats_t and reported, never lost silently. */
#ifndef FT_DATASET_H
#define FT_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "recset.h"

typedef struct {
	size_t read;            /* records read from the files */
	size_t too_long;        /* dropped: longer than sequence_len (strategy drop) */
	size_t truncated;       /* cut to sequence_len (strategy truncate) */
	size_t too_short;       /* dropped: shorter than min_sample_len */
	size_t duplicates;      /* dropped by exact deduplication */
	size_t no_trained;      /* dropped: no token trains (ft-pack, ft-train) */
	char tokenizer[72];     /* fingerprint of the tokenizer used, "" when none was needed */
} ds_stats_t;

typedef enum { EXCESS_DROP, EXCESS_TRUNCATE, EXCESS_RAISE } excess_t;

typedef struct {
	uint32_t seq_len;     /* sequence_len */
	uint32_t min_len;     /* min_sample_len (Axolotl's default 2) */
	excess_t excess;      /* excess_length_strategy (default drop) */
} lenpolicy_t;

void lenpolicy_from_config(const ft_config_t *cfg, lenpolicy_t *lp);
/* Applies the policy to a record of *n tokens: returns 1 to keep it (*n may be cut), 0 to
 * drop it (counted in st); with `raise`, a too-long record is fatal, naming `what`. */
int lenpolicy_apply(const lenpolicy_t *lp, uint32_t *n, ds_stats_t *st, const char *what);

/* Reads and tokenizes every entry of the config list `key` ("datasets" or "test_datasets")
 * into out, in config order. Entries with a type use the model's tokenizer (tokenizer_config,
 * else base_model), loaded once; its fingerprint goes to st->tokenizer. Exits 3 naming
 * file:line on a malformed record. */
void dataset_load(const ft_config_t *cfg, const char *key, recset_t *out, ds_stats_t *st);
/* The whole preparation: train and validation sets from the config. */
void dataset_prepare(const ft_config_t *cfg, recset_t *train, recset_t *val, ds_stats_t *st);

/* Refuses (exit 3) a tokens file whose metadata names a tokenizer other than the config's
 * model's: its ids would mean other tokens. Pre-tokenized files (tokenizer null) pass. */
void dataset_check_tokenizer(const ft_config_t *cfg, const cJSON *meta, const char *file);

/* Parses a pre-tokenized record ({"input_ids": [...], "labels": [...]}) into tok (growable).
 * On error returns -1 with a message (no position) in err. */
int dataset_parse_pretokenized(const void *json, uint32_t **tok, size_t *cap, uint32_t *n,
			       char *err, size_t errlen);

#endif
