/* unicode: class lookup, normalization (NFC/NFD/NFKC/NFKD) and lowercase over the generated
 * tables in unicode_tables.c. (UTF-8 validation is in utf8.h, which needs no tables.)
 *
 * Normalization is the textbook algorithm (decompose, canonical reorder, compose) on an array
 * of code points; it is only reached when the quick check finds a code point that may change,
 * so ASCII and most real text pass through without a copy. */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "unicode.h"
#include "utf8.h"

int uni_in_ranges(const tok_range_t *r, size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cp < r[mid].lo) hi = mid;
		else if (cp > r[mid].hi) lo = mid + 1;
		else return 1;
	}
	return 0;
}

const uni_class_t *uni_class_find(const char *name, size_t len)
{
	for (const uni_class_t *c = uni_classes; c->name; c++)
		if (strlen(c->name) == len && memcmp(c->name, name, len) == 0) return c;
	return NULL;
}

int uni_is_space(uint32_t cp)
{
	if (cp < 0x80) return (cp >= 9 && cp <= 13) || cp == ' ';
	return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

static int ccc_of(uint32_t cp)
{
	if (cp < 0x300) return 0;
	size_t lo = 0, hi = uni_ccc_n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (uni_ccc[mid].cp == cp) return uni_ccc[mid].ccc;
		if (uni_ccc[mid].cp < cp) lo = mid + 1; else hi = mid;
	}
	return 0;
}

static const uni_decomp_t *decomp_find(const uni_decomp_t *t, size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t[mid].cp == cp) return &t[mid];
		if (t[mid].cp < cp) lo = mid + 1; else hi = mid;
	}
	return NULL;
}

static uint32_t comp_find(uint32_t a, uint32_t b)
{
	size_t lo = 0, hi = uni_comp_n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const uni_comp_t *c = &uni_comp[mid];
		if (c->a == a && c->b == b) return c->c;
		if (c->a < a || (c->a == a && c->b < b)) lo = mid + 1; else hi = mid;
	}
	return 0;
}

enum { SBASE = 0xAC00, LBASE = 0x1100, VBASE = 0x1161, TBASE = 0x11A7,
       LCOUNT = 19, VCOUNT = 21, TCOUNT = 28, NCOUNT = VCOUNT * TCOUNT, SCOUNT = LCOUNT * NCOUNT };

/* Code points being normalized; with map, a parallel list of input byte spans: decomposition
 * copies the source's span to each part, reordering leaves the spans in place, composition
 * drops the absorbed char's entry (the composed char keeps the starter's), as HF aligns. */
typedef struct { uint32_t *v, *lo, *hi; uint8_t *ins; size_t n, cap; int map; } cpbuf_t;

static void cp_push(cpbuf_t *b, uint32_t cp, uint32_t lo, uint32_t hi)
{
	if (b->n == b->cap) {
		size_t c = b->cap;
		xgrow((void **)&b->v, &c, b->n + 1, sizeof *b->v);
		if (b->map) {
			size_t c2 = b->cap, c3 = b->cap, c4 = b->cap;
			xgrow((void **)&b->lo, &c2, b->n + 1, sizeof *b->lo);
			xgrow((void **)&b->hi, &c3, b->n + 1, sizeof *b->hi);
			xgrow((void **)&b->ins, &c4, b->n + 1, sizeof *b->ins);
		}
		b->cap = c;
	}
	if (b->map) {
		/* a part after the first of one source char is an insertion (HF's change +1) */
		b->ins[b->n] = b->n > 0 && b->lo[b->n - 1] == lo && b->hi[b->n - 1] == hi;
		b->lo[b->n] = lo;
		b->hi[b->n] = hi;
	}
	b->v[b->n++] = cp;
}

