/* tok_decode: ids -> text, HF's decoder chain (reference/tokenizer.md 1.9).
 *
 * HF decoders transform a list of token strings step by step and the result is joined; the
 * list is kept here too because several decoders act per token (Metaspace drops the leading
 * replacement of token 0 only, Strip trims each token). Invalid UTF-8 becomes U+FFFD the way
 * Rust's from_utf8_lossy does it (one per maximal invalid subsequence), except in ByteFallback,
 * which gives one U+FFFD per byte of a bad run. */
#define _GNU_SOURCE   /* memmem */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "tok_internal.h"
#include "utf8.h"

typedef struct { char *p; size_t n; } str_t;
typedef struct { str_t *v; size_t n, cap; } strv_t;
typedef struct { char *p; size_t n, cap; } buf_t;

static void buf_add(buf_t *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) xgrow((void **)&b->p, &b->cap, b->n + n + 1, 1);
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void sv_push(strv_t *v, char *p, size_t n)
{
	if (v->n == v->cap) xgrow((void **)&v->v, &v->cap, v->n + 1, sizeof *v->v);
	v->v[v->n].p = p;
	v->v[v->n].n = n;
	v->n++;
}

static char *dup_n(const char *s, size_t n)
{
	char *o = xmalloc(n + 1);
	memcpy(o, s, n);
	o[n] = 0;
	return o;
}

static void sv_clear(strv_t *v)
{
	for (size_t i = 0; i < v->n; i++) free(v->v[i].p);
	v->n = 0;
}

static const char FFFD[] = "\xEF\xBF\xBD";

/* Rust String::from_utf8_lossy */
static void lossy(buf_t *o, const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) { buf_add(o, (const char *)s + i, 1); i++; continue; }
		size_t need = 0;
		unsigned char lo = 0x80, hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF) need = 1;
		else if (c == 0xE0) { need = 2; lo = 0xA0; }
		else if (c >= 0xE1 && c <= 0xEC) need = 2;
		else if (c == 0xED) { need = 2; hi = 0x9F; }
		else if (c >= 0xEE && c <= 0xEF) need = 2;
		else if (c == 0xF0) { need = 3; lo = 0x90; }
		else if (c >= 0xF1 && c <= 0xF3) need = 3;
		else if (c == 0xF4) { need = 3; hi = 0x8F; }
		if (!need) { buf_add(o, FFFD, 3); i++; continue; }
		size_t k = 1;
		for (; k <= need && i + k < n; k++) {
			unsigned char d = s[i + k];
			unsigned char l2 = k == 1 ? lo : 0x80, h2 = k == 1 ? hi : 0xBF;
			if (d < l2 || d > h2) break;
		}
		if (k == need + 1) { buf_add(o, (const char *)s + i, need + 1); i += need + 1; }
		else { buf_add(o, FFFD, 3); i += k; }
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static char *replace_all(const char *s, size_t n, const char *pat, size_t patn, const tok_re_t *re,
                         const char *content, size_t cn, size_t *outn, pcre2_match_data *md)
{
	buf_t b = {0};
	buf_add(&b, "", 0);
	size_t prev = 0;
	if (re) {
		size_t pos = 0, last = (size_t)-1, a, e;
		while (tok_re_next(re, md, s, n, &pos, &last, &a, &e)) {
			buf_add(&b, s + prev, a - prev);
			buf_add(&b, content, cn);
			prev = e;
		}
	} else {
		const char *p = s, *end = s + n;
		while (p < end) {
			const char *hit = memmem(p, (size_t)(end - p), pat, patn);
			if (!hit) break;
			buf_add(&b, s + prev, (size_t)(hit - (s + prev)));
			buf_add(&b, content, cn);
			prev = (size_t)(hit - s) + patn;
			p = s + prev;
		}
	}
	buf_add(&b, s + prev, n - prev);
	*outn = b.n;
	return b.p;
}

