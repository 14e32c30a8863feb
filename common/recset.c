/* recset: records in memory. See recset.h. */
#include "recset.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"

void recset_init(recset_t *s)
{
	memset(s, 0, sizeof *s);
	xgrow((void **)&s->off, &s->coff, 1, sizeof *s->off);
	s->off[0] = 0;
}

void recset_free(recset_t *s)
{
	free(s->tok);
	free(s->off);
	memset(s, 0, sizeof *s);
}

void recset_add(recset_t *s, const uint32_t *tok, uint32_t n)
{
	xgrow((void **)&s->tok, &s->ctok, s->ntok + n, sizeof *s->tok);
	xgrow((void **)&s->off, &s->coff, s->n + 2, sizeof *s->off);
	if (n)
		memcpy(s->tok + s->ntok, tok, (size_t)n * sizeof *tok);
	s->ntok += n;
	s->off[++s->n] = s->ntok;
}

void recset_read(recset_t *s, tokfile_reader_t *r)
{
	tokrec_t rec;
	while (tokfile_next(r, &rec))
		recset_add(s, rec.tok, rec.n);
}

void recset_select(recset_t *dst, const recset_t *src, const uint32_t *idx, size_t n)
{
	recset_init(dst);
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += recset_len(src, idx[i]);
	xgrow((void **)&dst->tok, &dst->ctok, total, sizeof *dst->tok);
	xgrow((void **)&dst->off, &dst->coff, n + 1, sizeof *dst->off);
	for (size_t i = 0; i < n; i++)
		recset_add(dst, recset_get(src, idx[i]), recset_len(src, idx[i]));
}

uint32_t recset_trained(const recset_t *s, size_t i)
{
	const uint32_t *t = recset_get(s, i);
	uint32_t n = recset_len(s, i), k = 0;
	for (uint32_t j = 0; j < n; j++)
		k += t[j] >> 31;
	return k;
}
