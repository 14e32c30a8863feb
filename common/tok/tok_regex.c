/* tok_regex: HF tokenizer regexes (Oniguruma, Unicode 16) compiled with PCRE2 10.42 (Unicode 14).
 *
 * The two engines agree on the syntax the tokenizer.json files use (alternation order, (?i:),
 * (?!\S), {1,3}, classes) but not on the Unicode data, so the pattern is rewritten before it
 * is compiled (reference/tokenizer.md 2.3):
 *   \p{X}  ->  [\p{X}<code points HF has and Unicode 14 lacks>]   (X in L N P S M Lu Ll Lt Lm Lo)
 *   \s \S  ->  HF's 25-point White_Space class (PCRE2 adds U+180E)
 *   \w     ->  Oniguruma's word class (see word_inside)
 *   \uHHHH ->  \x{HHHH}
 * Constructs PCRE2 would read differently (nested classes, && intersections) are refused.
 * Also here: the string->id hash every table of the tokenizer uses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "tok_internal.h"
#include "unicode.h"
#include "utf8.h"

/* ---- hash ---- */

uint64_t tok_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xFF51AFD7ED558CCDull);
	while (n >= 8) {
		uint64_t v;
		memcpy(&v, s, 8);
		h = (h ^ v) * 0xBF58476D1CE4E5B9ull;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	uint64_t v = 0;
	memcpy(&v, s, n);
	h = (h ^ v) * 0x94D049BB133111EBull;
	h ^= h >> 32;
	h *= 0xD6E8FEB86659FD93ull;
	h ^= h >> 32;
	return h;
}

void strmap_init(strmap_t *m, size_t expect)
{
	memset(m, 0, sizeof *m);
	size_t cap = 16;
	while (cap < expect * 2) cap <<= 1;
	m->slot = xcalloc(cap, sizeof *m->slot);
	m->mask = cap - 1;
}

void strmap_free(strmap_t *m)
{
	free(m->slot);
	free(m->off);
	free(m->len);
	free(m->val);
	free(m->pool);
	memset(m, 0, sizeof *m);
}

static size_t strmap_find(const strmap_t *m, const char *k, size_t kn, uint64_t h)
{
	size_t i = h & m->mask;
	uint64_t hi = h >> 32;
	for (;;) {
		uint64_t sl = m->slot[i];
		if (!sl) return i;
		if ((sl >> 32) == hi) {
			uint32_t e = (uint32_t)sl - 1;
			if (m->len[e] == kn && memcmp(m->pool + m->off[e], k, kn) == 0) return i;
		}
		i = (i + 1) & m->mask;
	}
}

int32_t strmap_get(const strmap_t *m, const char *k, size_t kn)
{
	uint64_t sl = m->slot[strmap_find(m, k, kn, tok_hash(k, kn))];
	return sl ? m->val[(uint32_t)sl - 1] : -1;
}

void strmap_put(strmap_t *m, const char *k, size_t kn, int32_t v)
{
	if ((m->n + 1) * 2 > m->mask + 1) {   /* keep the load under one half */
		size_t cap = (m->mask + 1) * 2;
		free(m->slot);
		m->slot = xcalloc(cap, sizeof *m->slot);
		m->mask = cap - 1;
		for (size_t e = 0; e < m->n; e++) {
			uint64_t h = tok_hash(m->pool + m->off[e], m->len[e]);
			size_t i = h & m->mask;
			while (m->slot[i]) i = (i + 1) & m->mask;
			m->slot[i] = (h >> 32 << 32) | ((uint64_t)e + 1);
		}
	}
	uint64_t h = tok_hash(k, kn);
	size_t i = strmap_find(m, k, kn, h);
	if (m->slot[i]) { m->val[(uint32_t)m->slot[i] - 1] = v; return; }
	if (m->n == m->cap) {
		size_t c = m->cap;
		xgrow((void **)&m->off, &c, m->n + 1, sizeof *m->off);
		c = m->cap;
		xgrow((void **)&m->len, &c, m->n + 1, sizeof *m->len);
		c = m->cap;
		xgrow((void **)&m->val, &c, m->n + 1, sizeof *m->val);
		m->cap = c;
	}
	if (m->pool_n + kn + 1 > m->pool_cap) xgrow((void **)&m->pool, &m->pool_cap, m->pool_n + kn + 1, 1);
	memcpy(m->pool + m->pool_n, k, kn);
	m->pool[m->pool_n + kn] = 0;
	m->off[m->n] = (uint32_t)m->pool_n;
	m->len[m->n] = (uint32_t)kn;
	m->val[m->n] = v;
	m->pool_n += kn + 1;
	m->slot[i] = (h >> 32 << 32) | (uint64_t)++m->n;
}

