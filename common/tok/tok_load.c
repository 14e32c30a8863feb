/* tok_load: builds a tok_t from tokenizer.json (+ tokenizer_config.json).
 *
 * Every component type and every field that changes ids is read here; a type we do not
 * implement, or a setting we cannot honour exactly (BPE dropout, a ByteLevel pre-tokenizer that
 * is not last), is refused naming the component, because an approximate tokenizer silently
 * produces different training data. Field defaults follow the HF serde definitions. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zstd.h>

#include "diag.h"
#include "fileio.h"
#include "json.h"
#include "tok_internal.h"
#include "unicode.h"
#include "utf8.h"

/* ---- GPT-2 byte <-> char ---- */

uint32_t tok_byte2cp[256];
static int16_t cp2byte_tab[324];   /* the 256 chars are all below U+0144 */
static pthread_once_t bl_once = PTHREAD_ONCE_INIT;

static void bytelevel_build(void)
{
	int n = 0;
	for (int b = 0; b < 256; b++) {
		int keep = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
		tok_byte2cp[b] = keep ? (uint32_t)b : 0x100 + (uint32_t)n++;
	}
	for (int i = 0; i < 324; i++) cp2byte_tab[i] = -1;
	for (int b = 0; b < 256; b++) cp2byte_tab[tok_byte2cp[b]] = (int16_t)b;
}

void tok_bytelevel_init(void) { pthread_once(&bl_once, bytelevel_build); }

int tok_cp2byte(uint32_t cp) { return cp < 324 ? cp2byte_tab[cp] : -1; }

/* ---- SHA-256 (FIPS 180-4), for the fingerprint ---- */

static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void sha256_hex(const void *data, size_t n, char out[65])
{
	uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	const unsigned char *p = data;
	size_t i = 0;
	for (; i + 64 <= n; i += 64) sha256_block(h, p + i);
	unsigned char tail[128] = {0};
	size_t r = n - i;
	memcpy(tail, p + i, r);
	tail[r] = 0x80;
	size_t tl = r + 9 <= 64 ? 64 : 128;
	uint64_t bits = (uint64_t)n * 8;
	for (int k = 0; k < 8; k++) tail[tl - 1 - k] = (unsigned char)(bits >> (8 * k));
	sha256_block(h, tail);
	if (tl == 128) sha256_block(h, tail + 64);
	for (int k = 0; k < 8; k++) snprintf(out + 8 * k, 9, "%08x", h[k]);
}

/* ---- files ---- */

static char *maybe_unzstd(const char *path, char *buf, size_t *n)
{
	if (*n < 4 || memcmp(buf, "\x28\xB5\x2F\xFD", 4) != 0) return buf;
	ZSTD_DStream *ds = ZSTD_createDStream();
	if (!ds) ft_die(FT_EXIT_IO, "%s: out of memory for zstd", q(path));
	ZSTD_initDStream(ds);
	char *out = NULL;
	size_t cap = 0, len = 0;
	ZSTD_inBuffer in = {buf, *n, 0};
	size_t ret = 1;
	while (in.pos < in.size) {
		if (len + ZSTD_DStreamOutSize() + 1 > cap) xgrow((void **)&out, &cap, len + ZSTD_DStreamOutSize() + 1, 1);
		ZSTD_outBuffer o = {out + len, cap - len - 1, 0};
		ret = ZSTD_decompressStream(ds, &o, &in);
		if (ZSTD_isError(ret)) ft_die(FT_EXIT_DATA, "%s: %s", q(path), ZSTD_getErrorName(ret));
		len += o.pos;
		if (o.pos == 0 && in.pos == in.size) break;
	}
	if (ret != 0) ft_die(FT_EXIT_DATA, "%s: truncated zstd stream", q(path));
	ZSTD_freeDStream(ds);
	free(buf);
	out[len] = 0;
	*n = len;
	return out;
}

/* ---- JSON helpers ---- */

typedef struct { const char *path; tok_t *t; } ld_t;

static const char *type_of(const ld_t *L, const cJSON *o, const char *what)
{
	const cJSON *ty = cJSON_GetObjectItemCaseSensitive(o, "type");
	if (!cJSON_IsObject(o) || !cJSON_IsString(ty))
		ft_die(FT_EXIT_DATA, "%s: %s without a \"type\"", q(L->path), what);
	return ty->valuestring;
}

static int get_bool(const cJSON *o, const char *k, int dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (cJSON_IsBool(v)) return cJSON_IsTrue(v);
	return dflt;
}

static const char *get_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A {"String": s} or {"Regex": r} pattern: sets *lit or *re. */
static void get_pattern(const ld_t *L, const cJSON *o, const char *what, char **lit, size_t *litn, tok_re_t **re)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "pattern");
	const char *s = get_str(p, "String"), *r = get_str(p, "Regex");
	*lit = NULL;
	*re = NULL;
	if (s) {
		if (!*s) ft_die(FT_EXIT_DATA, "%s: %s with an empty pattern", q(L->path), what);
		*lit = xstrdup(s);
		*litn = strlen(s);
	} else if (r) {
		char err[256];
		*re = tok_re_compile(r, err, sizeof err);
		if (!*re) ft_die(FT_EXIT_DATA, "%s: %s pattern: %s", q(L->path), what, err);
	} else {
		ft_die(FT_EXIT_DATA, "%s: %s without a String or Regex pattern", q(L->path), what);
	}
}

/* ---- normalizers ---- */

