/* json: the JSON writer, canonical and Python's layouts, and json_read_file. See json.h. */
#include "json.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fileio.h"
#include "utf8.h"

const json_style_t json_style_canonical = { .indent = -1, .item_sep = ",", .key_sep = ":" };
const json_style_t json_style_hf = {
	.indent = 2, .item_sep = ",", .key_sep = ": ", .ensure_ascii = 1, .python_numbers = 1, .final_newline = 1,
};
const json_style_t json_style_peft = {
	.indent = 2, .item_sep = ",", .key_sep = ": ", .ensure_ascii = 1, .python_numbers = 1,
};

/* The float mark rides in cJSON's type word: cJSON keeps the kind in the low byte (every
 * cJSON_Is* and its printer mask with 0xFF) and flags in bits 8 and 9 (cJSON_IsReference,
 * cJSON_StringIsConst); cJSON_Duplicate copies the word, so a duplicated tree keeps the mark. */
#define JSON_PY_FLOAT (1 << 12)

cJSON *json_mark_float(cJSON *v)
{
	if (v && cJSON_IsNumber(v))
		v->type |= JSON_PY_FLOAT;
	return v;
}

cJSON *json_add_float(cJSON *obj, const char *key, double d)
{
	return json_mark_float(cJSON_AddNumberToObject(obj, key, d));
}

static int is_py_float(const cJSON *v) { return cJSON_IsNumber(v) && (v->type & JSON_PY_FLOAT); }

typedef struct {
	char *buf;
	size_t len, cap;
} sbuf_t;

