/* jinja_parse: template source -> tokens -> AST, following jinja2 3.1's lexer and parser
 * (lexer.py, parser.py) with transformers' settings: trim_blocks, lstrip_blocks, a single
 * trailing newline dropped, newlines normalised to "\n". Operator precedence and the places
 * where filters and tests bind are jinja2's, because templates rely on them (`not x is
 * defined`, `-1|abs`, `a ~ b|trim`).
 *
 * Every error, syntax or "not supported", names the template position. Tags jinja2 has but we
 * do not (extends, include, import, block, ...) are refused by name rather than misrendered. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jinja_internal.h"

#define JINJA_MAX_PARSE_DEPTH 200

/* ---- arena ---- */

void *jarena_alloc(jarena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (!a->head || a->head->cap - a->head->used < n) {
		size_t cap = n > 65536 - sizeof(jarena_blk) ? n : 65536 - sizeof(jarena_blk);
		if (a->head && a->head->cap * 2 > cap && a->head->cap < (1u << 24))
			cap = a->head->cap * 2 > n ? a->head->cap * 2 : cap;
		if (a->limit && a->total + cap > a->limit && a->oom) {
			snprintf(a->oom_err, a->oom_errlen,
				 "LimitError: render needs more than %zu bytes of memory", a->limit);
			longjmp(*a->oom, 1);
		}
		jarena_blk *b = xmalloc(sizeof(jarena_blk) + cap);
		b->next = a->head;
		b->used = 0;
		b->cap = cap;
		a->head = b;
		a->total += cap;
	}
	void *p = a->head->data + a->head->used;
	a->head->used += n;
	return p;
}

void jarena_free(jarena *a)
{
	for (jarena_blk *b = a->head, *nx; b; b = nx) {
		nx = b->next;
		free(b);
	}
	a->head = NULL;
	a->total = 0;
}

char *jarena_strndup(jarena *a, const char *s, size_t n)
{
	char *d = jarena_alloc(a, n + 1);
	if (n)
		memcpy(d, s, n);
	d[n] = 0;
	return d;
}

/* ---- tokens ---- */

enum {
	TK_TEXT, TK_VBEGIN, TK_VEND, TK_BBEGIN, TK_BEND, TK_NAME, TK_STR, TK_INT, TK_FLOAT, TK_OP,
	TK_EOF,
};

/* multi-character operators get codes outside the ASCII punctuation they are made of */
enum { OPC_FLOORDIV = 1, OPC_POW, OPC_EQ, OPC_NE, OPC_LE, OPC_GE };

typedef struct {
	int type, op;
	size_t pos;
	jstr s;          /* name, string value, text */
	long long i;
	double f;
} tok;

typedef struct {
	jarena *a;
	const char *src;
	size_t n;
	const char *name;
	tok *t;
	size_t nt, cap, cur;
	int depth;
	char desc[80];   /* tok_desc's text (per compile, so compiles may run in parallel) */
	char *err;
	size_t errlen;
	jmp_buf jb;
} P;