static void parse_norm(const ld_t *L, const cJSON *o, norm_t *n)
{
	const char *ty = type_of(L, o, "normalizer");
	memset(n, 0, sizeof *n);
	if (!strcmp(ty, "Sequence")) {
		const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "normalizers");
		n->kind = NORM_SEQ;
		n->nsub = (size_t)cJSON_GetArraySize(arr);
		n->sub = xcalloc(n->nsub + 1, sizeof *n->sub);
		size_t i = 0;
		const cJSON *e;
		cJSON_ArrayForEach(e, arr) parse_norm(L, e, &n->sub[i++]);
	} else if (!strcmp(ty, "NFC")) n->kind = NORM_NFC;
	else if (!strcmp(ty, "NFD")) n->kind = NORM_NFD;
	else if (!strcmp(ty, "NFKC")) n->kind = NORM_NFKC;
	else if (!strcmp(ty, "NFKD")) n->kind = NORM_NFKD;
	else if (!strcmp(ty, "Lowercase")) n->kind = NORM_LOWER;
	else if (!strcmp(ty, "Strip")) {
		n->kind = NORM_STRIP;
		n->strip_left = get_bool(o, "strip_left", 1);
		n->strip_right = get_bool(o, "strip_right", 1);
	} else if (!strcmp(ty, "Prepend")) {
		const char *s = get_str(o, "prepend");
		if (!s) ft_die(FT_EXIT_DATA, "%s: normalizer 'Prepend' without \"prepend\"", q(L->path));
		n->kind = NORM_PREPEND;
		n->content = xstrdup(s);
		n->contentn = strlen(s);
	} else if (!strcmp(ty, "Replace")) {
		const char *c = get_str(o, "content");
		if (!c) ft_die(FT_EXIT_DATA, "%s: normalizer 'Replace' without \"content\"", q(L->path));
		n->kind = NORM_REPLACE;
		get_pattern(L, o, "normalizer 'Replace'", &n->pat, &n->patn, &n->re);
		n->content = xstrdup(c);
		n->contentn = strlen(c);
	} else {
		ft_die(FT_EXIT_DATA, "%s: normalizer '%s' is not supported", q(L->path), ty);
	}
}

void tok_norm_free(norm_t *n)
{
	if (!n) return;
	for (size_t i = 0; i < n->nsub; i++) tok_norm_free(&n->sub[i]);
	free(n->sub);
	free(n->pat);
	free(n->content);
	tok_re_free(n->re);
}

/* ---- pre-tokenizers ---- */

static behavior_t parse_behavior(const ld_t *L, const cJSON *o, behavior_t dflt)
{
	const char *b = get_str(o, "behavior");
	if (!b) return dflt;
	if (!strcmp(b, "Removed")) return BEH_REMOVED;
	if (!strcmp(b, "Isolated")) return BEH_ISOLATED;
	if (!strcmp(b, "MergedWithPrevious")) return BEH_MERGED_PREV;
	if (!strcmp(b, "MergedWithNext")) return BEH_MERGED_NEXT;
	if (!strcmp(b, "Contiguous")) return BEH_CONTIGUOUS;
	ft_die(FT_EXIT_DATA, "%s: split behavior '%s' is not supported", q(L->path), b);
}

static void split_regex(const ld_t *L, pre_t *p, const char *re, behavior_t beh, int invert, const char *what)
{
	char err[256];
	p->kind = PRE_SPLIT;
	p->re = tok_re_compile(re, err, sizeof err);
	if (!p->re) ft_die(FT_EXIT_DATA, "%s: pre-tokenizer '%s': %s", q(L->path), what, err);
	p->behavior = beh;
	p->invert = invert;
}

static scheme_t parse_scheme(const ld_t *L, const cJSON *o)
{
	const char *s = get_str(o, "prepend_scheme");
	if (!s) {
		/* legacy files: add_prefix_space false means never */
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "add_prefix_space");
		return cJSON_IsFalse(a) ? SCHEME_NEVER : SCHEME_ALWAYS;
	}
	if (!strcmp(s, "always")) return SCHEME_ALWAYS;
	if (!strcmp(s, "first")) return SCHEME_FIRST;
	if (!strcmp(s, "never")) return SCHEME_NEVER;
	ft_die(FT_EXIT_DATA, "%s: Metaspace prepend_scheme '%s' is not supported", q(L->path), s);
}

static void get_repl(const ld_t *L, const cJSON *o, char *repl, int *repln)
{
	const char *r = get_str(o, "replacement");
	if (!r) r = "\xE2\x96\x81";
	int l = utf8_len((unsigned char)r[0]);
	if (!r[0] || (int)strlen(r) != l)
		ft_die(FT_EXIT_DATA, "%s: Metaspace replacement must be one character", q(L->path));
	memcpy(repl, r, (size_t)l);
	*repln = l;
}

static const char *GPT2_RE =
	"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
/* is_punc: ASCII punctuation (which includes some symbols) or a Unicode P category */
static const char *PUNCT_RE = "[\\p{P}!-/:-@\\[-`{-~]";

