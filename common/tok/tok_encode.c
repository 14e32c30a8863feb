/* tok_encode: text -> ids, the HF pipeline step by step (reference/tokenizer.md 1.2).
 *
 * The input is cut at added tokens (leftmost-longest), then each remaining piece is
 * normalized, cut at normalized added tokens, pre-tokenized into words and BPE-encoded, all
 * before the next piece, so memory stays proportional to one piece. Byte offsets only: no
 * alignment tracking, which is what makes this cheaper than HF's NormalizedString.
 *
 * BPE merges the pair with the lowest (rank, position), as HF's heap does; short words use a
 * linear scan over cached pair ranks (fewer hash probes), long ones a binary heap, so a
 * megabyte-long SentencePiece "word" stays O(n log n). Words under 256 bytes are cached per
 * thread. All scratch memory lives in a per-thread state owned by the tok_t. */
#define _GNU_SOURCE   /* memmem */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "tok_internal.h"
#include "unicode.h"
#include "utf8.h"

typedef struct { uint32_t off, len; int32_t id; uint8_t first; } piece_t;
typedef struct { size_t s, e; int m; } mspan_t;
typedef struct { int32_t id, prev, next, rank, newid, len; } sym_t;   /* len: bytes of the word */
typedef struct { int32_t rank, pos, newid; } hent_t;

/* per-thread word cache: 2^15 words (HF keeps 10,000); cleared when full */
enum { CACHE_SLOTS = 1 << 16, CACHE_MAX = 1 << 15, CACHE_WORD_MAX = 256 };

typedef struct { uint64_t h; uint32_t koff, klen, voff, vlen; } centry_t;

typedef struct tok_state {
	char *arena;
	size_t an, acap;
	piece_t *pv[2];
	size_t pn[2], pcap[2];
	mspan_t *ms;
	size_t msn, mscap;
	pcre2_match_data *md;
	sym_t *sym;
	size_t symcap;
	hent_t *heap;
	size_t heapcap;
	/* word cache */
	centry_t *cslot;
	size_t ccount;
	char *ckey;
	size_t ckn, ckcap;
	int32_t *cval;
	size_t cvn, cvcap;
	tok_trace_fn trace;     /* tok_encode_trace's callback for the call in progress, or NULL */
	void *trace_ctx;
	pthread_t owner;        /* the thread using it */
	/* tok_encode_offsets: al holds, per arena byte, the original byte span [lo, hi) it came
	 * from (2 per byte); otext/olen is the input, for snapping spans to char boundaries */
	int offs;
	uint32_t *al;
	size_t alcap;
	const char *otext;
	size_t olen;
} tok_state_t;

static __thread size_t tls_bad_off;
static __thread struct { uint64_t serial; tok_state_t *st; } tls_slot[4];
static __thread unsigned tls_next;

size_t tok_bad_utf8_offset(void) { return tls_bad_off; }

void tok_state_free(tok_state_t *s)
{
	if (!s) return;
	free(s->arena);
	free(s->pv[0]);
	free(s->pv[1]);
	free(s->ms);
	if (s->md) pcre2_match_data_free(s->md);
	free(s->sym);
	free(s->heap);
	free(s->cslot);
	free(s->ckey);
	free(s->cval);
	free(s->al);
	free(s);
}

static tok_state_t *state_get(const tok_t *tc)
{
	for (int i = 0; i < 4; i++)
		if (tls_slot[i].serial == tc->serial) return tls_slot[i].st;
	tok_t *t = (tok_t *)tc;   /* the state list is the one mutable part, under t->lock */
	pthread_t self = pthread_self();
	tok_state_t *s = NULL;
	pthread_mutex_lock(&t->lock);
	/* this thread's state may have dropped out of its 4 slots (more tokenizers in turn) */
	for (size_t i = 0; i < t->nstates && !s; i++)
		if (pthread_equal(t->states[i]->owner, self)) s = t->states[i];
	if (!s) {
		s = xcalloc(1, sizeof *s);
		s->owner = self;
		s->md = pcre2_match_data_create(1, NULL);
		if (!s->md) ft_die(FT_EXIT_IO, "out of memory for regex match data");
		s->cslot = xcalloc(CACHE_SLOTS, sizeof *s->cslot);
		if (t->nstates == t->capstates) xgrow((void **)&t->states, &t->capstates, t->nstates + 1, sizeof *t->states);
		t->states[t->nstates++] = s;
	}
	pthread_mutex_unlock(&t->lock);
	unsigned k = tls_next++ % 4;
	tls_slot[k].serial = tc->serial;
	tls_slot[k].st = s;
	return s;
}

/* ---- output ---- */

static inline void out_push(tok_ids_t *o, int32_t id)
{
	if (o->n == o->cap) xgrow((void **)&o->ids, &o->cap, o->n + 1, sizeof *o->ids);
	o->ids[o->n++] = id;
}

static void out_pushn(tok_ids_t *o, const int32_t *ids, size_t k)
{
	if (!k) return;
	if (o->n + k > o->cap) xgrow((void **)&o->ids, &o->cap, o->n + k, sizeof *o->ids);
	memcpy(o->ids + o->n, ids, k * sizeof *ids);
	o->n += k;
}

/* ---- arena and piece lists ---- */

static size_t arena_reserve(tok_state_t *s, size_t n)
{
	if (s->an + n > s->acap) xgrow((void **)&s->arena, &s->acap, s->an + n, 1);
	if (s->offs && 2 * (s->an + n) > s->alcap) xgrow((void **)&s->al, &s->alcap, 2 * (s->an + n), sizeof *s->al);
	return s->an;
}

/* ---- offsets ---- */

static void offs_set(tok_state_t *s, tok_ids_t *o, size_t from, uint32_t lo, uint32_t hi)
{
	if (o->offs_cap < 2 * o->cap) xgrow((void **)&o->offs, &o->offs_cap, 2 * o->cap, sizeof *o->offs);
	/* HF's offsets are whole chars: a byte-level token holding part of a char gets all of it */
	if (s->otext) {
		while (lo > 0 && lo < s->olen && ((unsigned char)s->otext[lo] & 0xC0) == 0x80) lo--;
		while (hi < s->olen && hi > 0 && ((unsigned char)s->otext[hi] & 0xC0) == 0x80) hi++;
	}
	for (size_t i = from; i < o->n; i++) { o->offs[2 * i] = lo; o->offs[2 * i + 1] = hi; }
}

