/* jinja_value: the value side of the renderer — constructors, Python-compatible printing
 * (str(), repr(), float repr), json.dumps as transformers' tojson calls it, equality and
 * ordering with Python's rules, and conversion from cJSON.
 *
 * Printing is where a C renderer most easily drifts from jinja2 without anyone noticing
 * (1.0 vs 1, True vs true, quote choice in repr), so it follows CPython's algorithms. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jinja_eval.h"

/* ---- buffers ---- */

void jb_putn(jrender *r, jbuf *b, const char *s, size_t n)
{
	if (!n)
		return;
	jr_charge(r, 64 + n);
	if (b->n + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 256;
		while (nc < b->n + n + 1)
			nc *= 2;
		/* every string a render builds, not only the output, is held to the output limit */
		size_t lim = b->limit ? b->limit : r->root.limit;
		if (b->n + n > lim)
			jr_fail(r, NULL, "LimitError", "%s exceeds %zu bytes", b == &r->root ? "output" : "a string", lim);
		char *ns = jarena_alloc(&r->a, nc);
		if (b->n)
			memcpy(ns, b->s, b->n);
		b->s = ns;
		b->cap = nc;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
}

void jb_puts(jrender *r, jbuf *b, const char *s) { jb_putn(r, b, s, strlen(s)); }

void jb_printf(jrender *r, jbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	jb_putn(r, b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}

jstr jb_str(jbuf *b) { return (jstr){ b->s ? b->s : "", b->n }; }

/* ---- constructors ---- */

jval jv_none(void) { jval v = { .t = JV_NONE }; return v; }
jval jv_bool(int b) { jval v = { .t = JV_BOOL }; v.b = !!b; return v; }
jval jv_int(long long i) { jval v = { .t = JV_INT }; v.i = i; return v; }
jval jv_float(double f) { jval v = { .t = JV_FLOAT }; v.f = f; return v; }
jval jv_strv(jstr s) { jval v = { .t = JV_STR }; v.s = s; return v; }

jval jv_str(jrender *r, const char *s, size_t n)
{
	jval v = { .t = JV_STR };
	v.s.s = jarena_strndup(&r->a, s, n);
	v.s.n = n;
	return v;
}

jval jv_cstr(const char *s) { jval v = { .t = JV_STR }; v.s.s = s; v.s.n = strlen(s); return v; }

jval jv_undef(jrender *r, const char *fmt, ...)
{
	jval v = { .t = JV_UNDEF };
	if (fmt) {
		char tmp[400];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(tmp, sizeof tmp, fmt, ap);
		va_end(ap);
		v.undef = jarena_strndup(&r->a, tmp, strlen(tmp));
	}
	return v;
}

jval jv_list(jrender *r, size_t cap)
{
	jval v = { .t = JV_LIST };
	v.l = jarena_alloc(&r->a, sizeof(jlist));
	memset(v.l, 0, sizeof(jlist));
	if (cap) {
		v.l->v = jarena_alloc(&r->a, cap * sizeof(jval));
		v.l->cap = cap;
	}
	return v;
}

void jl_push(jrender *r, jlist *l, jval x)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 4;
		jval *nv = jarena_alloc(&r->a, nc * sizeof(jval));
		if (l->n)
			memcpy(nv, l->v, l->n * sizeof(jval));
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = x;
}

jval jv_dict(jrender *r)
{
	jval v = { .t = JV_DICT };
	v.d = jarena_alloc(&r->a, sizeof(jdict));
	memset(v.d, 0, sizeof(jdict));
	return v;
}

jval *jd_find(jdict *d, jval k)
{
	for (size_t i = 0; i < d->n; i++)
		if (jv_eq(d->p[i].k, k))
			return &d->p[i].v;
	return NULL;
}

jval *jd_finds(jdict *d, const char *s, size_t n)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->p[i].k.t == JV_STR && d->p[i].k.s.n == n && !memcmp(d->p[i].k.s.s, s, n))
			return &d->p[i].v;
	return NULL;
}

void jd_set(jrender *r, jdict *d, jval k, jval v)
{
	jval *e = jd_find(d, k);
	if (e) {
		*e = v;
		return;
	}
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 4;
		jpair *np = jarena_alloc(&r->a, nc * sizeof(jpair));
		if (d->n)
			memcpy(np, d->p, d->n * sizeof(jpair));
		d->p = np;
		d->cap = nc;
	}
	d->p[d->n].k = k;
	d->p[d->n].v = v;
	d->n++;
}