static void parse_pre(const ld_t *L, const cJSON *o, pre_t *p, int last)
{
	const char *ty = type_of(L, o, "pre-tokenizer");
	memset(p, 0, sizeof *p);
	if (!strcmp(ty, "Sequence")) {
		const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "pretokenizers");
		p->kind = PRE_SEQ;
		p->nsub = (size_t)cJSON_GetArraySize(arr);
		p->sub = xcalloc(p->nsub + 1, sizeof *p->sub);
		size_t i = 0;
		const cJSON *e;
		cJSON_ArrayForEach(e, arr) {
			parse_pre(L, e, &p->sub[i], last && i + 1 == p->nsub);
			i++;
		}
	} else if (!strcmp(ty, "Split")) {
		p->kind = PRE_SPLIT;
		get_pattern(L, o, "pre-tokenizer 'Split'", &p->lit, &p->litn, &p->re);
		p->behavior = parse_behavior(L, o, BEH_ISOLATED);
		p->invert = get_bool(o, "invert", 0);
	} else if (!strcmp(ty, "ByteLevel")) {
		/* The model then sees raw bytes (keys are decoded once at load); that is only the same
		 * as HF when nothing runs on the mapped chars afterwards. */
		if (!last)
			ft_die(FT_EXIT_DATA, "%s: pre-tokenizer 'ByteLevel' followed by another pre-tokenizer is not supported", q(L->path));
		p->kind = PRE_BYTELEVEL;
		p->add_prefix_space = get_bool(o, "add_prefix_space", 1);
		if (get_bool(o, "use_regex", 1)) {
			char err[256];
			p->re = tok_re_compile(GPT2_RE, err, sizeof err);
			if (!p->re) ft_die(FT_EXIT_DATA, "%s: ByteLevel regex: %s", q(L->path), err);
		}
		L->t->byte_level = 1;
	} else if (!strcmp(ty, "Metaspace")) {
		p->kind = PRE_METASPACE;
		get_repl(L, o, p->repl, &p->repln);
		p->scheme = parse_scheme(L, o);
		p->split = get_bool(o, "split", 1);
	} else if (!strcmp(ty, "Digits")) {
		split_regex(L, p, "\\p{N}", get_bool(o, "individual_digits", 0) ? BEH_ISOLATED : BEH_CONTIGUOUS, 0, ty);
	} else if (!strcmp(ty, "Punctuation")) {
		split_regex(L, p, PUNCT_RE, parse_behavior(L, o, BEH_ISOLATED), 0, ty);
	} else if (!strcmp(ty, "Whitespace")) {
		split_regex(L, p, "\\w+|[^\\w\\s]+", BEH_REMOVED, 1, ty);
	} else if (!strcmp(ty, "WhitespaceSplit")) {
		split_regex(L, p, "\\s", BEH_REMOVED, 0, ty);
	} else if (!strcmp(ty, "BertPreTokenizer")) {
		p->kind = PRE_SEQ;
		p->nsub = 2;
		p->sub = xcalloc(2, sizeof *p->sub);
		split_regex(L, &p->sub[0], "\\s", BEH_REMOVED, 0, ty);
		split_regex(L, &p->sub[1], PUNCT_RE, BEH_ISOLATED, 0, ty);
	} else if (!strcmp(ty, "CharDelimiterSplit")) {
		const char *d = get_str(o, "delimiter");
		if (!d || !*d || (int)strlen(d) != utf8_len((unsigned char)d[0]))
			ft_die(FT_EXIT_DATA, "%s: CharDelimiterSplit needs a one-character delimiter", q(L->path));
		p->kind = PRE_SPLIT;
		p->lit = xstrdup(d);
		p->litn = strlen(d);
		p->behavior = BEH_REMOVED;
	} else {
		ft_die(FT_EXIT_DATA, "%s: pre-tokenizer '%s' is not supported", q(L->path), ty);
	}
}

void tok_pre_free(pre_t *p)
{
	if (!p) return;
	for (size_t i = 0; i < p->nsub; i++) tok_pre_free(&p->sub[i]);
	free(p->sub);
	free(p->lit);
	tok_re_free(p->re);
}

/* ---- decoders ---- */

static void parse_dec(const ld_t *L, const cJSON *o, tok_t *t)
{
	const char *ty = type_of(L, o, "decoder");
	if (!strcmp(ty, "Sequence")) {
		const cJSON *e;
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(o, "decoders")) parse_dec(L, e, t);
		return;
	}
	t->dec = xrealloc(t->dec, (t->ndec + 1) * sizeof *t->dec);
	dec_t *d = &t->dec[t->ndec++];
	memset(d, 0, sizeof *d);
	if (!strcmp(ty, "ByteLevel")) d->kind = DEC_BYTELEVEL;
	else if (!strcmp(ty, "ByteFallback")) d->kind = DEC_BYTEFALLBACK;
	else if (!strcmp(ty, "Fuse")) d->kind = DEC_FUSE;
	else if (!strcmp(ty, "Metaspace")) {
		d->kind = DEC_METASPACE;
		get_repl(L, o, d->repl, &d->repln);
		d->scheme = parse_scheme(L, o);
	} else if (!strcmp(ty, "Strip")) {
		const char *c = get_str(o, "content");
		if (!c || !*c || (int)strlen(c) != utf8_len((unsigned char)c[0]))
			ft_die(FT_EXIT_DATA, "%s: decoder 'Strip' needs a one-character content", q(L->path));
		d->kind = DEC_STRIP;
		d->content = xstrdup(c);
		d->contentn = strlen(c);
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "start");
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "stop");
		d->start = cJSON_IsNumber(s) ? s->valueint : 0;
		d->stop = cJSON_IsNumber(e) ? e->valueint : 0;
	} else if (!strcmp(ty, "Replace")) {
		const char *c = get_str(o, "content");
		if (!c) ft_die(FT_EXIT_DATA, "%s: decoder 'Replace' without \"content\"", q(L->path));
		d->kind = DEC_REPLACE;
		get_pattern(L, o, "decoder 'Replace'", &d->pat, &d->patn, &d->re);
		d->content = xstrdup(c);
		d->contentn = strlen(c);
	} else if (!strcmp(ty, "BPEDecoder")) {
		const char *s = get_str(o, "suffix");
		d->kind = DEC_BPE;
		d->pat = xstrdup(s ? s : "</w>");
		d->patn = strlen(d->pat);
	} else {
		ft_die(FT_EXIT_DATA, "%s: decoder '%s' is not supported", q(L->path), ty);
	}
}

/* ---- post-processors: reduced to ids before and after the sequence ---- */

static void ids_append(int32_t **v, size_t *n, const int32_t *src, size_t k)
{
	*v = xrealloc(*v, (*n + k + 1) * sizeof **v);
	if (k) memcpy(*v + *n, src, k * sizeof *src);
	*n += k;
}

static int32_t special_pair_id(const ld_t *L, const cJSON *pair, const char *what)
{
	/* ["<s>", 1] */
	const cJSON *id = cJSON_GetArrayItem(pair, 1);
	if (!cJSON_IsArray(pair) || !cJSON_IsNumber(id))
		ft_die(FT_EXIT_DATA, "%s: post-processor %s is not a [token, id] pair", q(L->path), what);
	return (int32_t)id->valuedouble;
}

