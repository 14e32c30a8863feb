/* pack: bin packing of samples into rows of sequence_len tokens (Axolotl's "multipack").
 *
 * No sample is split; a row holds at most `max_per_bin` samples. Three orders:
 *   PACK_FFD         first-fit decreasing over all samples, rows then put in seeded random
 *                    order: the tightest packing, and rows are mixed for batching.
 *   PACK_FIRST_FIT   Axolotl's default: plain first-fit in the given (shuffled) order, in
 *                    independent groups of `group_size` consecutive samples.
 *   PACK_SEQUENTIAL  next-fit in the given order (`sample_packing_sequentially`).
 *   PACK_AUTO        both FFD and first-fit, keeping whichever needs fewer rows (FFD on a
 *                    tie). Neither wins everywhere: FFD is tighter on long samples, but its
 *                    tail of short samples hits the per-row sample limit, where first-fit's
 *                    mixed rows do not (measured in tests/unit/test_pack.c).
 * First-fit finds "the leftmost row with room" in O(log n) with a max-tree over the rows'
 * free space, so packing a million samples takes well under a second. */
#ifndef FT_PACK_H
#define FT_PACK_H

#include <stddef.h>
#include <stdint.h>

typedef enum { PACK_FFD, PACK_FIRST_FIT, PACK_SEQUENTIAL, PACK_AUTO } pack_algo_t;

typedef struct {
	pack_algo_t algo;
	uint32_t capacity;     /* tokens per row: sequence_len */
	uint32_t max_per_bin;  /* sample_packing_bin_size */
	size_t group_size;     /* sample_packing_group_size (PACK_FIRST_FIT) */
	uint64_t seed;         /* row order for PACK_FFD */
} pack_opts_t;

typedef struct {
	uint32_t *items;       /* sample indices, row by row */
	size_t *row_off;       /* (nrows + 1) row r is items[row_off[r] .. row_off[r+1]) */
	size_t nrows;
	uint64_t used;         /* tokens placed */
	pack_algo_t algo;      /* the algorithm that made it (PACK_AUTO resolves to one) */
} pack_result_t;

/* Packs samples 0..n-1 of lengths len[] (each 1..capacity) in the order given. */
void pack_bins(const uint32_t *len, size_t n, const pack_opts_t *o, pack_result_t *res);
void pack_result_free(pack_result_t *res);
/* "ffd" / "first-fit" / "sequential" / "auto"; returns -1 for an unknown name. */
int pack_algo_from_name(const char *name);
const char *pack_algo_name(pack_algo_t a);

#endif