/* ---- pattern rewriting ---- */

typedef struct { char *p; size_t n, cap; } sb_t;

static void sb_add(sb_t *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) xgrow((void **)&b->p, &b->cap, b->n + n + 1, 1);
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void sb_str(sb_t *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_cp(sb_t *b, uint32_t cp)
{
	char tmp[16];
	snprintf(tmp, sizeof tmp, "\\x{%X}", cp);
	sb_str(b, tmp);
}

static void sb_ranges(sb_t *b, const tok_range_t *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sb_cp(b, r[i].lo);
		if (r[i].hi != r[i].lo) { sb_str(b, "-"); sb_cp(b, r[i].hi); }
	}
}

/* The complement of sorted ranges over all scalar values (surrogates excluded). */
static void sb_complement(sb_t *b, const tok_range_t *r, size_t n)
{
	uint32_t next = 0;
	for (size_t i = 0; i <= n; i++) {
		uint32_t lo = i < n ? r[i].lo : 0x110000;
		if (lo > next) {
			uint32_t a = next, z = lo - 1;
			/* split around the surrogate block, which UTF mode cannot name */
			if (a <= 0xDFFF && z >= 0xD800) {
				if (a < 0xD800) { tok_range_t t = {a, 0xD7FF}; sb_ranges(b, &t, 1); }
				if (z > 0xDFFF) { tok_range_t t = {0xE000, z}; sb_ranges(b, &t, 1); }
			} else {
				tok_range_t t = {a, z};
				sb_ranges(b, &t, 1);
			}
		}
		if (i < n) next = r[i].hi + 1;
	}
}

/* Appends the inside-of-a-class form of a class (positive) */
static void class_inside(sb_t *b, const uni_class_t *c)
{
	if (strcmp(c->name, "s") == 0) { sb_ranges(b, c->full, c->nfull); return; }
	sb_str(b, "\\p{");
	sb_str(b, c->name);
	sb_str(b, "}");
	sb_ranges(b, c->extra, c->nextra);
}

/* Oniguruma's \w as measured on HF (a dev-time check with pip tokenizers over all code
 * points, scripts/tok_difftest.py): letters, marks, decimal and letter numbers, connector
 * punctuation, the Latin-1 superscripts and fractions, circled letters. Unicode 15/16 digits
 * are taken from HF's \p{N} additions; about 60 newer code points may still differ. */
static void word_inside(sb_t *b)
{
	const uni_class_t *n = uni_class_find("N", 1);
	class_inside(b, uni_class_find("L", 1));
	class_inside(b, uni_class_find("M", 1));
	sb_str(b, "\\p{Nd}\\p{Nl}\\p{Pc}\\x{B2}\\x{B3}\\x{B9}\\x{BC}-\\x{BE}\\x{24B6}-\\x{24E9}");
	sb_ranges(b, n->extra, n->nextra);
}