static void parse_post(const ld_t *L, const cJSON *o, tok_t *t)
{
	const char *ty = type_of(L, o, "post-processor");
	if (!strcmp(ty, "Sequence")) {
		const cJSON *e;
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(o, "processors")) parse_post(L, e, t);
		return;
	}
	if (!strcmp(ty, "ByteLevel")) {   /* offsets only */
		if (get_bool(o, "trim_offsets", 1)) { t->trim_offsets = 1; t->trim_prefix = get_bool(o, "add_prefix_space", 1); }
		return;
	}
	if (!strcmp(ty, "RobertaProcessing") && get_bool(o, "trim_offsets", 1)) {
		t->trim_offsets = 1;
		t->trim_prefix = get_bool(o, "add_prefix_space", 1);
	}
	int32_t *pre = NULL, *suf = NULL;
	size_t npre = 0, nsuf = 0;
	if (!strcmp(ty, "TemplateProcessing")) {
		const cJSON *single = cJSON_GetObjectItemCaseSensitive(o, "single");
		const cJSON *sp = cJSON_GetObjectItemCaseSensitive(o, "special_tokens");
		int seen_a = 0;
		const cJSON *e;
		cJSON_ArrayForEach(e, single) {
			const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "SpecialToken");
			const cJSON *sq = cJSON_GetObjectItemCaseSensitive(e, "Sequence");
			if (sq) {
				const char *id = get_str(sq, "id");
				if (seen_a || !id || strcmp(id, "A"))
					ft_die(FT_EXIT_DATA, "%s: TemplateProcessing 'single' must hold sequence $A once", q(L->path));
				seen_a = 1;
			} else if (st) {
				const char *id = get_str(st, "id");
				const cJSON *ent = id ? cJSON_GetObjectItemCaseSensitive(sp, id) : NULL;
				const cJSON *ids = cJSON_GetObjectItemCaseSensitive(ent, "ids");
				if (!cJSON_IsArray(ids))
					ft_die(FT_EXIT_DATA, "%s: TemplateProcessing special token %s is not in special_tokens", q(L->path), q(id ? id : "?"));
				const cJSON *x;
				cJSON_ArrayForEach(x, ids) {
					int32_t v = (int32_t)x->valuedouble;
					if (seen_a) ids_append(&suf, &nsuf, &v, 1);
					else ids_append(&pre, &npre, &v, 1);
				}
			} else {
				ft_die(FT_EXIT_DATA, "%s: TemplateProcessing item is neither SpecialToken nor Sequence", q(L->path));
			}
		}
		if (!seen_a) ft_die(FT_EXIT_DATA, "%s: TemplateProcessing 'single' has no $A", q(L->path));
	} else if (!strcmp(ty, "RobertaProcessing") || !strcmp(ty, "BertProcessing")) {
		int32_t cls = special_pair_id(L, cJSON_GetObjectItemCaseSensitive(o, "cls"), "cls");
		int32_t sep = special_pair_id(L, cJSON_GetObjectItemCaseSensitive(o, "sep"), "sep");
		ids_append(&pre, &npre, &cls, 1);
		ids_append(&suf, &nsuf, &sep, 1);
	} else {
		ft_die(FT_EXIT_DATA, "%s: post-processor '%s' is not supported", q(L->path), ty);
	}
	/* this processor wraps what the earlier ones produced */
	int32_t *np = NULL;
	size_t nnp = 0;
	ids_append(&np, &nnp, pre, npre);
	ids_append(&np, &nnp, t->post_prefix, t->npost_prefix);
	free(t->post_prefix);
	t->post_prefix = np;
	t->npost_prefix = nnp;
	ids_append(&t->post_suffix, &t->npost_suffix, suf, nsuf);
	free(pre);
	free(suf);
}

/* ---- the BPE model ---- */

static size_t mm_slot(const mergemap_t *m, uint64_t key)
{
	size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & m->mask;
	while (m->e[i].key && m->e[i].key != key) i = (i + 1) & m->mask;
	return i;
}

/* Decodes a byte-level token (GPT-2 chars) into its raw bytes; -1 if a char is not one of
 * the 256 (such a token cannot come out of byte-level words). */
static long bytelevel_decode(const char *s, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; ) {
		int l;
		uint32_t cp = utf8_decode(s + i, &l);
		i += (size_t)l;
		int b = tok_cp2byte(cp);
		if (b < 0) return -1;
		out[o++] = (char)b;
	}
	return (long)o;
}