char *uni_normalize_map(uni_form_t form, const char *s, size_t n, size_t *outn, uint32_t **map)
{
	int compose = form == UNI_NFC || form == UNI_NFKC;
	int compat = form == UNI_NFKC || form == UNI_NFKD;
	/* Quick check: only NFC has one; the other forms are rare enough to always run fully. */
	size_t i = 0;
	if (form == UNI_NFC) {
		for (; i < n; ) {
			if ((unsigned char)s[i] < 0x80) { i++; continue; }
			int l;
			uint32_t cp = utf8_decode(s + i, &l);
			if (cp >= 0x300 && uni_in_ranges(uni_nfc_unsafe, uni_nfc_unsafe_n, cp)) break;
			i += l;
		}
		if (i == n) return NULL;
	} else {
		for (; i < n && (unsigned char)s[i] < 0x80; i++) {}
		if (i == n) return NULL;
	}
	cpbuf_t b = {0};
	b.map = map != NULL;
	for (i = 0; i < n; ) {
		int l;
		uint32_t cp = utf8_decode(s + i, &l);
		uint32_t lo = (uint32_t)i, hi = (uint32_t)(i + (size_t)l);
		i += (size_t)l;
		if (cp >= SBASE && cp < SBASE + SCOUNT) {
			uint32_t si = cp - SBASE;
			cp_push(&b, LBASE + si / NCOUNT, lo, hi);
			cp_push(&b, VBASE + (si % NCOUNT) / TCOUNT, lo, hi);
			if (si % TCOUNT) cp_push(&b, TBASE + si % TCOUNT, lo, hi);
			continue;
		}
		const uni_decomp_t *d = NULL;
		if (cp >= 0xA0) {
			if (compat) d = decomp_find(uni_compat, uni_compat_n, cp);
			if (!d) d = decomp_find(uni_canon, uni_canon_n, cp);
		}
		if (!d) { cp_push(&b, cp, lo, hi); continue; }
		/* The tables hold full decompositions, so Hangul inside them is already expanded
		 * except for compatibility forms that map to syllables; expand those here. */
		for (uint32_t k = 0; k < d->len; k++) {
			uint32_t c = uni_decomp_pool[d->off + k];
			if (c >= SBASE && c < SBASE + SCOUNT) {
				uint32_t si = c - SBASE;
				cp_push(&b, LBASE + si / NCOUNT, lo, hi);
				cp_push(&b, VBASE + (si % NCOUNT) / TCOUNT, lo, hi);
				if (si % TCOUNT) cp_push(&b, TBASE + si % TCOUNT, lo, hi);
			} else cp_push(&b, c, lo, hi);
		}
	}
	/* Canonical ordering: stable insertion sort of each run of non-starters by ccc. The spans
	 * stay in place: HF's alignments are positional (a reordered mark does not take its
	 * source with it; measured with tokenizers 0.23.3 offsets). */
	for (size_t k = 1; k < b.n; k++) {
		int c = ccc_of(b.v[k]);
		if (!c) continue;
		size_t j = k;
		uint32_t v = b.v[k];
		uint8_t vi = b.ins ? b.ins[k] : 0;
		while (j > 0 && ccc_of(b.v[j - 1]) > c) {
			b.v[j] = b.v[j - 1];
			if (b.ins && !compose) b.ins[j] = b.ins[j - 1];
			j--;
		}
		b.v[j] = v;
		if (b.ins && !compose) b.ins[j] = vi;
	}
	/* with map, composition removes span entries positionally: the first one still present
	 * after the starter's (HF: the composed char "consumes" the next original position) */
	uint8_t *rm = compose && b.map ? xcalloc(b.n + 1, 1) : NULL;
	size_t nall = b.n, starter_k = 0;
	if (compose && b.n) {
		size_t starter = 0, w = 1;
		int starter_ok = ccc_of(b.v[0]) == 0;
		int last_ccc = starter_ok ? 0 : 256;
		for (size_t k = 1; k < b.n; k++) {
			uint32_t c = b.v[k];
			int cc = ccc_of(c);
			if (starter_ok && (last_ccc < cc || (last_ccc == 0 && w - 1 == starter))) {
				uint32_t st = b.v[starter], comp = 0;
				if (st >= LBASE && st < LBASE + LCOUNT && c >= VBASE && c < VBASE + VCOUNT &&
				    w - 1 == starter)
					comp = SBASE + ((st - LBASE) * VCOUNT + (c - VBASE)) * TCOUNT;
				else if (st >= SBASE && st < SBASE + SCOUNT && (st - SBASE) % TCOUNT == 0 &&
				         c > TBASE && c < TBASE + TCOUNT && w - 1 == starter)
					comp = st + (c - TBASE);
				else
					comp = comp_find(st, c);
				if (comp) {
					/* the composed char keeps the starter's span: HF's offsets for NFC
					 * "A\u030a" -> "\u00c5" cover the "A" only (hf-oracle qwen3) */
					b.v[starter] = comp;
					if (rm) {
						size_t r = starter_k + 1;
						while (r < nall && rm[r]) r++;
						if (r < nall) rm[r] = 1;
					}
					continue;
				}
			}
			if (cc == 0) { starter = w; starter_k = k; starter_ok = 1; last_ccc = 0; }
			else last_ccc = cc;
			b.v[w++] = c;
		}
		b.n = w;
	}
	if (rm) {   /* keep the entries not removed, in order: one per output char */
		size_t w = 0;
		for (size_t k = 0; k < nall; k++)
			if (!rm[k]) { b.lo[w] = b.lo[k]; b.hi[w] = b.hi[k]; w++; }
		free(rm);
	}
	if (b.map && !compose) {
		/* NFD/NFKD: HF aligns by "changes": the first part of a decomposition replaces its
		 * source char, the others are inserted and share the previous char's span; the
		 * reordering moves those roles with the chars (measured on tokenizers 0.23.3). */
		size_t ptr = 0, nsrc = 0;
		uint32_t *slo = xmalloc((b.n + 1) * sizeof *slo), *shi = xmalloc((b.n + 1) * sizeof *shi);
		for (size_t k = 0; k < b.n; k++)   /* the source chars, in order, from the spans */
			if (!nsrc || b.lo[k] != slo[nsrc - 1]) { slo[nsrc] = b.lo[k]; shi[nsrc] = b.hi[k]; nsrc++; }
		uint32_t plo = 0, phi = 0;
		for (size_t k = 0; k < b.n; k++) {
			if (b.ins[k] && k > 0) { b.lo[k] = plo; b.hi[k] = phi; continue; }
			if (ptr < nsrc) { b.lo[k] = slo[ptr]; b.hi[k] = shi[ptr]; ptr++; }
			plo = b.lo[k];
			phi = b.hi[k];
		}
		free(slo);
		free(shi);
	}
	char *out = xmalloc(b.n * 4 + 1);
	uint32_t *m = map ? xmalloc((b.n * 4 + 1) * 2 * sizeof *m) : NULL;
	size_t o = 0;
	for (size_t k = 0; k < b.n; k++) {
		int l = utf8_encode(b.v[k], out + o);
		for (int q = 0; m && q < l; q++) { m[2 * (o + (size_t)q)] = b.lo[k]; m[2 * (o + (size_t)q) + 1] = b.hi[k]; }
		o += (size_t)l;
	}
	out[o] = 0;
	free(b.v);
	free(b.lo);
	free(b.hi);
	free(b.ins);
	*outn = o;
	if (map) *map = m;
	return out;
}