char *tok_re_rewrite(const char *pat, char *err, size_t errn)
{
	sb_t b = {0};
	sb_str(&b, "");
	int in_class = 0;
	size_t n = strlen(pat);
	for (size_t i = 0; i < n; ) {
		char c = pat[i];
		if (c == '\\' && i + 1 < n) {
			char e = pat[i + 1];
			if (e == 'p' || e == 'P') {
				const char *name;
				size_t nl, adv;
				if (i + 2 < n && pat[i + 2] == '{') {
					const char *close = strchr(pat + i + 3, '}');
					if (!close) { snprintf(err, errn, "unterminated \\p{ at offset %zu", i); free(b.p); return NULL; }
					name = pat + i + 3;
					nl = (size_t)(close - name);
					adv = (size_t)(close - (pat + i)) + 1;
				} else {
					name = pat + i + 2;
					nl = 1;
					adv = 3;
				}
				int neg = e == 'P';
				if (nl && name[0] == '^') { neg = !neg; name++; nl--; }
				const uni_class_t *cls = uni_class_find(name, nl);
				if (!cls || strcmp(cls->name, "s") == 0) {
					/* a script or other property HF data was not measured for: PCRE2's own */
					sb_add(&b, neg ? "\\P{" : "\\p{", 3);
					sb_add(&b, name, nl);
					sb_str(&b, "}");
				} else if (in_class) {
					if (neg) sb_complement(&b, cls->full, cls->nfull);
					else class_inside(&b, cls);
				} else {
					sb_str(&b, neg ? "[^" : "[");
					class_inside(&b, cls);
					sb_str(&b, "]");
				}
				i += adv;
				continue;
			}
			if (e == 's' || e == 'S') {
				const uni_class_t *cls = uni_class_find("s", 1);
				if (in_class) {
					if (e == 'S') sb_complement(&b, cls->full, cls->nfull);
					else class_inside(&b, cls);
				} else {
					sb_str(&b, e == 'S' ? "[^" : "[");
					class_inside(&b, cls);
					sb_str(&b, "]");
				}
				i += 2;
				continue;
			}
			if (e == 'w' || e == 'W') {
				if (in_class && e == 'W') {
					snprintf(err, errn, "\\W inside a character class is not supported");
					free(b.p);
					return NULL;
				}
				if (!in_class) sb_str(&b, e == 'W' ? "[^" : "[");
				word_inside(&b);
				if (!in_class) sb_str(&b, "]");
				i += 2;
				continue;
			}
			if (e == 'h' || e == 'H') {   /* Ruby syntax: a hexadecimal digit */
				if (in_class && e == 'H') {
					snprintf(err, errn, "\\H inside a character class is not supported");
					free(b.p);
					return NULL;
				}
				sb_str(&b, in_class ? "0-9a-fA-F" : e == 'H' ? "[^0-9a-fA-F]" : "[0-9a-fA-F]");
				i += 2;
				continue;
			}
			if (e == 'u' && i + 6 <= n) {
				char hex[5];
				memcpy(hex, pat + i + 2, 4);
				hex[4] = 0;
				char *end;
				unsigned long v = strtoul(hex, &end, 16);
				if (*end == 0) { sb_cp(&b, (uint32_t)v); i += 6; continue; }
			}
			/* any other escape: copied with the whole (possibly multi-byte) escaped char */
			int l = utf8_len((unsigned char)e);
			sb_add(&b, pat + i, 1 + (size_t)l);
			i += 1 + (size_t)l;
			continue;
		}
		if (c == '[') {
			if (in_class) {
				if (i + 1 < n && pat[i + 1] == ':') {   /* POSIX bracket: copy through ":]" */
					const char *close = strstr(pat + i, ":]");
					if (close) {
						sb_add(&b, pat + i, (size_t)(close + 2 - (pat + i)));
						i = (size_t)(close + 2 - pat);
						continue;
					}
				}
				snprintf(err, errn, "nested character class at offset %zu is not supported", i);
				free(b.p);
				return NULL;
			}
			in_class = 1;
			sb_add(&b, "[", 1);
			i++;
			if (i < n && pat[i] == '^') { sb_add(&b, "^", 1); i++; }
			if (i < n && pat[i] == ']') { sb_add(&b, "\\]", 2); i++; }
			continue;
		}
		if (in_class && c == '&' && i + 1 < n && pat[i + 1] == '&') {
			snprintf(err, errn, "class intersection '&&' at offset %zu is not supported", i);
			free(b.p);
			return NULL;
		}
		if (in_class && c == ']') in_class = 0;
		int l = utf8_len((unsigned char)c);
		sb_add(&b, pat + i, (size_t)l);
		i += (size_t)l;
	}
	return b.p;
}

tok_re_t *tok_re_compile(const char *pattern, char *err, size_t errn)
{
	char *rw = tok_re_rewrite(pattern, err, errn);
	if (!rw) return NULL;
	int ec;
	PCRE2_SIZE eo;
	/* MULTILINE: in Oniguruma's Ruby syntax (HF's) ^ and $ are line anchors */
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)rw, PCRE2_ZERO_TERMINATED,
	                                 PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE, &ec, &eo, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof msg);
		snprintf(err, errn, "regex does not compile: %s", (char *)msg);
		free(rw);
		return NULL;
	}
	free(rw);
	/* JIT is several times faster; if this platform has none, the interpreter gives the same
	 * matches */
	int jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
	tok_re_t *re = xcalloc(1, sizeof *re);
	re->code = code;
	re->jit = jit;
	re->fast = getenv("FT_TOK_NO_FASTSPLIT") ? TOK_FAST_NONE : tok_fast_kind(pattern);
	if (re->fast) tok_fast_init();
	re->src = xstrdup(pattern);
	return re;
}

void tok_re_free(tok_re_t *re)
{
	if (!re) return;
	pcre2_code_free(re->code);
	free(re->src);
	free(re);
}
