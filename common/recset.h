/* recset: tokenized records held in memory — one token arena and an offset table.
 *
 * ft-tokenize builds one, ft-pack and ft-train read a .ftt into one. Tokens are tokfile's
 * u32 (id | TOK_TRAINS). Records are addressed by index; reordering (shuffle, sort) works on
 * index arrays so the arena is never moved. */
#ifndef FT_RECSET_H
#define FT_RECSET_H

#include <stddef.h>
#include <stdint.h>

#include "tokfile.h"

typedef struct {
	uint32_t *tok;     /* (ntok) all records back to back */
	uint64_t *off;     /* (n + 1) record i is tok[off[i] .. off[i+1]) */
	size_t n, ntok;
	size_t ctok, coff;
} recset_t;

void recset_init(recset_t *s);
void recset_free(recset_t *s);
void recset_add(recset_t *s, const uint32_t *tok, uint32_t n);
static inline uint32_t recset_len(const recset_t *s, size_t i)
{
	return (uint32_t)(s->off[i + 1] - s->off[i]);
}
static inline const uint32_t *recset_get(const recset_t *s, size_t i)
{
	return s->tok + s->off[i];
}
/* Reads every record of an open .ftt into s. */
void recset_read(recset_t *s, tokfile_reader_t *r);
/* A new set with the records of s in the order idx[0..n). */
void recset_select(recset_t *dst, const recset_t *src, const uint32_t *idx, size_t n);
/* Number of trained tokens of record i. */
uint32_t recset_trained(const recset_t *s, size_t i);

#endif
