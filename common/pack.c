/* pack: first-fit, first-fit-decreasing and next-fit bin packing. See pack.h. */
#include "pack.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "rng.h"

/* A max-tree over the free space of up to `size` rows (size a power of two). Unopened rows
 * hold the full capacity, so "leftmost row with free >= len" opens a new row exactly when
 * no open row has room — first-fit without a separate case. */
typedef struct {
	int64_t *t;     /* (2 * size) t[1] root, leaves at size.. */
	size_t size;
} maxtree_t;

static void tree_init(maxtree_t *m, size_t n, int64_t cap)
{
	m->size = 1;
	while (m->size < n)
		m->size *= 2;
	m->t = xmalloc(2 * m->size * sizeof *m->t);
	for (size_t i = 0; i < 2 * m->size; i++)
		m->t[i] = cap;
}

/* Leftmost leaf with value >= need; the root guarantees one exists (n leaves >= n items). */
static size_t tree_find(const maxtree_t *m, int64_t need)
{
	size_t i = 1;
	while (i < m->size)
		i = m->t[2 * i] >= need ? 2 * i : 2 * i + 1;
	return i - m->size;
}

static void tree_set(maxtree_t *m, size_t leaf, int64_t v)
{
	size_t i = leaf + m->size;
	m->t[i] = v;
	for (i /= 2; i; i /= 2) {
		int64_t a = m->t[2 * i], b = m->t[2 * i + 1];
		m->t[i] = a > b ? a : b;
	}
}

typedef struct {
	uint32_t *members;  /* per row, linked by next[] */
	uint32_t *head, *tail, *count;
	int64_t *free;
} rows_t;

/* First-fit of order[0..n) into fresh rows appended to res. */
static void first_fit(const uint32_t *len, const uint32_t *order, size_t n, const pack_opts_t *o,
		      uint32_t *next, pack_result_t *res, uint32_t **rowsets, size_t *nrows_total)
{
	maxtree_t m;
	tree_init(&m, n, o->capacity);
	uint32_t *head = xmalloc(n * sizeof *head), *tail = xmalloc(n * sizeof *tail);
	uint32_t *count = xcalloc(n, sizeof *count);
	int64_t *freecap = xmalloc(n * sizeof *freecap);
	size_t nrows = 0;
	for (size_t k = 0; k < n; k++) {
		uint32_t s = order[k];
		size_t r = tree_find(&m, len[s]);
		if (r == nrows) {
			head[r] = tail[r] = s;
			freecap[r] = o->capacity;
			nrows++;
		} else {
			next[tail[r]] = s;
			tail[r] = s;
		}
		next[s] = UINT32_MAX;
		freecap[r] -= len[s];
		count[r]++;
		/* A full row (by tokens or by sample count) takes nothing more. */
		tree_set(&m, r, count[r] >= o->max_per_bin ? 0 : freecap[r]);
	}
	*rowsets = xrealloc(*rowsets, (*nrows_total + nrows) * sizeof **rowsets);
	for (size_t r = 0; r < nrows; r++)
		(*rowsets)[*nrows_total + r] = head[r];
	*nrows_total += nrows;
	free(m.t);
	free(head);
	free(tail);
	free(count);
	free(freecap);
	(void)res;
}