static void parse_model(const ld_t *L, const cJSON *m, tok_t *t)
{
	const char *ty = get_str(m, "type");
	const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(m, "vocab");
	const cJSON *merges = cJSON_GetObjectItemCaseSensitive(m, "merges");
	if (!ty && cJSON_IsObject(vocab) && merges) ty = "BPE";   /* old files omit the type */
	if (!ty) ft_die(FT_EXIT_DATA, "%s: model without a \"type\"", q(L->path));
	if (strcmp(ty, "BPE")) ft_die(FT_EXIT_DATA, "%s: model '%s' is not supported", q(L->path), ty);
	const cJSON *dr = cJSON_GetObjectItemCaseSensitive(m, "dropout");
	if (cJSON_IsNumber(dr) && dr->valuedouble > 0)
		ft_die(FT_EXIT_DATA, "%s: BPE dropout is not supported (it makes tokenization random)", q(L->path));
	if (!cJSON_IsObject(vocab)) ft_die(FT_EXIT_DATA, "%s: BPE model without a vocab object", q(L->path));
	t->byte_fallback = get_bool(m, "byte_fallback", 0);
	t->fuse_unk = get_bool(m, "fuse_unk", 0);
	t->ignore_merges = get_bool(m, "ignore_merges", 0);
	const char *pfx = get_str(m, "continuing_subword_prefix");
	const char *sfx = get_str(m, "end_of_word_suffix");
	if (pfx && *pfx) { t->prefix = xstrdup(pfx); t->prefixn = strlen(pfx); }
	if (sfx && *sfx) { t->suffix = xstrdup(sfx); t->suffixn = strlen(sfx); }

	size_t nv = (size_t)cJSON_GetArraySize(vocab);
	strmap_init(&t->tok2id, nv + 1024);
	strmap_init(&t->bpe, nv);
	int32_t maxid = -1;
	const cJSON *e;
	cJSON_ArrayForEach(e, vocab) {
		if (!cJSON_IsNumber(e) || e->valuedouble < 0 || e->valuedouble > 2e9)
			ft_die(FT_EXIT_DATA, "%s: vocab entry %s has no valid id", q(L->path), q(e->string));
		int32_t id = (int32_t)e->valuedouble;
		if (id > maxid) maxid = id;
	}
	t->nids = (size_t)maxid + 1;
	t->id_str = xcalloc(t->nids, sizeof *t->id_str);
	t->id_len = xcalloc(t->nids, sizeof *t->id_len);
	char *tmp = xmalloc(4096);
	size_t tmpcap = 4096;
	cJSON_ArrayForEach(e, vocab) {
		int32_t id = (int32_t)e->valuedouble;
		size_t kn = strlen(e->string);
		if (utf8_valid_prefix(e->string, kn) != kn)
			ft_die(FT_EXIT_DATA, "%s: vocab token is not valid UTF-8", q(L->path));
		strmap_put(&t->tok2id, e->string, kn, id);
		if (!t->id_str[id]) { t->id_str[id] = xstrdup(e->string); t->id_len[id] = (uint32_t)kn; }
		if (t->byte_level) {
			if (kn > tmpcap) { tmpcap = kn; tmp = xrealloc(tmp, tmpcap); }
			long bn = bytelevel_decode(e->string, kn, tmp);
			if (bn >= 0) strmap_put(&t->bpe, tmp, (size_t)bn, id);
		} else {
			strmap_put(&t->bpe, e->string, kn, id);
		}
	}
	t->model_vocab_n = nv;

	const char *unk = get_str(m, "unk_token");
	t->unk_id = -1;
	if (unk) {
		t->unk_id = strmap_get(&t->tok2id, unk, strlen(unk));
		if (t->unk_id < 0) ft_die(FT_EXIT_DATA, "%s: unk_token %s is not in the vocab", q(L->path), q(unk));
		size_t un = strlen(unk), k = un ? un - 1 : 0;
		while (k > 0 && ((unsigned char)unk[k] & 0xC0) == 0x80) k--;
		int l;
		t->unk_last = un ? utf8_decode(unk + k, &l) : 0;
	}
	for (int b = 0; b < 256; b++) {
		char k[8];
		snprintf(k, sizeof k, "<0x%02X>", b);
		t->fallback_id[b] = strmap_get(&t->tok2id, k, 6);
		char c = (char)b;
		t->byte_id[b] = t->byte_level ? strmap_get(&t->bpe, &c, 1) : -1;
	}

	/* merges: ["a b", ...] or [["a", "b"], ...]; rank = position, the last duplicate wins */
	size_t nm = (size_t)cJSON_GetArraySize(merges);
	size_t cap = 16;
	while (cap < nm * 2 + 2) cap <<= 1;
	t->merges.e = xcalloc(cap, sizeof *t->merges.e);
	t->merges.mask = cap - 1;
	int32_t rank = 0;
	char *cat = NULL;
	size_t catcap = 0;
	cJSON_ArrayForEach(e, merges) {
		const char *a, *b;
		size_t an, bn;
		if (cJSON_IsString(e)) {
			const char *sp = strchr(e->valuestring, ' ');
			if (!sp || strchr(sp + 1, ' '))
				ft_die(FT_EXIT_DATA, "%s: merge %d is not \"a b\"", q(L->path), rank + 1);
			a = e->valuestring;
			an = (size_t)(sp - a);
			b = sp + 1;
			bn = strlen(b);
		} else if (cJSON_IsArray(e) && cJSON_GetArraySize(e) == 2 && cJSON_IsString(cJSON_GetArrayItem(e, 0)) &&
		           cJSON_IsString(cJSON_GetArrayItem(e, 1))) {
			a = cJSON_GetArrayItem(e, 0)->valuestring;
			b = cJSON_GetArrayItem(e, 1)->valuestring;
			an = strlen(a);
			bn = strlen(b);
		} else {
			ft_die(FT_EXIT_DATA, "%s: merge %d is neither \"a b\" nor [a, b]", q(L->path), rank + 1);
		}
		int32_t ia = strmap_get(&t->tok2id, a, an), ib = strmap_get(&t->tok2id, b, bn);
		if (ia < 0 || ib < 0)
			ft_die(FT_EXIT_DATA, "%s: merge %d uses a token that is not in the vocab", q(L->path), rank + 1);
		size_t skip = t->prefixn && bn >= t->prefixn ? t->prefixn : 0;
		if (an + bn > catcap) { catcap = an + bn + 64; cat = xrealloc(cat, catcap); }
		memcpy(cat, a, an);
		memcpy(cat + an, b + skip, bn - skip);
		int32_t nid = strmap_get(&t->tok2id, cat, an + bn - skip);
		if (nid < 0)
			ft_die(FT_EXIT_DATA, "%s: merge %d makes a token that is not in the vocab", q(L->path), rank + 1);
		if (bn >= 3 && !memcmp(b, "\xE2\x96\x81", 3) && !(an >= 3 && !memcmp(a + an - 3, "\xE2\x96\x81", 3)) && an) {
			size_t k = an - 1;
			while (k > 0 && ((unsigned char)a[k] & 0xC0) == 0x80) k--;
			int l;
			uint32_t cp = utf8_decode(a + k, &l);
			size_t j;
			for (j = 0; j < t->nws_block && t->ws_block[j] != cp; j++) {}
			if (j == t->nws_block) {
				t->ws_block = xrealloc(t->ws_block, (t->nws_block + 1) * sizeof *t->ws_block);
				t->ws_block[t->nws_block++] = cp;
			}
		}
		uint64_t key = ((uint64_t)(uint32_t)ia << 32 | (uint32_t)ib) + 1;
		size_t s = mm_slot(&t->merges, key);
		if (!t->merges.e[s].key) t->merges.n++;
		t->merges.e[s] = (mergeent_t){key, rank, nid};
		rank++;
	}
	free(cat);
	free(tmp);
	t->ws_split = !t->byte_level && !t->ignore_merges && !t->prefix && !t->suffix &&
	              strmap_get(&t->bpe, "\xE2\x96\x81", 3) >= 0 && t->nws_block <= 32;
}

