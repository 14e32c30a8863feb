/* jinja_builtins: jinja2's filters and tests, the Python str/dict/list methods templates call,
 * the globals transformers provides (raise_exception, strftime_now) plus jinja2's own (range,
 * namespace, dict), and the arithmetic operators with Python's rules and error messages.
 *
 * Names jinja2 knows but we do not implement are in the tables as unsupported, so a template
 * using them fails at compile time naming the filter, instead of rendering something else. */
#define _GNU_SOURCE   /* memmem */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "jinja_eval.h"
#include "unicode.h"
#include "utf8.h"

int jinja_clock(struct tm *out);

/* ---- tables ---- */

enum {
	F_ABS, F_ATTR, F_CAPITALIZE, F_CENTER, F_COUNT, F_D, F_DEFAULT, F_DICTSORT, F_E, F_ESCAPE,
	F_FIRST, F_FLOAT, F_FORCEESCAPE, F_INDENT, F_INT, F_ITEMS, F_JOIN, F_LAST, F_LENGTH,
	F_LIST, F_LOWER, F_MAP, F_MAX, F_MIN, F_REJECT, F_REJECTATTR, F_REPLACE, F_REVERSE,
	F_ROUND, F_SAFE, F_SELECT, F_SELECTATTR, F_SORT, F_STRING, F_SUM, F_TITLE, F_TOJSON,
	F_TRIM, F_TRUNCATE, F_UNIQUE, F_UPPER, F_WORDCOUNT, F_BATCH, F_FORMAT,
};

static const struct { const char *name; int id; } filters[] = {
	{ "abs", F_ABS }, { "attr", F_ATTR }, { "capitalize", F_CAPITALIZE }, { "center", F_CENTER },
	{ "count", F_COUNT }, { "d", F_D }, { "default", F_DEFAULT }, { "dictsort", F_DICTSORT },
	{ "e", F_E }, { "escape", F_ESCAPE }, { "first", F_FIRST }, { "float", F_FLOAT },
	{ "forceescape", F_FORCEESCAPE }, { "indent", F_INDENT }, { "int", F_INT },
	{ "items", F_ITEMS }, { "join", F_JOIN }, { "last", F_LAST }, { "length", F_LENGTH },
	{ "list", F_LIST }, { "lower", F_LOWER }, { "map", F_MAP }, { "max", F_MAX },
	{ "min", F_MIN }, { "reject", F_REJECT }, { "rejectattr", F_REJECTATTR },
	{ "replace", F_REPLACE }, { "reverse", F_REVERSE }, { "round", F_ROUND },
	{ "safe", F_SAFE }, { "select", F_SELECT }, { "selectattr", F_SELECTATTR },
	{ "sort", F_SORT }, { "string", F_STRING }, { "sum", F_SUM }, { "title", F_TITLE },
	{ "tojson", F_TOJSON }, { "trim", F_TRIM }, { "truncate", F_TRUNCATE },
	{ "unique", F_UNIQUE }, { "upper", F_UPPER }, { "wordcount", F_WORDCOUNT },
	/* jinja2 has these; we refuse them by name */
	{ "batch", F_BATCH }, { "filesizeformat", -2 }, { "format", F_FORMAT }, { "groupby", -2 },
	{ "pprint", -2 }, { "random", -2 }, { "slice", -2 }, { "striptags", -2 },
	{ "urlencode", -2 }, { "urlize", -2 }, { "wordwrap", -2 }, { "xmlattr", -2 },
};

int jinja_filter_id(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++)
		if (strlen(filters[i].name) == n && !memcmp(filters[i].name, name, n))
			return filters[i].id;
	return -1;
}

enum {
	T_BOOLEAN, T_CALLABLE, T_DEFINED, T_DIVISIBLEBY, T_EQ, T_ESCAPED, T_EVEN, T_FALSE, T_FLOAT,
	T_GE, T_GT, T_IN, T_INTEGER, T_ITERABLE, T_LE, T_LOWER, T_LT, T_MAPPING, T_NE, T_NONE,
	T_NUMBER, T_ODD, T_SAMEAS, T_SEQUENCE, T_STRING, T_TRUE, T_UNDEFINED, T_UPPER,
};

static const struct { const char *name; int id; } tests[] = {
	{ "boolean", T_BOOLEAN }, { "callable", T_CALLABLE }, { "defined", T_DEFINED },
	{ "divisibleby", T_DIVISIBLEBY }, { "eq", T_EQ }, { "equalto", T_EQ }, { "==", T_EQ },
	{ "escaped", T_ESCAPED }, { "even", T_EVEN }, { "false", T_FALSE }, { "float", T_FLOAT },
	{ "ge", T_GE }, { ">=", T_GE }, { "gt", T_GT }, { ">", T_GT }, { "greaterthan", T_GT },
	{ "in", T_IN }, { "integer", T_INTEGER }, { "iterable", T_ITERABLE }, { "le", T_LE },
	{ "<=", T_LE }, { "lower", T_LOWER }, { "lt", T_LT }, { "<", T_LT }, { "lessthan", T_LT },
	{ "mapping", T_MAPPING }, { "ne", T_NE }, { "!=", T_NE }, { "none", T_NONE },
	{ "number", T_NUMBER }, { "odd", T_ODD }, { "sameas", T_SAMEAS },
	{ "sequence", T_SEQUENCE }, { "string", T_STRING }, { "true", T_TRUE },
	{ "undefined", T_UNDEFINED }, { "upper", T_UPPER },
	{ "filter", -2 }, { "test", -2 },
};

int jinja_test_id(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
		if (strlen(tests[i].name) == n && !memcmp(tests[i].name, name, n))
			return tests[i].id;
	return -1;
}

static int test_id_str(jstr s) { return jinja_test_id(s.s, s.n); }

/* ---- argument helpers ---- */

static int streq(jstr a, const char *b) { return a.n == strlen(b) && !memcmp(a.s, b, a.n); }

/* positional index pos (counting after the operand) or keyword name; NULL if absent */
static jval *arg(jargs *a, int pos, const char *name)
{
	if (pos >= 0 && pos < a->nargs)
		return &a->args[pos];
	for (int i = 0; i < a->nkw; i++)
		if (streq(a->kwn[i], name))
			return &a->kwv[i];
	return NULL;
}

static jval argv_or(jargs *a, int pos, const char *name, jval dflt)
{
	jval *v = arg(a, pos, name);
	return v ? *v : dflt;
}

static long long want_int(jrender *r, const jnode *at, jval v, const char *what)
{
	if (v.t == JV_INT)
		return v.i;
	if (v.t == JV_BOOL)
		return v.b;
	if (v.t == JV_UNDEF)
		jr_undef_fail(r, v);
	jr_fail(r, at, "TypeError", "'%s' object cannot be interpreted as an integer (%s)", jv_typename(v), what);
}

static jstr want_str(jrender *r, const jnode *at, jval v, const char *what)
{
	if (v.t == JV_STR)
		return v.s;
	if (v.t == JV_UNDEF)
		jr_undef_fail(r, v);
	jr_fail(r, at, "TypeError", "%s must be str, not %s", what, jv_typename(v));
}

/* ---- string helpers ---- */

static int is_space_cp(uint32_t c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) || c == 0x85 ||
	       c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
	       c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* previous code point start */
static size_t cp_prev(jstr s, size_t i)
{
	do
		i--;
	while (i > 0 && ((unsigned char)s.s[i] & 0xC0) == 0x80);
	return i;
}

static int in_chars(jstr chars, uint32_t c)
{
	for (size_t i = 0; i < chars.n;) {
		if (ju_decode(chars.s, chars.n, &i) == c)
			return 1;
	}
	return 0;
}

/* Python str.strip/lstrip/rstrip; chars NULL = whitespace */
static jstr str_strip(jstr s, const jstr *chars, int left, int right)
{
	size_t b = 0, e = s.n;
	if (left) {
		while (b < e) {
			size_t k = b;
			uint32_t c = ju_decode(s.s, s.n, &k);
			if (chars ? !in_chars(*chars, c) : !is_space_cp(c))
				break;
			b = k;
		}
	}
	if (right) {
		while (e > b) {
			size_t p = cp_prev(s, e), k = p;
			if (p < b)   /* invalid UTF-8: stray continuation bytes after what left-strip kept */
				break;
			uint32_t c = ju_decode(s.s, s.n, &k);
			if (chars ? !in_chars(*chars, c) : !is_space_cp(c))
				break;
			e = p;
		}
	}
	return (jstr){ s.s + b, e - b };
}

/* memmem is linear (two-way), so a hostile needle cannot make a search quadratic */
static size_t str_find(jstr h, jstr n, size_t from)
{
	if (n.n == 0)
		return from <= h.n ? from : (size_t)-1;
	if (from > h.n)
		return (size_t)-1;
	const char *p = memmem(h.s + from, h.n - from, n.s, n.n);
	return p ? (size_t)(p - h.s) : (size_t)-1;
}

static jstr str_rev(jrender *r, jstr s)
{
	char *d = jarena_alloc(&r->a, s.n + 1);
	for (size_t i = 0; i < s.n; i++)
		d[i] = s.s[s.n - 1 - i];
	d[s.n] = 0;
	return (jstr){ d, s.n };
}

/* last occurrence, found as the first one in the reversed bytes (still linear) */
static size_t str_rfind(jrender *r, jstr h, jstr n)
{
	if (n.n > h.n)
		return (size_t)-1;
	size_t k = str_find(str_rev(r, h), str_rev(r, n), 0);
	return k == (size_t)-1 ? k : h.n - k - n.n;
}

static jval str_replace(jrender *r, jstr s, jstr old, jstr nw, long long count)
{
	jbuf b = { 0 };
	if (!old.n) {
		/* Python inserts new between every character (and at both ends) */
		long long done = 0;
		size_t i = 0;
		for (;;) {
			if (count >= 0 && done >= count)
				break;
			jb_putn(r, &b, nw.s, nw.n);
			done++;
			if (i >= s.n)
				break;
			size_t k = i;
			ju_decode(s.s, s.n, &k);
			jb_putn(r, &b, s.s + i, k - i);
			i = k;
		}
		jb_putn(r, &b, s.s + i, s.n - i);
		return jv_strv(jb_str(&b));
	}
	size_t i = 0;
	long long done = 0;
	while (count < 0 || done < count) {
		size_t k = str_find(s, old, i);
		if (k == (size_t)-1)
			break;
		jb_putn(r, &b, s.s + i, k - i);
		jb_putn(r, &b, nw.s, nw.n);
		i = k + old.n;
		done++;
	}
	jb_putn(r, &b, s.s + i, s.n - i);
	return jv_strv(jb_str(&b));
}

static int has_nonascii(jstr s);

/* Case mapping: ASCII here; non-ASCII lowercase through the tokenizer's Unicode 14 table
 * (the version Python 3.11 uses). Callers refuse non-ASCII uppercase (need_ascii). */