/* Original span of arena bytes [a, b) (b > a). */
static void al_span(const tok_state_t *s, size_t a, size_t b, uint32_t *lo, uint32_t *hi)
{
	*lo = s->al[2 * a];
	*hi = s->al[2 * (b - 1) + 1];
	if (*hi < *lo) *hi = *lo;
}

static void piece_push(tok_state_t *s, int which, uint32_t off, uint32_t len, int32_t id, int first)
{
	if (s->pn[which] == s->pcap[which])
		xgrow((void **)&s->pv[which], &s->pcap[which], s->pn[which] + 1, sizeof(piece_t));
	piece_t *p = &s->pv[which][s->pn[which]++];
	p->off = off;
	p->len = len;
	p->id = id;
	p->first = (uint8_t)first;
}

static void ms_push(tok_state_t *s, size_t a, size_t b, int m)
{
	if (s->msn == s->mscap) xgrow((void **)&s->ms, &s->mscap, s->msn + 1, sizeof *s->ms);
	s->ms[s->msn].s = a;
	s->ms[s->msn].e = b;
	s->ms[s->msn].m = m;
	s->msn++;
}

/* ---- regex iteration with Oniguruma's find_iter rule for empty matches ---- */

int tok_re_next(const tok_re_t *re, pcre2_match_data *md, const char *s, size_t n, size_t *pos,
                size_t *last_end, size_t *ms, size_t *me)
{
	if (re->fast) return tok_fast_next(re->fast, s, n, pos, ms, me);   /* never matches empty */
	for (;;) {
		if (*pos > n) return 0;
		/* pcre2_jit_match skips pcre2_match's per-call checks; pieces are short, so the
		 * call overhead is a large part of the regex time */
		int rc = re->jit ? pcre2_jit_match(re->code, (PCRE2_SPTR)s, n, *pos, PCRE2_NO_UTF_CHECK, md, NULL)
		                 : pcre2_match(re->code, (PCRE2_SPTR)s, n, *pos, PCRE2_NO_UTF_CHECK, md, NULL);
		if (rc == PCRE2_ERROR_NOMATCH) return 0;
		if (rc < 0) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(rc, msg, sizeof msg);
			ft_die(FT_EXIT_DATA, "regex %s: %s", q(re->src), (char *)msg);
		}
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		size_t a = ov[0], b = ov[1];
		/* no empty match right where the previous match ended: step one char and retry */
		if (a == b && *last_end == b) {
			*pos += *pos < n ? (size_t)utf8_len((unsigned char)s[*pos]) : 1;
			continue;
		}
		*pos = b;
		*last_end = b;
		*ms = a;
		*me = b;
		return 1;
	}
}

/* ---- normalizers ---- */

static char *concat3(const char *a, size_t an, const char *b, size_t bn, size_t *outn)
{
	char *o = xmalloc(an + bn + 1);
	memcpy(o, a, an);
	memcpy(o + an, b, bn);
	o[an + bn] = 0;
	*outn = an + bn;
	return o;
}

static char *norm_replace(const norm_t *nm, const char *s, size_t n, size_t *outn, pcre2_match_data *md)
{
	char *o = NULL;
	size_t on = 0, cap = 0, prev = 0;
	int any = 0;
	if (!nm->re) {
		const char *p = s, *end = s + n;
		while (p < end) {
			const char *hit = memmem(p, (size_t)(end - p), nm->pat, nm->patn);
			if (!hit) break;
			size_t need = on + (size_t)(hit - (s + prev)) + nm->contentn + 1;
			if (need > cap) xgrow((void **)&o, &cap, need, 1);
			memcpy(o + on, s + prev, (size_t)(hit - (s + prev)));
			on += (size_t)(hit - (s + prev));
			memcpy(o + on, nm->content, nm->contentn);
			on += nm->contentn;
			prev = (size_t)(hit - s) + nm->patn;
			p = s + prev;
			any = 1;
		}
	} else {
		size_t pos = 0, last = (size_t)-1, a, b;
		while (tok_re_next(nm->re, md, s, n, &pos, &last, &a, &b)) {
			size_t need = on + (a - prev) + nm->contentn + 1;
			if (need > cap) xgrow((void **)&o, &cap, need, 1);
			memcpy(o + on, s + prev, a - prev);
			on += a - prev;
			memcpy(o + on, nm->content, nm->contentn);
			on += nm->contentn;
			prev = b;
			any = 1;
		}
	}
	if (!any) return NULL;
	if (on + (n - prev) + 1 > cap) xgrow((void **)&o, &cap, on + (n - prev) + 1, 1);
	memcpy(o + on, s + prev, n - prev);
	on += n - prev;
	o[on] = 0;
	*outn = on;
	return o;
}