/* ---- added tokens ---- */

static int32_t trie_child(const trie_t *tr, int32_t node, unsigned char c)
{
	uint64_t key = ((uint64_t)node << 8 | c) + 1;
	size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 24) & tr->emask;
	while (tr->ekey[i]) {
		if (tr->ekey[i] == key) return tr->eval[i];
		i = (i + 1) & tr->emask;
	}
	return -1;
}

static void trie_add(trie_t *tr, const char *s, size_t n, int32_t idx)
{
	if (!tr->term) {
		tr->cap = 64;
		tr->term = xmalloc(tr->cap * sizeof *tr->term);
		tr->term[0] = -1;
		tr->nnodes = 1;
		tr->emask = 255;
		tr->ekey = xcalloc(256, sizeof *tr->ekey);
		tr->eval = xcalloc(256, sizeof *tr->eval);
	}
	tr->first[(unsigned char)s[0]] = 1;
	int32_t node = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int32_t ch = trie_child(tr, node, c);
		if (ch < 0) {
			if (tr->nnodes == tr->cap) xgrow((void **)&tr->term, &tr->cap, tr->nnodes + 1, sizeof *tr->term);
			ch = (int32_t)tr->nnodes++;
			tr->term[ch] = -1;
			if ((tr->en + 1) * 2 > tr->emask + 1) {
				size_t ncap = (tr->emask + 1) * 2;
				uint64_t *ok = tr->ekey;
				int32_t *ov = tr->eval;
				size_t ocap = tr->emask + 1;
				tr->ekey = xcalloc(ncap, sizeof *tr->ekey);
				tr->eval = xcalloc(ncap, sizeof *tr->eval);
				tr->emask = ncap - 1;
				for (size_t k = 0; k < ocap; k++) {
					if (!ok[k]) continue;
					size_t j = (size_t)((ok[k] * 0x9E3779B97F4A7C15ull) >> 24) & tr->emask;
					while (tr->ekey[j]) j = (j + 1) & tr->emask;
					tr->ekey[j] = ok[k];
					tr->eval[j] = ov[k];
				}
				free(ok);
				free(ov);
			}
			uint64_t key = ((uint64_t)node << 8 | c) + 1;
			size_t j = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 24) & tr->emask;
			while (tr->ekey[j]) j = (j + 1) & tr->emask;
			tr->ekey[j] = key;
			tr->eval[j] = ch;
			tr->en++;
		}
		node = ch;
	}
	tr->term[node] = idx;
}

int32_t tok_trie_child(const trie_t *tr, int32_t node, unsigned char c) { return trie_child(tr, node, c); }

static void trie_free(trie_t *tr)
{
	free(tr->term);
	free(tr->ekey);
	free(tr->eval);
}

static void parse_added(const ld_t *L, const cJSON *arr, tok_t *t)
{
	size_t n = (size_t)cJSON_GetArraySize(arr);
	t->added = xcalloc(n + 1, sizeof *t->added);
	const cJSON *e;
	/* ids as HF's AddedVocabulary::add_tokens assigns them: the existing id when the content
	 * is already a token, else one past the largest so far (at least the model vocab size) */
	int32_t maxadded = -1;
	strmap_t seen;
	strmap_init(&seen, n);
	cJSON_ArrayForEach(e, arr) {
		const char *c = get_str(e, "content");
		if (!c) ft_die(FT_EXIT_DATA, "%s: added token without \"content\"", q(L->path));
		if (!*c) continue;
		size_t cn = strlen(c);
		if (utf8_valid_prefix(c, cn) != cn) ft_die(FT_EXIT_DATA, "%s: added token is not valid UTF-8", q(L->path));
		int special = get_bool(e, "special", 0);
		/* already added with the same content: HF keeps one entry, the later flags win */
		int32_t prev = strmap_get(&seen, c, cn);
		size_t k = prev >= 0 ? (size_t)prev : t->nadded;
		int32_t id;
		if (k < t->nadded) id = t->added[k].id;
		else {
			strmap_put(&seen, c, cn, (int32_t)t->nadded);
			id = strmap_get(&t->tok2id, c, cn);
			if (id < 0) {
				int32_t vs = (int32_t)t->model_vocab_n;
				id = maxadded < 0 ? vs : (maxadded >= vs || vs == 0) ? maxadded + 1 : vs;
			}
			k = t->nadded++;
		}
		added_t *a = &t->added[k];
		free(a->content);
		a->content = xstrdup(c);
		a->len = cn;
		a->id = id;
		a->special = special;
		a->normalized = get_bool(e, "normalized", !special);
		a->lstrip = get_bool(e, "lstrip", 0);
		a->rstrip = get_bool(e, "rstrip", 0);
		a->single_word = get_bool(e, "single_word", 0);
		if (id > maxadded) maxadded = id;
		const cJSON *given = cJSON_GetObjectItemCaseSensitive(e, "id");
		if (cJSON_IsNumber(given) && (int32_t)given->valuedouble != id)
			ft_warn("%s: added token %s has id %d in the file, HF gives it %d", q(L->path), q(c),
			        (int)given->valuedouble, (int)id);
	}
	strmap_free(&seen);
	/* id tables: grow to cover added ids; added text wins in both directions */
	size_t need = t->nids;
	for (size_t k = 0; k < t->nadded; k++)
		if ((size_t)t->added[k].id + 1 > need) need = (size_t)t->added[k].id + 1;
	if (need > t->nids) {
		t->id_str = xrealloc(t->id_str, need * sizeof *t->id_str);
		t->id_len = xrealloc(t->id_len, need * sizeof *t->id_len);
		memset(t->id_str + t->nids, 0, (need - t->nids) * sizeof *t->id_str);
		memset(t->id_len + t->nids, 0, (need - t->nids) * sizeof *t->id_len);
		t->nids = need;
	}
	t->id_special = xcalloc(t->nids, 1);
	for (size_t k = 0; k < t->nadded; k++) {
		added_t *a = &t->added[k];
		free(t->id_str[a->id]);
		t->id_str[a->id] = xstrdup(a->content);
		t->id_len[a->id] = (uint32_t)a->len;
		t->id_special[a->id] = (uint8_t)a->special;
		strmap_put(&t->tok2id, a->content, a->len, a->id);
	}
}