static jval str_case(jrender *r, jstr s, int mode /* 0 lower 1 upper */)
{
	if (!mode && has_nonascii(s)) {
		size_t on = 0;
		/* uni_lowercase reads whole UTF-8 sequences: feed it only valid text (Python
		 * strings are always valid; ours may not be when the input bytes were not) */
		if (!utf8_valid(s.s, s.n))
			jr_fail(r, NULL, "NotSupported", "lower() of text that is not valid UTF-8 is not supported");
		char *low = uni_lowercase(s.s, s.n, &on);
		jval v = jv_str(r, low, on);
		free(low);
		return v;
	}
	char *d = jarena_alloc(&r->a, s.n + 1);
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.s[i];
		d[i] = (char)(c < 0x80 ? (mode ? toupper(c) : tolower(c)) : c);
	}
	d[s.n] = 0;
	return jv_strv((jstr){ d, s.n });
}

static int has_nonascii(jstr s)
{
	for (size_t i = 0; i < s.n; i++)
		if ((unsigned char)s.s[i] >= 0x80)
			return 1;
	return 0;
}

static void need_ascii(jrender *r, const jnode *at, jstr s, const char *what)
{
	/* full Unicode case mapping is not implemented: refuse rather than differ from Python */
	if (has_nonascii(s)) {
		for (size_t i = 0; i < s.n;) {
			uint32_t c = ju_decode(s.s, s.n, &i);
			/* letters with case in Latin-1 Supplement and beyond */
			if ((c >= 0xC0 && c <= 0x24F) || (c >= 0x370 && c <= 0x52F) || (c >= 0x1E00 && c <= 0x1FFF) ||
			    (c >= 0x2C00 && c <= 0x2D2F) || (c >= 0xA640 && c <= 0xA7FF) || (c >= 0xFF21 && c <= 0xFF5A) ||
			    (c >= 0x10400 && c <= 0x1E95F) || c == 0xB5 || (c >= 0x2160 && c <= 0x24E9))
				jr_fail(r, at, "NotSupported", "%s of non-ASCII letters is not supported", what);
		}
	}
}

/* Python's lower() turns a word-final capital sigma into final sigma; the table does not */
static void need_no_sigma(jrender *r, const jnode *at, jstr s)
{
	if (str_find(s, (jstr){ "\xce\xa3", 2 }, 0) != (size_t)-1)
		jr_fail(r, at, "NotSupported", "lower() of text with a capital sigma is not supported");
}

static int is_alpha_ascii(unsigned char c) { return isalpha(c); }

/* Python str.islower()/isupper(): every cased character has that case, and there is one.
 * Non-ASCII: an uppercase letter is one the lowercase table changes; telling non-ASCII
 * lowercase letters apart needs an uppercase table we do not have, so isupper() refuses. */
static int str_is_case(jrender *r, const jnode *at, jstr s, int upper)
{
	int cased = 0;
	for (size_t i = 0; i < s.n;) {
		unsigned char c = (unsigned char)s.s[i];
		if (c < 0x80) {
			if (isalpha(c)) {
				cased = 1;
				if (upper ? islower(c) : isupper(c))
					return 0;
			}
			i++;
			continue;
		}
		size_t k = i;
		uint32_t cp = ju_decode(s.s, s.n, &k);
		size_t on = 0;
		int is_up = 0;
		if (utf8_valid(s.s + i, k - i)) {
			char *low = uni_lowercase(s.s + i, k - i, &on);
			is_up = on != k - i || memcmp(low, s.s + i, on);
			free(low);
		}
		int has_case = (cp >= 0xC0 && cp <= 0x24F) || (cp >= 0x370 && cp <= 0x52F) || (cp >= 0x1E00 && cp <= 0x1FFF) ||
			       (cp >= 0x2C00 && cp <= 0x2D2F) || (cp >= 0xA640 && cp <= 0xA7FF) || (cp >= 0xFF21 && cp <= 0xFF5A) ||
			       (cp >= 0x10400 && cp <= 0x1E95F) || cp == 0xB5 || (cp >= 0x2160 && cp <= 0x24E9);
		if (is_up) {
			cased = 1;
			if (!upper)
				return 0;
		} else if (has_case) {
			if (upper)
				jr_fail(r, at, "NotSupported", "isupper() of non-ASCII letters is not supported");
			cased = 1;
		}
		i = k;
	}
	return cased;
}

static jval str_capitalize(jrender *r, const jnode *at, jstr s)
{
	need_ascii(r, at, s, "capitalize");
	jval v = str_case(r, s, 0);
	if (s.n)
		((char *)v.s.s)[0] = (char)toupper((unsigned char)v.s.s[0]);
	return v;
}

/* Python str.title(): a letter after a non-letter is upper, others lower */
static jval str_title_py(jrender *r, const jnode *at, jstr s)
{
	need_ascii(r, at, s, "title");
	char *d = jarena_alloc(&r->a, s.n + 1);
	int prev = 0;
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.s[i];
		int cased = is_alpha_ascii(c);
		d[i] = (char)(cased ? (prev ? tolower(c) : toupper(c)) : c);
		prev = cased || (c >= 0x80);
	}
	d[s.n] = 0;
	return jv_strv((jstr){ d, s.n });
}

/* jinja2's title filter: words start after [-\s({\[<]+ */
static jval filter_title(jrender *r, const jnode *at, jstr s)
{
	need_ascii(r, at, s, "title");
	char *d = jarena_alloc(&r->a, s.n + 1);
	int start = 1;
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.s[i];
		if ((c && strchr("-({[<", c)) || isspace(c)) {
			d[i] = (char)c;
			start = 1;
			continue;
		}
		d[i] = (char)(c < 0x80 ? (start ? toupper(c) : tolower(c)) : c);
		start = 0;
	}
	d[s.n] = 0;
	return jv_strv((jstr){ d, s.n });
}

static jval str_split(jrender *r, jstr s, const jstr *sep, long long maxsplit, int from_right)
{
	jval out = jv_list(r, 0);
	if (sep) {
		if (!from_right) {
			size_t i = 0;
			while (maxsplit < 0 || (long long)out.l->n < maxsplit) {
				size_t k = str_find(s, *sep, i);
				if (k == (size_t)-1)
					break;
				jl_push(r, out.l, jv_strv((jstr){ s.s + i, k - i }));
				i = k + sep->n;
			}
			jl_push(r, out.l, jv_strv((jstr){ s.s + i, s.n - i }));
			return out;
		}
		/* rsplit scans from the right: split the reversed bytes by the reversed separator,
		 * then map each piece back to the original text */
		jstr rs = str_rev(r, s), rsep = str_rev(r, *sep);
		size_t i = 0;
		long long done = 0;
		while (maxsplit < 0 || done < maxsplit) {
			size_t k = str_find(rs, rsep, i);
			if (k == (size_t)-1)
				break;
			/* reversed [i, k) is original [n-k, n-i) */
			jl_push(r, out.l, jv_strv((jstr){ s.s + s.n - k, k - i }));
			i = k + rsep.n;
			done++;
		}
		jl_push(r, out.l, jv_strv((jstr){ s.s, s.n - i }));
		for (size_t a = 0, b = out.l->n - 1; a < b; a++, b--) {
			jval t = out.l->v[a];
			out.l->v[a] = out.l->v[b];
			out.l->v[b] = t;
		}
		return out;
	}
	/* whitespace split: runs of whitespace, no empty strings */
	if (from_right) {
		jval fwd = str_split(r, s, NULL, -1, 0);
		if (maxsplit < 0 || (long long)fwd.l->n <= maxsplit + 1)
			return fwd;
		/* rare: rsplit() with maxsplit; rebuild the head from the original text */
		size_t keep = fwd.l->n - (size_t)maxsplit;
		jstr last_head = fwd.l->v[keep - 1].s;
		jstr head = str_strip((jstr){ s.s, (size_t)(last_head.s + last_head.n - s.s) }, NULL, 1, 0);
		jl_push(r, out.l, jv_strv(head));
		for (size_t i = keep; i < fwd.l->n; i++)
			jl_push(r, out.l, fwd.l->v[i]);
		return out;
	}
	size_t i = 0;
	for (;;) {
		while (i < s.n) {
			size_t k = i;
			if (!is_space_cp(ju_decode(s.s, s.n, &k)))
				break;
			i = k;
		}
		if (i >= s.n)
			break;
		if (maxsplit >= 0 && (long long)out.l->n >= maxsplit) {
			jstr rest = str_strip((jstr){ s.s + i, s.n - i }, NULL, 0, 1);
			jl_push(r, out.l, jv_strv(rest));
			break;
		}
		size_t b = i;
		while (i < s.n) {
			size_t k = i;
			if (is_space_cp(ju_decode(s.s, s.n, &k)))
				break;
			i = k;
		}
		jl_push(r, out.l, jv_strv((jstr){ s.s + b, i - b }));
	}
	return out;
}

/* Python str.splitlines() boundaries */
static jval str_splitlines(jrender *r, jstr s, int keepends)
{
	jval out = jv_list(r, 0);
	size_t b = 0, i = 0;
	while (i < s.n) {
		size_t k = i;
		uint32_t c = ju_decode(s.s, s.n, &k);
		int nl = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || (c >= 0x1C && c <= 0x1E) ||
			 c == 0x85 || c == 0x2028 || c == 0x2029;
		if (!nl) {
			i = k;
			continue;
		}
		size_t e = k;
		if (c == '\r' && e < s.n && s.s[e] == '\n')
			e++;
		jl_push(r, out.l, jv_strv((jstr){ s.s + b, (keepends ? e : i) - b }));
		b = i = e;
	}
	if (b < s.n)
		jl_push(r, out.l, jv_strv((jstr){ s.s + b, s.n - b }));
	return out;
}

static int starts_with(jstr s, jstr p) { return p.n <= s.n && !memcmp(s.s, p.s, p.n); }
static int ends_with(jstr s, jstr p) { return p.n <= s.n && !memcmp(s.s + s.n - p.n, p.s, p.n); }

/* ---- arithmetic ---- */

static int isnum(jval v) { return v.t == JV_INT || v.t == JV_FLOAT || v.t == JV_BOOL; }
static double fnum(jval v) { return v.t == JV_FLOAT ? v.f : v.t == JV_INT ? (double)v.i : v.b; }
static long long inum(jval v) { return v.t == JV_INT ? v.i : v.b; }

static const char *opsym(int op)
{
	static const char *s[] = { "+", "-", "*", "/", "//", "%", "** or pow()" };
	return op <= OP_POW ? s[op] : "?";
}

static jval repeat(jrender *r, jval seq, long long n)
{
	size_t unit = seq.t == JV_STR ? seq.s.n : seq.l->n * sizeof(jval);
	if (n > 0 && unit && (unsigned long long)n > r->root.limit / unit)
		jr_fail(r, NULL, "LimitError", "repetition makes more than %zu bytes", r->root.limit);
	if (seq.t == JV_STR) {
		jbuf b = { 0 };
		for (long long i = 0; i < n; i++)
			jb_putn(r, &b, seq.s.s, seq.s.n);
		return jv_strv(jb_str(&b));
	}
	jval out = jv_list(r, 0);
	out.l->tuple = seq.l->tuple;
	for (long long i = 0; i < n; i++)
		for (size_t k = 0; k < seq.l->n; k++)
			jl_push(r, out.l, seq.l->v[k]);
	return out;
}

