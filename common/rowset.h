/* rowset: the rows a training or evaluation run steps through, in memory.
 *
 * A row is what ft-pack writes to a .ftp: up to sequence_len tokens of one or more samples
 * back to back with the samples' lengths. ft-train and ft-eval read them from a .ftp as they
 * are, or make them from a .ftt (or from the config's datasets) the way ft-pack does: the
 * length policy, records that train nothing dropped, then seeded first-fit/FFD packing under
 * sample_packing or one record per row without it. A micro batch is several rows concatenated
 * into one varlen batch (cu_seqlens keep every sample apart). */
#ifndef FT_ROWSET_H
#define FT_ROWSET_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "model.h"
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
/* Rows from records as ft-pack makes them (recs is consumed). */
void rowset_from_records(rowset_t *rs, recset_t *recs, const ft_config_t *cfg, int packing, const char *what);
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