char *tok_normalize_md(const norm_t *nm, const char *s, size_t n, size_t *outn, pcre2_match_data *md)
{
	switch (nm->kind) {
	case NORM_SEQ: {
		char *owned = NULL;
		const char *cur = s;
		size_t curn = n;
		for (size_t i = 0; i < nm->nsub; i++) {
			size_t rn;
			char *r = tok_normalize_md(&nm->sub[i], cur, curn, &rn, md);
			if (r) { free(owned); owned = r; cur = r; curn = rn; }
		}
		*outn = curn;
		return owned;
	}
	case NORM_NFC: return uni_normalize(UNI_NFC, s, n, outn);
	case NORM_NFD: return uni_normalize(UNI_NFD, s, n, outn);
	case NORM_NFKC: return uni_normalize(UNI_NFKC, s, n, outn);
	case NORM_NFKD: return uni_normalize(UNI_NFKD, s, n, outn);
	case NORM_LOWER: return uni_lowercase(s, n, outn);
	case NORM_STRIP: {
		size_t a = 0, b = n;
		if (nm->strip_left)
			while (a < b) {
				int l;
				uint32_t cp = utf8_decode(s + a, &l);
				if (!uni_is_space(cp)) break;
				a += (size_t)l;
			}
		if (nm->strip_right)
			while (b > a) {
				size_t k = b - 1;
				while (k > a && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
				int l;
				uint32_t cp = utf8_decode(s + k, &l);
				if (!uni_is_space(cp)) break;
				b = k;
			}
		if (a == 0 && b == n) return NULL;
		return concat3(s + a, b - a, "", 0, outn);
	}
	case NORM_PREPEND:
		if (!n) return NULL;
		return concat3(nm->content, nm->contentn, s, n, outn);
	case NORM_REPLACE: return norm_replace(nm, s, n, outn, md);
	}
	return NULL;
}

/* tok_normalize_md with *map: per output byte, the input byte span [lo, hi) (2 per byte),
 * set only when the text changed. */
static char *norm_map(const norm_t *nm, const char *s, size_t n, size_t *outn, pcre2_match_data *md, uint32_t **map)
{
	*map = NULL;
	switch (nm->kind) {
	case NORM_SEQ: {
		char *owned = NULL;
		uint32_t *cmap = NULL;
		const char *cur = s;
		size_t curn = n;
		for (size_t i = 0; i < nm->nsub; i++) {
			size_t rn;
			uint32_t *m2;
			char *r = norm_map(&nm->sub[i], cur, curn, &rn, md, &m2);
			if (!r) continue;
			if (cmap) {   /* compose: spans in cur's bytes -> spans in s's bytes */
				for (size_t k = 0; k < rn; k++) {
					uint32_t a = m2[2 * k], b = m2[2 * k + 1];
					if (a >= curn) a = curn ? (uint32_t)curn - 1 : 0;
					uint32_t lo = cmap[2 * a], hi = b > a ? cmap[2 * (b - 1) + 1] : cmap[2 * a];
					m2[2 * k] = lo;
					m2[2 * k + 1] = hi;
				}
				free(cmap);
			}
			cmap = m2;
			free(owned);
			owned = r;
			cur = r;
			curn = rn;
		}
		*outn = curn;
		*map = cmap;
		return owned;
	}
	case NORM_NFC: return uni_normalize_map(UNI_NFC, s, n, outn, map);
	case NORM_NFD: return uni_normalize_map(UNI_NFD, s, n, outn, map);
	case NORM_NFKC: return uni_normalize_map(UNI_NFKC, s, n, outn, map);
	case NORM_NFKD: return uni_normalize_map(UNI_NFKD, s, n, outn, map);
	case NORM_LOWER: return uni_lowercase_map(s, n, outn, map);
	default: break;
	}
	/* Strip, Prepend, Replace: run them, then rebuild the map from where the input went */
	size_t on;
	char *o = tok_normalize_md(nm, s, n, &on, md);
	if (!o) return NULL;
	uint32_t *m = xmalloc((on + 1) * 2 * sizeof *m);
	if (nm->kind == NORM_STRIP) {
		size_t a = 0;
		while (a + on <= n && memcmp(s + a, o, on)) a++;   /* the kept substring */
		for (size_t k = 0; k < on; k++) { m[2 * k] = (uint32_t)(a + k); m[2 * k + 1] = (uint32_t)(a + k + 1); }
	} else if (nm->kind == NORM_PREPEND) {
		uint32_t l0 = (uint32_t)utf8_len((unsigned char)s[0]);
		for (size_t k = 0; k < nm->contentn; k++) { m[2 * k] = 0; m[2 * k + 1] = l0; }   /* with the first char */
		for (size_t k = nm->contentn; k < on; k++) { m[2 * k] = (uint32_t)(k - nm->contentn); m[2 * k + 1] = (uint32_t)(k - nm->contentn + 1); }
	} else {   /* NORM_REPLACE: replay the matches */
		size_t w = 0, prev = 0, a = 0, b = 0;
		size_t pos = 0, last = (size_t)-1;
		const char *p = s;
		for (;;) {
			int found;
			if (nm->re) found = tok_re_next(nm->re, md, s, n, &pos, &last, &a, &b);
			else {
				const char *hit = p < s + n ? memmem(p, (size_t)(s + n - p), nm->pat, nm->patn) : NULL;
				found = hit != NULL;
				if (found) { a = (size_t)(hit - s); b = a + nm->patn; p = s + b; }
			}
			if (!found) break;
			for (size_t k = prev; k < a; k++, w++) { m[2 * w] = (uint32_t)k; m[2 * w + 1] = (uint32_t)k + 1; }
			for (size_t k = 0; k < nm->contentn; k++, w++) { m[2 * w] = (uint32_t)a; m[2 * w + 1] = (uint32_t)(b > a ? b : a); }
			prev = b;
		}
		for (size_t k = prev; k < n; k++, w++) { m[2 * w] = (uint32_t)k; m[2 * w + 1] = (uint32_t)k + 1; }
	}
	*outn = on;
	*map = m;
	return o;
}

char *tok_normalize(const norm_t *nm, const char *s, size_t n, size_t *outn)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	char *r = tok_normalize_md(nm, s, n, outn, md);
	pcre2_match_data_free(md);
	return r;
}

/* ---- splitting with a behavior (normalizer.rs split) ---- */

/* Applies behavior to the (start, end, is_match) spans in s->ms, relative to piece p, pushing
 * non-empty results to list `to`. */