/* Builds the tries; normalized tokens are matched in normalized text by their normalized form. */
static void build_tries(tok_t *t)
{
	for (size_t k = 0; k < t->nadded; k++) {
		added_t *a = &t->added[k];
		if (!a->normalized) {
			trie_add(&t->trie_raw, a->content, a->len, (int32_t)k);
			t->has_raw = 1;
			continue;
		}
		size_t nn = a->len;
		char *ns = t->norm ? tok_normalize(t->norm, a->content, a->len, &nn) : NULL;
		if (nn) {
			trie_add(&t->trie_norm, ns ? ns : a->content, nn, (int32_t)k);
			t->has_norm = 1;
		}
		if (ns) {
			/* HF's id_to_token (and so decode) gives the normalized content of such a token */
			free(t->id_str[a->id]);
			t->id_str[a->id] = ns;
			t->id_len[a->id] = (uint32_t)nn;
		}
	}
}

/* ---- tokenizer_config.json ---- */

/* A special token named by tokenizer_config.json: a string or an AddedToken dict; absent
 * means the tokenizer class's default (dflt, may be NULL), null means none. */
static int32_t cfg_token(tok_t *t, const cJSON *cfg, const char *key, const char *dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
	const char *s = NULL;
	if (!v) s = dflt;
	else if (cJSON_IsString(v)) s = v->valuestring;
	else if (cJSON_IsObject(v)) s = get_str(v, "content");
	if (!s) return -1;
	return strmap_get(&t->tok2id, s, strlen(s));
}

static void apply_config(tok_t *t, const char *cpath)
{
	cJSON *cfg = json_read_file(cpath, 0);
	/* the defaults of the transformers classes' __init__ when the config does not say */
	const char *cls = get_str(cfg, "tokenizer_class");
	int llama = cls && (!strncmp(cls, "LlamaTokenizer", 14) || !strncmp(cls, "CodeLlamaTokenizer", 18));
	int gemma = cls && !strncmp(cls, "GemmaTokenizer", 14);
	t->bos_id = cfg_token(t, cfg, "bos_token", llama ? "<s>" : gemma ? "<bos>" : NULL);
	t->eos_id = cfg_token(t, cfg, "eos_token", llama ? "</s>" : gemma ? "<eos>" : NULL);
	t->pad_id = cfg_token(t, cfg, "pad_token", gemma ? "<pad>" : NULL);
	t->unk_cfg_id = cfg_token(t, cfg, "unk_token", llama || gemma ? "<unk>" : NULL);
	t->cleanup_spaces = get_bool(cfg, "clean_up_tokenization_spaces", 0);
	/* transformers passes it to the backend as encode_special_tokens */
	t->split_special = get_bool(cfg, "split_special_tokens", 0);
	/* transformers 4.x: LlamaTokenizerFast / GemmaTokenizerFast (and a few relatives) replace
	 * the post-processor with "[bos] $A [eos]" driven by add_bos_token / add_eos_token
	 * (reference/tokenizer.md 1.10). */
	static const char *const override[] = {
		"LlamaTokenizer", "LlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast",
		"CodeLlamaTokenizer", "CodeLlamaTokenizerFast", "CohereTokenizer", "CohereTokenizerFast", NULL,
	};
	int ov = 0;
	for (int i = 0; cls && override[i]; i++) ov |= !strcmp(cls, override[i]);
	if (ov) {
		int add_bos = get_bool(cfg, "add_bos_token", 1), add_eos = get_bool(cfg, "add_eos_token", 0);
		if (add_bos && t->bos_id < 0) ft_die(FT_EXIT_DATA, "%s: add_bos_token is set but bos_token is not", q(cpath));
		if (add_eos && t->eos_id < 0) ft_die(FT_EXIT_DATA, "%s: add_eos_token is set but eos_token is not", q(cpath));
		free(t->post_prefix);
		free(t->post_suffix);
		t->post_prefix = t->post_suffix = NULL;
		t->npost_prefix = t->npost_suffix = 0;
		if (add_bos) ids_append(&t->post_prefix, &t->npost_prefix, &t->bos_id, 1);
		if (add_eos) ids_append(&t->post_suffix, &t->npost_suffix, &t->eos_id, 1);
	}
	cJSON_Delete(cfg);
}

static uint64_t next_serial = 1;
static pthread_mutex_t serial_lock = PTHREAD_MUTEX_INITIALIZER;