static void pos_linecol(const P *p, size_t pos, int *line, int *col)
{
	int l = 1, c = 1;
	for (size_t i = 0; i < pos && i < p->n; i++) {
		if (p->src[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)p->src[i] & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static _Noreturn void perr_at(P *p, size_t pos, const char *kind, const char *fmt, ...)
{
	int line, col;
	pos_linecol(p, pos, &line, &col);
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s: %s:%d:%d: %s", kind, p->name, line, col, msg);
	longjmp(p->jb, 1);
}

static tok *tk_push(P *p, int type, size_t pos)
{
	if (p->nt == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 256;
		tok *nt = jarena_alloc(p->a, nc * sizeof(tok));
		if (p->nt)
			memcpy(nt, p->t, p->nt * sizeof(tok));
		p->t = nt;
		p->cap = nc;
	}
	tok *t = &p->t[p->nt++];
	memset(t, 0, sizeof *t);
	t->type = type;
	t->pos = pos;
	return t;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void emit_text(P *p, size_t pos, const char *s, size_t n)
{
	if (!n)
		return;
	tok *t = tk_push(p, TK_TEXT, pos);
	t->s.s = s;
	t->s.n = n;
}

/* Python unicode-escape decoding of a string literal body (jinja2 lexer.py). */
static jstr unescape(P *p, const char *s, size_t n, size_t pos)
{
	char *d = jarena_alloc(p->a, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			d[o++] = s[i];
			continue;
		}
		char c = s[++i];
		unsigned long cp = 0;
		int hex = 0;
		switch (c) {
		case 'n': d[o++] = '\n'; continue;
		case 't': d[o++] = '\t'; continue;
		case 'r': d[o++] = '\r'; continue;
		case 'a': d[o++] = '\a'; continue;
		case 'b': d[o++] = '\b'; continue;
		case 'f': d[o++] = '\f'; continue;
		case 'v': d[o++] = '\v'; continue;
		case '\\': d[o++] = '\\'; continue;
		case '\'': d[o++] = '\''; continue;
		case '"': d[o++] = '"'; continue;
		case '\n': continue;
		case 'x': hex = 2; break;
		case 'u': hex = 4; break;
		case 'U': hex = 8; break;
		case 'N': perr_at(p, pos, "NotSupported", "'\\N{...}' escapes are not supported");
		default:
			if (c >= '0' && c <= '7') {
				int k = 0;
				while (k < 3 && i < n && s[i] >= '0' && s[i] <= '7') {
					cp = cp * 8 + (unsigned long)(s[i] - '0');
					i++;
					k++;
				}
				i--;
				goto put;
			}
			d[o++] = '\\';
			d[o++] = c;
			continue;
		}
		for (int k = 0; k < hex; k++) {
			i++;
			if (i >= n || !isxdigit((unsigned char)s[i]))
				perr_at(p, pos, "TemplateSyntaxError",
					"truncated \\%c escape in a string literal", c);
			cp = cp * 16 + (unsigned long)(isdigit((unsigned char)s[i]) ? s[i] - '0'
					: (tolower((unsigned char)s[i]) - 'a' + 10));
		}
	put:
		if (cp > 0x10FFFF)
			perr_at(p, pos, "TemplateSyntaxError", "illegal Unicode character in a string literal");
		/* encode as UTF-8; the escape text is always at least as long as its encoding */
		if (cp < 0x80) {
			d[o++] = (char)cp;
		} else if (cp < 0x800) {
			d[o++] = (char)(0xC0 | (cp >> 6));
			d[o++] = (char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			d[o++] = (char)(0xE0 | (cp >> 12));
			d[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			d[o++] = (char)(0x80 | (cp & 0x3F));
		} else {
			d[o++] = (char)(0xF0 | (cp >> 18));
			d[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
			d[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			d[o++] = (char)(0x80 | (cp & 0x3F));
		}
	}
	d[o] = 0;
	return (jstr){ d, o };
}

/* Lexes the inside of a {{ }} or {% %} tag from pos; returns the position after its end and
 * whether the end asked to strip following whitespace ('-') or keep a newline ('+'). */
static size_t lex_tag(P *p, size_t pos, int block, size_t open_pos)
{
	const char *s = p->src;
	size_t n = p->n;
	int bal = 0;
	char stack[JINJA_MAX_PARSE_DEPTH];
	for (;;) {
		while (pos < n && is_ws(s[pos]))
			pos++;
		if (pos >= n)
			perr_at(p, open_pos, "TemplateSyntaxError", "unexpected end of template, expected '%s'",
				block ? "end of statement block" : "end of print statement");
		char ec = block ? '%' : '}';
		if (!bal) {
			int strip = 0;
			size_t q = pos;
			if ((s[q] == '-' || (s[q] == '+' && block)) && q + 2 < n + 0 && s[q + 1] == ec &&
			    s[q + 2] == '}') {
				strip = s[q] == '-' ? 1 : 2;
				q++;
			}
			if (q + 1 < n && s[q] == ec && s[q + 1] == '}') {
				tk_push(p, block ? TK_BEND : TK_VEND, pos);
				q += 2;
				if (strip == 1) {
					while (q < n && is_ws(s[q]))
						q++;
				} else if (block && strip == 0 && q < n && s[q] == '\n') {
					q++;   /* trim_blocks */
				}
				return q;
			}
		}
		char c = s[pos];
		if (isalpha((unsigned char)c) || c == '_') {
			size_t b = pos;
			while (pos < n && (isalnum((unsigned char)s[pos]) || s[pos] == '_'))
				pos++;
			tok *t = tk_push(p, TK_NAME, b);
			t->s = (jstr){ s + b, pos - b };
			continue;
		}
		if (c == '\'' || c == '"') {
			size_t b = pos++;
			while (pos < n && s[pos] != c) {
				if (s[pos] == '\\' && pos + 1 < n)
					pos++;
				pos++;
			}
			if (pos >= n)
				perr_at(p, b, "TemplateSyntaxError", "unexpected end of string literal");
			tok *t = tk_push(p, TK_STR, b);
			t->s = unescape(p, s + b + 1, pos - b - 1, b);
			pos++;
			continue;
		}
		if (isdigit((unsigned char)c)) {
			size_t b = pos;
			char buf[128];
			size_t bn = 0;
			int isf = 0;
#define DIGITS() do { \
		while (pos < n && (isdigit((unsigned char)s[pos]) || \
		       (s[pos] == '_' && pos + 1 < n && isdigit((unsigned char)s[pos + 1])))) { \
			if (s[pos] != '_' && bn < sizeof buf - 8) \
				buf[bn++] = s[pos]; \
			pos++; \
		} \
	} while (0)
			if (c == '0' && pos + 1 < n && strchr("xXoObB", s[pos + 1])) {
				int base = strchr("xX", s[pos + 1]) ? 16 : strchr("oO", s[pos + 1]) ? 8 : 2;
				pos += 2;
				while (pos < n && (isxdigit((unsigned char)s[pos]) || s[pos] == '_')) {
					if (s[pos] != '_' && bn < sizeof buf - 8)
						buf[bn++] = s[pos];
					pos++;
				}
				buf[bn] = 0;
				tok *t = tk_push(p, TK_INT, b);
				t->i = strtoll(buf, NULL, base);
				continue;
			}
			DIGITS();
			if (pos + 1 < n && s[pos] == '.' && isdigit((unsigned char)s[pos + 1])) {
				isf = 1;
				buf[bn++] = s[pos++];
				DIGITS();
			}
			if (pos < n && (s[pos] == 'e' || s[pos] == 'E')) {
				size_t q = pos + 1;
				if (q < n && (s[q] == '+' || s[q] == '-'))
					q++;
				if (q < n && isdigit((unsigned char)s[q])) {
					isf = 1;
					while (pos < q)
						buf[bn++] = s[pos++];
					DIGITS();
				}
			}
#undef DIGITS
			buf[bn] = 0;
			tok *t = tk_push(p, isf ? TK_FLOAT : TK_INT, b);
			if (isf) {
				t->f = strtod(buf, NULL);
			} else {
				errno = 0;
				t->i = strtoll(buf, NULL, 10);
				if (errno == ERANGE)
					perr_at(p, b, "NotSupported", "integer literal too large for 64 bits");
			}
			continue;
		}
		static const struct { const char *s; int code; } multi[] = {
			{ "//", OPC_FLOORDIV }, { "**", OPC_POW }, { "==", OPC_EQ }, { "!=", OPC_NE },
			{ "<=", OPC_LE }, { ">=", OPC_GE },
		};
		int done = 0;
		for (size_t k = 0; k < sizeof multi / sizeof multi[0]; k++) {
			if (pos + 1 < n && s[pos] == multi[k].s[0] && s[pos + 1] == multi[k].s[1]) {
				tk_push(p, TK_OP, pos)->op = multi[k].code;
				pos += 2;
				done = 1;
				break;
			}
		}
		if (done)
			continue;
		if (strchr("+-*/%~[](){}<>=.:|,;", c)) {
			if (c == '(' || c == '[' || c == '{') {
				if (bal >= JINJA_MAX_PARSE_DEPTH)
					perr_at(p, pos, "LimitError", "brackets nested too deeply");
				stack[bal++] = c == '(' ? ')' : c == '[' ? ']' : '}';
			} else if (c == ')' || c == ']' || c == '}') {
				if (!bal)
					perr_at(p, pos, "TemplateSyntaxError", "unexpected '%c'", c);
				if (stack[bal - 1] != c)
					perr_at(p, pos, "TemplateSyntaxError", "unexpected '%c', expected '%c'", c,
						stack[bal - 1]);
				bal--;
			}
			tk_push(p, TK_OP, pos)->op = c;
			pos++;
			continue;
		}
		perr_at(p, pos, "TemplateSyntaxError", "unexpected char '%c'", c);
	}
}

static void lex(P *p)
{
	const char *s = p->src;
	size_t n = p->n, pos = 0;
	while (pos < n) {
		size_t i = pos;
		const char *f = NULL;
		while (i + 1 < n) {
			f = memchr(s + i, '{', n - i - 1);
			if (!f)
				break;
			i = (size_t)(f - s);
			if (s[i + 1] == '{' || s[i + 1] == '%' || s[i + 1] == '#')
				break;
			i++;
			f = NULL;
		}
		if (!f) {
			emit_text(p, pos, s + pos, n - pos);
			break;
		}
		char kind = s[i + 1];
		char mod = i + 2 < n ? s[i + 2] : 0;
		size_t tn = i - pos;
		if (mod == '-') {
			while (tn && is_ws(s[pos + tn - 1]))
				tn--;
		} else if (mod != '+' && kind != '{') {
			/* lstrip_blocks: drop spaces between the line start and a block or comment */
			size_t l = tn;
			while (l && s[pos + l - 1] != '\n')
				l--;
			int line_starting = pos == 0 || s[pos - 1] == '\n';
			if (l > 0 || line_starting) {
				size_t k = l;
				while (k < tn && is_ws(s[pos + k]) && s[pos + k] != '\n')
					k++;
				if (k == tn)
					tn = l;
			}
		}
		emit_text(p, pos, s + pos, tn);
		size_t body = i + 2 + (mod == '-' || mod == '+');
		if (kind == '#') {
			size_t q = body;
			for (;;) {
				if (q + 1 >= n)
					perr_at(p, i, "TemplateSyntaxError", "missing end of comment tag");
				if (s[q] == '#' && s[q + 1] == '}')
					break;
				q++;
			}
			int strip = q > body && s[q - 1] == '-' ? 1 : q > body && s[q - 1] == '+' ? 2 : 0;
			q += 2;
			if (strip == 1)
				while (q < n && is_ws(s[q]))
					q++;
			else if (strip == 0 && q < n && s[q] == '\n')
				q++;
			pos = q;
			continue;
		}
		if (kind == '%') {
			/* {% raw %}: text up to {% endraw %}, untouched */
			size_t q = body;
			while (q < n && is_ws(s[q]))
				q++;
			if (q + 3 <= n && !memcmp(s + q, "raw", 3) && (q + 3 == n || !isalnum((unsigned char)s[q + 3]))) {
				q += 3;
				while (q < n && is_ws(s[q]))
					q++;
				int strip = 0;
				if (q < n && (s[q] == '-' || s[q] == '+'))
					strip = s[q++] == '-' ? 1 : 2;
				if (q + 1 < n && s[q] == '%' && s[q + 1] == '}') {
					q += 2;
					if (strip == 1)
						while (q < n && is_ws(s[q]))
							q++;
					else if (strip == 0 && q < n && s[q] == '\n')
						q++;
					/* find {%[-+]? endraw [-+]?%} */
					size_t r = q;
					for (;;) {
						const char *e = r < n ? strstr(s + r, "{%") : NULL;
						if (!e)
							perr_at(p, i, "TemplateSyntaxError", "missing end of raw directive");
						size_t k = (size_t)(e - s) + 2, ts = (size_t)(e - s);
						char m2 = s[k];
						if (m2 == '-' || m2 == '+')
							k++;
						while (k < n && is_ws(s[k]))
							k++;
						if (k + 6 <= n && !memcmp(s + k, "endraw", 6)) {
							k += 6;
							while (k < n && is_ws(s[k]))
								k++;
							int st2 = 0;
							if (k < n && (s[k] == '-' || s[k] == '+'))
								st2 = s[k++] == '-' ? 1 : 2;
							if (k + 1 < n && s[k] == '%' && s[k + 1] == '}') {
								size_t rn = ts - q;
								if (m2 == '-')
									while (rn && is_ws(s[q + rn - 1]))
										rn--;
								emit_text(p, q, s + q, rn);
								k += 2;
								if (st2 == 1)
									while (k < n && is_ws(s[k]))
										k++;
								else if (st2 == 0 && k < n && s[k] == '\n')
									k++;
								pos = k;
								break;
							}
						}
						r = ts + 2;
					}
					continue;
				}
			}
		}
		tk_push(p, kind == '%' ? TK_BBEGIN : TK_VBEGIN, i);
		pos = lex_tag(p, body, kind == '%', i);
	}
	tk_push(p, TK_EOF, n);
}

/* ---- parser ---- */

static tok *cur(P *p) { return &p->t[p->cur]; }
static tok *nexttok(P *p) { tok *t = &p->t[p->cur]; if (t->type != TK_EOF) p->cur++; return t; }

static int is_op(P *p, int op) { return cur(p)->type == TK_OP && cur(p)->op == op; }
static int is_name(P *p, const char *name)
{
	tok *t = cur(p);
	return t->type == TK_NAME && t->s.n == strlen(name) && !memcmp(t->s.s, name, t->s.n);
}

static const char *tok_desc(P *p, tok *t)
{
	char *buf = p->desc;
	size_t bufsz = sizeof p->desc;
	switch (t->type) {
	case TK_EOF: return "end of template";
	case TK_VEND: return "end of print statement";
	case TK_BEND: return "end of statement block";
	case TK_VBEGIN: return "begin of print statement";
	case TK_BBEGIN: return "begin of statement block";
	case TK_TEXT: return "template data";
	case TK_STR: return "string";
	case TK_INT: return "integer";
	case TK_FLOAT: return "float";
	case TK_NAME:
		snprintf(buf, bufsz, "'%.*s'", (int)(t->s.n > 60 ? 60 : t->s.n), t->s.s);
		return buf;
	default: {
		const char *m[] = { "", "//", "**", "==", "!=", "<=", ">=" };
		if (t->op < 7)
			snprintf(buf, bufsz, "'%s'", m[t->op]);
		else
			snprintf(buf, bufsz, "'%c'", t->op);
		return buf;
	}
	}
}

static void expect_op(P *p, int op, const char *what)
{
	if (!is_op(p, op))
		perr_at(p, cur(p)->pos, "TemplateSyntaxError", "expected token '%s', got %s", what,
			tok_desc(p, cur(p)));
	nexttok(p);
}

static jstr expect_name(P *p)
{
	if (cur(p)->type != TK_NAME)
		perr_at(p, cur(p)->pos, "TemplateSyntaxError", "expected token 'name', got %s",
			tok_desc(p, cur(p)));
	return nexttok(p)->s;
}

static void expect_end(P *p, int type)
{
	if (cur(p)->type != type)
		perr_at(p, cur(p)->pos, "TemplateSyntaxError", "expected token '%s', got %s",
			type == TK_BEND ? "end of statement block" : "end of print statement",
			tok_desc(p, cur(p)));
	nexttok(p);
}

static jnode *mk(P *p, int kind, size_t pos)
{
	jnode *x = jarena_alloc(p->a, sizeof *x);
	memset(x, 0, sizeof *x);
	x->kind = (uint8_t)kind;
	pos_linecol(p, pos, &x->line, &x->col);
	return x;
}

/* growable node array in the arena */
typedef struct {
	jnode **v;
	int n, cap;
} nvec;

static void nv_push(P *p, nvec *v, jnode *x)
{
	if (v->n == v->cap) {
		int nc = v->cap ? v->cap * 2 : 8;
		jnode **nn = jarena_alloc(p->a, (size_t)nc * sizeof *nn);
		if (v->n)
			memcpy(nn, v->v, (size_t)v->n * sizeof *nn);
		v->v = nn;
		v->cap = nc;
	}
	v->v[v->n++] = x;
}

static void sv_push(P *p, jstr **arr, int *n, int *cap, jstr s)
{
	if (*n == *cap) {
		int nc = *cap ? *cap * 2 : 8;
		jstr *nn = jarena_alloc(p->a, (size_t)nc * sizeof *nn);
		if (*n)
			memcpy(nn, *arr, (size_t)*n * sizeof *nn);
		*arr = nn;
		*cap = nc;
	}
	(*arr)[(*n)++] = s;
}

static jnode *parse_expr(P *p);
static jnode *parse_expr_nocond(P *p);
static jnode *parse_or(P *p);
static jnode *parse_unary(P *p, int with_filter);
static jnode *parse_primary(P *p);
static jnode *parse_postfix(P *p, jnode *x);

static void enter(P *p)
{
	if (++p->depth > JINJA_MAX_PARSE_DEPTH)
		perr_at(p, cur(p)->pos, "LimitError", "expression nested too deeply");
}

static void leave(P *p) { p->depth--; }

/* a tuple without parentheses where jinja2 allows one (for targets/iterables, set values) */
static jnode *parse_tuple(P *p, int simplified, int with_cond, const char *end_name)
{
	size_t pos = cur(p)->pos;
	nvec items = { 0 };
	int is_tuple = 0;
	for (;;) {
		if (items.n)
			expect_op(p, ',', ",");
		tok *t = cur(p);
		if (t->type == TK_VEND || t->type == TK_BEND || is_op(p, ')') ||
		    (end_name && is_name(p, end_name)))
			break;
		jnode *x;
		if (simplified)
			x = parse_primary(p);
		else if (with_cond)
			x = parse_expr(p);
		else
			x = parse_expr_nocond(p);
		nv_push(p, &items, x);
		if (is_op(p, ','))
			is_tuple = 1;
		else
			break;
	}
	if (!is_tuple) {
		if (items.n)
			return items.v[0];
		perr_at(p, cur(p)->pos, "TemplateSyntaxError", "expected an expression, got %s",
			tok_desc(p, cur(p)));
	}
	jnode *x = mk(p, N_TUPLE, pos);
	x->v = items.v;
	x->nv = items.n;
	return x;
}

static void parse_call_args(P *p, jnode *call)
{
	/* after '(' */
	nvec args = { 0 }, kwv = { 0 };
	int nn = 0, cap = 0;
	while (!is_op(p, ')')) {
		if (args.n + kwv.n)
			expect_op(p, ',', ",");
		if (is_op(p, ')'))
			break;
		if (is_op(p, '*') || (cur(p)->type == TK_OP && cur(p)->op == OPC_POW))
			perr_at(p, cur(p)->pos, "NotSupported", "'*args' and '**kwargs' in calls are not supported");
		if (cur(p)->type == TK_NAME && p->t[p->cur + 1].type == TK_OP && p->t[p->cur + 1].op == '=') {
			jstr k = nexttok(p)->s;
			nexttok(p);
			sv_push(p, &call->names, &nn, &cap, k);
			nv_push(p, &kwv, parse_expr(p));
		} else {
			if (kwv.n)
				perr_at(p, cur(p)->pos, "TemplateSyntaxError", "invalid syntax for function call expression");
			nv_push(p, &args, parse_expr(p));
		}
	}
	expect_op(p, ')', ")");
	call->v = args.v;
	call->nv = args.n;
	call->w = kwv.v;
	call->nw = kwv.n;
	call->nnames = nn;
}

static jnode *parse_filter(P *p, jnode *x, int start_inline)
{
	while (is_op(p, '|') || start_inline) {
		if (!start_inline)
			nexttok(p);
		start_inline = 0;
		size_t pos = cur(p)->pos;
		jstr name = expect_name(p);
		while (is_op(p, '.')) {
			nexttok(p);
			expect_name(p);
			perr_at(p, pos, "NotSupported", "dotted filter names are not supported");
		}
		jnode *f = mk(p, N_FILTER, pos);
		f->a = x;
		f->s = name;
		f->fid = jinja_filter_id(name.s, name.n);
		f->pos = pos;   /* unknown names are judged after parsing: check_names */
		if (is_op(p, '(')) {
			nexttok(p);
			parse_call_args(p, f);
		}
		x = f;
	}
	return x;
}

static jnode *parse_test(P *p, jnode *x)
{
	size_t pos = cur(p)->pos;
	nexttok(p);   /* 'is' */
	int neg = 0;
	if (is_name(p, "not")) {
		nexttok(p);
		neg = 1;
	}
	jstr name = expect_name(p);
	jnode *t = mk(p, N_TEST, pos);
	t->a = x;
	t->s = name;
	t->flag = (uint8_t)neg;
	t->fid = jinja_test_id(name.s, name.n);
	t->pos = pos;
	tok *c = cur(p);
	if (is_op(p, '(')) {
		nexttok(p);
		parse_call_args(p, t);
	} else if ((c->type == TK_NAME || c->type == TK_STR || c->type == TK_INT || c->type == TK_FLOAT ||
		    is_op(p, '[') || is_op(p, '{')) &&
		   !is_name(p, "else") && !is_name(p, "or") && !is_name(p, "and")) {
		if (is_name(p, "is"))
			perr_at(p, c->pos, "TemplateSyntaxError", "You cannot chain multiple tests with is");
		jnode *arg = parse_postfix(p, parse_primary(p));
		t->v = jarena_alloc(p->a, sizeof(jnode *));
		t->v[0] = arg;
		t->nv = 1;
	}
	return t;
}

static jnode *parse_filter_expr(P *p, jnode *x)
{
	for (;;) {
		if (is_op(p, '|'))
			x = parse_filter(p, x, 0);
		else if (is_name(p, "is"))
			x = parse_test(p, x);
		else if (is_op(p, '(')) {
			jnode *c = mk(p, N_CALL, cur(p)->pos);
			nexttok(p);
			c->a = x;
			parse_call_args(p, c);
			x = c;
		} else
			break;
	}
	return x;
}

static jnode *parse_subscript_item(P *p)
{
	/* one of: expr, [a]:[b][:[c]] */
	size_t pos = cur(p)->pos;
	jnode *a = NULL, *b = NULL, *c = NULL;
	if (!is_op(p, ':')) {
		a = parse_expr(p);
		if (!is_op(p, ':'))
			return a;
	}
	nexttok(p);   /* ':' */
	if (!is_op(p, ']') && !is_op(p, ',') && !is_op(p, ':'))
		b = parse_expr(p);
	if (is_op(p, ':')) {
		nexttok(p);
		if (!is_op(p, ']') && !is_op(p, ','))
			c = parse_expr(p);
	}
	jnode *s = mk(p, N_SLICE, pos);
	s->b = a;
	s->c = b;
	s->d = c;
	return s;
}

static jnode *parse_postfix(P *p, jnode *x)
{
	for (;;) {
		if (is_op(p, '.')) {
			size_t pos = cur(p)->pos;
			nexttok(p);
			tok *t = cur(p);
			if (t->type == TK_NAME) {
				jnode *g = mk(p, N_ATTR, pos);
				g->a = x;
				g->s = nexttok(p)->s;
				x = g;
			} else if (t->type == TK_INT) {
				jnode *g = mk(p, N_ITEM, pos);
				g->a = x;
				g->b = mk(p, N_CONST, t->pos);
				g->b->k.t = JV_INT;
				g->b->k.i = nexttok(p)->i;
				x = g;
			} else {
				perr_at(p, t->pos, "TemplateSyntaxError", "expected name or number");
			}
		} else if (is_op(p, '[')) {
			size_t pos = cur(p)->pos;
			nexttok(p);
			nvec items = { 0 };
			while (!is_op(p, ']')) {
				if (items.n)
					expect_op(p, ',', ",");
				if (is_op(p, ']'))
					break;
				nv_push(p, &items, parse_subscript_item(p));
			}
			expect_op(p, ']', "]");
			jnode *g = mk(p, N_ITEM, pos);
			g->a = x;
			if (items.n == 1) {
				g->b = items.v[0];
			} else {
				for (int k = 0; k < items.n; k++)
					if (items.v[k]->kind == N_SLICE)
						perr_at(p, pos, "NotSupported", "a slice inside a tuple subscript is not supported");
				g->b = mk(p, N_TUPLE, pos);
				g->b->v = items.v;
				g->b->nv = items.n;
			}
			if (g->b->kind == N_SLICE) {
				g->b->a = x;
				x = g->b;
			} else {
				x = g;
			}
		} else if (is_op(p, '(')) {
			jnode *c = mk(p, N_CALL, cur(p)->pos);
			nexttok(p);
			c->a = x;
			parse_call_args(p, c);
			x = c;
		} else {
			break;
		}
	}
	return x;
}

static jnode *parse_primary(P *p)
{
	tok *t = cur(p);
	jnode *x;
	enter(p);
	switch (t->type) {
	case TK_NAME: {
		nexttok(p);
		const char *s = t->s.s;
		size_t n = t->s.n;
#define IS(w) (n == strlen(w) && !memcmp(s, w, n))
		if (IS("true") || IS("True") || IS("false") || IS("False")) {
			x = mk(p, N_CONST, t->pos);
			x->k.t = JV_BOOL;
			x->k.b = s[0] == 't' || s[0] == 'T';
		} else if (IS("none") || IS("None")) {
			x = mk(p, N_CONST, t->pos);
			x->k.t = JV_NONE;
		} else {
			x = mk(p, N_NAME, t->pos);
			x->s = t->s;
		}
#undef IS
		break;
	}
	case TK_STR: {
		nexttok(p);
		x = mk(p, N_CONST, t->pos);
		x->k.t = JV_STR;
		x->k.s = t->s;
		/* adjacent literals concatenate, as in Python */
		while (cur(p)->type == TK_STR) {
			tok *u = nexttok(p);
			char *d = jarena_alloc(p->a, x->k.s.n + u->s.n + 1);
			memcpy(d, x->k.s.s, x->k.s.n);
			memcpy(d + x->k.s.n, u->s.s, u->s.n);
			d[x->k.s.n + u->s.n] = 0;
			x->k.s = (jstr){ d, x->k.s.n + u->s.n };
		}
		break;
	}
	case TK_INT:
	case TK_FLOAT:
		nexttok(p);
		x = mk(p, N_CONST, t->pos);
		if (t->type == TK_INT) {
			x->k.t = JV_INT;
			x->k.i = t->i;
		} else {
			x->k.t = JV_FLOAT;
			x->k.f = t->f;
		}
		break;
	case TK_OP:
		if (t->op == '(') {
			nexttok(p);
			if (is_op(p, ')')) {
				nexttok(p);
				x = mk(p, N_TUPLE, t->pos);
				break;
			}
			x = parse_tuple(p, 0, 1, NULL);
			expect_op(p, ')', ")");
			break;
		}
		if (t->op == '[') {
			nexttok(p);
			nvec items = { 0 };
			while (!is_op(p, ']')) {
				if (items.n)
					expect_op(p, ',', ",");
				if (is_op(p, ']'))
					break;
				nv_push(p, &items, parse_expr(p));
			}
			expect_op(p, ']', "]");
			x = mk(p, N_LIST, t->pos);
			x->v = items.v;
			x->nv = items.n;
			break;
		}
		if (t->op == '{') {
			nexttok(p);
			nvec ks = { 0 }, vs = { 0 };
			while (!is_op(p, '}')) {
				if (ks.n)
					expect_op(p, ',', ",");
				if (is_op(p, '}'))
					break;
				nv_push(p, &ks, parse_expr(p));
				expect_op(p, ':', ":");
				nv_push(p, &vs, parse_expr(p));
			}
			expect_op(p, '}', "}");
			x = mk(p, N_DICT, t->pos);
			x->v = ks.v;
			x->nv = ks.n;
			x->w = vs.v;
			x->nw = vs.n;
			break;
		}
		/* fallthrough */
	default:
		perr_at(p, t->pos, "TemplateSyntaxError", "unexpected %s", tok_desc(p, t));
	}
	leave(p);
	return x;
}

static jnode *parse_unary(P *p, int with_filter)
{
	enter(p);
	jnode *x;
	size_t pos = cur(p)->pos;
	if (is_op(p, '-') || is_op(p, '+')) {
		int neg = is_op(p, '-');
		nexttok(p);
		x = mk(p, neg ? N_NEG : N_POS, pos);
		x->a = parse_unary(p, 0);
	} else {
		x = parse_primary(p);
	}
	x = parse_postfix(p, x);
	if (with_filter)
		x = parse_filter_expr(p, x);
	leave(p);
	return x;
}

static jnode *bin(P *p, int op, jnode *a, jnode *b, size_t pos)
{
	jnode *x = mk(p, N_BIN, pos);
	x->op = (uint8_t)op;
	x->a = a;
	x->b = b;
	return x;
}

static jnode *parse_pow(P *p)
{
	jnode *x = parse_unary(p, 1);
	while (cur(p)->type == TK_OP && cur(p)->op == OPC_POW) {
		size_t pos = cur(p)->pos;
		nexttok(p);
		x = bin(p, OP_POW, x, parse_unary(p, 1), pos);
	}
	return x;
}

static jnode *parse_math2(P *p)
{
	jnode *x = parse_pow(p);
	for (;;) {
		tok *t = cur(p);
		int op;
		if (t->type != TK_OP)
			break;
		if (t->op == '*') op = OP_MUL;
		else if (t->op == '/') op = OP_DIV;
		else if (t->op == OPC_FLOORDIV) op = OP_FLOORDIV;
		else if (t->op == '%') op = OP_MOD;
		else break;
		nexttok(p);
		x = bin(p, op, x, parse_pow(p), t->pos);
	}
	return x;
}

static jnode *parse_concat(P *p)
{
	size_t pos = cur(p)->pos;
	jnode *x = parse_math2(p);
	if (!is_op(p, '~'))
		return x;
	nvec items = { 0 };
	nv_push(p, &items, x);
	while (is_op(p, '~')) {
		nexttok(p);
		nv_push(p, &items, parse_math2(p));
	}
	jnode *c = mk(p, N_CONCAT, pos);
	c->v = items.v;
	c->nv = items.n;
	return c;
}

static jnode *parse_math1(P *p)
{
	jnode *x = parse_concat(p);
	while (is_op(p, '+') || is_op(p, '-')) {
		tok *t = nexttok(p);
		x = bin(p, t->op == '+' ? OP_ADD : OP_SUB, x, parse_concat(p), t->pos);
	}
	return x;
}

static jnode *parse_compare(P *p)
{
	size_t pos = cur(p)->pos;
	jnode *x = parse_math1(p);
	nvec ops = { 0 };
	for (;;) {
		tok *t = cur(p);
		int op = -1;
		if (t->type == TK_OP) {
			switch (t->op) {
			case OPC_EQ: op = OP_EQ; break;
			case OPC_NE: op = OP_NE; break;
			case OPC_LE: op = OP_LE; break;
			case OPC_GE: op = OP_GE; break;
			case '<': op = OP_LT; break;
			case '>': op = OP_GT; break;
			}
			if (op >= 0)
				nexttok(p);
		} else if (is_name(p, "in")) {
			nexttok(p);
			op = OP_IN;
		} else if (is_name(p, "not") && p->t[p->cur + 1].type == TK_NAME &&
			   p->t[p->cur + 1].s.n == 2 && !memcmp(p->t[p->cur + 1].s.s, "in", 2)) {
			nexttok(p);
			nexttok(p);
			op = OP_NOTIN;
		}
		if (op < 0)
			break;
		jnode *o = parse_math1(p);
		jnode *w = mk(p, N_BIN, t->pos);   /* holder: op + operand */
		w->op = (uint8_t)op;
		w->a = o;
		nv_push(p, &ops, w);
	}
	if (!ops.n)
		return x;
	jnode *c = mk(p, N_CMP, pos);
	c->a = x;
	c->v = ops.v;
	c->nv = ops.n;
	return c;
}

static jnode *parse_not(P *p)
{
	if (is_name(p, "not")) {
		jnode *x = mk(p, N_NOT, cur(p)->pos);
		nexttok(p);
		enter(p);
		x->a = parse_not(p);
		leave(p);
		return x;
	}
	return parse_compare(p);
}

static jnode *parse_and(P *p)
{
	jnode *x = parse_not(p);
	while (is_name(p, "and")) {
		jnode *y = mk(p, N_AND, cur(p)->pos);
		nexttok(p);
		y->a = x;
		y->b = parse_not(p);
		x = y;
	}
	return x;
}

static jnode *parse_or(P *p)
{
	jnode *x = parse_and(p);
	while (is_name(p, "or")) {
		jnode *y = mk(p, N_OR, cur(p)->pos);
		nexttok(p);
		y->a = x;
		y->b = parse_and(p);
		x = y;
	}
	return x;
}

static jnode *parse_expr(P *p)
{
	enter(p);
	jnode *x = parse_or(p);
	while (is_name(p, "if")) {
		jnode *c = mk(p, N_COND, cur(p)->pos);
		nexttok(p);
		c->a = parse_or(p);   /* test */
		c->b = x;             /* then */
		if (is_name(p, "else")) {
			nexttok(p);
			c->c = parse_expr(p);
		}
		x = c;
	}
	leave(p);
	return x;
}

static jnode *parse_expr_nocond(P *p)
{
	enter(p);
	jnode *x = parse_or(p);
	leave(p);
	return x;
}

/* ---- statements ---- */

static jnode **parse_body(P *p, int *n, const char *const *ends);

static int at_end_tag(P *p, const char *const *ends)
{
	/* at '{%' NAME where NAME is one of ends */
	if (cur(p)->type != TK_BBEGIN)
		return 0;
	tok *t = &p->t[p->cur + 1];
	if (t->type != TK_NAME)
		return 0;
	for (int i = 0; ends && ends[i]; i++)
		if (t->s.n == strlen(ends[i]) && !memcmp(t->s.s, ends[i], t->s.n))
			return 1;
	return 0;
}

static jnode *parse_assign_target(P *p, int allow_ns, const char *end_name)
{
	size_t pos = cur(p)->pos;
	if (allow_ns && cur(p)->type == TK_NAME && p->t[p->cur + 1].type == TK_OP &&
	    p->t[p->cur + 1].op == '.') {
		jnode *x = mk(p, N_NSREF, pos);
		x->a = mk(p, N_NAME, pos);
		x->a->s = nexttok(p)->s;
		nexttok(p);
		x->s = expect_name(p);
		return x;
	}
	jnode *x = parse_tuple(p, 1, 0, end_name);
	if (x->kind == N_TUPLE) {
		for (int i = 0; i < x->nv; i++)
			if (x->v[i]->kind != N_NAME)
				perr_at(p, pos, "TemplateSyntaxError", "can't assign to this expression");
	} else if (x->kind != N_NAME) {
		perr_at(p, pos, "TemplateSyntaxError", "can't assign to '%s'", "expression");
	}
	return x;
}

static void parse_macro_sig(P *p, jnode *m)
{
	/* (a, b=1, ...) : names + defaults in w (NULL for none) */
	expect_op(p, '(', "(");
	nvec defs = { 0 };
	int nn = 0, cap = 0;
	while (!is_op(p, ')')) {
		if (nn)
			expect_op(p, ',', ",");
		jstr name = expect_name(p);
		sv_push(p, &m->names, &nn, &cap, name);
		if (is_op(p, '=')) {
			nexttok(p);
			nv_push(p, &defs, parse_expr(p));
		} else {
			nv_push(p, &defs, NULL);   /* jinja2 allows this; the parameter is undefined if not given */
		}
	}
	nexttok(p);
	m->nnames = nn;
	m->w = defs.v;
	m->nw = defs.n;
}

static jnode *parse_stmt(P *p)
{
	tok *open = nexttok(p);   /* '{%' */
	tok *t = cur(p);
	if (t->type != TK_NAME)
		perr_at(p, t->pos, "TemplateSyntaxError", "tag name expected");
	jstr kw = t->s;
	size_t pos = open->pos;
#define KW(w) (kw.n == strlen(w) && !memcmp(kw.s, w, kw.n))
	nexttok(p);
	jnode *x;
	if (KW("if")) {
		x = mk(p, N_IF, pos);
		jnode *node = x;
		node->a = parse_expr(p);
		expect_end(p, TK_BEND);
		for (;;) {
			static const char *const ends[] = { "elif", "else", "endif", NULL };
			node->v = parse_body(p, &node->nv, ends);
			nexttok(p);   /* '{%' */
			tok *e = nexttok(p);
			if (e->s.n == 4 && !memcmp(e->s.s, "elif", 4)) {
				jnode *n2 = mk(p, N_IF, e->pos);
				n2->flag = 1;   /* an elif */
				n2->a = parse_expr(p);
				expect_end(p, TK_BEND);
				node->w = jarena_alloc(p->a, sizeof(jnode *));
				node->w[0] = n2;
				node->nw = 1;
				node = n2;
				continue;
			}
			if (e->s.n == 4 && !memcmp(e->s.s, "else", 4)) {
				expect_end(p, TK_BEND);
				static const char *const ends2[] = { "endif", NULL };
				node->w = parse_body(p, &node->nw, ends2);
				nexttok(p);
				nexttok(p);
			}
			expect_end(p, TK_BEND);
			break;
		}
		return x;
	}
	if (KW("for")) {
		x = mk(p, N_FOR, pos);
		x->a = parse_assign_target(p, 0, "in");
		if (!is_name(p, "in"))
			perr_at(p, cur(p)->pos, "TemplateSyntaxError", "expected token 'in', got %s",
				tok_desc(p, cur(p)));
		nexttok(p);
		x->b = parse_tuple(p, 0, 0, "recursive");
		if (is_name(p, "if")) {
			nexttok(p);
			x->c = parse_expr(p);
		}
		if (is_name(p, "recursive"))
			perr_at(p, cur(p)->pos, "NotSupported", "recursive for loops are not supported");
		expect_end(p, TK_BEND);
		static const char *const ends[] = { "endfor", "else", NULL };
		x->v = parse_body(p, &x->nv, ends);
		nexttok(p);
		tok *e = nexttok(p);
		if (e->s.n == 4 && !memcmp(e->s.s, "else", 4)) {
			expect_end(p, TK_BEND);
			static const char *const ends2[] = { "endfor", NULL };
			x->w = parse_body(p, &x->nw, ends2);
			nexttok(p);
			nexttok(p);
		}
		expect_end(p, TK_BEND);
		return x;
	}
	if (KW("set")) {
		jnode *tgt = parse_assign_target(p, 1, NULL);
		if (is_op(p, '=')) {
			nexttok(p);
			x = mk(p, N_SET, pos);
			x->a = tgt;
			x->b = parse_tuple(p, 0, 1, NULL);
			expect_end(p, TK_BEND);
			return x;
		}
		x = mk(p, N_SETBLOCK, pos);
		x->a = tgt;
		if (is_op(p, '|'))
			x->b = parse_filter(p, NULL, 0);
		expect_end(p, TK_BEND);
		static const char *const ends[] = { "endset", NULL };
		x->v = parse_body(p, &x->nv, ends);
		nexttok(p);
		nexttok(p);
		expect_end(p, TK_BEND);
		return x;
	}
	if (KW("macro")) {
		x = mk(p, N_MACRO, pos);
		x->s = expect_name(p);
		parse_macro_sig(p, x);
		expect_end(p, TK_BEND);
		static const char *const ends[] = { "endmacro", NULL };
		x->v = parse_body(p, &x->nv, ends);
		nexttok(p);
		nexttok(p);
		if (cur(p)->type == TK_NAME)
			nexttok(p);
		expect_end(p, TK_BEND);
		return x;
	}
	if (KW("call")) {
		x = mk(p, N_CALLBLOCK, pos);
		if (is_op(p, '('))
			parse_macro_sig(p, x);
		x->a = parse_expr(p);
		if (x->a->kind != N_CALL)
			perr_at(p, pos, "TemplateSyntaxError", "expected call");
		expect_end(p, TK_BEND);
		static const char *const ends[] = { "endcall", NULL };
		x->v = parse_body(p, &x->nv, ends);
		nexttok(p);
		nexttok(p);
		expect_end(p, TK_BEND);
		return x;
	}
	if (KW("filter")) {
		x = mk(p, N_FILTERBLOCK, pos);
		x->a = parse_filter(p, NULL, 1);
		expect_end(p, TK_BEND);
		static const char *const ends[] = { "endfilter", NULL };
		x->v = parse_body(p, &x->nv, ends);
		nexttok(p);
		nexttok(p);
		expect_end(p, TK_BEND);
		return x;
	}
	if (KW("generation")) {
		x = mk(p, N_GENERATION, pos);
		expect_end(p, TK_BEND);
		static const char *const ends[] = { "endgeneration", NULL };
		x->v = parse_body(p, &x->nv, ends);
		nexttok(p);
		nexttok(p);
		expect_end(p, TK_BEND);
		return x;
	}
	if (KW("with")) {
		/* {% with a = 1, b = 2 %}: targets in names (as N_NAME nodes in v), values in w */
		x = mk(p, N_WITH, pos);
		nvec tg = { 0 }, vals = { 0 };
		while (cur(p)->type != TK_BEND) {
			if (tg.n)
				expect_op(p, ',', ",");
			jnode *t2 = parse_assign_target(p, 0, NULL);
			expect_op(p, '=', "=");
			nv_push(p, &tg, t2);
			nv_push(p, &vals, parse_expr(p));
		}
		expect_end(p, TK_BEND);
		x->a = mk(p, N_TUPLE, pos);
		x->a->v = tg.v;
		x->a->nv = tg.n;
		x->w = vals.v;
		x->nw = vals.n;
		static const char *const ends[] = { "endwith", NULL };
		x->v = parse_body(p, &x->nv, ends);
		nexttok(p);
		nexttok(p);
		expect_end(p, TK_BEND);
		return x;
	}
	if (KW("break") || KW("continue")) {
		x = mk(p, KW("break") ? N_BREAK : N_CONTINUE, pos);
		expect_end(p, TK_BEND);
		return x;
	}
	static const char *const refused[] = { "extends", "include", "import", "from", "block",
		"autoescape", NULL };
	for (int i = 0; refused[i]; i++)
		if (KW(refused[i]))
			perr_at(p, t->pos, "NotSupported", "tag '%.*s' is not supported", (int)kw.n, kw.s);
	perr_at(p, t->pos, "TemplateSyntaxError", "Encountered unknown tag '%.*s'.", (int)kw.n, kw.s);
#undef KW
}

static jnode **parse_body(P *p, int *n, const char *const *ends)
{
	nvec body = { 0 };
	for (;;) {
		tok *t = cur(p);
		if (t->type == TK_EOF) {
			if (ends) {
				char tags[200] = "";
				for (int i = 0; ends[i]; i++)
					snprintf(tags + strlen(tags), sizeof tags - strlen(tags), "%s'%s'",
						 i ? " or " : "", ends[i]);
				perr_at(p, t->pos, "TemplateSyntaxError",
					"Unexpected end of template. Jinja was looking for the following tags: %s.",
					tags);
			}
			break;
		}
		if (t->type == TK_TEXT) {
			jnode *x = mk(p, N_TEXT, t->pos);
			x->s = t->s;
			nexttok(p);
			nv_push(p, &body, x);
		} else if (t->type == TK_VBEGIN) {
			nexttok(p);
			jnode *x = mk(p, N_OUTPUT, t->pos);
			x->a = parse_tuple(p, 0, 1, NULL);
			expect_end(p, TK_VEND);
			nv_push(p, &body, x);
		} else if (t->type == TK_BBEGIN) {
			if (at_end_tag(p, ends))
				break;
			tok *nm = &p->t[p->cur + 1];
			if (nm->type == TK_NAME && nm->s.n >= 3 &&
			    (!memcmp(nm->s.s, "end", 3) || (nm->s.n == 4 && !memcmp(nm->s.s, "else", 4)) ||
			     (nm->s.n == 4 && !memcmp(nm->s.s, "elif", 4))))
				perr_at(p, nm->pos, "TemplateSyntaxError", "Encountered unknown tag '%.*s'.",
					(int)nm->s.n, nm->s.s);
			enter(p);
			nv_push(p, &body, parse_stmt(p));
			leave(p);
		} else {
			perr_at(p, t->pos, "TemplateSyntaxError", "unexpected %s", tok_desc(p, t));
		}
	}
	*n = body.n;
	return body.v;
}

/* jinja2 fails at compile time on an unknown filter or test, except inside an `if` (test,
 * branches) or a conditional expression, where it fails only when the code runs (its "soft
 * frames"); loop, macro and block bodies start hard again. Templates rely on this to guard
 * filters other runtimes have ("from_json"). Known-but-unsupported names fail at run time. */
static void check_names(P *p, const jnode *x, int soft, int depth)
{
	/* an elif chain is nested in else branches: walk it as a loop, it can be long */
	while (x && x->kind == N_IF && x->nw == 1 && x->w[0]->kind == N_IF && x->w[0]->flag) {
		check_names(p, x->a, 1, depth + 1);
		for (int i = 0; i < x->nv; i++)
			check_names(p, x->v[i], 1, depth + 1);
		x = x->w[0];
		soft = 1;
	}
	if (!x)
		return;
	if ((x->kind == N_FILTER || x->kind == N_TEST) && x->fid == -1 && !soft)
		perr_at(p, x->pos, "TemplateAssertionError", "No %s named '%.*s'.",
			x->kind == N_FILTER ? "filter" : "test", (int)x->s.n, x->s.s);
	int sa = soft, sb = soft, sc = soft, sd = soft, sv = soft, sw = soft;
	switch (x->kind) {
	case N_IF:
		sa = sv = sw = 1;
		break;
	case N_COND:
		sa = sb = sc = 1;
		break;
	case N_FOR:
		sa = sc = sv = sw = 0;
		break;
	case N_MACRO:
		sv = sw = 0;
		break;
	case N_CALLBLOCK:
		sv = sw = 0;
		break;
	case N_SETBLOCK:
		sb = sv = 0;
		break;
	case N_FILTERBLOCK:
		sa = sv = 0;
		break;
	case N_GENERATION:
	case N_WITH:
		sv = 0;
		break;
	}
	check_names(p, x->a, sa, depth + 1);
	check_names(p, x->b, sb, depth + 1);
	check_names(p, x->c, sc, depth + 1);
	check_names(p, x->d, sd, depth + 1);
	for (int i = 0; i < x->nv; i++)
		check_names(p, x->v[i], sv, depth + 1);
	for (int i = 0; i < x->nw; i++)
		check_names(p, x->w[i], sw, depth + 1);
}

jinja_t *jinja_compile(const char *src, const char *name, char *err, size_t errlen)
{
	jinja_t *t = xcalloc(1, sizeof *t);
	snprintf(t->name, sizeof t->name, "%s", name ? name : "template");
	P p;
	memset(&p, 0, sizeof p);
	p.a = &t->arena;
	p.name = t->name;
	p.err = err;
	p.errlen = errlen;
	/* newlines normalised to \n and one trailing newline dropped (keep_trailing_newline=False) */
	size_t n = strlen(src);
	char *s = jarena_alloc(p.a, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (src[i] == '\r') {
			s[o++] = '\n';
			if (i + 1 < n && src[i + 1] == '\n')
				i++;
		} else {
			s[o++] = src[i];
		}
	}
	if (o && s[o - 1] == '\n')
		o--;
	s[o] = 0;
	p.src = s;
	p.n = o;
	if (setjmp(p.jb)) {
		jinja_free(t);
		return NULL;
	}
	lex(&p);
	t->body = parse_body(&p, &t->nbody, NULL);
	for (int i = 0; i < t->nbody; i++)
		check_names(&p, t->body[i], 0, 0);
	return t;
}

void jinja_free(jinja_t *t)
{
	if (!t)
		return;
	jarena_free(&t->arena);
	free(t);
}