static void apply_behavior(tok_state_t *s, const piece_t *p, behavior_t beh, int invert, int to)
{
	mspan_t *m = s->ms;
	size_t n = s->msn;
	if (invert)
		for (size_t i = 0; i < n; i++) m[i].m = !m[i].m;
	/* fold into a small list of (start, end) in place: w is the write index */
	size_t w = 0;
	switch (beh) {
	case BEH_REMOVED:
		for (size_t i = 0; i < n; i++)
			if (!m[i].m) m[w++] = m[i];
		break;
	case BEH_ISOLATED:
		w = n;
		break;
	case BEH_MERGED_PREV: {
		int prevm = 0;
		for (size_t i = 0; i < n; i++) {
			if (m[i].m && !prevm && w > 0) m[w - 1].e = m[i].e;
			else m[w++] = m[i];
			prevm = m[i].m;
		}
		break;
	}
	case BEH_MERGED_NEXT: {
		/* right to left, then the kept spans are m[w..n) in order */
		int prevm = 0;
		w = n;
		for (size_t i = n; i-- > 0;) {
			mspan_t cur = m[i];
			if (cur.m && !prevm && w < n) m[w].s = cur.s;
			else m[--w] = cur;
			prevm = cur.m;
		}
		for (size_t i = w; i < n; i++) {
			size_t a = m[i].s, b = m[i].e;
			if (b > a) piece_push(s, to, p->off + (uint32_t)a, (uint32_t)(b - a), -1, p->first && a == 0);
		}
		return;
	}
	case BEH_CONTIGUOUS: {
		int prevm = 0;
		for (size_t i = 0; i < n; i++) {
			if (m[i].m == prevm && w > 0) m[w - 1].e = m[i].e;
			else m[w++] = m[i];
			prevm = m[i].m;
		}
		break;
	}
	}
	for (size_t i = 0; i < w; i++) {
		size_t a = m[i].s, b = m[i].e;
		if (b > a) piece_push(s, to, p->off + (uint32_t)a, (uint32_t)(b - a), -1, p->first && a == 0);
	}
}

static void split_piece(tok_state_t *s, const piece_t *p, const tok_re_t *re, const char *lit, size_t litn,
                        behavior_t beh, int invert, int to)
{
	const char *str = s->arena + p->off;
	size_t n = p->len, prev = 0;
	s->msn = 0;
	if (re) {
		size_t pos = 0, last = (size_t)-1, a, b;
		while (tok_re_next(re, s->md, str, n, &pos, &last, &a, &b)) {
			if (a != prev) ms_push(s, prev, a, 0);
			ms_push(s, a, b, 1);
			prev = b;
		}
	} else {
		const char *q0 = str, *end = str + n;
		while (q0 < end) {
			const char *hit = memmem(q0, (size_t)(end - q0), lit, litn);
			if (!hit) break;
			size_t a = (size_t)(hit - str);
			if (a != prev) ms_push(s, prev, a, 0);
			ms_push(s, a, a + litn, 1);
			prev = a + litn;
			q0 = str + prev;
		}
	}
	if (prev != n) ms_push(s, prev, n, 0);
	apply_behavior(s, p, beh, invert, to);
}

/* ---- pre-tokenizers: list pv[from] -> pv[to] ---- */

static int pre_apply(const pre_t *pre, tok_state_t *s, int from);

static void pre_one(const pre_t *pre, tok_state_t *s, const piece_t *pin, int to)
{
	piece_t p = *pin;
	switch (pre->kind) {
	case PRE_SPLIT:
		split_piece(s, &p, pre->re, pre->lit, pre->litn, pre->behavior, pre->invert, to);
		return;
	case PRE_BYTELEVEL:
		if (pre->add_prefix_space && s->arena[p.off] != ' ') {
			size_t o = arena_reserve(s, p.len + 1);
			s->arena[o] = ' ';
			memcpy(s->arena + o + 1, s->arena + p.off, p.len);
			if (s->offs) {   /* the added space goes with the first char, as HF's prepend */
				s->al[2 * o] = s->al[2 * p.off];
				s->al[2 * o + 1] = s->al[2 * p.off + 1];
				memcpy(s->al + 2 * (o + 1), s->al + 2 * p.off, 2 * p.len * sizeof *s->al);
			}
			s->an += p.len + 1;
			p.off = (uint32_t)o;
			p.len++;
		}
		if (pre->re) split_piece(s, &p, pre->re, NULL, 0, BEH_ISOLATED, 0, to);
		else piece_push(s, to, p.off, p.len, -1, p.first);
		return;
	case PRE_METASPACE: {
		/* replace ' ' by the replacement, prepend it per the scheme, then maybe split */
		size_t need = p.len * (size_t)pre->repln + (size_t)pre->repln;
		size_t o = arena_reserve(s, need), w = o;
		const char *src = s->arena + p.off;
		int starts = p.len >= (uint32_t)pre->repln && !memcmp(src, pre->repl, (size_t)pre->repln);
		if (!starts && p.len && src[0] == ' ') starts = 1;   /* the space becomes the replacement */
		int prepend = !starts && (pre->scheme == SCHEME_ALWAYS || (pre->scheme == SCHEME_FIRST && p.first));
		if (prepend) {
			memcpy(s->arena + w, pre->repl, (size_t)pre->repln);
			for (int k = 0; s->offs && k < pre->repln; k++) {
				s->al[2 * (w + (size_t)k)] = s->al[2 * p.off];
				s->al[2 * (w + (size_t)k) + 1] = s->al[2 * p.off + 1];
			}
			w += (size_t)pre->repln;
		}
		for (uint32_t i = 0; i < p.len; i++) {
			size_t w0 = w;
			if (src[i] == ' ') { memcpy(s->arena + w, pre->repl, (size_t)pre->repln); w += (size_t)pre->repln; }
			else s->arena[w++] = src[i];
			for (size_t k = w0; s->offs && k < w; k++) {
				s->al[2 * k] = s->al[2 * (p.off + i)];
				s->al[2 * k + 1] = s->al[2 * (p.off + i) + 1];
			}
		}
		s->an = w;
		piece_t np = {(uint32_t)o, (uint32_t)(w - o), -1, p.first};
		if (pre->split) split_piece(s, &np, NULL, pre->repl, (size_t)pre->repln, BEH_MERGED_NEXT, 0, to);
		else piece_push(s, to, np.off, np.len, -1, np.first);
		return;
	}
	case PRE_SEQ:
		break;
	}
}