tok_t *tok_load_files(const char *jpath, const char *cpath)
{
	tok_bytelevel_init();
	size_t n;
	char *buf = maybe_unzstd(jpath, file_read(jpath, &n, 0), &n);
	tok_t *t = xcalloc(1, sizeof *t);
	t->path = xstrdup(jpath);
	pthread_mutex_lock(&serial_lock);
	t->serial = next_serial++;
	pthread_mutex_unlock(&serial_lock);
	pthread_mutex_init(&t->lock, NULL);
	t->bos_id = t->eos_id = t->pad_id = t->unk_cfg_id = -1;
	sha256_hex(buf, n, t->fingerprint);
	cJSON *root = cJSON_ParseWithLength(buf, n);
	if (!root) ft_die(FT_EXIT_DATA, "%s: not valid JSON", q(jpath));
	free(buf);
	ld_t L = {jpath, t};

	/* truncation / padding: transformers resets both on every call (truncation=False and
	 * padding=False by default), which is how Axolotl tokenizes; ft truncates and packs in its
	 * own stages. So they are read past, as transformers does, with a note under -v. */
	const cJSON *trunc = cJSON_GetObjectItemCaseSensitive(root, "truncation");
	const cJSON *pad = cJSON_GetObjectItemCaseSensitive(root, "padding");
	if ((trunc && !cJSON_IsNull(trunc)) || (pad && !cJSON_IsNull(pad)))
		ft_debug("%s: truncation/padding settings ignored, as transformers does by default", q(jpath));

	const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "normalizer");
	if (o && !cJSON_IsNull(o)) {
		t->norm = xcalloc(1, sizeof *t->norm);
		parse_norm(&L, o, t->norm);
	}
	o = cJSON_GetObjectItemCaseSensitive(root, "pre_tokenizer");
	if (o && !cJSON_IsNull(o)) {
		t->pre = xcalloc(1, sizeof *t->pre);
		parse_pre(&L, o, t->pre, 1);
	}
	o = cJSON_GetObjectItemCaseSensitive(root, "model");
	if (!cJSON_IsObject(o)) ft_die(FT_EXIT_DATA, "%s: no \"model\"", q(jpath));
	parse_model(&L, o, t);
	o = cJSON_GetObjectItemCaseSensitive(root, "post_processor");
	if (o && !cJSON_IsNull(o)) parse_post(&L, o, t);
	o = cJSON_GetObjectItemCaseSensitive(root, "decoder");
	if (o && !cJSON_IsNull(o)) {
		t->has_decoder = 1;
		parse_dec(&L, o, t);
	}
	parse_added(&L, cJSON_GetObjectItemCaseSensitive(root, "added_tokens"), t);
	build_tries(t);
	cJSON_Delete(root);
	if (cpath) apply_config(t, cpath);
	return t;
}

tok_t *tok_load(const char *dir)
{
	size_t dn = strlen(dir);
	char *j = xmalloc(dn + 64), *c = xmalloc(dn + 64);
	struct stat st;
	snprintf(j, dn + 64, "%s/tokenizer.json", dir);
	if (stat(j, &st) != 0) {
		snprintf(j, dn + 64, "%s/tokenizer.json.zst", dir);
		if (stat(j, &st) != 0) ft_die(FT_EXIT_IO, "%s: no tokenizer.json or tokenizer.json.zst", q(dir));
	}
	snprintf(c, dn + 64, "%s/tokenizer_config.json", dir);
	tok_t *t = tok_load_files(j, stat(c, &st) == 0 ? c : NULL);
	free(j);
	free(c);
	return t;
}

void tok_free(tok_t *t)
{
	if (!t) return;
	for (size_t i = 0; i < t->nstates; i++) tok_state_free(t->states[i]);
	free(t->states);
	pthread_mutex_destroy(&t->lock);
	for (size_t i = 0; i < t->nids; i++) free(t->id_str[i]);
	free(t->id_str);
	free(t->id_len);
	free(t->id_special);
	strmap_free(&t->tok2id);
	strmap_free(&t->bpe);
	free(t->merges.e);
	free(t->prefix);
	free(t->suffix);
	free(t->ws_block);
	for (size_t k = 0; k < t->nadded; k++) free(t->added[k].content);
	free(t->added);
	trie_free(&t->trie_raw);
	trie_free(&t->trie_norm);
	if (t->norm) { tok_norm_free(t->norm); free(t->norm); }
	if (t->pre) { tok_pre_free(t->pre); free(t->pre); }
	free(t->post_prefix);
	free(t->post_suffix);
	for (size_t i = 0; i < t->ndec; i++) {
		free(t->dec[i].pat);
		free(t->dec[i].content);
		tok_re_free(t->dec[i].re);
	}
	free(t->dec);
	free(t->path);
	free(t);
}

/* ---- small accessors ---- */

int32_t tok_token_to_id(const tok_t *t, const char *token) { return strmap_get(&t->tok2id, token, strlen(token)); }

const char *tok_id_to_token(const tok_t *t, int32_t id)
{
	return id >= 0 && (size_t)id < t->nids ? t->id_str[id] : NULL;
}

size_t tok_vocab_size(const tok_t *t) { return t->nids; }
int tok_is_special(const tok_t *t, int32_t id) { return id >= 0 && (size_t)id < t->nids && t->id_special[id]; }
int32_t tok_bos_id(const tok_t *t) { return t->bos_id; }
int32_t tok_eos_id(const tok_t *t) { return t->eos_id; }
int32_t tok_pad_id(const tok_t *t) { return t->pad_id; }
int32_t tok_unk_id(const tok_t *t) { return t->unk_cfg_id >= 0 ? t->unk_cfg_id : t->unk_id; }
const char *tok_fingerprint(const tok_t *t) { return t->fingerprint; }
int tok_cleanup_wanted(const tok_t *t) { return t->cleanup_spaces; }

/* The fingerprint of DIR's tokenizer without building the tokenizer: what a reader of a .ftt
 * compares with the file's metadata. 0 on success, -1 when DIR has no tokenizer.json. */
int tok_dir_fingerprint(const char *dir, char out[65])
{
	size_t dn = strlen(dir), n;
	char *j = xmalloc(dn + 64);
	struct stat st;
	snprintf(j, dn + 64, "%s/tokenizer.json", dir);
	if (stat(j, &st) != 0) {
		snprintf(j, dn + 64, "%s/tokenizer.json.zst", dir);
		if (stat(j, &st) != 0) {
			free(j);
			return -1;
		}
	}
	char *buf = maybe_unzstd(j, file_read(j, &n, 0), &n);
	sha256_hex(buf, n, out);
	free(buf);
	free(j);
	return 0;
}

void tok_set_split_special(tok_t *t, int on) { t->split_special = !!on; }
