/* jinja_eval: the renderer's shared state and helpers (jinja_eval.c runs templates,
 * jinja_value.c prints and compares values, jinja_builtins.c holds filters, tests, methods
 * and globals). Errors leave through jr_fail, a longjmp back to jinja_render, which is safe
 * because everything a render allocates lives in its arena. */
#ifndef FT_JINJA_EVAL_H
#define FT_JINJA_EVAL_H

#include <stdarg.h>

#include "jinja_internal.h"

typedef struct {
	char *s;
	size_t n, cap;
	size_t limit;   /* 0 = none */
} jbuf;

typedef struct jframe {
	struct jframe *parent;
	jdict vars;
} jframe;

enum { JF_BUILTIN, JF_METHOD, JF_MACRO };

struct jfunc {
	int kind;
	jstr name;
	int id;            /* builtin/method id */
	jval self;         /* bound object for methods */
	const jnode *node; /* macro or call block */
	jframe *closure;
	jval caller;       /* macro invoked from {% call %}: the caller (or undefined) */
};

struct jloop {
	jval *items;
	size_t n, i;
	int depth;
	jval changed;   /* loop.changed()'s last arguments (undefined before the first call) */
};

typedef struct {
	int ensure_ascii, sort_keys, has_indent;
	jstr indent, item_sep, key_sep;
} jjson_opts;

typedef struct jrender {
	jarena a;
	jmp_buf jb;
	char *err;
	size_t errlen;
	const jinja_t *t;
	long long steps, max_steps;
	int depth;
	jbuf *out;        /* where output goes now (the root or a capture) */
	jbuf root;
	jinja_span_t *spans;
	size_t nspans, capspans;
	jframe *globals;
} jrender;

_Noreturn void jr_fail(jrender *r, const jnode *at, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
_Noreturn void jr_undef_fail(jrender *r, jval u);
/* Counts work proportional to n bytes or items against the step limit (1 step per 64), so
 * builtins that loop inside one step cannot run unbounded. */
void jr_charge(jrender *r, size_t n);

void jb_putn(jrender *r, jbuf *b, const char *s, size_t n);
void jb_puts(jrender *r, jbuf *b, const char *s);
void jb_printf(jrender *r, jbuf *b, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
jstr jb_str(jbuf *b);

jval jv_none(void);
jval jv_bool(int b);
jval jv_int(long long i);
jval jv_float(double f);
jval jv_strv(jstr s);
jval jv_str(jrender *r, const char *s, size_t n);
jval jv_cstr(const char *s);
jval jv_undef(jrender *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
jval jv_list(jrender *r, size_t cap);
void jl_push(jrender *r, jlist *l, jval x);
jval jv_dict(jrender *r);
jval *jd_find(jdict *d, jval k);
jval *jd_finds(jdict *d, const char *s, size_t n);
void jd_set(jrender *r, jdict *d, jval k, jval v);
jval jv_from_cjson(jrender *r, const cJSON *j, int depth);
jval jv_from_json_text(jrender *r, const char *s, size_t n);
const char *jv_typename(jval v);
const char *jv_objrepr(jval v);
int jv_truthy(jval v);
void jv_fmt_float(double d, char *out, size_t n, int json);
void jv_repr(jrender *r, jbuf *b, jval v, int depth);
void jv_tostr(jrender *r, jbuf *b, jval v);
jstr jv_to_jstr(jrender *r, jval v);
void jv_json(jrender *r, jbuf *b, jval v, const jjson_opts *o, int level);
int jv_eq(jval a, jval b);
int jv_cmp(jrender *r, jval a, jval b, const char *opname);
void jv_sort(jrender *r, void *base, size_t n, size_t sz,
	     int (*cmp)(jrender *, const void *, const void *, void *), void *ctx);
void jv_sort_pairs(jrender *r, jpair *p, size_t n);

uint32_t ju_decode(const char *s, size_t n, size_t *i);
size_t ju_len(jstr s);
size_t ju_off(jstr s, size_t k);

/* jinja_eval.c, used by builtins */
jval jr_getattr(jrender *r, const jnode *at, jval obj, jstr name);
jval jr_getitem(jrender *r, const jnode *at, jval obj, jval key);
jval jr_call(jrender *r, const jnode *at, jval fn, jval *args, int nargs, jstr *kwn, jval *kwv, int nkw);
jval jr_iterable(jrender *r, const jnode *at, jval v);   /* list of items */

/* jinja_builtins.c */
typedef struct {
	jval *args;
	int nargs;
	jstr *kwn;
	jval *kwv;
	int nkw;
} jargs;

jval jb_filter(jrender *r, const jnode *at, int id, jval v, jargs *a);
int jb_test(jrender *r, const jnode *at, int id, jval v, jargs *a);
jval jb_method(jrender *r, const jnode *at, jval self, jstr name, jargs *a);
int jb_method_exists(jval self, jstr name);   /* 1 safe, -1 unsafe (mutating), 0 none */
jval jb_global(jrender *r, const jnode *at, int id, jargs *a);
int jb_global_id(jstr name);   /* -1 none */
jstr jb_global_name(int id);
jval jb_binop(jrender *r, const jnode *at, int op, jval a, jval b);

#endif
