/* tok_fastsplit: hand-written matchers for the three pre-tokenizer regexes nearly every
 * byte-level model uses (GPT-2, Llama 3 / cl100k, Qwen2), because on real text the regex was
 * 40% of the encode time and most of that is per-match overhead in PCRE2.
 *
 * Each matcher reproduces the backtracking engine's answer for its pattern exactly
 * (leftmost-first alternation, greedy quantifiers, the (?!\S) lookahead), reasoning per
 * alternative in the comments. Classes are HF's Unicode 16 sets (unicode_tables.c) looked up
 * through a two-stage table. test_tokenizer_fastsplit compares every matcher with PCRE2 on
 * generated strings, so the two paths cannot drift. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "tok_internal.h"
#include "unicode.h"
#include "utf8.h"

static const char *const PATTERNS[] = {
	[TOK_FAST_GPT2] = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
	[TOK_FAST_LLAMA3] = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
	[TOK_FAST_QWEN2] = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
};

int tok_fast_kind(const char *pattern)
{
	for (int k = 1; k < TOK_FAST_N; k++)
		if (!strcmp(pattern, PATTERNS[k])) return k;
	return TOK_FAST_NONE;
}

const char *tok_fast_pattern(int kind) { return kind > 0 && kind < TOK_FAST_N ? PATTERNS[kind] : NULL; }

/* ---- classes: L, N, HF \s ---- */

enum { C_L = 1, C_N = 2, C_S = 4 };

static uint16_t *stage1;      /* 0x1100 blocks of 256 code points -> block index */
static uint8_t *stage2;
static pthread_once_t cls_once = PTHREAD_ONCE_INIT;

static void cls_build(void)
{
	uint8_t *flat = xcalloc(0x110000, 1);
	static const struct { const char *name; uint8_t bit; } map[] = {{"L", C_L}, {"N", C_N}, {"s", C_S}};
	for (int m = 0; m < 3; m++) {
		const uni_class_t *c = uni_class_find(map[m].name, strlen(map[m].name));
		for (size_t i = 0; i < c->nfull; i++)
			for (uint32_t cp = c->full[i].lo; cp <= c->full[i].hi; cp++) flat[cp] |= map[m].bit;
	}
	stage1 = xmalloc(0x1100 * sizeof *stage1);
	size_t nb = 0, cap = 0;
	for (uint32_t b = 0; b < 0x1100; b++) {
		size_t k;
		for (k = 0; k < nb; k++)
			if (!memcmp(stage2 + k * 256, flat + b * 256, 256)) break;
		if (k == nb) {
			if ((nb + 1) * 256 > cap) xgrow((void **)&stage2, &cap, (nb + 1) * 256, 1);
			memcpy(stage2 + nb * 256, flat + b * 256, 256);
			nb++;
		}
		stage1[b] = (uint16_t)k;
	}
	free(flat);
}

void tok_fast_init(void) { pthread_once(&cls_once, cls_build); }

static inline int cls(uint32_t cp) { return stage2[(size_t)stage1[cp >> 8] * 256 + (cp & 0xFF)]; }

/* Decodes the char at i (i < n); *l = its length. */
static inline uint32_t at(const char *s, size_t i, int *l)
{
	unsigned char c = (unsigned char)s[i];
	if (c < 0x80) { *l = 1; return c; }
	return utf8_decode(s + i, l);
}

/* Contractions: 's 't 're 've 'm 'll 'd after an apostrophe at i; returns the end or 0.
 * caseless: as PCRE2/Oniguruma fold them, s also matches S and U+017F (long s). */
static size_t contraction(const char *s, size_t n, size_t i, int caseless)
{
	if (s[i] != '\'' || i + 1 >= n) return 0;
	int l;
	uint32_t c = at(s, i + 1, &l);
	uint32_t c2 = 0;
	int l2 = 0;
	if (i + 1 + (size_t)l < n) c2 = at(s, i + 1 + (size_t)l, &l2);
	if (caseless) {
		if (c < 0x80) c |= 0x20;
		if (c2 < 0x80 && c2) c2 |= 0x20;
		if (c == 0x17F) c = 's';
	}
	size_t e1 = i + 1 + (size_t)l, e2 = e1 + (size_t)l2;
	if (c == 's' || c == 't' || c == 'm' || c == 'd') return e1;
	if ((c == 'r' || c == 'v') && c2 == 'e') return e2;
	if (c == 'l' && c2 == 'l') return e2;
	return 0;
}