/* Returns the index of the list holding the result. */
static int pre_apply(const pre_t *pre, tok_state_t *s, int from)
{
	if (pre->kind == PRE_SEQ) {
		for (size_t i = 0; i < pre->nsub; i++) from = pre_apply(&pre->sub[i], s, from);
		return from;
	}
	int to = !from;
	s->pn[to] = 0;
	for (size_t i = 0; i < s->pn[from]; i++) {
		piece_t p = s->pv[from][i];
		if (p.id >= 0) piece_push(s, to, p.off, p.len, p.id, p.first);
		else pre_one(pre, s, &p, to);
	}
	return to;
}

/* ---- BPE ---- */

static inline int merge_lookup(const mergemap_t *m, int32_t a, int32_t b, int32_t *newid)
{
	uint64_t key = ((uint64_t)(uint32_t)a << 32 | (uint32_t)b) + 1;
	size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & m->mask;
	for (;;) {
		const mergeent_t *e = &m->e[i];
		if (e->key == key) { *newid = e->newid; return e->rank; }
		if (!e->key) return INT_MAX;
		i = (i + 1) & m->mask;
	}
}

static void heap_push(tok_state_t *s, size_t *hn, hent_t e)
{
	if (*hn == s->heapcap) xgrow((void **)&s->heap, &s->heapcap, *hn + 1, sizeof *s->heap);
	hent_t *h = s->heap;
	size_t i = (*hn)++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (h[p].rank < e.rank || (h[p].rank == e.rank && h[p].pos < e.pos)) break;
		h[i] = h[p];
		i = p;
	}
	h[i] = e;
}

static hent_t heap_pop(tok_state_t *s, size_t *hn)
{
	hent_t *h = s->heap;
	hent_t top = h[0], last = h[--*hn];
	size_t i = 0, n = *hn;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n) break;
		if (c + 1 < n && (h[c + 1].rank < h[c].rank || (h[c + 1].rank == h[c].rank && h[c + 1].pos < h[c].pos))) c++;
		if (last.rank < h[c].rank || (last.rank == h[c].rank && last.pos < h[c].pos)) break;
		h[i] = h[c];
		i = c;
	}
	if (n) h[i] = last;
	return top;
}

static void sym_push(tok_state_t *s, size_t *n, int32_t id, int32_t len)
{
	if (*n == s->symcap) xgrow((void **)&s->sym, &s->symcap, *n + 1, sizeof *s->sym);
	sym_t *y = &s->sym[*n];
	y->id = id;
	y->len = len;
	y->prev = (int32_t)*n - 1;
	y->next = (int32_t)*n + 1;
	(*n)++;
}

/* The initial symbols of a word (model.rs merge_word): per char (per byte when byte-level),
 * with prefix/suffix, byte fallback and (fused) unk exactly as HF orders them. */
static size_t bpe_symbols(const tok_t *t, tok_state_t *s, const char *w, size_t n)
{
	size_t ns = 0;
	if (t->byte_level && !t->prefix && !t->suffix) {
		int ok = 1;
		for (size_t i = 0; i < n; i++) ok &= t->byte_id[(unsigned char)w[i]] >= 0;
		if (ok) {
			for (size_t i = 0; i < n; i++) sym_push(s, &ns, t->byte_id[(unsigned char)w[i]], 1);
			return ns;
		}
	}
	int32_t unk = -1;   /* pending unk: it is flushed only by a known char or the end */
	int32_t unklen = 0;
	char kbuf[64];
	for (size_t i = 0; i < n; ) {
		int l = t->byte_level ? 1 : utf8_len((unsigned char)w[i]);
		int is_first = i == 0, is_last = i + (size_t)l >= n;
		const char *k = w + i;
		size_t kn = (size_t)l;
		char *heapk = NULL;
		if ((!is_first && t->prefix) || (is_last && t->suffix)) {
			size_t pn = !is_first && t->prefix ? t->prefixn : 0, sn = is_last && t->suffix ? t->suffixn : 0;
			char *b = pn + (size_t)l + sn <= sizeof kbuf ? kbuf : (heapk = xmalloc(pn + (size_t)l + sn));
			if (pn) memcpy(b, t->prefix, pn);
			memcpy(b + pn, w + i, (size_t)l);
			if (sn) memcpy(b + pn + l, t->suffix, sn);
			k = b;
			kn = pn + (size_t)l + sn;
		}
		int32_t id = strmap_get(&t->bpe, k, kn);
		if (id >= 0) {
			if (unk >= 0) { sym_push(s, &ns, t->unk_id, unklen); unk = -1; }
			sym_push(s, &ns, id, l);
		} else {
			int done = 0;
			if (t->byte_fallback) {
				int all = 1;
				for (size_t j = 0; j < kn; j++) all &= t->fallback_id[(unsigned char)k[j]] >= 0;
				if (all) {
					for (size_t j = 0; j < kn; j++) sym_push(s, &ns, t->fallback_id[(unsigned char)k[j]], 1);
					done = 1;
				}
			}
			if (!done && t->unk_id >= 0) {
				if (unk >= 0 && !t->fuse_unk) { sym_push(s, &ns, t->unk_id, unklen); unklen = 0; }
				if (unk < 0) unklen = 0;
				unk = t->unk_id;
				unklen += l;
			}
		}
		free(heapk);
		i += (size_t)l;
	}
	if (unk >= 0) sym_push(s, &ns, t->unk_id, unklen);
	return ns;
}

