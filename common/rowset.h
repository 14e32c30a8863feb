/* rowset: the rows a training or evaluation run steps through, in memory.
 *
 * A row is what ft-pack writes to a .ftp: up to sequence_len tokens of one or more samples
 * back to back with the samples' lengths. rowset_from_records is the one road from records
 * to rows: ft-pack writes its rows to a .ftp, ft-train and ft-eval use them in memory (from a
 * .ftt or from the config's datasets), so both routes train on the same rows in the same
 * order. A micro batch is several rows concatenated into one varlen batch (cu_seqlens keep
 * every sample apart). */
#ifndef FT_ROWSET_H
#define FT_ROWSET_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "dataset.h"
#include "model.h"
#include "pack.h"
#include "recset.h"

typedef struct {
	recset_t tok;    /* row r = record r of tok: tokens, id | TOK_TRAINS */
	recset_t seq;    /* row r = record r of seq: its sample lengths */
	size_t n;        /* rows */
	uint64_t trained;/* tokens with a label, over all rows */
} rowset_t;

void rowset_init(rowset_t *rs);
void rowset_free(rowset_t *rs);
/* Reads a .ftp (rows as they are) or a .ftt (made into rows with rowset_from_records).
 * packing < 0: sample_packing of cfg; else 0/1. Exits 3 on a bad file. */
void rowset_load(rowset_t *rs, const char *path, const ft_config_t *cfg, int packing);

/* How rowset_from_records made its rows, for ft-pack's metadata and report. */
typedef struct {
	ds_stats_t st;      /* records read, dropped and truncated */
	size_t kept;        /* records made into rows */
	int packing;        /* sample_packing as applied */
	pack_opts_t po;     /* capacity (sequence_len), bin size, seed; algo resolved (not AUTO) */
	uint64_t used;      /* tokens placed */
} rowset_made_t;

/* Rows from records (recs is consumed), as Axolotl makes the rows it trains on:
 *   1. the length policy (sequence_len, excess_length_strategy, min_sample_len), then records
 *      in which no token trains are dropped; both counted and reported under `what`;
 *   2. without sample_packing, one record per row in the records' order: the Trainer's
 *      RandomSampler draws a new permutation every epoch, which ft-train's epoch order does;
 *   3. with sample_packing, the records in a seeded random order (their own under
 *      curriculum_sampling, Axolotl's SequentialSampler) packed by `algo`: first-fit and
 *      sequential take them in that order, ffd sorts them by length (ties in that order)
 *      and puts its rows in seeded order, auto keeps the better of ffd and first-fit
 *      (first-fit alone under curriculum_sampling: ffd would undo the records' order).
 * cfg NULL: every record a row of its own, as it is. packing < 0: sample_packing of cfg.
 * algo < 0: sequential under sample_packing_sequentially, else auto. made may be NULL. */
void rowset_from_records(rowset_t *rs, recset_t *recs, const ft_config_t *cfg, int packing, int algo,
			 const char *what, rowset_made_t *made);
/* Refuses (FT_EXIT_DATA) a token id >= V, naming the row and the model's vocab size. */
void rowset_check_vocab(const rowset_t *rs, int V, const char *what);

/* A micro batch: rows concatenated, labels shifted per sample. */
typedef struct {
	int *ids, *targets, *labels, *cu;
	size_t cap, ccu;
	int ntargets;       /* targets >= 0 */
	batch_t b;
} mbatch_t;

void mbatch_free(mbatch_t *mb);
/* Builds the batch of rows idx[0..nrows) of rs. */
void mbatch_build(mbatch_t *mb, const rowset_t *rs, const uint32_t *idx, int nrows);
/* Label tokens the batch of these rows would have (targets >= 0), without building it. */
int rowset_ntargets(const rowset_t *rs, const uint32_t *idx, int nrows);

#endif