static void sb_put(sbuf_t *b, const char *s, size_t n)
{
	xgrow((void **)&b->buf, &b->cap, b->len + n + 1, 1);
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static void sb_puts(sbuf_t *b, const char *s) { sb_put(b, s, strlen(s)); }

void json_format_number(double d, char *buf, size_t n)
{
	if (!isfinite(d)) {
		snprintf(buf, n, "null");
		return;
	}
	if (d == 0) { /* also -0: a sign on zero is noise in a config */
		snprintf(buf, n, "0");
		return;
	}
	if (d == floor(d) && fabs(d) < 9007199254740992.0) {
		snprintf(buf, n, "%.0f", d);
		return;
	}
	/* Shortest %g precision that reads back exactly (17 always does for binary64). */
	char tmp[48];
	for (int p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof tmp, "%.*g", p, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	/* Normalise the exponent: "1e-05" -> "1e-5", "1e+300" -> "1e300". */
	char *e = strchr(tmp, 'e');
	if (e) {
		char *out = e + 1, *in = e + 1;
		if (*in == '+')
			in++;
		else if (*in == '-')
			*out++ = *in++;
		while (*in == '0' && in[1])
			in++;
		memmove(out, in, strlen(in) + 1);
	}
	snprintf(buf, n, "%s", tmp);
}

/* The digits of repr(d) for finite d > 0, as Python finds them (Gay's dtoa, mode 0): the
 * fewest that read back as d, the nearest to d among those; into digits (room for 18), with
 * decpt, the value being 0.DIGITS x 10^decpt. Returns the count of digits. */
static int py_digits(double d, char *digits, int *decpt)
{
	char tmp[48];
	for (int p = 0; p < 17; p++) {
		/* the nearest p + 1 digits; where they miss d's rounding interval, which is lopsided at
		 * a power of two, the next decimal up or down may still fall in it */
		snprintf(tmp, sizeof tmp, "%.*e", p, d);
		uint64_t m = 0;
		const char *e = tmp;
		for (; *e != 'e'; e++)
			if (*e != '.')
				m = m * 10 + (uint64_t)(*e - '0');
		int x = atoi(e + 1) - p;   /* the value is m x 10^x */
		const uint64_t cand[3] = { m, m + 1, m - 1 };
		for (int k = 0; k < 3; k++) {
			char t[48];
			snprintf(t, sizeof t, "%llue%d", (unsigned long long)cand[k], x);
			if (cand[k] == 0 || strtod(t, NULL) != d)
				continue;
			int n = snprintf(digits, 24, "%llu", (unsigned long long)cand[k]);
			*decpt = n + x;
			while (n > 1 && digits[n - 1] == '0')
				digits[--n] = 0;
			return n;
		}
	}
	/* not reached: 17 significant digits always read back */
	ft_die(FT_EXIT_DATA, "%.17g has no shortest form", d);
}

/* Python's repr of the float d as json.dumps writes it ("NaN", "Infinity", "-Infinity" for
 * the non-finite), into buf (at least 32 bytes). */
static void json_format_py_float(double d, char *buf, size_t n)
{
	/* json's floatstr: the non-finite as JavaScript names them, not repr's nan and inf */
	if (isnan(d)) {
		snprintf(buf, n, "NaN");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, n, d > 0 ? "Infinity" : "-Infinity");
		return;
	}
	if (d == 0) {
		snprintf(buf, n, signbit(d) ? "-0.0" : "0.0");
		return;
	}
	char digits[24];
	int decpt, nd = py_digits(fabs(d), digits, &decpt);
	/* float_repr_style 'short': positional unless decpt <= -4 or decpt > 16 */
	char out[48], *o = out;
	if (d < 0)
		*o++ = '-';
	if (decpt <= -4 || decpt > 16) {
		*o++ = digits[0];
		if (nd > 1)
			o += sprintf(o, ".%s", digits + 1);
		sprintf(o, "e%c%02d", decpt - 1 < 0 ? '-' : '+', abs(decpt - 1));
	} else if (decpt <= 0) {
		o += sprintf(o, "0.");
		for (int i = 0; i < -decpt; i++)
			*o++ = '0';
		sprintf(o, "%s", digits);
	} else if (decpt >= nd) {
		o += sprintf(o, "%s", digits);
		for (int i = nd; i < decpt; i++)
			*o++ = '0';
		sprintf(o, ".0");
	} else {
		sprintf(o, "%.*s.%s", decpt, digits, digits + decpt);
	}
	snprintf(buf, n, "%s", out);
}

static void put_number(sbuf_t *b, const cJSON *v, const json_style_t *st)
{
	char nb[48];
	double d = v->valuedouble;
	if (!st->python_numbers)
		json_format_number(d, nb, sizeof nb);
	else if (!is_py_float(v) && d == floor(d) && fabs(d) < 1e18)
		snprintf(nb, sizeof nb, "%.0f", d == 0 ? 0.0 : d);   /* an int: all its digits, no "-0" */
	else
		json_format_py_float(d, nb, sizeof nb);
	sb_puts(b, nb);
}

static void put_string(sbuf_t *b, const char *s, int ascii)
{
	sb_put(b, "\"", 1);
	const char *run = s;
	for (const char *p = s; *p;) {
		unsigned char c = (unsigned char)*p;
		const char *esc = NULL;
		char u[16];
		int len = 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (c < 0x20 || (ascii && c == 0x7f)) {
				snprintf(u, sizeof u, "\\u%04x", c);
				esc = u;
			} else if (ascii && c >= 0x80) {
				uint32_t cp = 0xfffd;   /* a byte that is not part of valid UTF-8 */
				if (utf8_valid_prefix(p, strnlen(p, 4)) > 0)
					cp = utf8_decode(p, &len);
				if (cp >= 0x10000)
					snprintf(u, sizeof u, "\\u%04x\\u%04x", 0xd800 + ((cp - 0x10000) >> 10),
						 0xdc00 + ((cp - 0x10000) & 0x3ff));
				else
					snprintf(u, sizeof u, "\\u%04x", cp);
				esc = u;
			}
		}
		if (esc) {
			sb_put(b, run, (size_t)(p - run));
			sb_puts(b, esc);
			run = p + len;
		}
		p += len;
	}
	sb_puts(b, run);
	sb_put(b, "\"", 1);
}

static int key_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