void pack_bins(const uint32_t *len, size_t n, const pack_opts_t *o, pack_result_t *res)
{
	if (o->algo == PACK_AUTO) {
		pack_opts_t a = *o, b = *o;
		pack_result_t rb;
		a.algo = PACK_FFD;
		b.algo = PACK_FIRST_FIT;
		pack_bins(len, n, &a, res);
		pack_bins(len, n, &b, &rb);
		if (rb.nrows < res->nrows) {
			pack_result_free(res);
			*res = rb;
		} else {
			pack_result_free(&rb);
		}
		return;
	}
	memset(res, 0, sizeof *res);
	res->algo = o->algo;
	for (size_t i = 0; i < n; i++)
		FT_CHECK(len[i] >= 1 && len[i] <= o->capacity, FT_EXIT_DATA,
			 "pack: sample %zu has length %u outside 1..%u", i, len[i], o->capacity);
	FT_CHECK(n < UINT32_MAX, FT_EXIT_DATA, "pack: too many samples (%zu)", n);
	uint32_t max_per_bin = o->max_per_bin ? o->max_per_bin : UINT32_MAX;
	pack_opts_t oo = *o;
	oo.max_per_bin = max_per_bin;

	uint32_t *next = xmalloc((n ? n : 1) * sizeof *next);
	uint32_t *rowhead = NULL;   /* first sample of each row; members follow next[] */
	size_t nrows = 0;
	uint32_t *order = xmalloc((n ? n : 1) * sizeof *order);

	if (o->algo == PACK_SEQUENTIAL) {
		uint32_t cnt = 0, last = UINT32_MAX;
		int64_t freecap = 0;
		for (size_t i = 0; i < n; i++) {
			if (nrows == 0 || len[i] > freecap || cnt >= max_per_bin) {
				rowhead = xrealloc(rowhead, (nrows + 1) * sizeof *rowhead);
				rowhead[nrows++] = (uint32_t)i;
				freecap = o->capacity;
				cnt = 0;
			} else {
				next[last] = (uint32_t)i;
			}
			next[i] = UINT32_MAX;
			last = (uint32_t)i;
			freecap -= len[i];
			cnt++;
		}
	} else if (o->algo == PACK_FIRST_FIT) {
		for (size_t i = 0; i < n; i++)
			order[i] = (uint32_t)i;
		size_t g = o->group_size ? o->group_size : n;
		for (size_t s = 0; s < n; s += g) {
			size_t k = n - s < g ? n - s : g;
			first_fit(len, order + s, k, &oo, next, res, &rowhead, &nrows);
		}
	} else {
		/* Decreasing length, ties in input order: a counting sort, O(n + capacity). */
		size_t *bucket = xcalloc((size_t)o->capacity + 2, sizeof *bucket);
		for (size_t i = 0; i < n; i++)
			bucket[o->capacity - len[i] + 1]++;
		for (size_t b = 1; b <= (size_t)o->capacity + 1; b++)
			bucket[b] += bucket[b - 1];
		for (size_t i = 0; i < n; i++)
			order[bucket[o->capacity - len[i]]++] = (uint32_t)i;
		free(bucket);
		if (n)
			first_fit(len, order, n, &oo, next, res, &rowhead, &nrows);
		/* Rows come out longest-sample-first; a seeded shuffle mixes them for batching. */
		rng_t rng = rng_seed(o->seed, 2);
		rng_shuffle_u32(&rng, rowhead, nrows);
	}

	res->algo = o->algo;
	res->items = xmalloc((n ? n : 1) * sizeof *res->items);
	res->row_off = xmalloc((nrows + 1) * sizeof *res->row_off);
	size_t k = 0;
	for (size_t r = 0; r < nrows; r++) {
		res->row_off[r] = k;
		for (uint32_t s = rowhead[r]; s != UINT32_MAX; s = next[s]) {
			res->items[k++] = s;
			res->used += len[s];
		}
	}
	res->row_off[nrows] = k;
	res->nrows = nrows;
	FT_CHECK(k == n, FT_EXIT_DATA, "pack: lost samples (%zu of %zu placed)", k, n);
	free(rowhead);
	free(next);
	free(order);
}

void pack_result_free(pack_result_t *res)
{
	free(res->items);
	free(res->row_off);
	memset(res, 0, sizeof *res);
}

static const char *const names[] = { "ffd", "first-fit", "sequential", "auto" };

int pack_algo_from_name(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

const char *pack_algo_name(pack_algo_t a)
{
	return names[a];
}