/* Python's printf-style str % args, for the conversions templates use (s r d i f e g x o c
 * and %%), with flags, width and precision; %(name)s mappings are refused. */
static jval str_percent(jrender *r, const jnode *at, jstr fmt, jval args)
{
	jval *av = &args;
	size_t an = 1, ai = 0;
	if (args.t == JV_LIST && args.l->tuple) {
		av = args.l->v;
		an = args.l->n;
	}
	jbuf b = { 0 };
	for (size_t i = 0; i < fmt.n; i++) {
		if (fmt.s[i] != '%') {
			jb_putn(r, &b, fmt.s + i, 1);
			continue;
		}
		if (++i >= fmt.n)
			jr_fail(r, at, "ValueError", "incomplete format");
		if (fmt.s[i] == '%') {
			jb_putn(r, &b, "%", 1);
			continue;
		}
		if (fmt.s[i] == '(')
			jr_fail(r, at, "NotSupported", "'%%(name)' string formatting is not supported");
		char spec[32];
		size_t sn = 0;
		spec[sn++] = '%';
		while (i < fmt.n && strchr("-+ #0", fmt.s[i]) && sn < 8)
			spec[sn++] = fmt.s[i++];
		while (i < fmt.n && isdigit((unsigned char)fmt.s[i]) && sn < 16)
			spec[sn++] = fmt.s[i++];
		if (i < fmt.n && fmt.s[i] == '.') {
			spec[sn++] = fmt.s[i++];
			while (i < fmt.n && isdigit((unsigned char)fmt.s[i]) && sn < 24)
				spec[sn++] = fmt.s[i++];
		}
		if (i >= fmt.n)
			jr_fail(r, at, "ValueError", "incomplete format");
		if (fmt.s[i] == '*')
			jr_fail(r, at, "NotSupported", "'*' width in string formatting is not supported");
		char conv = fmt.s[i];
		if (ai >= an)
			jr_fail(r, at, "TypeError", "not enough arguments for format string");
		jval v = av[ai++];
		if (v.t == JV_UNDEF && conv != 's')
			jr_undef_fail(r, v);
		char tmp[512];
		switch (conv) {
		case 's':
		case 'r':
		case 'a': {
			jbuf sb = { 0 };
			if (conv == 's')
				jv_tostr(r, &sb, v);
			else
				jv_repr(r, &sb, v, 0);
			jstr t = jb_str(&sb);
			spec[sn++] = 's';
			spec[sn] = 0;
			if (sn == 2) {
				jb_putn(r, &b, t.s, t.n);
			} else {
				/* width/precision count code points in Python, bytes in C: ASCII only */
				if (has_nonascii(t))
					jr_fail(r, at, "NotSupported", "padded %%s of non-ASCII text is not supported");
				char *cs = jarena_strndup(&r->a, t.s, t.n);
				int k = snprintf(tmp, sizeof tmp, spec, cs);
				jb_putn(r, &b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
			}
			break;
		}
		case 'd': case 'i': case 'x': case 'X': case 'o': case 'c': {
			long long x;
			if (v.t == JV_INT || v.t == JV_BOOL)
				x = inum(v);
			else if (v.t == JV_FLOAT && conv != 'c' && conv != 'x' && conv != 'X' && conv != 'o')
				x = (long long)v.f;
			else
				jr_fail(r, at, "TypeError", "%%%c format: a real number is required, not %s", conv,
					jv_typename(v));
			if (conv == 'c') {
				jr_fail(r, at, "NotSupported", "%%c string formatting is not supported");
			}
			spec[sn++] = 'l';
			spec[sn++] = 'l';
			spec[sn++] = conv == 'i' ? 'd' : conv;
			spec[sn] = 0;
			int k = snprintf(tmp, sizeof tmp, spec, x);
			jb_putn(r, &b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
			break;
		}
		case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': {
			if (!isnum(v))
				jr_fail(r, at, "TypeError", "must be real number, not %s", jv_typename(v));
			spec[sn++] = conv;
			spec[sn] = 0;
			int k = snprintf(tmp, sizeof tmp, spec, fnum(v));
			jb_putn(r, &b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
			break;
		}
		default:
			jr_fail(r, at, "ValueError", "unsupported format character '%c' (0x%x) at index %zu", conv,
				(unsigned)(unsigned char)conv, i);
		}
	}
	/* Python treats a non-tuple argument with __getitem__ (dict, list, Undefined) as a
	 * mapping: leaving it unused is no error */
	int maplike = args.t == JV_DICT || args.t == JV_UNDEF || (args.t == JV_LIST && !args.l->tuple);
	if (ai < an && !maplike)
		jr_fail(r, at, "TypeError", "not all arguments converted during string formatting");
	return jv_strv(jb_str(&b));
}

jval jb_binop(jrender *r, const jnode *at, int op, jval a, jval b)
{
	if (op == OP_MOD && a.t == JV_STR)
		return str_percent(r, at, a.s, b);   /* str.__mod__ takes any right operand */
	if (a.t == JV_UNDEF)
		jr_undef_fail(r, a);
	if (b.t == JV_UNDEF)
		jr_undef_fail(r, b);
	if (isnum(a) && isnum(b)) {
		int fl = a.t == JV_FLOAT || b.t == JV_FLOAT;
		long long x = inum(a), y = inum(b), z;
		double fx = fnum(a), fy = fnum(b);
		switch (op) {
		case OP_ADD:
			if (fl) return jv_float(fx + fy);
			if (__builtin_add_overflow(x, y, &z)) break;
			return jv_int(z);
		case OP_SUB:
			if (fl) return jv_float(fx - fy);
			if (__builtin_sub_overflow(x, y, &z)) break;
			return jv_int(z);
		case OP_MUL:
			if (fl) return jv_float(fx * fy);
			if (__builtin_mul_overflow(x, y, &z)) break;
			return jv_int(z);
		case OP_DIV:
			if (fy == 0)
				jr_fail(r, at, "ZeroDivisionError", "%s", fl ? "float division by zero" : "division by zero");
			return jv_float(fx / fy);
		case OP_FLOORDIV:
		case OP_MOD:
			if (fl) {
				if (fy == 0)
					jr_fail(r, at, "ZeroDivisionError", "%s", op == OP_MOD ? "float modulo" : "float floor division by zero");
				double m = fmod(fx, fy);
				if (m != 0 && ((m < 0) != (fy < 0)))
					m += fy;
				if (op == OP_MOD)
					return jv_float(m);
				{
					/* CPython float_floor_div */
					double dv = (fx - m) / fy, fd;
					if (dv) {
						fd = floor(dv);
						if (dv - fd > 0.5)
							fd += 1.0;
					} else {
						fd = copysign(0.0, fx / fy);
					}
					return jv_float(fd);
				}
			}
			if (y == 0)
				jr_fail(r, at, "ZeroDivisionError", "%s", op == OP_MOD ? "integer modulo by zero"
					: "integer division or modulo by zero");
			if (x == -9223372036854775807LL - 1 && y == -1)
				break;
			{
				long long q = x / y, m = x % y;
				if (m != 0 && ((m < 0) != (y < 0))) {
					q--;
					m += y;
				}
				return jv_int(op == OP_MOD ? m : q);
			}
		case OP_POW:
			if (!fl && y >= 0) {
				long long acc = 1, base = x;
				long long e = y;
				int ovf = 0;
				while (e) {
					if (e & 1)
						ovf |= __builtin_mul_overflow(acc, base, &acc);
					e >>= 1;
					if (e)
						ovf |= __builtin_mul_overflow(base, base, &base);
				}
				if (ovf) break;
				return jv_int(acc);
			}
			if (fx == 0 && fy < 0)
				jr_fail(r, at, "ZeroDivisionError", "0.0 cannot be raised to a negative power");
			return jv_float(pow(fx, fy));
		}
		jr_fail(r, at, "NotSupported", "integer overflow in '%s' (Python integers are unbounded)", opsym(op));
	}
	if (op == OP_ADD) {
		if (a.t == JV_STR && b.t == JV_STR) {
			char *d = jarena_alloc(&r->a, a.s.n + b.s.n + 1);
			memcpy(d, a.s.s, a.s.n);
			memcpy(d + a.s.n, b.s.s, b.s.n);
			d[a.s.n + b.s.n] = 0;
			return jv_strv((jstr){ d, a.s.n + b.s.n });
		}
		if (a.t == JV_LIST && b.t == JV_LIST && a.l->tuple == b.l->tuple && !a.l->gen && !b.l->gen &&
		    !a.l->view && !b.l->view) {
			jval out = jv_list(r, a.l->n + b.l->n);
			out.l->tuple = a.l->tuple;
			for (size_t i = 0; i < a.l->n; i++)
				jl_push(r, out.l, a.l->v[i]);
			for (size_t i = 0; i < b.l->n; i++)
				jl_push(r, out.l, b.l->v[i]);
			return out;
		}
		if (a.t == JV_STR)
			jr_fail(r, NULL, "TypeError", "can only concatenate str (not \"%s\") to str", jv_typename(b));
		if (a.t == JV_LIST)
			jr_fail(r, NULL, "TypeError", "can only concatenate %s (not \"%s\") to %s",
				jv_typename(a), jv_typename(b), jv_typename(a));
	}
	if (op == OP_MUL && !(a.t == JV_LIST && (a.l->gen || a.l->view)) &&
	    !(b.t == JV_LIST && (b.l->gen || b.l->view))) {
		if ((a.t == JV_STR || a.t == JV_LIST) && (b.t == JV_INT || b.t == JV_BOOL))
			return repeat(r, a, inum(b));
		if ((b.t == JV_STR || b.t == JV_LIST) && (a.t == JV_INT || a.t == JV_BOOL))
			return repeat(r, b, inum(a));
		if ((a.t == JV_STR || a.t == JV_LIST) || (b.t == JV_STR || b.t == JV_LIST))
			jr_fail(r, NULL, "TypeError", "can't multiply sequence by non-int of type '%s'",
				jv_typename(a.t == JV_STR || a.t == JV_LIST ? b : a));
	}
	if (op == OP_MOD && a.t == JV_STR)
		return str_percent(r, at, a.s, b);
	jr_fail(r, NULL, "TypeError", "unsupported operand type(s) for %s: '%s' and '%s'", opsym(op),
		jv_typename(a), jv_typename(b));
}

/* ---- filters ---- */

static jval attr_path(jrender *r, const jnode *at, jval v, jval attr)
{
	/* jinja2 make_attrgetter: "a.b" and integer parts go through getitem */
	if (attr.t != JV_STR)
		return jr_getitem(r, at, v, attr);
	jstr s = attr.s;
	size_t i = 0;
	while (i <= s.n) {
		size_t e = i;
		while (e < s.n && s.s[e] != '.')
			e++;
		jstr part = { s.s + i, e - i };
		int digits = part.n > 0;
		for (size_t k = 0; k < part.n; k++)
			if (!isdigit((unsigned char)part.s[k]))
				digits = 0;
		if (digits)
			v = jr_getitem(r, at, v, jv_int(strtoll(part.s, NULL, 10)));
		else
			v = jr_getitem(r, at, v, jv_strv(part));
		i = e + 1;
		if (e >= s.n)
			break;
	}
	return v;
}

static jval seq_of(jrender *r, const jnode *at, jval v) { return jr_iterable(r, at, v); }

typedef struct {
	jval attr;
	int has_attr, case_sensitive;
	const jnode *at;
} sortctx;

static jval sort_key(jrender *r, sortctx *c, jval v)
{
	if (c->has_attr)
		v = attr_path(r, c->at, v, c->attr);
	if (!c->case_sensitive && v.t == JV_STR)
		v = str_case(r, v.s, 0);
	return v;
}

static int cmp_sort(jrender *r, const void *a, const void *b, void *ctx)
{
	sortctx *c = ctx;
	return jv_cmp(r, sort_key(r, c, *(const jval *)a), sort_key(r, c, *(const jval *)b), "<");
}

static jval apply_test_or_filter(jrender *r, const jnode *at, jval item, jargs *a, int from, int is_filter, int *result)
{
	/* a->args[from] is the name; the rest are its arguments */
	jstr name = want_str(r, at, a->args[from], "name");
	jargs sub = { a->args + from + 1, a->nargs - from - 1, a->kwn, a->kwv, a->nkw };
	if (is_filter) {
		int id = jinja_filter_id(name.s, name.n);
		if (id == -1)
			jr_fail(r, at, "TemplateRuntimeError", "No filter named '%.*s'.", (int)name.n, name.s);
		if (id == -2)
			jr_fail(r, at, "NotSupported", "filter '%.*s' is not supported", (int)name.n, name.s);
		return jb_filter(r, at, id, item, &sub);
	}
	int id = test_id_str(name);
	if (id == -1)
		jr_fail(r, at, "TemplateRuntimeError", "No test named '%.*s'.", (int)name.n, name.s);
	if (id == -2)
		jr_fail(r, at, "NotSupported", "test '%.*s' is not supported", (int)name.n, name.s);
	sub.nkw = 0;
	*result = jb_test(r, at, id, item, &sub);
	return jv_none();
}

static jval as_gen(jval v)
{
	v.l->gen = 1;
	return v;
}

/* jinja2's map/select/unique/items are generators: an error in them surfaces only when
 * the result is iterated. We compute eagerly but catch the error and keep it in the
 * generator (poison), which raises it when the iteration reaches that point. */
#define LAZY_BEGIN(out)                                                   \
	jmp_buf lazy_saved;                                               \
	memcpy(&lazy_saved, &r->jb, sizeof lazy_saved);                   \
	if (setjmp(r->jb)) {                                              \
		memcpy(&r->jb, &lazy_saved, sizeof lazy_saved);           \
		(out).l->poison = jarena_strndup(&r->a, r->err, strlen(r->err)); \
		return (out);                                             \
	}
#define LAZY_END() memcpy(&r->jb, &lazy_saved, sizeof lazy_saved)

static jval select_like(jrender *r, const jnode *at, jval v, jargs *a, int attr, int reject)
{
	/* jinja2 yields nothing for a falsy sequence (None included) */
	jval out = jv_list(r, 0);
	out.l->gen = 1;
	if (!jv_truthy(v))
		return out;
	LAZY_BEGIN(out);
	jval items = seq_of(r, at, v);
	int off = attr ? 1 : 0;
	if (attr && a->nargs < 1)
		jr_fail(r, at, "TypeError", "selectattr/rejectattr need an attribute name");
	for (size_t i = 0; i < items.l->n; i++) {
		jval x = items.l->v[i];
		jval probe = attr ? attr_path(r, at, x, a->args[0]) : x;
		int ok;
		if (a->nargs > off)
			apply_test_or_filter(r, at, probe, a, off, 0, &ok);
		else
			ok = jv_truthy(probe);
		if (ok != reject)
			jl_push(r, out.l, x);
	}
	LAZY_END();
	return out;
}

static jval do_indent(jrender *r, jstr s, jval width, int first, int blank)
{
	jstr ind;
	if (width.t == JV_STR) {
		ind = width.s;
	} else {
		long long w = width.t == JV_INT ? width.i : 4;
		if (w > (long long)r->root.limit)
			jr_fail(r, NULL, "LimitError", "indent width %lld exceeds the output limit", w);
		char *d = jarena_alloc(&r->a, (size_t)(w > 0 ? w : 0) + 1);
		for (long long i = 0; i < w; i++)
			d[i] = ' ';
		ind = (jstr){ d, (size_t)(w > 0 ? w : 0) };
	}
	jbuf t = { 0 };
	jb_putn(r, &t, s.s, s.n);
	jb_putn(r, &t, "\n", 1);
	jval lines = str_splitlines(r, jb_str(&t), 0);
	jbuf b = { 0 };
	if (first)
		jb_putn(r, &b, ind.s, ind.n);
	for (size_t i = 0; i < lines.l->n; i++) {
		jstr ln = lines.l->v[i].s;
		if (i) {
			jb_putn(r, &b, "\n", 1);
			if (blank || ln.n)
				jb_putn(r, &b, ind.s, ind.n);
		}
		jb_putn(r, &b, ln.s, ln.n);
	}
	return jv_strv(jb_str(&b));
}

static jval html_escape(jrender *r, jstr s)
{
	jbuf b = { 0 };
	for (size_t i = 0; i < s.n; i++) {
		switch (s.s[i]) {
		case '&': jb_puts(r, &b, "&amp;"); break;
		case '<': jb_puts(r, &b, "&lt;"); break;
		case '>': jb_puts(r, &b, "&gt;"); break;
		case '"': jb_puts(r, &b, "&#34;"); break;
		case '\'': jb_puts(r, &b, "&#39;"); break;
		default: jb_putn(r, &b, s.s + i, 1);
		}
	}
	return jv_strv(jb_str(&b));
}

static jval py_int_from(jrender *r, jval v, jval dflt, long long base)
{
	switch (v.t) {
	case JV_INT: return v;
	case JV_BOOL: return jv_int(v.b);
	case JV_FLOAT:
		if (!isfinite(v.f) || fabs(v.f) >= 9.2e18)
			return dflt;
		return jv_int((long long)v.f);
	case JV_STR: {
		jstr s = str_strip(v.s, NULL, 1, 1);
		char buf[128];
		size_t o = 0;
		for (size_t i = 0; i < s.n && o < sizeof buf - 1; i++)
			if (s.s[i] != '_')
				buf[o++] = s.s[i];
		buf[o] = 0;
		if (!o || s.n >= sizeof buf)
			return dflt;
		char *e;
		errno = 0;
		long long x = strtoll(buf, &e, (int)base);
		if (!*e && errno == 0 && !(buf[0] == '0' && o > 1 && base == 10 && isdigit((unsigned char)buf[1])))
			return jv_int(x);
		double d = strtod(buf, &e);
		if (!*e && isfinite(d) && fabs(d) < 9.2e18 && !strchr(buf, 'x') && !strchr(buf, 'X'))
			return jv_int((long long)d);
		return dflt;
	}
	default:
		return dflt;
	}
}

static jjson_opts json_opts(jrender *r, const jnode *at, jargs *a, int pos0)
{
	jjson_opts o = { 0 };
	jval ind = argv_or(a, pos0, "indent", jv_none());
	o.ensure_ascii = jv_truthy(argv_or(a, pos0 + 1, "ensure_ascii", jv_bool(0)));
	jval seps = argv_or(a, pos0 + 2, "separators", jv_none());
	o.sort_keys = jv_truthy(argv_or(a, pos0 + 3, "sort_keys", jv_bool(0)));
	if (ind.t == JV_INT || ind.t == JV_BOOL) {
		long long n = inum(ind);
		char *d = jarena_alloc(&r->a, (size_t)(n > 0 ? n : 0) + 1);
		for (long long i = 0; i < n; i++)
			d[i] = ' ';
		o.indent = (jstr){ d, (size_t)(n > 0 ? n : 0) };
		o.has_indent = 1;
	} else if (ind.t == JV_STR) {
		o.indent = ind.s;
		o.has_indent = 1;
	} else if (ind.t != JV_NONE) {
		jr_fail(r, at, "TypeError", "tojson indent must be an int or a string");
	}
	o.item_sep = o.has_indent ? (jstr){ ",", 1 } : (jstr){ ", ", 2 };
	o.key_sep = (jstr){ ": ", 2 };
	if (seps.t == JV_LIST && seps.l->n == 2 && seps.l->v[0].t == JV_STR && seps.l->v[1].t == JV_STR) {
		o.item_sep = seps.l->v[0].s;
		o.key_sep = seps.l->v[1].s;
	} else if (seps.t != JV_NONE) {
		jr_fail(r, at, "TypeError", "tojson separators must be a pair of strings");
	}
	return o;
}

jval jb_filter(jrender *r, const jnode *at, int id, jval v, jargs *a)
{
	if (v.t == JV_STR)
		jr_charge(r, v.s.n);
	if (id == -1)
		jr_fail(r, at, "TemplateRuntimeError", "No filter named '%.*s' found.", (int)at->s.n, at->s.s);
	if (id == -2)
		jr_fail(r, at, "NotSupported", "filter '%.*s' is not supported", (int)at->s.n, at->s.s);
	switch (id) {
	case F_ABS:
		if (v.t == JV_INT) {
			if (v.i == -9223372036854775807LL - 1)
				jr_fail(r, at, "NotSupported", "integer overflow in abs");
			return jv_int(v.i < 0 ? -v.i : v.i);
		}
		if (v.t == JV_BOOL) return jv_int(v.b);
		if (v.t == JV_FLOAT) return jv_float(fabs(v.f));
		jr_fail(r, at, "TypeError", "bad operand type for abs(): '%s'", jv_typename(v));
	case F_ATTR: {
		jval *n = arg(a, 0, "name");
		if (!n) jr_fail(r, at, "TypeError", "attr() missing the name");
		return jr_getattr(r, at, v, want_str(r, at, *n, "attribute name"));
	}
	case F_BATCH: {
		/* a generator of lists of linecount items, the last padded with fill_with if given */
		jval *lc = arg(a, 0, "linecount");
		if (!lc)
			jr_fail(r, at, "TypeError", "do_batch() missing 1 required positional argument: 'linecount'");
		jval out = as_gen(jv_list(r, 0));
		LAZY_BEGIN(out);
		long long n = want_int(r, at, *lc, "linecount");
		jval *fill = arg(a, 1, "fill_with");
		if (n <= 0)
			jr_fail(r, at, "NotSupported", "batch() with a linecount below 1 is not supported");
		jval items = seq_of(r, at, v);
		jval cur = jv_list(r, 0);
		for (size_t i = 0; i < items.l->n; i++) {
			if ((long long)cur.l->n == n) {
				jl_push(r, out.l, cur);
				cur = jv_list(r, 0);
			}
			jl_push(r, cur.l, items.l->v[i]);
		}
		if (cur.l->n) {
			if (fill && fill->t != JV_NONE)
				while ((long long)cur.l->n < n)
					jl_push(r, cur.l, *fill);
			jl_push(r, out.l, cur);
		}
		LAZY_END();
		return out;
	}
	case F_FORMAT: {
		/* printf-style: value % args (keyword arguments would be a %(name)s mapping) */
		if (a->nkw)
			jr_fail(r, at, "NotSupported", "format() with keyword arguments is not supported");
		jval t = jv_list(r, (size_t)a->nargs);
		t.l->tuple = 1;
		for (int i = 0; i < a->nargs; i++)
			jl_push(r, t.l, a->args[i]);
		return str_percent(r, at, jv_to_jstr(r, v), t);
	}
	case F_CAPITALIZE:
		return str_capitalize(r, at, jv_to_jstr(r, v));
	case F_CENTER: {
		jstr s = jv_to_jstr(r, v);
		long long w = want_int(r, at, argv_or(a, 0, "width", jv_int(80)), "width");
		if (w > (long long)r->root.limit)
			jr_fail(r, at, "LimitError", "width %lld exceeds the output limit", w);
		long long n = (long long)ju_len(s);
		if (w <= n) return jv_strv(s);
		long long pad = w - n, left = pad / 2 + (pad & w & 1);
		jbuf b = { 0 };
		for (long long i = 0; i < left; i++) jb_putn(r, &b, " ", 1);
		jb_putn(r, &b, s.s, s.n);
		for (long long i = 0; i < pad - left; i++) jb_putn(r, &b, " ", 1);
		return jv_strv(jb_str(&b));
	}
	case F_COUNT:
	case F_LENGTH:
		switch (v.t) {
		case JV_UNDEF: return jv_int(0);
		case JV_STR: return jv_int((long long)ju_len(v.s));
		case JV_LIST:
			if (v.l->gen)
				jr_fail(r, at, "TypeError", "object of type '%s' has no len()", jv_typename(v));
			return jv_int((long long)v.l->n);
		case JV_DICT: return jv_int((long long)v.d->n);
		case JV_LOOP: return jv_int((long long)v.loop->n);
		default: jr_fail(r, at, "TypeError", "object of type '%s' has no len()", jv_typename(v));
		}
	case F_D:
	case F_DEFAULT: {
		jval dv = argv_or(a, 0, "default_value", jv_cstr(""));
		int boolean = jv_truthy(argv_or(a, 1, "boolean", jv_bool(0)));
		if (v.t == JV_UNDEF || (boolean && !jv_truthy(v)))
			return dv;
		return v;
	}
	case F_DICTSORT: {
		if (v.t == JV_UNDEF)
			jr_undef_fail(r, v);
		if (v.t != JV_DICT)
			jr_fail(r, at, "AttributeError", "'%s' object has no attribute 'items'", jv_typename(v));
		int cs = jv_truthy(argv_or(a, 0, "case_sensitive", jv_bool(0)));
		jval by = argv_or(a, 1, "by", jv_cstr("key"));
		int rev = jv_truthy(argv_or(a, 2, "reverse", jv_bool(0)));
		int pos = by.t == JV_STR && streq(by.s, "value") ? 1 : 0;
		if (by.t != JV_STR || (!pos && !streq(by.s, "key")))
			jr_fail(r, at, "FilterArgumentError", "You can only sort by either \"key\" or \"value\"");
		jval items = jv_list(r, v.d->n);
		for (size_t i = 0; i < v.d->n; i++) {
			jval t = jv_list(r, 2);
			t.l->tuple = 1;
			jl_push(r, t.l, v.d->p[i].k);
			jl_push(r, t.l, v.d->p[i].v);
			jl_push(r, items.l, t);
		}
		sortctx c = { jv_int(pos), 1, cs, at };
		jv_sort(r, items.l->v, items.l->n, sizeof(jval), cmp_sort, &c);
		if (rev)
			for (size_t i = 0, j = items.l->n ? items.l->n - 1 : 0; i < j; i++, j--) {
				jval t = items.l->v[i];
				items.l->v[i] = items.l->v[j];
				items.l->v[j] = t;
			}
		return items;
	}
	case F_E:
	case F_ESCAPE:
	case F_FORCEESCAPE:
		return html_escape(r, jv_to_jstr(r, v));
	case F_FIRST: {
		if (v.t == JV_LIST && v.l->gen) {
			if (v.l->pos < v.l->n)
				return v.l->v[v.l->pos++];
			if (v.l->poison)
				jr_fail(r, NULL, NULL, "%s", v.l->poison);
			return jv_undef(r, "No first item, sequence was empty.");
		}
		jval items = seq_of(r, at, v);
		return items.l->n ? items.l->v[0] : jv_undef(r, "No first item, sequence was empty.");
	}
	case F_LAST: {
		if (v.t == JV_LIST && v.l->gen)
			jr_fail(r, at, "TypeError", "'%s' object is not reversible", jv_typename(v));
		jval items = seq_of(r, at, v);
		return items.l->n ? items.l->v[items.l->n - 1] : jv_undef(r, "No last item, sequence was empty.");
	}
	case F_FLOAT: {
		if (v.t == JV_UNDEF)
			jr_undef_fail(r, v);
		jval dflt = argv_or(a, 0, "default", jv_float(0));
		if (v.t == JV_FLOAT) return v;
		if (v.t == JV_INT || v.t == JV_BOOL) return jv_float(fnum(v));
		if (v.t == JV_STR) {
			jstr s = str_strip(v.s, NULL, 1, 1);
			char buf[128];
			if (!s.n || s.n >= sizeof buf) return dflt;
			memcpy(buf, s.s, s.n);
			buf[s.n] = 0;
			char *e;
			double d = strtod(buf, &e);
			if (*e || strchr(buf, 'x') || strchr(buf, 'X')) return dflt;
			return jv_float(d);
		}
		return dflt;
	}
	case F_INDENT: {
		if (v.t == JV_UNDEF)
			jr_undef_fail(r, v);
		/* jinja2 does s += "\n" first, then s.splitlines() */
		if (v.t == JV_LIST && !v.l->tuple && !v.l->gen && !v.l->view)
			jr_fail(r, at, "AttributeError", "'list' object has no attribute 'splitlines'");
		if (v.t != JV_STR)
			jr_fail(r, at, "TypeError", "unsupported operand type(s) for +=: '%s' and 'str'", jv_typename(v));
		jstr s = v.s;
		return do_indent(r, s, argv_or(a, 0, "width", jv_int(4)),
				 jv_truthy(argv_or(a, 1, "first", jv_bool(0))),
				 jv_truthy(argv_or(a, 2, "blank", jv_bool(0))));
	}
	case F_INT: {
		if (v.t == JV_UNDEF)   /* int(Undefined) raises rather than taking the default */
			jr_undef_fail(r, v);
		jval dflt = argv_or(a, 0, "default", jv_int(0));
		long long base = want_int(r, at, argv_or(a, 1, "base", jv_int(10)), "base");
		return py_int_from(r, v, dflt, base);
	}
	case F_ITEMS: {
		if (v.t == JV_UNDEF)
			return as_gen(jv_list(r, 0));
		if (v.t != JV_DICT) {
			jval out = as_gen(jv_list(r, 0));
			out.l->poison = "TypeError: Can only get item pairs from a mapping.";
			return out;
		}
		jval items = jv_list(r, v.d->n);
		for (size_t i = 0; i < v.d->n; i++) {
			jval t = jv_list(r, 2);
			t.l->tuple = 1;
			jl_push(r, t.l, v.d->p[i].k);
			jl_push(r, t.l, v.d->p[i].v);
			jl_push(r, items.l, t);
		}
		return as_gen(items);
	}
	case F_JOIN: {
		jstr sep = jv_to_jstr(r, argv_or(a, 0, "d", jv_cstr("")));
		jval *attr = arg(a, 1, "attribute");
		jval items = seq_of(r, at, v);
		jbuf b = { 0 };
		for (size_t i = 0; i < items.l->n; i++) {
			if (i)
				jb_putn(r, &b, sep.s, sep.n);
			jval x = attr ? attr_path(r, at, items.l->v[i], *attr) : items.l->v[i];
			jv_tostr(r, &b, x);
		}
		return jv_strv(jb_str(&b));
	}
	case F_LIST: {
		jval items = seq_of(r, at, v);
		jval out = jv_list(r, items.l->n);
		for (size_t i = 0; i < items.l->n; i++)
			jl_push(r, out.l, items.l->v[i]);
		return out;
	}
	case F_LOWER:
		need_no_sigma(r, at, jv_to_jstr(r, v));
		return str_case(r, jv_to_jstr(r, v), 0);
	case F_UPPER:
		need_ascii(r, at, jv_to_jstr(r, v), "upper");
		return str_case(r, jv_to_jstr(r, v), 1);
	case F_MAP: {
		jval out = as_gen(jv_list(r, 0));
		if (!jv_truthy(v))
			return out;
		LAZY_BEGIN(out);
		jval items = seq_of(r, at, v);
		jval *attr = NULL;
		for (int i = 0; i < a->nkw; i++)
			if (streq(a->kwn[i], "attribute"))
				attr = &a->kwv[i];
		jval *dflt = NULL;
		for (int i = 0; i < a->nkw; i++)
			if (streq(a->kwn[i], "default"))
				dflt = &a->kwv[i];
		if (!attr && a->nargs < 1)
			jr_fail(r, at, "FilterArgumentError", "map requires a filter argument");
		for (size_t i = 0; i < items.l->n; i++) {
			jval x = items.l->v[i];
			if (attr) {
				x = attr_path(r, at, x, *attr);
				if (x.t == JV_UNDEF && dflt)
					x = *dflt;
			} else {
				jargs sub = *a;
				sub.nkw = 0;
				x = apply_test_or_filter(r, at, x, &sub, 0, 1, NULL);
			}
			jl_push(r, out.l, x);
		}
		LAZY_END();
		return out;
	}
	case F_MAX:
	case F_MIN: {
		jval items = seq_of(r, at, v);
		if (!items.l->n)
			return jv_undef(r, "No aggregated item, sequence was empty.");
		jval *attr = arg(a, 1, "attribute");
		sortctx c = { attr ? *attr : jv_none(), attr != NULL,
			      jv_truthy(argv_or(a, 0, "case_sensitive", jv_bool(0))), at };
		jval best = items.l->v[0];
		for (size_t i = 1; i < items.l->n; i++) {
			int k = cmp_sort(r, &items.l->v[i], &best, &c);
			if (id == F_MAX ? k > 0 : k < 0)
				best = items.l->v[i];
		}
		return best;
	}
	case F_REJECT: return select_like(r, at, v, a, 0, 1);
	case F_SELECT: return select_like(r, at, v, a, 0, 0);
	case F_REJECTATTR: return select_like(r, at, v, a, 1, 1);
	case F_SELECTATTR: return select_like(r, at, v, a, 1, 0);
	case F_REPLACE: {
		jstr s = jv_to_jstr(r, v);
		jval *o = arg(a, 0, "old"), *n = arg(a, 1, "new");
		if (!o || !n)
			jr_fail(r, at, "TypeError", "replace() needs old and new");
		jval cnt = argv_or(a, 2, "count", jv_none());
		return str_replace(r, s, jv_to_jstr(r, *o), jv_to_jstr(r, *n),
				   cnt.t == JV_NONE ? -1 : want_int(r, at, cnt, "count"));
	}
	case F_REVERSE: {
		if (v.t == JV_STR) {
			char *d = jarena_alloc(&r->a, v.s.n + 1);
			size_t o = v.s.n;
			for (size_t i = 0; i < v.s.n;) {
				size_t k = i;
				ju_decode(v.s.s, v.s.n, &k);
				o -= k - i;
				memcpy(d + o, v.s.s + i, k - i);
				i = k;
			}
			d[v.s.n] = 0;
			return jv_strv((jstr){ d, v.s.n });
		}
		/* reversed(): an iterator over a list or tuple; other iterables become a list */
		/* Undefined reverses too (it has __len__ and __getitem__), into a `reversed` object */
		int lazy = (v.t == JV_LIST && !v.l->gen && !v.l->view) ? 2 : v.t == JV_DICT ? 3 : v.t == JV_UNDEF ? 1 : 0;
		if (v.t != JV_LIST && v.t != JV_DICT && v.t != JV_UNDEF)
			jr_fail(r, at, "FilterArgumentError", "argument must be iterable");
		jval items = seq_of(r, at, v);
		jval out = jv_list(r, items.l->n);
		for (size_t i = items.l->n; i-- > 0;)
			jl_push(r, out.l, items.l->v[i]);
		out.l->gen = lazy;
		return out;
	}
	case F_ROUND: {
		long long prec = want_int(r, at, argv_or(a, 0, "precision", jv_int(0)), "precision");
		jval m = argv_or(a, 1, "method", jv_cstr("common"));
		if (!isnum(v)) {
			jr_fail(r, at, "TypeError", "type %s doesn't define __round__ method", jv_typename(v));
		}
		if (m.t != JV_STR || (!streq(m.s, "common") && !streq(m.s, "ceil") && !streq(m.s, "floor")))
			jr_fail(r, at, "FilterArgumentError", "method must be common, ceil or floor");
		if (v.t != JV_FLOAT && streq(m.s, "common"))
			return jv_int(inum(v));   /* round(int, n>=0) is the int itself */
		double x = fnum(v);
		if (prec < 0 || prec > 300)
			jr_fail(r, at, "NotSupported", "round() with precision %lld is not supported", prec);
		if (streq(m.s, "common")) {
			char buf[400];
			snprintf(buf, sizeof buf, "%.*f", (int)prec, x);   /* correctly rounded, ties to even */
			return jv_float(strtod(buf, NULL));
		}
		double p10 = pow(10, (double)prec);
		return jv_float((streq(m.s, "ceil") ? ceil(x * p10) : floor(x * p10)) / p10);
	}
	case F_SAFE:
		return v.t == JV_STR ? v : jv_strv(jv_to_jstr(r, v));
	case F_SORT: {
		int rev = jv_truthy(argv_or(a, 0, "reverse", jv_bool(0)));
		jval *attr = arg(a, 2, "attribute");
		sortctx c = { attr ? *attr : jv_none(), attr != NULL,
			      jv_truthy(argv_or(a, 1, "case_sensitive", jv_bool(0))), at };
		jval items = seq_of(r, at, v);
		jval out = jv_list(r, items.l->n);
		for (size_t i = 0; i < items.l->n; i++)
			jl_push(r, out.l, items.l->v[i]);
		jv_sort(r, out.l->v, out.l->n, sizeof(jval), cmp_sort, &c);
		if (rev) {
			/* Python's sorted(reverse=True) keeps equal items in original order */
			jval o2 = jv_list(r, out.l->n);
			size_t n = out.l->n, i = n;
			while (i > 0) {
				size_t j = i - 1;
				while (j > 0 && cmp_sort(r, &out.l->v[j - 1], &out.l->v[i - 1], &c) == 0)
					j--;
				for (size_t k = j; k < i; k++)
					jl_push(r, o2.l, out.l->v[k]);
				i = j;
			}
			return o2;
		}
		return out;
	}
	case F_STRING:
		return v.t == JV_STR ? v : jv_strv(jv_to_jstr(r, v));
	case F_SUM: {
		jval *attr = arg(a, 0, "attribute");
		jval acc = argv_or(a, 1, "start", jv_int(0));
		jval items = seq_of(r, at, v);
		for (size_t i = 0; i < items.l->n; i++) {
			jval x = attr ? attr_path(r, at, items.l->v[i], *attr) : items.l->v[i];
			acc = jb_binop(r, at, OP_ADD, acc, x);
		}
		return acc;
	}
	case F_TITLE:
		return filter_title(r, at, jv_to_jstr(r, v));
	case F_TOJSON: {
		jjson_opts o = json_opts(r, at, a, 0);
		jbuf b = { 0 };
		jv_json(r, &b, v, &o, 0);
		return jv_strv(jb_str(&b));
	}
	case F_TRIM: {
		jstr s = jv_to_jstr(r, v);
		jval ch = argv_or(a, 0, "chars", jv_none());
		if (ch.t == JV_NONE)
			return jv_strv(str_strip(s, NULL, 1, 1));
		jstr cs = want_str(r, at, ch, "strip arg");
		return jv_strv(str_strip(s, &cs, 1, 1));
	}
	case F_TRUNCATE: {
		if (v.t != JV_STR) {
			/* jinja2 measures len() of whatever it gets and returns short values as they are */
			long long len = want_int(r, at, argv_or(a, 0, "length", jv_int(255)), "length");
			jval lw = argv_or(a, 3, "leeway", jv_none());
			long long leeway = lw.t == JV_NONE ? 5 : want_int(r, at, lw, "leeway");
			jval n = jb_filter(r, at, F_LENGTH, v, &(jargs){ 0 });
			if (n.i <= len + leeway)
				return v;
			jr_fail(r, at, "NotSupported", "truncate of a long %s is not supported", jv_typename(v));
		}
		jstr s = v.s;
		long long len = want_int(r, at, argv_or(a, 0, "length", jv_int(255)), "length");
		int kill = jv_truthy(argv_or(a, 1, "killwords", jv_bool(0)));
		jstr end = jv_to_jstr(r, argv_or(a, 2, "end", jv_cstr("...")));
		jval lw = argv_or(a, 3, "leeway", jv_none());
		long long leeway = lw.t == JV_NONE ? 5 : want_int(r, at, lw, "leeway");
		long long n = (long long)ju_len(s), en = (long long)ju_len(end);
		if (len < en)
			jr_fail(r, at, "AssertionError", "expected length >= %lld, got %lld", en, len);
		if (n <= len + leeway)
			return jv_strv(s);
		jstr head = { s.s, ju_off(s, (size_t)(len - en)) };
		if (!kill) {
			size_t k = head.n;
			while (k > 0 && head.s[k - 1] != ' ')
				k--;
			if (k > 0)
				head.n = k - 1;
		}
		jbuf b = { 0 };
		jb_putn(r, &b, head.s, head.n);
		jb_putn(r, &b, end.s, end.n);
		return jv_strv(jb_str(&b));
	}
	case F_UNIQUE: {
		int cs = jv_truthy(argv_or(a, 0, "case_sensitive", jv_bool(0)));
		jval *attr = arg(a, 1, "attribute");
		jval out = as_gen(jv_list(r, 0));
		LAZY_BEGIN(out);
		jval items = seq_of(r, at, v);
		jval seen = jv_list(r, 0);
		sortctx c = { attr ? *attr : jv_none(), attr != NULL, cs, at };
		for (size_t i = 0; i < items.l->n; i++) {
			jval k = sort_key(r, &c, items.l->v[i]);
			int dup = 0;
			for (size_t j = 0; j < seen.l->n && !dup; j++)
				dup = jv_eq(seen.l->v[j], k);
			if (!dup) {
				jl_push(r, seen.l, k);
				jl_push(r, out.l, items.l->v[i]);
			}
		}
		LAZY_END();
		return out;
	}
	case F_WORDCOUNT: {
		jstr s = jv_to_jstr(r, v);
		long long n = 0;
		int in = 0;
		for (size_t i = 0; i < s.n; i++) {
			unsigned char c = (unsigned char)s.s[i];
			int w = isalnum(c) || c == '_' || c >= 0x80;
			if (w && !in)
				n++;
			in = w;
		}
		return jv_int(n);
	}
	}
	jr_fail(r, at, "NotSupported", "filter is not supported");
}

/* ---- tests ---- */

int jb_test(jrender *r, const jnode *at, int id, jval v, jargs *a)
{
	/* tests without parameters reject arguments as Python does */
	static const struct { int id; const char *fn; } noarg[] = {
		{ T_BOOLEAN, "test_boolean" }, { T_DEFINED, "test_defined" }, { T_UNDEFINED, "test_undefined" },
		{ T_NONE, "test_none" }, { T_STRING, "test_string" }, { T_MAPPING, "test_mapping" },
		{ T_ITERABLE, "test_iterable" }, { T_SEQUENCE, "test_sequence" }, { T_NUMBER, "test_number" },
		{ T_INTEGER, "test_integer" }, { T_FLOAT, "test_float" }, { T_TRUE, "test_true" },
		{ T_FALSE, "test_false" }, { T_EVEN, "test_even" }, { T_ODD, "test_odd" },
		{ T_LOWER, "test_lower" }, { T_UPPER, "test_upper" }, { T_ESCAPED, "test_escaped" },
	};
	if (a->nargs + a->nkw > 0)
		for (size_t i = 0; i < sizeof noarg / sizeof noarg[0]; i++)
			if (noarg[i].id == id)
				jr_fail(r, at, "TypeError", "%s() takes 1 positional argument but %d were given",
					noarg[i].fn, a->nargs + 1);
	if (id == -1)
		jr_fail(r, at, "TemplateRuntimeError", "No test named '%.*s' found.", (int)at->s.n, at->s.s);
	if (id == -2)
		jr_fail(r, at, "NotSupported", "test '%.*s' is not supported", (int)at->s.n, at->s.s);
	jval *x = a->nargs ? &a->args[0] : NULL;
	switch (id) {
	case T_BOOLEAN: return v.t == JV_BOOL;
	case T_CALLABLE: return v.t == JV_FUNC || v.t == JV_UNDEF || v.t == JV_LOOP;   /* Undefined has __call__ */
	case T_DEFINED: return v.t != JV_UNDEF;
	case T_UNDEFINED: return v.t == JV_UNDEF;
	case T_NONE: return v.t == JV_NONE;
	case T_STRING: return v.t == JV_STR;
	case T_MAPPING: return v.t == JV_DICT;
	case T_ITERABLE: return v.t == JV_UNDEF || v.t == JV_STR || v.t == JV_LIST || v.t == JV_DICT || v.t == JV_LOOP;
	case T_SEQUENCE: return v.t == JV_UNDEF || v.t == JV_STR || v.t == JV_LIST || v.t == JV_DICT;
	case T_NUMBER: return isnum(v);
	case T_INTEGER: return v.t == JV_INT;
	case T_FLOAT: return v.t == JV_FLOAT;
	case T_TRUE: return v.t == JV_BOOL && v.b;
	case T_FALSE: return v.t == JV_BOOL && !v.b;
	case T_ESCAPED: return 0;
	case T_LOWER:
	case T_UPPER:
		return str_is_case(r, at, jv_to_jstr(r, v), id == T_UPPER);
	case T_EVEN:
	case T_ODD: {
		jval m = jb_binop(r, at, OP_MOD, v, jv_int(2));
		return id == T_EVEN ? !jv_truthy(m) : jv_eq(m, jv_int(1));
	}
	case T_DIVISIBLEBY:
		if (!x) jr_fail(r, at, "TypeError", "divisibleby needs an argument");
		return !jv_truthy(jb_binop(r, at, OP_MOD, v, *x));
	case T_SAMEAS:
		if (!x) jr_fail(r, at, "TypeError", "sameas needs an argument");
		if (v.t != x->t) return 0;
		if (v.t == JV_NONE || v.t == JV_UNDEF) return 1;
		if (v.t == JV_BOOL) return v.b == x->b;
		if (v.t == JV_LIST) return v.l == x->l;
		if (v.t == JV_DICT || v.t == JV_NS) return v.d == x->d;
		return jv_eq(v, *x);
	case T_EQ: case T_NE: case T_LT: case T_LE: case T_GT: case T_GE: case T_IN:
		if (!x) jr_fail(r, at, "TypeError", "test needs an argument");
		switch (id) {
		case T_EQ: return jv_eq(v, *x);
		case T_NE: return !jv_eq(v, *x);
		case T_LT: return jv_cmp(r, v, *x, "<") < 0;
		case T_LE: return jv_cmp(r, v, *x, "<=") <= 0;
		case T_GT: return jv_cmp(r, v, *x, ">") > 0;
		case T_GE: return jv_cmp(r, v, *x, ">=") >= 0;
		default: {
			jval probe = jb_binop(r, at, OP_ADD, jv_int(0), jv_int(0));
			(void)probe;
			if (x->t == JV_LIST) {
				for (size_t i = 0; i < x->l->n; i++)
					if (jv_eq(x->l->v[i], v)) return 1;
				return 0;
			}
			if (x->t == JV_DICT) return jd_find(x->d, v) != NULL;
			if (x->t == JV_STR && v.t == JV_STR)
				return str_find(x->s, v.s, 0) != (size_t)-1;
			jr_fail(r, at, "TypeError", "argument of type '%s' is not iterable", jv_typename(*x));
		}
		}
	}
	jr_fail(r, at, "NotSupported", "test is not supported");
}

/* ---- methods ---- */

static const char *const str_methods[] = { "strip", "lstrip", "rstrip", "split", "rsplit",
	"startswith", "endswith", "upper", "lower", "title", "capitalize", "replace", "find",
	"rfind", "index", "rindex", "count", "join", "splitlines", "isdigit", "isalpha", "isalnum",
	"isspace", "islower", "isupper", "isnumeric", "isdecimal", "zfill", "removeprefix",
	"removesuffix", "swapcase", "center", "ljust", "rjust", "partition",
	"rpartition", "format", "encode", "expandtabs", "format_map", "istitle", "isidentifier",
	"isprintable", "isascii", "maketrans", "translate", "casefold", NULL };
static const char *const dict_methods[] = { "items", "keys", "values", "get", "copy", NULL };
static const char *const dict_unsafe[] = { "pop", "popitem", "update", "setdefault", "clear", NULL };
static const char *const list_methods[] = { "index", "count", "copy", NULL };
static const char *const list_unsafe[] = { "append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear", NULL };

static int in_list(const char *const *l, jstr n)
{
	for (int i = 0; l[i]; i++)
		if (streq(n, l[i]))
			return 1;
	return 0;
}

int jb_method_exists(jval self, jstr name)
{
	switch (self.t) {
	case JV_STR: return in_list(str_methods, name);
	case JV_DICT: return in_list(dict_methods, name) ? 1 : in_list(dict_unsafe, name) ? -1 : 0;
	case JV_LIST:
		if (self.l->gen || self.l->view)
			return 0;
		if (self.l->tuple)
			return streq(name, "index") || streq(name, "count");
		return in_list(list_methods, name) ? 1 : in_list(list_unsafe, name) ? -1 : 0;
	default: return 0;
	}
}

static jstr opt_str(jrender *r, const jnode *at, jargs *a, int pos, const char *name, int *has)
{
	jval *v = arg(a, pos, name);
	*has = v && v->t != JV_NONE;
	if (!*has)
		return (jstr){ "", 0 };
	return want_str(r, at, *v, name);
}

static int prefix_test(jrender *r, const jnode *at, jstr s, jval p, int ends)
{
	if (p.t == JV_LIST && p.l->tuple) {
		for (size_t i = 0; i < p.l->n; i++)
			if (prefix_test(r, at, s, p.l->v[i], ends))
				return 1;
		return 0;
	}
	if (p.t != JV_STR)
		jr_fail(r, at, "TypeError", "%s first arg must be str or a tuple of str, not %s",
			ends ? "endswith" : "startswith", jv_typename(p));
	return ends ? ends_with(s, p.s) : starts_with(s, p.s);
}

static jval str_method(jrender *r, const jnode *at, jstr s, jstr m, jargs *a)
{
	int has;
	if (streq(m, "strip") || streq(m, "lstrip") || streq(m, "rstrip")) {
		jstr ch = opt_str(r, at, a, 0, "chars", &has);
		return jv_strv(str_strip(s, has ? &ch : NULL, m.s[0] != 'r', m.s[0] != 'l'));
	}
	if (streq(m, "split") || streq(m, "rsplit")) {
		jstr sep = opt_str(r, at, a, 0, "sep", &has);
		if (has && !sep.n)
			jr_fail(r, at, "ValueError", "empty separator");
		long long mx = want_int(r, at, argv_or(a, 1, "maxsplit", jv_int(-1)), "maxsplit");
		return str_split(r, s, has ? &sep : NULL, mx, m.s[0] == 'r');
	}
	if (streq(m, "startswith") || streq(m, "endswith")) {
		jval *p = arg(a, 0, "prefix");
		if (!p)
			jr_fail(r, at, "TypeError", "%.*s() takes at least 1 argument (0 given)", (int)m.n, m.s);
		if (a->nargs > 1)
			jr_fail(r, at, "NotSupported", "%.*s() with start/end is not supported", (int)m.n, m.s);
		return jv_bool(prefix_test(r, at, s, *p, m.s[0] == 'e'));
	}
	if (streq(m, "upper")) {
		need_ascii(r, at, s, "upper");
		return str_case(r, s, 1);
	}
	if (streq(m, "lower")) {
		need_no_sigma(r, at, s);
		return str_case(r, s, 0);
	}
	if (streq(m, "swapcase")) {
		need_ascii(r, at, s, "swapcase");
		char *d = jarena_alloc(&r->a, s.n + 1);
		for (size_t i = 0; i < s.n; i++) {
			unsigned char c = (unsigned char)s.s[i];
			d[i] = (char)(isupper(c) ? tolower(c) : islower(c) ? toupper(c) : c);
		}
		d[s.n] = 0;
		return jv_strv((jstr){ d, s.n });
	}
	if (streq(m, "title"))
		return str_title_py(r, at, s);
	if (streq(m, "capitalize"))
		return str_capitalize(r, at, s);
	if (streq(m, "replace")) {
		if (a->nargs < 2)
			jr_fail(r, at, "TypeError", "replace expected at least 2 arguments, got %d", a->nargs);
		jval cnt = argv_or(a, 2, "count", jv_int(-1));
		return str_replace(r, s, want_str(r, at, a->args[0], "replace() argument 1"),
				   want_str(r, at, a->args[1], "replace() argument 2"), want_int(r, at, cnt, "count"));
	}
	if (streq(m, "find") || streq(m, "index") || streq(m, "rfind") || streq(m, "rindex") || streq(m, "count")) {
		if (a->nargs < 1)
			jr_fail(r, at, "TypeError", "%.*s() takes at least 1 argument (0 given)", (int)m.n, m.s);
		if (a->nargs > 1)
			jr_fail(r, at, "NotSupported", "%.*s() with start/end is not supported", (int)m.n, m.s);
		jstr n = want_str(r, at, a->args[0], "must be str");
		if (streq(m, "count")) {
			if (!n.n)
				return jv_int((long long)ju_len(s) + 1);
			long long c = 0;
			for (size_t i = 0; (i = str_find(s, n, i)) != (size_t)-1; i += n.n)
				c++;
			return jv_int(c);
		}
		size_t k = m.s[0] == 'r' ? str_rfind(r, s, n) : str_find(s, n, 0);
		if (k == (size_t)-1) {
			if (m.s[0] == 'i' || streq(m, "rindex"))
				jr_fail(r, at, "ValueError", "substring not found");
			return jv_int(-1);
		}
		return jv_int((long long)ju_len((jstr){ s.s, k }));
	}
	if (streq(m, "join")) {
		if (a->nargs != 1)
			jr_fail(r, at, "TypeError", "str.join() takes exactly one argument (%d given)", a->nargs);
		jval items = jr_iterable(r, at, a->args[0]);
		jbuf b = { 0 };
		for (size_t i = 0; i < items.l->n; i++) {
			if (items.l->v[i].t != JV_STR)
				jr_fail(r, at, "TypeError", "sequence item %zu: expected str instance, %s found", i,
					jv_typename(items.l->v[i]));
			if (i)
				jb_putn(r, &b, s.s, s.n);
			jb_putn(r, &b, items.l->v[i].s.s, items.l->v[i].s.n);
		}
		return jv_strv(jb_str(&b));
	}
	if (streq(m, "splitlines"))
		return str_splitlines(r, s, jv_truthy(argv_or(a, 0, "keepends", jv_bool(0))));
	if (streq(m, "isdigit") || streq(m, "isalpha") || streq(m, "isalnum") || streq(m, "isspace") ||
	    streq(m, "isnumeric") || streq(m, "isdecimal") || streq(m, "islower") || streq(m, "isupper") ||
	    streq(m, "isascii")) {
		if (streq(m, "isascii"))
			return jv_bool(!has_nonascii(s));
		if (streq(m, "isspace")) {
			if (!s.n) return jv_bool(0);
			for (size_t i = 0; i < s.n;)
				if (!is_space_cp(ju_decode(s.s, s.n, &i)))
					return jv_bool(0);
			return jv_bool(1);
		}
		if (streq(m, "islower") || streq(m, "isupper"))
			return jv_bool(str_is_case(r, at, s, m.s[2] == 'u'));
		if (has_nonascii(s))
			jr_fail(r, at, "NotSupported", "%.*s() on non-ASCII text is not supported", (int)m.n, m.s);
		if (!s.n)
			return jv_bool(0);
		for (size_t i = 0; i < s.n; i++) {
			unsigned char c = (unsigned char)s.s[i];
			int ok = streq(m, "isalpha") ? isalpha(c) : streq(m, "isalnum") ? isalnum(c) : isdigit(c);
			if (!ok)
				return jv_bool(0);
		}
		return jv_bool(1);
	}
	if (streq(m, "zfill") || streq(m, "center") || streq(m, "ljust") || streq(m, "rjust")) {
		long long w = want_int(r, at, argv_or(a, 0, "width", jv_int(0)), "width");
		if (w > (long long)r->root.limit)
			jr_fail(r, at, "LimitError", "width %lld exceeds the output limit", w);
		jstr fill = streq(m, "zfill") ? (jstr){ "0", 1 } : (jstr){ " ", 1 };
		if (!streq(m, "zfill") && a->nargs > 1)
			fill = want_str(r, at, a->args[1], "fillchar");
		long long n = (long long)ju_len(s);
		if (w <= n)
			return jv_strv(s);
		long long pad = w - n, left;
		if (streq(m, "ljust")) left = 0;
		else if (streq(m, "rjust") || streq(m, "zfill")) left = pad;
		else left = pad / 2 + (pad & w & 1);
		jbuf b = { 0 };
		size_t si = 0;
		if (streq(m, "zfill") && s.n && (s.s[0] == '-' || s.s[0] == '+')) {
			jb_putn(r, &b, s.s, 1);
			si = 1;
		}
		for (long long i = 0; i < left; i++) jb_putn(r, &b, fill.s, fill.n);
		jb_putn(r, &b, s.s + si, s.n - si);
		for (long long i = 0; i < pad - left; i++) jb_putn(r, &b, fill.s, fill.n);
		return jv_strv(jb_str(&b));
	}
	if (streq(m, "removeprefix") || streq(m, "removesuffix")) {
		if (a->nargs != 1)
			jr_fail(r, at, "TypeError", "%.*s() takes exactly one argument", (int)m.n, m.s);
		jstr p = want_str(r, at, a->args[0], "argument");
		if (m.s[6] == 'p')
			return jv_strv(starts_with(s, p) ? (jstr){ s.s + p.n, s.n - p.n } : s);
		return jv_strv(ends_with(s, p) ? (jstr){ s.s, s.n - p.n } : s);
	}
	if (streq(m, "partition") || streq(m, "rpartition")) {
		if (a->nargs != 1)
			jr_fail(r, at, "TypeError", "%.*s() takes exactly one argument", (int)m.n, m.s);
		jstr p = want_str(r, at, a->args[0], "argument");
		if (!p.n)
			jr_fail(r, at, "ValueError", "empty separator");
		size_t k = m.s[0] == 'r' ? str_rfind(r, s, p) : str_find(s, p, 0);
		jval t = jv_list(r, 3);
		t.l->tuple = 1;
		jstr e = { "", 0 };
		if (k == (size_t)-1) {
			jl_push(r, t.l, jv_strv(m.s[0] == 'r' ? e : s));
			jl_push(r, t.l, jv_strv(e));
			jl_push(r, t.l, jv_strv(m.s[0] == 'r' ? s : e));
		} else {
			jl_push(r, t.l, jv_strv((jstr){ s.s, k }));
			jl_push(r, t.l, jv_strv(p));
			jl_push(r, t.l, jv_strv((jstr){ s.s + k + p.n, s.n - k - p.n }));
		}
		return t;
	}
	jr_fail(r, at, "NotSupported", "str method '%.*s' is not supported", (int)m.n, m.s);
}

jval jb_method(jrender *r, const jnode *at, jval self, jstr m, jargs *a)
{
	if (self.t == JV_STR)
		jr_charge(r, self.s.n);
	else if (self.t == JV_LIST)
		jr_charge(r, self.l->n * 16);
	if (self.t == JV_STR)
		return str_method(r, at, self.s, m, a);
	if (self.t == JV_DICT) {
		if (streq(m, "get")) {
			if (a->nargs < 1 || a->nargs > 2)
				jr_fail(r, at, "TypeError", "get expected 1 or 2 arguments, got %d", a->nargs);
			jval *v = jd_find(self.d, a->args[0]);
			return v ? *v : a->nargs > 1 ? a->args[1] : jv_none();
		}
		if (streq(m, "copy")) {
			jval d = jv_dict(r);
			for (size_t i = 0; i < self.d->n; i++)
				jd_set(r, d.d, self.d->p[i].k, self.d->p[i].v);
			return d;
		}
		int which = streq(m, "items") ? 1 : streq(m, "keys") ? 2 : streq(m, "values") ? 3 : 0;
		if (which) {
			if (a->nargs || a->nkw)
				jr_fail(r, at, "TypeError", "dict.%.*s() takes no arguments", (int)m.n, m.s);
			jval out = jv_list(r, self.d->n);
			out.l->view = which;
			for (size_t i = 0; i < self.d->n; i++) {
				if (which == 1) {
					jval t = jv_list(r, 2);
					t.l->tuple = 1;
					jl_push(r, t.l, self.d->p[i].k);
					jl_push(r, t.l, self.d->p[i].v);
					jl_push(r, out.l, t);
				} else {
					jl_push(r, out.l, which == 2 ? self.d->p[i].k : self.d->p[i].v);
				}
			}
			return out;
		}
	}
	if (self.t == JV_LIST) {
		if (streq(m, "copy")) {
			jval out = jv_list(r, self.l->n);
			for (size_t i = 0; i < self.l->n; i++)
				jl_push(r, out.l, self.l->v[i]);
			return out;
		}
		if (a->nargs != 1)
			jr_fail(r, at, "TypeError", "%.*s() takes exactly one argument (%d given)", (int)m.n, m.s, a->nargs);
		long long c = 0;
		for (size_t i = 0; i < self.l->n; i++) {
			if (jv_eq(self.l->v[i], a->args[0])) {
				if (streq(m, "index"))
					return jv_int((long long)i);
				c++;
			}
		}
		if (streq(m, "index"))
			jr_fail(r, at, "ValueError", "value is not in list");
		return jv_int(c);
	}
	if (self.t == JV_LOOP) {
		if (streq(m, "cycle")) {
			if (!a->nargs)
				jr_fail(r, at, "TypeError", "no items for cycling given");
			return a->args[self.loop->i % (size_t)a->nargs];
		}
		/* changed(*args): true when the arguments differ from the previous call's */
		jval now = jv_list(r, (size_t)a->nargs);
		now.l->tuple = 1;
		for (int i = 0; i < a->nargs; i++)
			jl_push(r, now.l, a->args[i]);
		int diff = self.loop->changed.t == JV_UNDEF || !jv_eq(self.loop->changed, now);
		self.loop->changed = now;
		return jv_bool(diff);
	}
	jr_fail(r, at, "SecurityError", "access to attribute '%.*s' of '%s' object is unsafe.", (int)m.n, m.s,
		jv_typename(self));
}

/* ---- globals ---- */

enum { G_RANGE, G_NAMESPACE, G_DICT, G_RAISE, G_STRFTIME, G_LIPSUM, G_CYCLER, G_JOINER };
static const char *const globals[] = { "range", "namespace", "dict", "raise_exception",
	"strftime_now", "lipsum", "cycler", "joiner", NULL };

int jb_global_id(jstr name)
{
	for (int i = 0; globals[i]; i++)
		if (streq(name, globals[i]))
			return i;
	return -1;
}

jval jb_global(jrender *r, const jnode *at, int id, jargs *a)
{
	switch (id) {
	case G_RANGE: {
		if (a->nargs < 1 || a->nargs > 3 || a->nkw)
			jr_fail(r, at, "TypeError", "range expected 1 to 3 arguments, got %d", a->nargs);
		long long lo = 0, hi, st = 1;
		if (a->nargs == 1) {
			hi = want_int(r, at, a->args[0], "range");
		} else {
			lo = want_int(r, at, a->args[0], "range");
			hi = want_int(r, at, a->args[1], "range");
			if (a->nargs == 3)
				st = want_int(r, at, a->args[2], "range");
		}
		if (st == 0)
			jr_fail(r, at, "ValueError", "range() arg 3 must not be zero");
		long long n = st > 0 ? (hi > lo ? (hi - lo + st - 1) / st : 0) : (lo > hi ? (lo - hi - st - 1) / -st : 0);
		if (n > 100000)
			jr_fail(r, at, "OverflowError", "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
		jval out = jv_list(r, (size_t)n);
		for (long long i = 0; i < n; i++)
			jl_push(r, out.l, jv_int(lo + i * st));
		return out;
	}
	case G_NAMESPACE:
	case G_DICT: {
		jval d = jv_dict(r);
		if (id == G_NAMESPACE)
			d.t = JV_NS;
		if (a->nargs > 1)
			jr_fail(r, at, "TypeError", "%s expected at most 1 positional argument", globals[id]);
		if (a->nargs == 1) {
			jval src = a->args[0];
			if (src.t == JV_DICT || src.t == JV_NS) {
				for (size_t i = 0; i < src.d->n; i++)
					jd_set(r, d.d, src.d->p[i].k, src.d->p[i].v);
			} else {
				jval items = jr_iterable(r, at, src);
				for (size_t i = 0; i < items.l->n; i++) {
					jval kv = items.l->v[i];
					if (kv.t != JV_LIST || kv.l->n != 2)
						jr_fail(r, at, "ValueError", "dictionary update sequence element #%zu has the wrong length", i);
					jd_set(r, d.d, kv.l->v[0], kv.l->v[1]);
				}
			}
		}
		for (int i = 0; i < a->nkw; i++)
			jd_set(r, d.d, jv_strv(a->kwn[i]), a->kwv[i]);
		return d;
	}
	case G_RAISE: {
		jstr msg = a->nargs ? jv_to_jstr(r, a->args[0]) : (jstr){ "", 0 };
		jr_fail(r, NULL, NULL, "%.*s", (int)msg.n, msg.s);
	}
	case G_STRFTIME: {
		if (a->nargs != 1)
			jr_fail(r, at, "TypeError", "strftime_now() takes exactly one argument (%d given)", a->nargs);
		jstr fmt = want_str(r, at, a->args[0], "format");
		struct tm tm;
		if (jinja_clock(&tm))
			jr_fail(r, at, "OSError", "cannot read the clock");
		char *cfmt = jarena_strndup(&r->a, fmt.s, fmt.n);
		char buf[1024];
		size_t n = strftime(buf, sizeof buf, cfmt, &tm);
		if (!n && fmt.n)
			jr_fail(r, at, "NotSupported", "strftime_now() result too long or empty");
		return jv_str(r, buf, n);
	}
	default:
		jr_fail(r, at, "NotSupported", "global '%s' is not supported", globals[id]);
	}
}

jstr jb_global_name(int id) { return (jstr){ globals[id], strlen(globals[id]) }; }