char *uni_normalize(uni_form_t form, const char *s, size_t n, size_t *outn)
{
	return uni_normalize_map(form, s, n, outn, NULL);
}

char *uni_lowercase_map(const char *s, size_t n, size_t *outn, uint32_t **map)
{
	char *out = xmalloc(n * 3 + 1);   /* a code point lowercases to at most 3 bytes per input byte */
	uint32_t *m = map ? xmalloc((n * 3 + 1) * 2 * sizeof *m) : NULL;
	size_t o = 0;
	for (size_t i = 0; i < n; ) {
		unsigned char c = (unsigned char)s[i];
		size_t o0 = o, i0 = i;
		if (c < 0x80) {
			out[o++] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
			i++;
		} else {
			int l;
			uint32_t cp = utf8_decode(s + i, &l);
			i += (size_t)l;
			const uni_decomp_t *d = decomp_find(uni_lower, uni_lower_n, cp);
			if (!d) o += (size_t)utf8_encode(cp, out + o);
			else
				for (uint32_t k = 0; k < d->len; k++) o += (size_t)utf8_encode(uni_lower_pool[d->off + k], out + o);
		}
		for (size_t q = o0; m && q < o; q++) { m[2 * q] = (uint32_t)i0; m[2 * q + 1] = (uint32_t)i; }
	}
	out[o] = 0;
	*outn = o;
	if (map) *map = m;
	return out;
}

char *uni_lowercase(const char *s, size_t n, size_t *outn) { return uni_lowercase_map(s, n, outn, NULL); }