static void run_decoder(const dec_t *d, strv_t *v, pcre2_match_data *md)
{
	switch (d->kind) {
	case DEC_BYTELEVEL: {
		/* every char of a token back to its byte; a token with any other char is kept as
		 * its own UTF-8 (added tokens); then one lossy UTF-8 pass over the lot */
		buf_t raw = {0};
		buf_add(&raw, "", 0);
		for (size_t i = 0; i < v->n; i++) {
			const char *s = v->v[i].p;
			size_t n = v->v[i].n, start = raw.n;
			int ok = 1;
			for (size_t k = 0; k < n; ) {
				int l;
				int b = tok_cp2byte(utf8_decode(s + k, &l));
				if (b < 0) { ok = 0; break; }
				char c = (char)b;
				buf_add(&raw, &c, 1);
				k += (size_t)l;
			}
			if (!ok) { raw.n = start; buf_add(&raw, s, n); }
		}
		buf_t o = {0};
		buf_add(&o, "", 0);
		lossy(&o, (const unsigned char *)raw.p, raw.n);
		free(raw.p);
		sv_clear(v);
		sv_push(v, o.p, o.n);
		return;
	}
	case DEC_METASPACE:
		for (size_t i = 0; i < v->n; i++) {
			buf_t o = {0};
			buf_add(&o, "", 0);
			const char *s = v->v[i].p;
			size_t n = v->v[i].n;
			for (size_t k = 0; k < n; ) {
				if (k + (size_t)d->repln <= n && !memcmp(s + k, d->repl, (size_t)d->repln)) {
					if (!(i == 0 && d->scheme != SCHEME_NEVER)) buf_add(&o, " ", 1);
					k += (size_t)d->repln;
				} else {
					int l = utf8_len((unsigned char)s[k]);
					buf_add(&o, s + k, (size_t)l);
					k += (size_t)l;
				}
			}
			free(v->v[i].p);
			v->v[i].p = o.p;
			v->v[i].n = o.n;
		}
		return;
	case DEC_BYTEFALLBACK: {
		strv_t nv = {0};
		buf_t bytes = {0};
		buf_add(&bytes, "", 0);
		for (size_t i = 0; i <= v->n; i++) {
			int byte = -1;
			if (i < v->n) {
				const char *s = v->v[i].p;
				if (v->v[i].n == 6 && !memcmp(s, "<0x", 3) && s[5] == '>' && hexval(s[3]) >= 0 && hexval(s[4]) >= 0)
					byte = hexval(s[3]) * 16 + hexval(s[4]);
			}
			if (byte >= 0) {
				char c = (char)byte;
				buf_add(&bytes, &c, 1);
				free(v->v[i].p);
				continue;
			}
			if (bytes.n) {
				if (utf8_valid_prefix(bytes.p, bytes.n) == bytes.n) sv_push(&nv, dup_n(bytes.p, bytes.n), bytes.n);
				else
					for (size_t k = 0; k < bytes.n; k++) sv_push(&nv, dup_n(FFFD, 3), 3);
				bytes.n = 0;
			}
			if (i < v->n) sv_push(&nv, v->v[i].p, v->v[i].n);
		}
		free(bytes.p);
		free(v->v);
		*v = nv;
		return;
	}
	case DEC_FUSE: {
		buf_t o = {0};
		buf_add(&o, "", 0);
		for (size_t i = 0; i < v->n; i++) buf_add(&o, v->v[i].p, v->v[i].n);
		sv_clear(v);
		sv_push(v, o.p, o.n);
		return;
	}
	case DEC_STRIP:
		for (size_t i = 0; i < v->n; i++) {
			char *s = v->v[i].p;
			size_t n = v->v[i].n, a = 0, b = n, cn = d->contentn;
			for (int k = 0; k < d->start && a + cn <= b && !memcmp(s + a, d->content, cn); k++) a += cn;
			for (int k = 0; k < d->stop && b >= a + cn && !memcmp(s + b - cn, d->content, cn); k++) b -= cn;
			memmove(s, s + a, b - a);
			s[b - a] = 0;
			v->v[i].n = b - a;
		}
		return;
	case DEC_REPLACE:
		for (size_t i = 0; i < v->n; i++) {
			size_t on;
			char *o = replace_all(v->v[i].p, v->v[i].n, d->pat, d->patn, d->re, d->content, d->contentn, &on, md);
			free(v->v[i].p);
			v->v[i].p = o;
			v->v[i].n = on;
		}
		return;
	case DEC_BPE:
		for (size_t i = 0; i < v->n; i++) {
			size_t on;
			const char *rep = i + 1 == v->n ? "" : " ";
			char *o = replace_all(v->v[i].p, v->v[i].n, d->pat, d->patn, NULL, rep, strlen(rep), &on, md);
			free(v->v[i].p);
			v->v[i].p = o;
			v->v[i].n = on;
		}
		return;
	}
}

/* transformers' clean_up_tokenization, in its order. Not applied by tok_decode: the goldens
 * (tokenizers/golden, hf-oracle) are raw `tokenizers` decodes, even for Llama 3 whose config
 * sets clean_up_tokenization_spaces. */
char *tok_cleanup_spaces(char *s, size_t *n)
{
	static const char *const pairs[][2] = {
		{" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
		{" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		if (!memmem(s, *n, pairs[i][0], strlen(pairs[i][0]))) continue;
		size_t on;
		char *o = replace_all(s, *n, pairs[i][0], strlen(pairs[i][0]), NULL, pairs[i][1], strlen(pairs[i][1]), &on, NULL);
		free(s);
		s = o;
		*n = on;
	}
	return s;
}

char *tok_decode(const tok_t *t, const int32_t *ids, size_t n, int skip_special, size_t *len)
{
	strv_t v = {0};
	for (size_t i = 0; i < n; i++) {
		int32_t id = ids[i];
		if (id < 0 || (size_t)id >= t->nids || !t->id_str[id]) continue;
		if (skip_special && t->id_special[id]) continue;
		sv_push(&v, dup_n(t->id_str[id], t->id_len[id]), t->id_len[id]);
	}
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	buf_t o = {0};
	buf_add(&o, "", 0);
	if (t->has_decoder) {
		for (size_t k = 0; k < t->ndec; k++) run_decoder(&t->dec[k], &v, md);
		for (size_t i = 0; i < v.n; i++) buf_add(&o, v.v[i].p, v.v[i].n);
	} else {
		for (size_t i = 0; i < v.n; i++) {
			if (i) buf_add(&o, " ", 1);
			buf_add(&o, v.v[i].p, v.v[i].n);
		}
	}
	pcre2_match_data_free(md);
	sv_clear(&v);
	free(v.v);
	if (len) *len = o.n;
	return o.p;
}