static void bpe_merge(const tok_t *t, tok_state_t *s, size_t n)
{
	sym_t *y = s->sym;
	if (!n) return;
	y[n - 1].next = -1;
	if (n < 2) return;
	if (n <= 48) {
		/* linear scan over cached pair ranks: few symbols, so cheaper than a heap */
		for (size_t i = 0; i + 1 < n; i++) y[i].rank = merge_lookup(&t->merges, y[i].id, y[i + 1].id, &y[i].newid);
		y[n - 1].rank = INT_MAX;
		for (;;) {
			int32_t best = INT_MAX, bi = -1;
			for (int32_t i = 0; i >= 0; i = y[i].next)
				if (y[i].rank < best) { best = y[i].rank; bi = i; }
			if (bi < 0) break;
			int32_t j = y[bi].next;
			y[bi].id = y[bi].newid;
			y[bi].len += y[j].len;
			y[bi].next = y[j].next;
			if (y[j].next >= 0) y[y[j].next].prev = bi;
			y[bi].rank = y[bi].next >= 0 ? merge_lookup(&t->merges, y[bi].id, y[y[bi].next].id, &y[bi].newid) : INT_MAX;
			int32_t pv = y[bi].prev;
			if (pv >= 0) y[pv].rank = merge_lookup(&t->merges, y[pv].id, y[bi].id, &y[pv].newid);
		}
		return;
	}
	size_t hn = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		int32_t nid = -1, r = merge_lookup(&t->merges, y[i].id, y[i + 1].id, &nid);
		if (r != INT_MAX) heap_push(s, &hn, (hent_t){r, (int32_t)i, nid});
	}
	for (size_t i = 0; i < n; i++) y[i].rank = 0;   /* rank field reused: 1 = merged away */
	while (hn) {
		hent_t top = heap_pop(s, &hn);
		sym_t *a = &y[top.pos];
		if (a->rank || a->next < 0) continue;
		int32_t nid = -1, r = merge_lookup(&t->merges, a->id, y[a->next].id, &nid);
		if (r != top.rank || nid != top.newid) continue;   /* stale entry */
		int32_t j = a->next;
		a->id = nid;
		a->len += y[j].len;
		y[j].rank = 1;
		a->next = y[j].next;
		if (a->next >= 0) y[a->next].prev = top.pos;
		if (a->prev >= 0) {
			int32_t pn = -1, pr = merge_lookup(&t->merges, y[a->prev].id, a->id, &pn);
			if (pr != INT_MAX) heap_push(s, &hn, (hent_t){pr, a->prev, pn});
		}
		if (a->next >= 0) {
			int32_t nn = -1, nr = merge_lookup(&t->merges, a->id, y[a->next].id, &nn);
			if (nr != INT_MAX) heap_push(s, &hn, (hent_t){nr, top.pos, nn});
		}
	}
}

static void cache_clear(tok_state_t *s)
{
	memset(s->cslot, 0, CACHE_SLOTS * sizeof *s->cslot);
	s->ccount = s->ckn = s->cvn = 0;
}

/* bpe_word for tok_encode_offsets: no cache (it keeps ids only), symbol lengths give spans. */
static void bpe_word_offs(const tok_t *t, tok_state_t *s, const char *w, size_t n, tok_ids_t *out)
{
	size_t woff = (size_t)(w - s->arena), start = out->n;
	uint32_t lo, hi;
	int32_t whole = t->ignore_merges ? strmap_get(&t->bpe, w, n) : -1;
	if (whole >= 0) {
		out_push(out, whole);
		al_span(s, woff, woff + n, &lo, &hi);
		offs_set(s, out, start, lo, hi);
		return;
	}
	size_t ns = bpe_symbols(t, s, w, n), pos = 0;
	bpe_merge(t, s, ns);
	for (int32_t i = ns ? 0 : -1; i >= 0; i = s->sym[i].next) {
		size_t a = pos, b = pos + (size_t)s->sym[i].len;
		if (b > n) b = n;
		if (a >= n) a = n ? n - 1 : 0;
		out_push(out, s->sym[i].id);
		al_span(s, woff + a, woff + (b > a ? b : a + 1), &lo, &hi);
		offs_set(s, out, out->n - 1, lo, hi);
		pos += (size_t)s->sym[i].len;
	}
	(void)start;
}

static void bpe_word(const tok_t *t, tok_state_t *s, const char *w, size_t n, tok_ids_t *out)
{
	if (s->offs) { bpe_word_offs(t, s, w, n, out); return; }
	size_t slot = 0;
	uint64_t h = 0;
	if (n < CACHE_WORD_MAX) {
		h = tok_hash(w, n) | 1;
		slot = h & (CACHE_SLOTS - 1);
		for (;;) {
			centry_t *c = &s->cslot[slot];
			if (!c->h) break;
			if (c->h == h && c->klen == n && !memcmp(s->ckey + c->koff, w, n)) {
				out_pushn(out, s->cval + c->voff, c->vlen);
				return;
			}
			slot = (slot + 1) & (CACHE_SLOTS - 1);
		}
	}
	/* the cache holds the word's final ids, so it may be asked before the ignore_merges
	 * lookup HF makes first: same result, one probe of a small table instead of the vocab */
	size_t start = out->n;
	int32_t whole = t->ignore_merges ? strmap_get(&t->bpe, w, n) : -1;
	if (whole >= 0) out_push(out, whole);
	else {
		size_t ns = bpe_symbols(t, s, w, n);
		bpe_merge(t, s, ns);
		for (int32_t i = ns ? 0 : -1; i >= 0; i = s->sym[i].next) out_push(out, s->sym[i].id);
	}
	if (n < CACHE_WORD_MAX) {
		if (s->ccount >= CACHE_MAX) {
			cache_clear(s);
			slot = h & (CACHE_SLOTS - 1);
		}
		size_t k = out->n - start;
		if (s->ckn + n > s->ckcap) xgrow((void **)&s->ckey, &s->ckcap, s->ckn + n, 1);
		if (s->cvn + k > s->cvcap) xgrow((void **)&s->cval, &s->cvcap, s->cvn + k, sizeof *s->cval);
		memcpy(s->ckey + s->ckn, w, n);
		if (k) memcpy(s->cval + s->cvn, out->ids + start, k * sizeof *s->cval);
		s->cslot[slot] = (centry_t){h, (uint32_t)s->ckn, (uint32_t)n, (uint32_t)s->cvn, (uint32_t)k};
		s->ckn += n;
		s->cvn += k;
		s->ccount++;
	}
}

