/* json: canonical JSON writer. See json.h for the layout and why it exists. */
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

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

static void put_string(sbuf_t *b, const char *s)
{
	sb_put(b, "\"", 1);
	const char *run = s;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const char *esc = NULL;
		char u[8];
		switch (*p) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (*p < 0x20) {
				snprintf(u, sizeof u, "\\u%04x", *p);
				esc = u;
			}
		}
		if (esc) {
			sb_put(b, run, (const char *)p - run);
			sb_puts(b, esc);
			run = (const char *)p + 1;
		}
	}
	sb_puts(b, run);
	sb_put(b, "\"", 1);
}

static int key_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

static void put_value(sbuf_t *b, const cJSON *v, int depth)
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
		char nb[48];
		json_format_number(v->valuedouble, nb, sizeof nb);
		sb_puts(b, nb);
	} else if (cJSON_IsString(v)) {
		put_string(b, v->valuestring ? v->valuestring : "");
	} else if (cJSON_IsRaw(v)) {
		sb_puts(b, v->valuestring ? v->valuestring : "null");
	} else if (cJSON_IsArray(v)) {
		sb_put(b, "[", 1);
		int first = 1;
		for (const cJSON *c = v->child; c; c = c->next) {
			if (!first)
				sb_put(b, ",", 1);
			first = 0;
			put_value(b, c, depth + 1);
		}
		sb_put(b, "]", 1);
	} else if (cJSON_IsObject(v)) {
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
			if (i)
				sb_put(b, ",", 1);
			put_string(b, kids[i]->string ? kids[i]->string : "");
			sb_put(b, ":", 1);
			put_value(b, kids[i], depth + 1);
		}
		sb_put(b, "}", 1);
		free(kids);
	} else {
		sb_puts(b, "null");
	}
}

char *json_canonical(const cJSON *v)
{
	sbuf_t b = { 0 };
	sb_put(&b, "", 0);
	put_value(&b, v, 0);
	return b.buf;
}

int json_write_canonical(FILE *f, const cJSON *v)
{
	char *s = json_canonical(v);
	size_t n = strlen(s);
	int rc = fwrite(s, 1, n, f) == n ? 0 : -1;
	free(s);
	return rc;
}