/* ---- cJSON ---- */

jval jv_from_cjson(jrender *r, const cJSON *j, int depth)
{
	if (depth > 200)
		jr_fail(r, NULL, "LimitError", "input JSON nested too deeply");
	if (cJSON_IsObject(j)) {
		jval d = jv_dict(r);
		for (const cJSON *c = j->child; c; c = c->next)
			jd_set(r, d.d, jv_cstr(c->string ? c->string : ""), jv_from_cjson(r, c, depth + 1));
		return d;
	}
	if (cJSON_IsArray(j)) {
		jval l = jv_list(r, (size_t)cJSON_GetArraySize(j));
		for (const cJSON *c = j->child; c; c = c->next)
			jl_push(r, l.l, jv_from_cjson(r, c, depth + 1));
		return l;
	}
	if (cJSON_IsString(j))
		return jv_cstr(j->valuestring);
	if (cJSON_IsNumber(j)) {
		/* cJSON keeps no literal; an integral value within int64 is taken to be an int */
		double d = j->valuedouble;
		if (d == floor(d) && fabs(d) < 9.2e18)
			return jv_int((long long)d);
		return jv_float(d);
	}
	if (cJSON_IsBool(j))
		return jv_bool(cJSON_IsTrue(j));
	return jv_none();
}

/* ---- JSON text, the way Python's json.loads reads it ---- */

/* cJSON keeps no number literal, so 1.0 and 1 look alike and ints past 2^53 lose digits;
 * Python keeps both. This reader keeps them: a literal with '.', 'e' or 'E' is a float,
 * others are ints (beyond int64 refused). Also NaN/Infinity as json.loads accepts them. */
typedef struct {
	jrender *r;
	const char *s;
	size_t n, i;
} jp;

static _Noreturn void jp_fail(jp *p, const char *what)
{
	jr_fail(p->r, NULL, "JSONDecodeError", "%s: char %zu", what, p->i);
}

static void jp_ws(jp *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
		p->i++;
}

static int jp_lit(jp *p, const char *w)
{
	size_t k = strlen(w);
	if (p->i + k <= p->n && !memcmp(p->s + p->i, w, k)) {
		p->i += k;
		return 1;
	}
	return 0;
}

static unsigned jp_hex4(jp *p)
{
	if (p->i + 4 > p->n)
		jp_fail(p, "Invalid \\uXXXX escape");
	unsigned v = 0;
	for (int k = 0; k < 4; k++) {
		char c = p->s[p->i++];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
		else jp_fail(p, "Invalid \\uXXXX escape");
	}
	return v;
}

static jstr jp_string(jp *p)
{
	p->i++;   /* opening quote */
	size_t b = p->i;
	while (p->i < p->n && p->s[p->i] != '"' && p->s[p->i] != '\\') {
		if ((unsigned char)p->s[p->i] < 0x20)
			jp_fail(p, "Invalid control character");
		p->i++;
	}
	if (p->i < p->n && p->s[p->i] == '"') {
		/* no escapes: point into the input */
		jstr s = { p->s + b, p->i - b };
		p->i++;
		return s;
	}
	jbuf o = { 0 };
	jb_putn(p->r, &o, p->s + b, p->i - b);
	for (;;) {
		if (p->i >= p->n)
			jp_fail(p, "Unterminated string");
		char c = p->s[p->i++];
		if (c == '"')
			break;
		if ((unsigned char)c < 0x20)
			jp_fail(p, "Invalid control character");
		if (c != '\\') {
			jb_putn(p->r, &o, &c, 1);
			continue;
		}
		if (p->i >= p->n)
			jp_fail(p, "Unterminated string");
		char e = p->s[p->i++];
		const char *m = NULL;
		switch (e) {
		case '"': m = "\""; break;
		case '\\': m = "\\"; break;
		case '/': m = "/"; break;
		case 'b': m = "\b"; break;
		case 'f': m = "\f"; break;
		case 'n': m = "\n"; break;
		case 'r': m = "\r"; break;
		case 't': m = "\t"; break;
		case 'u': {
			unsigned cp = jp_hex4(p);
			if (cp >= 0xD800 && cp < 0xDC00 && p->i + 6 <= p->n && p->s[p->i] == '\\' && p->s[p->i + 1] == 'u') {
				size_t save = p->i;
				p->i += 2;
				unsigned lo = jp_hex4(p);
				if (lo >= 0xDC00 && lo < 0xE000)
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				else
					p->i = save;
			}
			if (cp >= 0xD800 && cp < 0xE000)
				jr_fail(p->r, NULL, "NotSupported", "a lone surrogate in JSON input is not supported");
			char u[4];
			size_t k;
			if (cp < 0x80) { u[0] = (char)cp; k = 1; }
			else if (cp < 0x800) { u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F)); k = 2; }
			else if (cp < 0x10000) { u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[2] = (char)(0x80 | (cp & 0x3F)); k = 3; }
			else { u[0] = (char)(0xF0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F)); u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); k = 4; }
			jb_putn(p->r, &o, u, k);
			continue;
		}
		default:
			jp_fail(p, "Invalid \\escape");
		}
		jb_putn(p->r, &o, m, 1);
	}
	return jb_str(&o);
}