/* Before an item: the separator after the one before, and with an indent a new line. */
static void put_item_start(sbuf_t *b, const json_style_t *st, int first, int depth)
{
	if (!first)
		sb_puts(b, st->item_sep);
	if (st->indent >= 0) {
		sb_put(b, "\n", 1);
		for (int i = 0; i < st->indent * depth; i++)
			sb_put(b, " ", 1);
	}
}

static void put_close(sbuf_t *b, const json_style_t *st, int depth, char c)
{
	if (st->indent >= 0) {
		sb_put(b, "\n", 1);
		for (int i = 0; i < st->indent * depth; i++)
			sb_put(b, " ", 1);
	}
	sb_put(b, &c, 1);
}

static void put_value(sbuf_t *b, const cJSON *v, const json_style_t *st, int depth)
{
	if (depth > 1000)
		ft_die(FT_EXIT_DATA, "JSON value nested more than 1000 levels deep");
	if (!v || cJSON_IsNull(v) || cJSON_IsInvalid(v)) {
		sb_puts(b, "null");
	} else if (cJSON_IsTrue(v)) {
		sb_puts(b, "true");
	} else if (cJSON_IsFalse(v)) {
		sb_puts(b, "false");
	} else if (cJSON_IsNumber(v)) {
		put_number(b, v, st);
	} else if (cJSON_IsString(v)) {
		put_string(b, v->valuestring ? v->valuestring : "", st->ensure_ascii);
	} else if (cJSON_IsRaw(v)) {
		sb_puts(b, v->valuestring ? v->valuestring : "null");
	} else if (cJSON_IsArray(v)) {
		if (!v->child) {
			sb_puts(b, "[]");
			return;
		}
		sb_put(b, "[", 1);
		int first = 1;
		for (const cJSON *c = v->child; c; c = c->next) {
			put_item_start(b, st, first, depth + 1);
			first = 0;
			put_value(b, c, st, depth + 1);
		}
		put_close(b, st, depth, ']');
	} else if (cJSON_IsObject(v)) {
		if (!v->child) {
			sb_puts(b, "{}");
			return;
		}
		size_t n = 0;
		for (const cJSON *c = v->child; c; c = c->next)
			n++;
		const cJSON **kids = xcalloc(n, sizeof *kids);
		n = 0;
		for (const cJSON *c = v->child; c; c = c->next)
			kids[n++] = c;
		qsort(kids, n, sizeof *kids, key_cmp);
		sb_put(b, "{", 1);
		for (size_t i = 0; i < n; i++) {
			put_item_start(b, st, i == 0, depth + 1);
			put_string(b, kids[i]->string ? kids[i]->string : "", st->ensure_ascii);
			sb_puts(b, st->key_sep);
			put_value(b, kids[i], st, depth + 1);
		}
		put_close(b, st, depth, '}');
		free(kids);
	} else {
		sb_puts(b, "null");
	}
}

char *json_dumps(const cJSON *v, const json_style_t *style, size_t *len)
{
	sbuf_t b = { 0 };
	sb_put(&b, "", 0);
	put_value(&b, v, style, 0);
	if (style->final_newline)
		sb_put(&b, "\n", 1);
	if (len)
		*len = b.len;
	return b.buf;
}

char *json_canonical(const cJSON *v) { return json_dumps(v, &json_style_canonical, NULL); }

int json_write_canonical(FILE *f, const cJSON *v)
{
	size_t n;
	char *s = json_dumps(v, &json_style_canonical, &n);
	int rc = fwrite(s, 1, n, f) == n ? 0 : -1;
	free(s);
	return rc;
}

/* ---- reading ---- */

cJSON *json_read_file(const char *path, int flags)
{
	size_t n;
	char *s = file_read(path, &n, flags);
	if (!s)
		return NULL;
	cJSON *j = cJSON_ParseWithLength(s, n);
	free(s);
	if (!j)
		ft_die(FT_EXIT_DATA, "%s: not valid JSON", q(path));
	return j;
}