/* A word cut before each U+2581 that no merge can reach across (see tok_t.ws_split). */
static void bpe_word_split(const tok_t *t, tok_state_t *s, const char *w, size_t n, tok_ids_t *out)
{
	/* offsets: HF's spans come from summed symbol lengths over the whole word (a dropped char
	 * shifts the rest), so the word is not cut there */
	if (!t->ws_split || s->offs) { bpe_word(t, s, w, n, out); return; }
	size_t start = 0;
	uint32_t prev = 0x2581;
	for (size_t i = 0; i < n; ) {
		int l;
		uint32_t cp = utf8_decode(w + i, &l);
		if (cp == 0x2581 && prev != 0x2581 && i > start) {
			/* what matters is the last char of the symbol left of the cut: the char itself
			 * when it is in the vocab, else '>' of <0xNN> (byte fallback) or the unk
			 * token's last char; a char that is dropped (no unk, no fallback) leaves no
			 * symbol, so merges could reach across it */
			int blocked = 0, pl = 1;
			while (pl < 4 && ((unsigned char)w[i - (size_t)pl] & 0xC0) == 0x80) pl++;
			uint32_t last = prev;
			if (strmap_get(&t->bpe, w + i - pl, (size_t)pl) < 0) {
				int fb = t->byte_fallback;
				for (int k = 0; fb && k < pl; k++) fb = t->fallback_id[(unsigned char)w[i - (size_t)pl + (size_t)k]] >= 0;
				if (fb) last = '>';
				else if (t->unk_id >= 0) last = t->unk_last;
				else blocked = 1;
			}
			for (size_t k = 0; k < t->nws_block; k++) blocked |= t->ws_block[k] == last;
			if (!blocked) {
				bpe_word(t, s, w + start, i - start, out);
				start = i;
			}
		}
		prev = cp;
		i += (size_t)l;
	}
	if (n > start) bpe_word(t, s, w + start, n - start, out);
}

/* ---- added tokens (added_vocabulary.rs find_matches) ---- */

static int is_word_cp(uint32_t cp)
{
	/* Rust regex \w: alphabetic, marks, decimal digits, connector punctuation */
	if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_';
	for (const uni_class_t *c = uni_classes; c->name; c++)
		if ((!strcmp(c->name, "L") || !strcmp(c->name, "M") || !strcmp(c->name, "N")) &&
		    uni_in_ranges(c->full, c->nfull, cp))
			return 1;
	return 0;
}

static uint32_t cp_before(const char *s, size_t i)
{
	size_t k = i - 1;
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
	int l;
	return utf8_decode(s + k, &l);
}

/* Splits s[0..n) at added tokens of trie tr into list `to`: (off+start, len, id or -1). */
static void split_added(const tok_t *t, const trie_t *tr, tok_state_t *s, const char *str, size_t n,
                        uint32_t base, int first, int to)
{
	size_t start_off = 0;
	for (size_t i = 0; i < n; ) {
		if (!tr->first[(unsigned char)str[i]]) { i++; continue; }
		int32_t node = 0, best = -1;
		size_t bestlen = 0;
		for (size_t j = i; j < n; j++) {
			node = tok_trie_child(tr, node, (unsigned char)str[j]);
			if (node < 0) break;
			if (tr->term[node] >= 0) { best = tr->term[node]; bestlen = j + 1 - i; }
		}
		if (best < 0) { i++; continue; }
		const added_t *a = &t->added[best];
		size_t ms = i, me = i + bestlen;
		i = me;
		if (a->special && t->split_special) continue;   /* stays text, as HF does */
		if (a->single_word) {
			int sw = ms == 0 || !is_word_cp(cp_before(str, ms));
			int ew = me == n;
			if (!ew) { int l; ew = !is_word_cp(utf8_decode(str + me, &l)); }
			if (!sw || !ew) continue;
		}
		if (a->lstrip) {
			size_t k = ms;
			while (k > 0) {
				size_t b = k - 1;
				while (b > 0 && ((unsigned char)str[b] & 0xC0) == 0x80) b--;
				int l;
				if (!uni_is_space(utf8_decode(str + b, &l))) break;
				k = b;
			}
			ms = k > start_off ? k : start_off;
		}
		if (a->rstrip) {
			while (me < n) {
				int l;
				if (!uni_is_space(utf8_decode(str + me, &l))) break;
				me += (size_t)l;
			}
			i = me;
		}
		if (ms > start_off) piece_push(s, to, base + (uint32_t)start_off, (uint32_t)(ms - start_off), -1, first && start_off == 0);
		piece_push(s, to, base + (uint32_t)ms, (uint32_t)(me - ms), a->id, 0);
		start_off = me;
	}
	if (start_off < n) piece_push(s, to, base + (uint32_t)start_off, (uint32_t)(n - start_off), -1, first && start_off == 0);
}

/* ---- the pipeline ---- */

static void encode_piece(const tok_t *t, tok_state_t *s, const char *str, size_t n, int first, uint32_t base,
                         tok_ids_t *out)
{
	s->an = 0;
	size_t nn = n;
	uint32_t *map = NULL;
	char *norm = NULL;
	if (t->norm) norm = s->offs ? norm_map(t->norm, str, n, &nn, s->md, &map) : tok_normalize_md(t->norm, str, n, &nn, s->md);
	if (!nn) { free(norm); free(map); return; }
	size_t o = arena_reserve(s, nn);
	memcpy(s->arena + o, norm ? norm : str, nn);
	if (s->offs)
		for (size_t k = 0; k < nn; k++) {
			s->al[2 * (o + k)] = base + (map ? map[2 * k] : (uint32_t)k);
			s->al[2 * (o + k) + 1] = base + (map ? map[2 * k + 1] : (uint32_t)k + 1);
		}
	s->an += nn;
	free(norm);
	free(map);
	s->pn[0] = 0;
	if (t->has_norm) split_added(t, &t->trie_norm, s, s->arena, nn, 0, first, 0);
	else piece_push(s, 0, 0, (uint32_t)nn, -1, first);
	int which = t->pre ? pre_apply(t->pre, s, 0) : 0;
	for (size_t i = 0; i < s->pn[which]; i++) {
		piece_t *p = &s->pv[which][i];
		size_t before = out->n;
		if (p->id >= 0) {
			out_push(out, p->id);
			if (s->offs) {
				uint32_t lo, hi;
				al_span(s, p->off, p->off + (p->len ? p->len : 1), &lo, &hi);
				offs_set(s, out, before, lo, hi);
			}
		} else if (p->len) bpe_word_split(t, s, s->arena + p->off, p->len, out);
		if (s->trace)
			s->trace(s->trace_ctx, s->arena + p->off, p->len, p->id >= 0, out->ids + before, out->n - before);
	}
}