static jval jp_value(jp *p, int depth)
{
	if (depth > 200)
		jr_fail(p->r, NULL, "LimitError", "input JSON nested too deeply");
	jp_ws(p);
	if (p->i >= p->n)
		jp_fail(p, "Expecting value");
	char c = p->s[p->i];
	if (c == '{') {
		p->i++;
		jval d = jv_dict(p->r);
		jp_ws(p);
		if (p->i < p->n && p->s[p->i] == '}') {
			p->i++;
			return d;
		}
		for (;;) {
			jp_ws(p);
			if (p->i >= p->n || p->s[p->i] != '"')
				jp_fail(p, "Expecting property name enclosed in double quotes");
			jstr k = jp_string(p);
			jp_ws(p);
			if (p->i >= p->n || p->s[p->i] != ':')
				jp_fail(p, "Expecting ':' delimiter");
			p->i++;
			jd_set(p->r, d.d, jv_strv(k), jp_value(p, depth + 1));
			jp_ws(p);
			if (p->i < p->n && p->s[p->i] == ',') {
				p->i++;
				continue;
			}
			if (p->i < p->n && p->s[p->i] == '}') {
				p->i++;
				return d;
			}
			jp_fail(p, "Expecting ',' delimiter");
		}
	}
	if (c == '[') {
		p->i++;
		jval l = jv_list(p->r, 0);
		jp_ws(p);
		if (p->i < p->n && p->s[p->i] == ']') {
			p->i++;
			return l;
		}
		for (;;) {
			jl_push(p->r, l.l, jp_value(p, depth + 1));
			jp_ws(p);
			if (p->i < p->n && p->s[p->i] == ',') {
				p->i++;
				continue;
			}
			if (p->i < p->n && p->s[p->i] == ']') {
				p->i++;
				return l;
			}
			jp_fail(p, "Expecting ',' delimiter");
		}
	}
	if (c == '"')
		return jv_strv(jp_string(p));
	if (jp_lit(p, "true")) return jv_bool(1);
	if (jp_lit(p, "false")) return jv_bool(0);
	if (jp_lit(p, "null")) return jv_none();
	if (jp_lit(p, "NaN")) return jv_float(NAN);
	if (jp_lit(p, "Infinity")) return jv_float(INFINITY);
	if (jp_lit(p, "-Infinity")) return jv_float(-INFINITY);
	/* number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
	size_t b = p->i;
	int isf = 0;
	if (p->s[p->i] == '-')
		p->i++;
	if (p->i >= p->n || p->s[p->i] < '0' || p->s[p->i] > '9')
		jp_fail(p, "Expecting value");
	if (p->s[p->i] == '0')
		p->i++;
	else
		while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
			p->i++;
	if (p->i + 1 < p->n && p->s[p->i] == '.' && p->s[p->i + 1] >= '0' && p->s[p->i + 1] <= '9') {
		isf = 1;
		p->i++;
		while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
			p->i++;
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		size_t k = p->i + 1;
		if (k < p->n && (p->s[k] == '+' || p->s[k] == '-'))
			k++;
		if (k < p->n && p->s[k] >= '0' && p->s[k] <= '9') {
			isf = 1;
			p->i = k;
			while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
				p->i++;
		}
	}
	char buf[400];
	size_t len = p->i - b;
	if (len >= sizeof buf)
		jr_fail(p->r, NULL, "NotSupported", "a JSON number of %zu digits is not supported", len);
	memcpy(buf, p->s + b, len);
	buf[len] = 0;
	if (isf)
		return jv_float(strtod(buf, NULL));
	errno = 0;
	long long v = strtoll(buf, NULL, 10);
	if (errno == ERANGE)
		jr_fail(p->r, NULL, "NotSupported", "integer %s does not fit 64 bits", buf);
	return jv_int(v);
}

jval jv_from_json_text(jrender *r, const char *s, size_t n)
{
	jp p = { r, s, n, 0 };
	jval v = jp_value(&p, 0);
	jp_ws(&p);
	if (p.i != n)
		jp_fail(&p, "Extra data");
	return v;
}

/* ---- type names, as Python's type(x).__name__ ---- */

const char *jv_typename(jval v)
{
	switch (v.t) {
	case JV_UNDEF: return "Undefined";
	case JV_NONE: return "NoneType";
	case JV_BOOL: return "bool";
	case JV_INT: return "int";
	case JV_FLOAT: return "float";
	case JV_STR: return "str";
	case JV_LIST:
		if (v.l->gen)
			return v.l->gen == 1 ? "generator" : v.l->gen == 2 ? "list_reverseiterator" : "dict_reversekeyiterator";
		if (v.l->view)
			return v.l->view == 1 ? "dict_items" : v.l->view == 2 ? "dict_keys" : "dict_values";
		return v.l->tuple ? "tuple" : "list";
	case JV_DICT: return "dict";
	case JV_NS: return "Namespace";
	case JV_FUNC: return v.fn->kind == JF_MACRO ? "Macro" : "builtin_function_or_method";
	case JV_LOOP: return "LoopContext";
	}
	return "object";
}

/* jinja2's object_type_repr, for undefined messages */
const char *jv_objrepr(jval v)
{
	switch (v.t) {
	case JV_NONE: return "None";
	case JV_NS: return "jinja2.utils.Namespace object";
	case JV_LOOP: return "jinja2.runtime.LoopContext object";
	case JV_FUNC: return v.fn->kind == JF_MACRO ? "jinja2.runtime.Macro object" : "builtin_function_or_method object";
	case JV_LIST:
		if (v.l->gen)
			return v.l->gen == 1 ? "generator object" : v.l->gen == 2 ? "list_reverseiterator object"
					     : "dict_reversekeyiterator object";
		if (v.l->view)
			return v.l->view == 1 ? "dict_items object" : v.l->view == 2 ? "dict_keys object" : "dict_values object";
		return v.l->tuple ? "tuple object" : "list object";
	case JV_DICT: return "dict object";
	case JV_STR: return "str object";
	case JV_INT: return "int object";
	case JV_FLOAT: return "float object";
	case JV_BOOL: return "bool object";
	default: return "object";
	}
}

int jv_truthy(jval v)
{
	switch (v.t) {
	case JV_UNDEF:
	case JV_NONE: return 0;
	case JV_BOOL: return v.b;
	case JV_INT: return v.i != 0;
	case JV_FLOAT: return v.f != 0;
	case JV_STR: return v.s.n != 0;
	case JV_LIST: return v.l->gen || v.l->n != 0;   /* a generator is always true */
	case JV_DICT: return v.d->n != 0;
	default: return 1;
	}
}

/* ---- numbers ---- */

/* CPython float repr: the shortest digits that read back, fixed notation for exponents in
 * [-4, 16), otherwise d.ddde+XX. */
void jv_fmt_float(double d, char *out, size_t n, int json)
{
	if (isnan(d)) {
		snprintf(out, n, "%s", json ? "NaN" : "nan");
		return;
	}
	if (isinf(d)) {
		snprintf(out, n, "%s%s", d < 0 ? "-" : "", json ? "Infinity" : "inf");
		return;
	}
	char e[40];
	int prec;
	for (prec = 1; prec <= 17; prec++) {
		snprintf(e, sizeof e, "%.*e", prec - 1, d);
		if (strtod(e, NULL) == d)
			break;
	}
	/* e = [-]D[.DDD]e[+-]XX */
	char digits[24];
	int nd = 0, neg = 0;
	const char *s = e;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	for (; *s && *s != 'e'; s++)
		if (*s != '.')
			digits[nd++] = *s;
	int exp = atoi(s + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = 0;
	char buf[64];
	size_t o = 0;
	if (neg)
		buf[o++] = '-';
	if (exp >= -4 && exp < 16) {
		if (exp < 0) {
			buf[o++] = '0';
			buf[o++] = '.';
			for (int i = -1; i > exp; i--)
				buf[o++] = '0';
			for (int i = 0; i < nd; i++)
				buf[o++] = digits[i];
		} else {
			for (int i = 0; i <= exp; i++)
				buf[o++] = i < nd ? digits[i] : '0';
			buf[o++] = '.';
			if (nd > exp + 1)
				for (int i = exp + 1; i < nd; i++)
					buf[o++] = digits[i];
			else
				buf[o++] = '0';
		}
		buf[o] = 0;
	} else {
		buf[o++] = digits[0];
		if (nd > 1) {
			buf[o++] = '.';
			for (int i = 1; i < nd; i++)
				buf[o++] = digits[i];
		}
		snprintf(buf + o, sizeof buf - o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	}
	snprintf(out, n, "%s", buf);
}

/* ---- str() and repr() ---- */

static void repr_str(jrender *r, jbuf *b, jstr s)
{
	int has_sq = memchr(s.s, '\'', s.n) != NULL, has_dq = memchr(s.s, '"', s.n) != NULL;
	char qc = has_sq && !has_dq ? '"' : '\'';
	jb_putn(r, b, &qc, 1);
	for (size_t i = 0; i < s.n;) {
		unsigned char c = (unsigned char)s.s[i];
		if (c == qc || c == '\\') {
			char t[2] = { '\\', (char)c };
			jb_putn(r, b, t, 2);
			i++;
		} else if (c == '\n') {
			jb_puts(r, b, "\\n");
			i++;
		} else if (c == '\r') {
			jb_puts(r, b, "\\r");
			i++;
		} else if (c == '\t') {
			jb_puts(r, b, "\\t");
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			jb_printf(r, b, "\\x%02x", c);
			i++;
		} else if (c < 0x80) {
			jb_putn(r, b, (const char *)&c, 1);
			i++;
		} else {
			size_t k = i;
			uint32_t cp = ju_decode(s.s, s.n, &k);
			/* what Python's str.isprintable() rejects among non-ASCII: C1 controls,
			 * separators other than space, and common format characters */
			int np = (cp >= 0x80 && cp <= 0xA0) || cp == 0xAD || cp == 0x1680 ||
				 (cp >= 0x2000 && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) ||
				 (cp >= 0x205F && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x206F) ||
				 cp == 0x3000 || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
				 (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0xE000 && cp <= 0xF8FF) ||
				 cp == 0x061C || cp == 0x180E;
			if (np) {
				if (cp < 0x100)
					jb_printf(r, b, "\\x%02x", cp);
				else
					jb_printf(r, b, "\\u%04x", cp);
			} else {
				jb_putn(r, b, s.s + i, k - i);
			}
			i = k;
		}
	}
	jb_putn(r, b, &qc, 1);
}

void jv_repr(jrender *r, jbuf *b, jval v, int depth)
{
	if (depth > 100)
		jr_fail(r, NULL, "LimitError", "value nested too deeply to print");
	switch (v.t) {
	case JV_STR:
		repr_str(r, b, v.s);
		return;
	case JV_LIST: {
		if (v.l->gen)
			jr_fail(r, NULL, "NotSupported", "printing a %s is not supported (Python shows its address)",
				jv_typename(v));
		const char *open = v.l->tuple ? "(" : "[", *close = v.l->tuple ? ")" : "]";
		if (v.l->view == 1) { jb_puts(r, b, "dict_items(["); close = "])"; open = ""; }
		if (v.l->view == 2) { jb_puts(r, b, "dict_keys(["); close = "])"; open = ""; }
		if (v.l->view == 3) { jb_puts(r, b, "dict_values(["); close = "])"; open = ""; }
		jb_puts(r, b, open);
		for (size_t i = 0; i < v.l->n; i++) {
			if (i)
				jb_puts(r, b, ", ");
			jv_repr(r, b, v.l->v[i], depth + 1);
		}
		if (v.l->tuple && v.l->n == 1)
			jb_puts(r, b, ",");
		jb_puts(r, b, close);
		return;
	}
	case JV_DICT:
	case JV_NS:
		if (v.t == JV_NS)
			jb_puts(r, b, "<Namespace ");
		jb_puts(r, b, "{");
		for (size_t i = 0; i < v.d->n; i++) {
			if (i)
				jb_puts(r, b, ", ");
			jv_repr(r, b, v.d->p[i].k, depth + 1);
			jb_puts(r, b, ": ");
			jv_repr(r, b, v.d->p[i].v, depth + 1);
		}
		jb_puts(r, b, "}");
		if (v.t == JV_NS)
			jb_puts(r, b, ">");
		return;
	case JV_UNDEF:
		jb_puts(r, b, "Undefined");
		return;
	default:
		jv_tostr(r, b, v);
	}
}

void jv_tostr(jrender *r, jbuf *b, jval v)
{
	char tmp[64];
	switch (v.t) {
	case JV_UNDEF: return;
	case JV_NONE: jb_puts(r, b, "None"); return;
	case JV_BOOL: jb_puts(r, b, v.b ? "True" : "False"); return;
	case JV_INT: jb_printf(r, b, "%lld", v.i); return;
	case JV_FLOAT: jv_fmt_float(v.f, tmp, sizeof tmp, 0); jb_puts(r, b, tmp); return;
	case JV_STR: jb_putn(r, b, v.s.s, v.s.n); return;
	case JV_FUNC:
		if (v.fn->kind == JF_MACRO && v.fn->node->kind == N_MACRO) {
			jb_printf(r, b, "<Macro '%.*s'>", (int)v.fn->name.n, v.fn->name.s);
			return;
		}
		/* fallthrough */
	case JV_LOOP:
		/* Python prints these with a memory address: nothing we could match */
		jr_fail(r, NULL, "NotSupported", "printing %s '%.*s' is not supported", jv_typename(v),
			v.t == JV_FUNC ? (int)v.fn->name.n : 4, v.t == JV_FUNC ? v.fn->name.s : "loop");
	default: jv_repr(r, b, v, 0); return;
	}
}

jstr jv_to_jstr(jrender *r, jval v)
{
	if (v.t == JV_STR)
		return v.s;
	if (v.t == JV_UNDEF)
		return (jstr){ "", 0 };
	jbuf b = { 0 };
	jv_tostr(r, &b, v);
	return jb_str(&b);
}

/* ---- json.dumps(ensure_ascii=False) ---- */

static void json_str(jrender *r, jbuf *b, jstr s, int ensure_ascii)
{
	jb_putn(r, b, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.s[i];
		const char *esc = NULL;
		char tmp[16];
		if (c == '"') esc = "\\\"";
		else if (c == '\\') esc = "\\\\";
		else if (c == '\n') esc = "\\n";
		else if (c == '\r') esc = "\\r";
		else if (c == '\t') esc = "\\t";
		else if (c == '\b') esc = "\\b";
		else if (c == '\f') esc = "\\f";
		else if (c < 0x20) { snprintf(tmp, sizeof tmp, "\\u%04x", c); esc = tmp; }
		else if (c >= 0x80 && ensure_ascii) {
			size_t k = i;
			uint32_t cp = ju_decode(s.s, s.n, &k);
			if (cp >= 0x10000) {
				cp -= 0x10000;
				snprintf(tmp, sizeof tmp, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
			} else {
				snprintf(tmp, sizeof tmp, "\\u%04x", cp);
			}
			jb_putn(r, b, s.s + i - run, run);
			run = 0;
			jb_puts(r, b, tmp);
			i = k - 1;
			continue;
		}
		if (esc) {
			jb_putn(r, b, s.s + i - run, run);
			run = 0;
			jb_puts(r, b, esc);
		} else {
			run++;
		}
	}
	jb_putn(r, b, s.s + s.n - run, run);
	jb_putn(r, b, "\"", 1);
}

static void json_nl(jrender *r, jbuf *b, const jjson_opts *o, int level)
{
	jb_putn(r, b, "\n", 1);
	for (int i = 0; i < level; i++)
		jb_putn(r, b, o->indent.s, o->indent.n);
}

static int cmp_keys_json(jrender *r, const void *a, const void *b);

void jv_json(jrender *r, jbuf *b, jval v, const jjson_opts *o, int level)
{
	char tmp[64];
	if (level > 100)
		jr_fail(r, NULL, "ValueError", "Circular reference detected");
	switch (v.t) {
	case JV_NONE: jb_puts(r, b, "null"); return;
	case JV_BOOL: jb_puts(r, b, v.b ? "true" : "false"); return;
	case JV_INT: jb_printf(r, b, "%lld", v.i); return;
	case JV_FLOAT: jv_fmt_float(v.f, tmp, sizeof tmp, 1); jb_puts(r, b, tmp); return;
	case JV_STR: json_str(r, b, v.s, o->ensure_ascii); return;
	case JV_LIST:
		if (v.l->gen || v.l->view)
			jr_fail(r, NULL, "TypeError", "Object of type %s is not JSON serializable", jv_typename(v));
		if (!v.l->n) {
			jb_puts(r, b, "[]");
			return;
		}
		jb_puts(r, b, "[");
		for (size_t i = 0; i < v.l->n; i++) {
			if (i)
				jb_putn(r, b, o->item_sep.s, o->item_sep.n);
			if (o->has_indent)
				json_nl(r, b, o, level + 1);
			jv_json(r, b, v.l->v[i], o, level + 1);
		}
		if (o->has_indent)
			json_nl(r, b, o, level);
		jb_puts(r, b, "]");
		return;
	case JV_DICT: {
		if (!v.d->n) {
			jb_puts(r, b, "{}");
			return;
		}
		jpair *p = v.d->p;
		if (o->sort_keys) {
			p = jarena_alloc(&r->a, v.d->n * sizeof(jpair));
			memcpy(p, v.d->p, v.d->n * sizeof(jpair));
			jv_sort_pairs(r, p, v.d->n);
		}
		jb_puts(r, b, "{");
		for (size_t i = 0; i < v.d->n; i++) {
			if (i)
				jb_putn(r, b, o->item_sep.s, o->item_sep.n);
			if (o->has_indent)
				json_nl(r, b, o, level + 1);
			jval k = p[i].k;
			if (k.t == JV_STR) {
				json_str(r, b, k.s, o->ensure_ascii);
			} else if (k.t == JV_INT || k.t == JV_FLOAT || k.t == JV_BOOL || k.t == JV_NONE) {
				jbuf kb = { 0 };
				jv_json(r, &kb, k, o, level + 1);
				json_str(r, b, jb_str(&kb), o->ensure_ascii);
			} else {
				jr_fail(r, NULL, "TypeError", "keys must be str, int, float, bool or None, not %s",
					jv_typename(k));
			}
			jb_putn(r, b, o->key_sep.s, o->key_sep.n);
			jv_json(r, b, p[i].v, o, level + 1);
		}
		if (o->has_indent)
			json_nl(r, b, o, level);
		jb_puts(r, b, "}");
		return;
	}
	default:
		jr_fail(r, NULL, "TypeError", "Object of type %s is not JSON serializable", jv_typename(v));
	}
}

/* ---- equality and ordering ---- */

static int is_num(jval v) { return v.t == JV_INT || v.t == JV_FLOAT || v.t == JV_BOOL; }
static double num_f(jval v) { return v.t == JV_FLOAT ? v.f : v.t == JV_INT ? (double)v.i : v.b; }
static long long num_i(jval v) { return v.t == JV_INT ? v.i : v.b; }

int jv_eq(jval a, jval b)
{
	if (is_num(a) && is_num(b)) {
		if (a.t == JV_FLOAT || b.t == JV_FLOAT)
			return num_f(a) == num_f(b);
		return num_i(a) == num_i(b);
	}
	if (a.t != b.t)
		return 0;
	switch (a.t) {
	case JV_UNDEF:
	case JV_NONE: return 1;
	case JV_STR: return a.s.n == b.s.n && !memcmp(a.s.s, b.s.s, a.s.n);
	case JV_LIST:
		if (a.l->gen || b.l->gen)
			return a.l == b.l;
		if (a.l->tuple != b.l->tuple || a.l->view != b.l->view || a.l->n != b.l->n)
			return 0;
		for (size_t i = 0; i < a.l->n; i++)
			if (!jv_eq(a.l->v[i], b.l->v[i]))
				return 0;
		return 1;
	case JV_DICT:
		if (a.d->n != b.d->n)
			return 0;
		for (size_t i = 0; i < a.d->n; i++) {
			jval *o = jd_find(b.d, a.d->p[i].k);
			if (!o || !jv_eq(a.d->p[i].v, *o))
				return 0;
		}
		return 1;
	case JV_NS: return a.d == b.d;
	case JV_FUNC: return a.fn == b.fn;
	case JV_LOOP: return a.loop == b.loop;
	}
	return 0;
}

/* <0, 0, >0 like Python's ordering; raises TypeError for unorderable pairs */
int jv_cmp(jrender *r, jval a, jval b, const char *opname)
{
	if (a.t == JV_UNDEF)
		jr_undef_fail(r, a);
	if (b.t == JV_UNDEF)
		jr_undef_fail(r, b);
	if (is_num(a) && is_num(b)) {
		if (a.t == JV_FLOAT || b.t == JV_FLOAT) {
			double x = num_f(a), y = num_f(b);
			return x < y ? -1 : x > y ? 1 : 0;
		}
		long long x = num_i(a), y = num_i(b);
		return x < y ? -1 : x > y ? 1 : 0;
	}
	if (a.t == JV_STR && b.t == JV_STR) {
		size_t n = a.s.n < b.s.n ? a.s.n : b.s.n;
		int c = memcmp(a.s.s, b.s.s, n);
		if (c)
			return c;
		return a.s.n < b.s.n ? -1 : a.s.n > b.s.n ? 1 : 0;
	}
	if (a.t == JV_LIST && b.t == JV_LIST && a.l->tuple == b.l->tuple && !a.l->gen && !b.l->gen &&
	    !a.l->view && !b.l->view) {
		size_t n = a.l->n < b.l->n ? a.l->n : b.l->n;
		for (size_t i = 0; i < n; i++) {
			if (jv_eq(a.l->v[i], b.l->v[i]))
				continue;
			return jv_cmp(r, a.l->v[i], b.l->v[i], opname);
		}
		return a.l->n < b.l->n ? -1 : a.l->n > b.l->n ? 1 : 0;
	}
	jr_fail(r, NULL, "TypeError", "'%s' not supported between instances of '%s' and '%s'", opname,
		jv_typename(a), jv_typename(b));
}

static jrender *sort_r;

static int cmp_keys_json(jrender *r, const void *a, const void *b)
{
	return jv_cmp(r, ((const jpair *)a)->k, ((const jpair *)b)->k, "<");
}

/* stable merge sort, since Python's sort is stable and templates may rely on it */
static void msort(jrender *r, void *base, size_t n, size_t sz, void *tmp,
		  int (*cmp)(jrender *, const void *, const void *, void *), void *ctx)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	char *b = base, *t = tmp;
	msort(r, b, h, sz, t, cmp, ctx);
	msort(r, b + h * sz, n - h, sz, t, cmp, ctx);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n) {
		if (cmp(r, b + j * sz, b + i * sz, ctx) < 0)
			memcpy(t + (k++) * sz, b + (j++) * sz, sz);
		else
			memcpy(t + (k++) * sz, b + (i++) * sz, sz);
	}
	while (i < h)
		memcpy(t + (k++) * sz, b + (i++) * sz, sz);
	while (j < n)
		memcpy(t + (k++) * sz, b + (j++) * sz, sz);
	memcpy(b, t, n * sz);
}

void jv_sort(jrender *r, void *base, size_t n, size_t sz,
	     int (*cmp)(jrender *, const void *, const void *, void *), void *ctx)
{
	void *tmp = jarena_alloc(&r->a, n * sz + 1);
	msort(r, base, n, sz, tmp, cmp, ctx);
}

static int cmp_pairs(jrender *r, const void *a, const void *b, void *ctx)
{
	(void)ctx;
	return cmp_keys_json(r, a, b);
}

void jv_sort_pairs(jrender *r, jpair *p, size_t n)
{
	(void)sort_r;
	jv_sort(r, p, n, sizeof(jpair), cmp_pairs, NULL);
}

/* ---- UTF-8 ---- */

uint32_t ju_decode(const char *s, size_t n, size_t *i)
{
	unsigned char c = (unsigned char)s[*i];
	if (c < 0x80) {
		(*i)++;
		return c;
	}
	int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (len == 1 || *i + (size_t)len > n) {
		(*i)++;
		return 0xFFFD;
	}
	uint32_t cp = c & (0x7F >> len);
	for (int k = 1; k < len; k++)
		cp = (cp << 6) | ((unsigned char)s[*i + (size_t)k] & 0x3F);
	*i += (size_t)len;
	return cp;
}

size_t ju_len(jstr s)
{
	size_t n = 0;
	for (size_t i = 0; i < s.n; i++)
		n += ((unsigned char)s.s[i] & 0xC0) != 0x80;
	return n;
}

/* byte offset of code point index k (clamped to the end) */
size_t ju_off(jstr s, size_t k)
{
	size_t i = 0;
	while (i < s.n && k) {
		i++;
		while (i < s.n && ((unsigned char)s.s[i] & 0xC0) == 0x80)
			i++;
		k--;
	}
	return i;
}