/* End of the run of chars from i whose class has any bit of want (and none of avoid). */
static size_t run(const char *s, size_t n, size_t i, int want, int avoid)
{
	while (i < n) {
		int l;
		int c = cls(at(s, i, &l));
		if (!(c & want) || (c & avoid)) break;
		i += (size_t)l;
	}
	return i;
}

/* "P" chars: [^\s\p{L}\p{N}] */
static size_t run_p(const char *s, size_t n, size_t i)
{
	while (i < n) {
		int l;
		if (cls(at(s, i, &l))) break;
		i += (size_t)l;
	}
	return i;
}

/* Whitespace alternatives shared by all three: \s+(?!\S) then \s+, at i where s[i] is \s.
 * Greedy \s+ reaches the end j of the run; (?!\S) holds at j only at the end of the piece,
 * otherwise backtracking one char makes it hold (the char at j-1 is \s), if that leaves one. */
static size_t ws_tail(size_t n, size_t i, size_t j, size_t jprev)
{
	if (j == n) return j;
	if (jprev > i) return jprev;
	return j;   /* \s+ */
}

/* Match at exactly position i; returns the end, or 0 if no alternative matches there. */
static size_t match_at(int kind, const char *s, size_t n, size_t i)
{
	int l0;
	uint32_t c0 = at(s, i, &l0);
	int k0 = cls(c0);
	size_t i1 = i + (size_t)l0;
	if (kind == TOK_FAST_GPT2) {
		size_t e = contraction(s, n, i, 0);
		if (e) return e;
		size_t st = i;
		int k = k0;
		if (c0 == ' ' && i1 < n) {   /* " ?X+": the space only if X+ follows it */
			int l1;
			int k1 = cls(at(s, i1, &l1));
			if (k1 & C_L) { st = i1; k = k1; }
			else if (k1 & C_N) { st = i1; k = k1; }
			else if (!k1) { st = i1; k = k1; }
		}
		if (k & C_L) return run(s, n, st, C_L, 0);
		if (k & C_N) return run(s, n, st, C_N, 0);
		if (!k) return run_p(s, n, st);
		/* c0 is \s (and " X" did not apply) */
		size_t j = i, jprev = i;
		while (j < n) {
			int l;
			if (!(cls(at(s, j, &l)) & C_S)) break;
			jprev = j;
			j += (size_t)l;
		}
		return ws_tail(n, i, j, jprev);
	}
	/* LLAMA3 / QWEN2 */
	size_t e = contraction(s, n, i, 1);
	if (e) return e;
	/* [^\r\n\p{L}\p{N}]?\p{L}+ */
	if (k0 & C_L) return run(s, n, i1, C_L, 0);
	if (!(k0 & (C_L | C_N)) && c0 != '\r' && c0 != '\n' && i1 < n) {
		int l1;
		if (cls(at(s, i1, &l1)) & C_L) return run(s, n, i1, C_L, 0);
	}
	/* \p{N}{1,3} or \p{N} */
	if (k0 & C_N) {
		size_t j = i1;
		for (int r = 1; r < (kind == TOK_FAST_LLAMA3 ? 3 : 1) && j < n; r++) {
			int l;
			if (!(cls(at(s, j, &l)) & C_N)) break;
			j += (size_t)l;
		}
		return j;
	}
	/* " ?[^\s\p{L}\p{N}]+[\r\n]*" */
	size_t st = 0;
	if (!k0) st = i;
	else if (c0 == ' ' && i1 < n) {
		int l1;
		if (!cls(at(s, i1, &l1))) st = i1;
	}
	if (st || (!k0)) {
		size_t j = run_p(s, n, st);
		while (j < n && (s[j] == '\r' || s[j] == '\n')) j++;
		return j;
	}
	/* c0 is \s: \s*[\r\n]+ ends after the last \r or \n of the run; else \s+(?!\S), \s+ */
	size_t j = i, jprev = i, lastnl = 0;
	int seen_nl = 0;
	while (j < n) {
		int l;
		uint32_t c = at(s, j, &l);
		if (!(cls(c) & C_S)) break;
		if (c == '\r' || c == '\n') { lastnl = j; seen_nl = 1; }
		jprev = j;
		j += (size_t)l;
	}
	if (seen_nl) return lastnl + 1;
	return ws_tail(n, i, j, jprev);
}

int tok_fast_next(int kind, const char *s, size_t n, size_t *pos, size_t *ms, size_t *me)
{
	tok_fast_init();
	for (size_t i = *pos; i < n; ) {
		size_t e = match_at(kind, s, n, i);
		if (e > i) {
			*ms = i;
			*me = e;
			*pos = e;
			return 1;
		}
		i += (size_t)utf8_len((unsigned char)s[i]);
	}
	*pos = n + 1;
	return 0;
}