int tok_encode(const tok_t *t, const char *text, size_t len, int add_special, tok_ids_t *out)
{
	out->n = 0;
	/* piece offsets are 32-bit (and a single 4 GiB text is not a training sample) */
	if (len > UINT32_MAX / 4)
		ft_die(FT_EXIT_DATA, "text of %zu bytes is too long to tokenize (limit 1 GiB)", len);
	size_t v = utf8_valid_prefix(text, len);
	if (v != len) { tls_bad_off = v; return -1; }
	tok_state_t *s = state_get(t);
	if (add_special) out_pushn(out, t->post_prefix, t->npost_prefix);
	if (s->offs) offs_set(s, out, 0, 0, 0);   /* HF gives added special tokens (0, 0) */
	if (s->trace && add_special && t->npost_prefix) s->trace(s->trace_ctx, "", 0, 2, out->ids, out->n);
	if (!t->has_raw) {
		if (len) encode_piece(t, s, text, len, 1, 0, out);
	} else {
		/* added-token pieces go to list 1 first; encode_piece reuses lists 0/1 and the arena,
		 * so walk a private copy of the boundaries */
		s->pn[1] = 0;
		split_added(t, &t->trie_raw, s, text, len, 0, 1, 1);
		size_t np = s->pn[1];
		piece_t stackbuf[64];
		piece_t *pcs = np <= 64 ? stackbuf : xmalloc(np * sizeof *pcs);
		if (np) memcpy(pcs, s->pv[1], np * sizeof *pcs);
		for (size_t i = 0; i < np; i++) {
			if (pcs[i].id >= 0) {
				out_push(out, pcs[i].id);
				if (s->offs) offs_set(s, out, out->n - 1, pcs[i].off, pcs[i].off + pcs[i].len);
				if (s->trace) s->trace(s->trace_ctx, text + pcs[i].off, pcs[i].len, 1, out->ids + out->n - 1, 1);
			} else {
				encode_piece(t, s, text + pcs[i].off, pcs[i].len, pcs[i].first, pcs[i].off, out);
			}
		}
		if (pcs != stackbuf) free(pcs);
	}
	if (add_special) {
		size_t before = out->n;
		out_pushn(out, t->post_suffix, t->npost_suffix);
		if (s->offs) offs_set(s, out, before, 0, 0);
		if (s->trace && t->npost_suffix) s->trace(s->trace_ctx, "", 0, 2, out->ids + before, out->n - before);
	}
	return 0;
}

/* Chars of the original text from lo (forward) or before hi (backward). */
static uint32_t chars_fwd(const char *t, uint32_t lo, uint32_t hi, size_t k)
{
	while (k-- && lo < hi) lo += (uint32_t)utf8_len((unsigned char)t[lo]);
	return lo < hi ? lo : hi;
}

static uint32_t chars_back(const char *t, uint32_t lo, uint32_t hi, size_t k)
{
	while (k-- && hi > lo) {
		hi--;
		while (hi > lo && ((unsigned char)t[hi] & 0xC0) == 0x80) hi--;
	}
	return hi;
}

/* ByteLevel / Roberta post-processors with trim_offsets (byte_level.rs process_offsets):
 * leading and trailing spaces of a token (its U+0120 or whitespace chars) leave its span. */
static void trim_offsets(const tok_t *t, const char *text, tok_ids_t *out)
{
	for (size_t i = 0; i < out->n; i++) {
		const char *tk = tok_id_to_token(t, out->ids[i]);
		if (!tk) continue;
		size_t n = strlen(tk), lead = 0, trail = 0, nch = 0;
		int all = 1;
		for (size_t k = 0; k < n; ) {
			int l;
			uint32_t cp = utf8_decode(tk + k, &l);
			int sp = cp == 0x120 || uni_is_space(cp);
			if (sp && all) lead++;
			if (!sp) { all = 0; trail = 0; } else trail++;
			nch++;
			k += (size_t)l;
		}
		if (all) trail = nch;
		uint32_t *o = out->offs + 2 * i;
		if (lead) {
			if ((i == 0 || o[0] == 0) && t->trim_prefix && lead == 1) lead = 0;
			o[0] = chars_fwd(text, o[0], o[1], lead);
		}
		if (trail && o[1] >= trail) o[1] = chars_back(text, o[0], o[1], trail);
	}
}

int tok_encode_offsets(const tok_t *t, const char *text, size_t len, int add_special, tok_ids_t *out)
{
	tok_state_t *s = state_get(t);
	s->offs = 1;
	s->otext = text;
	s->olen = len;
	int rc = tok_encode(t, text, len, add_special, out);
	if (rc == 0 && out->n && out->offs_cap < 2 * out->n) offs_set(s, out, out->n, 0, 0);   /* capacity only */
	if (rc == 0 && t->trim_offsets) trim_offsets(t, text, out);
	s->offs = 0;
	s->otext = NULL;
	return rc;
}

int tok_encode_trace(const tok_t *t, const char *text, size_t len, int add_special, tok_ids_t *out,
                     tok_trace_fn fn, void *ctx)
{
	tok_state_t *s = state_get(t);
	s->trace = fn;
	s->trace_ctx = ctx;
	int rc = tok_encode(t, text, len, add_special, out);
	s->trace = NULL;
	s->trace_ctx = NULL;
	return rc;
}

long tok_encode_batch(const tok_t *t, const char *const *texts, const size_t *lens, size_t n,
                      int add_special, tok_ids_t *outs)
{
	long bad = -1;
	/* dynamic schedule: texts vary in length; results do not depend on the thread */
#pragma omp parallel for schedule(dynamic, 16)
	for (size_t i = 0; i < n; i++) {
		if (tok_encode(t, texts[i], lens[i], add_special, &outs[i]) != 0) {
#pragma omp critical(tok_bad)
			if (bad < 0 || (long)i < bad) bad = (long)i;
		}
	}
	return bad;
}
