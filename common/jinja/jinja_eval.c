/* jinja_eval: runs a compiled template against JSON variables the way jinja2's generated
 * Python code would — scoping (a for-loop body gets a fresh scope per iteration, `if` does
 * not create one), default Undefined semantics, the sandbox's attribute rules, loop controls
 * and the {% generation %} spans transformers uses for assistant masks.
 *
 * Renders are bounded: steps, output bytes, call depth and arena memory, so that a hostile
 * template ends with an error instead of hanging the pipeline. */
#define _GNU_SOURCE   /* memmem */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "jinja_eval.h"

static size_t lim_output = 64u << 20;
static long long lim_steps = 50000000;
static size_t lim_memory = 1u << 30;
#define JINJA_MAX_DEPTH 100

static struct tm pinned_tm;
static int pinned;

void jinja_pin_clock(const struct tm *tm)
{
	if (tm) {
		pinned_tm = *tm;
		pinned = 1;
	} else {
		pinned = 0;
	}
}

int jinja_clock(struct tm *out)
{
	if (pinned) {
		*out = pinned_tm;
		return 0;
	}
	time_t now = time(NULL);
	return localtime_r(&now, out) ? 0 : -1;
}

void jinja_set_limits(size_t max_output, long long max_steps)
{
	lim_output = max_output ? max_output : 64u << 20;
	lim_steps = max_steps ? max_steps : 50000000;
}

_Noreturn void jr_fail(jrender *r, const jnode *at, const char *kind, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* Python-level errors carry no position, so they read exactly as jinja2's; only what is
	 * ours to say (not supported, limits) names the template position */
	if (at && kind && strcmp(kind, "NotSupported") && strcmp(kind, "LimitError"))
		at = NULL;
	if (!kind)
		snprintf(r->err, r->errlen, "%s", msg);   /* raise_exception: the text exactly */
	else if (at)
		snprintf(r->err, r->errlen, "%s: %s:%d:%d: %s", kind, r->t->name, at->line, at->col, msg);
	else
		snprintf(r->err, r->errlen, "%s: %s", kind, msg);
	longjmp(r->jb, 1);
}

_Noreturn void jr_undef_fail(jrender *r, jval u)
{
	/* the sandbox's unsafe_undefined raises SecurityError instead */
	const char *m = u.undef ? u.undef : "'undefined' is undefined";
	size_t n = strlen(m);
	int unsafe = !strncmp(m, "access to attribute ", 20) && n > 10 && !strcmp(m + n - 10, "is unsafe.");
	jr_fail(r, NULL, unsafe ? "SecurityError" : "UndefinedError", "%s", m);
}

void jr_charge(jrender *r, size_t n)
{
	r->steps += (long long)(n >> 6);
	if (r->steps > r->max_steps)
		jr_fail(r, NULL, "LimitError", "render takes more than %lld steps", r->max_steps);
}

static void step(jrender *r, const jnode *at)
{
	if (++r->steps > r->max_steps)
		jr_fail(r, at, "LimitError", "render takes more than %lld steps", r->max_steps);
}

/* ---- scopes ---- */

static jframe *frame_new(jrender *r, jframe *parent)
{
	jframe *f = jarena_alloc(&r->a, sizeof *f);
	memset(f, 0, sizeof *f);
	f->parent = parent;
	return f;
}

static void frame_set(jrender *r, jframe *f, jstr name, jval v)
{
	jd_set(r, &f->vars, jv_strv(name), v);
}

static jval *frame_lookup(jframe *f, jstr name)
{
	for (; f; f = f->parent) {
		jval *v = jd_finds(&f->vars, name.s, name.n);
		if (v)
			return v;
	}
	return NULL;
}

/* ---- attribute and item access (sandbox getattr/getitem) ---- */

static jval bound_method(jrender *r, jval self, jstr name)
{
	jval v = { .t = JV_FUNC };
	v.fn = jarena_alloc(&r->a, sizeof(jfunc));
	memset(v.fn, 0, sizeof(jfunc));
	v.fn->kind = JF_METHOD;
	v.fn->self = self;
	v.fn->name = name;
	return v;
}

static jval loop_attr(jrender *r, const jnode *at, jloop *l, jstr name)
{
#define IS(w) (name.n == strlen(w) && !memcmp(name.s, w, name.n))
	long long i = (long long)l->i, n = (long long)l->n;
	if (IS("index")) return jv_int(i + 1);
	if (IS("index0")) return jv_int(i);
	if (IS("revindex")) return jv_int(n - i);
	if (IS("revindex0")) return jv_int(n - i - 1);
	if (IS("first")) return jv_bool(i == 0);
	if (IS("last")) return jv_bool(i == n - 1);
	if (IS("length")) return jv_int(n);
	if (IS("depth")) return jv_int(l->depth);
	if (IS("depth0")) return jv_int(l->depth - 1);
	if (IS("previtem"))
		return i > 0 ? l->items[i - 1] : jv_undef(r, "there is no previous item");
	if (IS("nextitem"))
		return i + 1 < n ? l->items[i + 1] : jv_undef(r, "there is no next item");
	if (IS("cycle") || IS("changed")) {
		jval self = { .t = JV_LOOP };
		self.loop = l;
		return bound_method(r, self, name);
	}
#undef IS
	return jv_undef(r, "'jinja2.runtime.LoopContext object' has no attribute '%.*s'", (int)name.n, name.s);
}

jval jr_getattr(jrender *r, const jnode *at, jval obj, jstr name)
{
	switch (obj.t) {
	case JV_UNDEF:
		jr_undef_fail(r, obj);
	case JV_DICT: {
		int m = jb_method_exists(obj, name);
		if (m > 0)
			return bound_method(r, obj, name);
		if (m < 0)
			return jv_undef(r, "access to attribute '%.*s' of 'dict' object is unsafe.", (int)name.n, name.s);
		jval *v = jd_finds(obj.d, name.s, name.n);
		if (v)
			return *v;
		break;
	}
	case JV_NS: {
		jval *v = jd_finds(obj.d, name.s, name.n);
		if (v)
			return *v;
		break;
	}
	case JV_LOOP:
		return loop_attr(r, at, obj.loop, name);
	case JV_STR:
	case JV_LIST: {
		int m = jb_method_exists(obj, name);
		if (m > 0)
			return bound_method(r, obj, name);
		if (m < 0)
			return jv_undef(r, "access to attribute '%.*s' of '%s' object is unsafe.", (int)name.n,
					name.s, jv_typename(obj));
		break;
	}
	default:
		break;
	}
	if (obj.t == JV_NONE)
		return jv_undef(r, "'None' has no attribute '%.*s'", (int)name.n, name.s);
	return jv_undef(r, "'%s' has no attribute '%.*s'", jv_objrepr(obj), (int)name.n, name.s);
}

static jval no_element(jrender *r, jval obj, jval key)
{
	jbuf b = { 0 };
	jv_repr(r, &b, key, 0);
	return jv_undef(r, "%s has no element %s", jv_objrepr(obj), b.s);
}

jval jr_getitem(jrender *r, const jnode *at, jval obj, jval key)
{
	if (obj.t == JV_UNDEF)
		jr_undef_fail(r, obj);
	if (obj.t == JV_DICT) {
		jval *v = jd_find(obj.d, key);
		if (v)
			return *v;
	} else if (obj.t == JV_LIST && (obj.l->gen || obj.l->view)) {
		return no_element(r, obj, key);   /* not subscriptable */
	} else if ((obj.t == JV_LIST || obj.t == JV_STR) && (key.t == JV_INT || key.t == JV_BOOL)) {
		long long i = key.t == JV_INT ? key.i : key.b;
		long long n = obj.t == JV_LIST ? (long long)obj.l->n : (long long)ju_len(obj.s);
		if (i < 0)
			i += n;
		if (i >= 0 && i < n) {
			if (obj.t == JV_LIST)
				return obj.l->v[i];
			jr_charge(r, obj.s.n);
			size_t o = ju_off(obj.s, (size_t)i), e = ju_off(obj.s, (size_t)i + 1);
			return jv_strv((jstr){ obj.s.s + o, e - o });
		}
		return no_element(r, obj, key);
	} else if (obj.t == JV_LOOP && key.t == JV_STR) {
		return loop_attr(r, at, obj.loop, key.s);
	}
	if (key.t == JV_STR) {
		if (obj.t == JV_NS) {
			jval *v = jd_finds(obj.d, key.s.s, key.s.n);
			if (v)
				return *v;
		}
		if (obj.t == JV_DICT || obj.t == JV_STR || obj.t == JV_LIST) {
			int m = jb_method_exists(obj, key.s);
			if (m > 0)
				return bound_method(r, obj, key.s);
			if (m < 0)
				return jv_undef(r, "access to attribute '%.*s' of '%s' object is unsafe.",
						(int)key.s.n, key.s.s, jv_typename(obj));
		}
		if (obj.t == JV_NONE)
			return jv_undef(r, "'None' has no attribute '%.*s'", (int)key.s.n, key.s.s);
		return jv_undef(r, "'%s' has no attribute '%.*s'", jv_objrepr(obj), (int)key.s.n, key.s.s);
	}
	return no_element(r, obj, key);
}

/* Python slice semantics on lists and strings (by code point) */
static jval do_slice(jrender *r, const jnode *at, jval obj, jval a, jval b, jval c)
{
	if (obj.t == JV_UNDEF)
		jr_undef_fail(r, obj);
	long long n;
	if (obj.t == JV_LIST) {
		n = (long long)obj.l->n;
		jr_charge(r, obj.l->n * 16);
	} else if (obj.t == JV_STR) {
		jr_charge(r, obj.s.n);
		n = (long long)ju_len(obj.s);
	}
	else
		return jv_undef(r, "%s has no element slice", jv_objrepr(obj));
	if (obj.t == JV_LIST && (obj.l->gen || obj.l->view))
		return jv_undef(r, "%s has no element slice", jv_objrepr(obj));
	long long st = 1, lo, hi;
	for (int k = 0; k < 3; k++) {
		jval x = k == 0 ? a : k == 1 ? b : c;
		if (x.t != JV_NONE && x.t != JV_INT && x.t != JV_BOOL)
			jr_fail(r, at, "TypeError",
				"slice indices must be integers or None or have an __index__ method");
	}
	if (c.t != JV_NONE)
		st = c.t == JV_INT ? c.i : c.b;
	if (st == 0)
		jr_fail(r, at, "ValueError", "slice step cannot be zero");
	if (a.t == JV_NONE) {
		lo = st > 0 ? 0 : n - 1;
	} else {
		lo = a.t == JV_INT ? a.i : a.b;
		if (lo < 0) lo += n;
		if (lo < 0) lo = st > 0 ? 0 : -1;
		if (lo > n) lo = st > 0 ? n : n - 1;
		if (st < 0 && lo >= n) lo = n - 1;
	}
	if (b.t == JV_NONE) {
		hi = st > 0 ? n : -1;
	} else {
		hi = b.t == JV_INT ? b.i : b.b;
		if (hi < 0) hi += n;
		if (hi < 0) hi = st > 0 ? 0 : -1;
		if (hi > n) hi = n;
	}
	if (obj.t == JV_LIST) {
		jval out = jv_list(r, 0);
		out.l->tuple = obj.l->tuple;
		for (long long i = lo; st > 0 ? i < hi : i > hi; i += st)
			jl_push(r, out.l, obj.l->v[i]);
		return out;
	}
	if (st == 1) {
		if (hi <= lo)
			return jv_cstr("");
		size_t o = ju_off(obj.s, (size_t)lo), e = ju_off(obj.s, (size_t)hi);
		return jv_strv((jstr){ obj.s.s + o, e - o });
	}
	/* general step: index the code points */
	size_t *offs = jarena_alloc(&r->a, ((size_t)n + 1) * sizeof(size_t));
	size_t k = 0;
	for (size_t i = 0; i < obj.s.n; i++)
		if (((unsigned char)obj.s.s[i] & 0xC0) != 0x80)
			offs[k++] = i;
	offs[k] = obj.s.n;
	jbuf out = { 0 };
	for (long long i = lo; st > 0 ? i < hi : i > hi; i += st)
		jb_putn(r, &out, obj.s.s + offs[i], offs[i + 1] - offs[i]);
	return jv_strv(jb_str(&out));
}

/* the items a for loop, list() or a filter sees */
jval jr_iterable(jrender *r, const jnode *at, jval v)
{
	switch (v.t) {
	case JV_UNDEF:
		return jv_list(r, 0);
	case JV_LIST:
		jr_charge(r, v.l->n * 16);
		if (v.l->gen) {
			/* single pass: what is left from the cursor, then nothing */
			if (v.l->poison)
				jr_fail(r, NULL, NULL, "%s", v.l->poison);
			jval l = jv_list(r, 0);
			if (v.l->pos >= v.l->n)
				return l;
			l.l->v = v.l->v + v.l->pos;
			l.l->n = l.l->cap = v.l->n - v.l->pos;
			v.l->pos = v.l->n;
			return l;
		}
		return v;
	case JV_DICT: {
		jval l = jv_list(r, v.d->n);
		for (size_t i = 0; i < v.d->n; i++)
			jl_push(r, l.l, v.d->p[i].k);
		return l;
	}
	case JV_STR: {
		jr_charge(r, v.s.n * 16);
		jval l = jv_list(r, v.s.n);
		for (size_t i = 0; i < v.s.n;) {
			size_t k = i;
			ju_decode(v.s.s, v.s.n, &k);
			jl_push(r, l.l, jv_strv((jstr){ v.s.s + i, k - i }));
			i = k;
		}
		return l;
	}
	default:
		jr_fail(r, at, "TypeError", "'%s' object is not iterable", jv_typename(v));
	}
}

/* ---- expressions ---- */

static jval eval(jrender *r, jframe *f, const jnode *x);

static void collect_args(jrender *r, jframe *f, const jnode *x, jargs *a, int extra_first, jval first)
{
	int n = x->nv + (extra_first ? 1 : 0);
	a->args = jarena_alloc(&r->a, (size_t)(n + 1) * sizeof(jval));
	a->nargs = 0;
	if (extra_first)
		a->args[a->nargs++] = first;
	for (int i = 0; i < x->nv; i++)
		a->args[a->nargs++] = eval(r, f, x->v[i]);
	a->nkw = x->nw;
	a->kwn = x->names;
	a->kwv = jarena_alloc(&r->a, (size_t)(x->nw + 1) * sizeof(jval));
	for (int i = 0; i < x->nw; i++)
		a->kwv[i] = eval(r, f, x->w[i]);
}

static void exec_body(jrender *r, jframe *f, jnode **body, int n, int *ctl);

static jval call_macro(jrender *r, const jnode *at, jfunc *fn, jargs *a)
{
	const jnode *m = fn->node;
	if (++r->depth > JINJA_MAX_DEPTH)
		jr_fail(r, at, "LimitError", "macro calls nested deeper than %d", JINJA_MAX_DEPTH);
	jframe *mf = frame_new(r, fn->closure);
	jval varargs = jv_list(r, 0), kwargs = jv_dict(r);
	varargs.l->tuple = 1;
	for (int i = 0; i < a->nargs; i++) {
		if (i < m->nnames)
			frame_set(r, mf, m->names[i], a->args[i]);
		else
			jl_push(r, varargs.l, a->args[i]);
	}
	for (int i = 0; i < a->nkw; i++) {
		int found = 0;
		for (int k = 0; k < m->nnames; k++) {
			if (m->names[k].n == a->kwn[i].n && !memcmp(m->names[k].s, a->kwn[i].s, a->kwn[i].n)) {
				if (k < a->nargs)
					jr_fail(r, at, "TypeError", "macro '%.*s' got multiple values for argument '%.*s'",
						(int)fn->name.n, fn->name.s, (int)a->kwn[i].n, a->kwn[i].s);
				frame_set(r, mf, m->names[k], a->kwv[i]);
				found = 1;
			}
		}
		if (!found)
			jd_set(r, kwargs.d, jv_strv(a->kwn[i]), a->kwv[i]);
	}
	for (int k = a->nargs; k < m->nnames; k++) {
		if (jd_finds(&mf->vars, m->names[k].s, m->names[k].n))
			continue;
		if (k < m->nw && m->w[k])
			frame_set(r, mf, m->names[k], eval(r, mf, m->w[k]));
		else
			frame_set(r, mf, m->names[k],
				  jv_undef(r, "parameter '%.*s' was not provided", (int)m->names[k].n, m->names[k].s));
	}
	frame_set(r, mf, (jstr){ "varargs", 7 }, varargs);
	frame_set(r, mf, (jstr){ "kwargs", 6 }, kwargs);
	if (fn->caller.t != JV_UNDEF)
		frame_set(r, mf, (jstr){ "caller", 6 }, fn->caller);
	jbuf *saved = r->out;
	jbuf cap = { 0 };
	cap.limit = lim_output;
	r->out = &cap;
	int ctl = 0;
	exec_body(r, mf, m->v, m->nv, &ctl);
	r->out = saved;
	r->depth--;
	return jv_strv(jb_str(&cap));
}

jval jr_call(jrender *r, const jnode *at, jval fn, jval *args, int nargs, jstr *kwn, jval *kwv, int nkw)
{
	jargs a = { args, nargs, kwn, kwv, nkw };
	if (fn.t == JV_UNDEF)
		jr_undef_fail(r, fn);
	if (fn.t != JV_FUNC)
		jr_fail(r, at, "TypeError", "'%s' object is not callable", jv_typename(fn));
	switch (fn.fn->kind) {
	case JF_BUILTIN:
		return jb_global(r, at, fn.fn->id, &a);
	case JF_METHOD:
		return jb_method(r, at, fn.fn->self, fn.fn->name, &a);
	default:
		return call_macro(r, at, fn.fn, &a);
	}
}

static jval eval_name(jrender *r, jframe *f, const jnode *x)
{
	jval *v = frame_lookup(f, x->s);
	if (v)
		return *v;
	int g = jb_global_id(x->s);
	if (g >= 0) {
		jval fv = { .t = JV_FUNC };
		fv.fn = jarena_alloc(&r->a, sizeof(jfunc));
		memset(fv.fn, 0, sizeof(jfunc));
		fv.fn->kind = JF_BUILTIN;
		fv.fn->id = g;
		fv.fn->name = x->s;
		return fv;
	}
	return jv_undef(r, "'%.*s' is undefined", (int)x->s.n, x->s.s);
}

static int contains(jrender *r, const jnode *at, jval needle, jval hay)
{
	switch (hay.t) {
	case JV_UNDEF:
		return 0;
	case JV_STR:
		if (needle.t != JV_STR)
			jr_fail(r, at, "TypeError", "'in <string>' requires string as left operand, not %s",
				jv_typename(needle));
		if (!needle.s.n)
			return 1;
		return memmem(hay.s.s, hay.s.n, needle.s.s, needle.s.n) != NULL;
	case JV_LIST:
		for (size_t i = hay.l->gen ? hay.l->pos : 0; i < hay.l->n; i++) {
			if (jv_eq(hay.l->v[i], needle)) {
				if (hay.l->gen)
					hay.l->pos = i + 1;   /* `in` consumes a generator up to the match */
				return 1;
			}
		}
		if (hay.l->gen) {
			hay.l->pos = hay.l->n;
			if (hay.l->poison)
				jr_fail(r, NULL, NULL, "%s", hay.l->poison);
		}
		return 0;
	case JV_DICT:
		if ((needle.t == JV_LIST && !needle.l->tuple) || needle.t == JV_DICT || needle.t == JV_NS)
			jr_fail(r, at, "TypeError", "unhashable type: '%s'", jv_typename(needle));
		return jd_find(hay.d, needle) != NULL;
	default:
		jr_fail(r, at, "TypeError", "argument of type '%s' is not iterable", jv_typename(hay));
	}
}

static int compare(jrender *r, const jnode *at, int op, jval a, jval b)
{
	switch (op) {
	case OP_EQ: return jv_eq(a, b);
	case OP_NE: return !jv_eq(a, b);
	case OP_LT: return jv_cmp(r, a, b, "<") < 0;
	case OP_LE: return jv_cmp(r, a, b, "<=") <= 0;
	case OP_GT: return jv_cmp(r, a, b, ">") > 0;
	case OP_GE: return jv_cmp(r, a, b, ">=") >= 0;
	case OP_IN: return contains(r, at, a, b);
	default: return !contains(r, at, a, b);
	}
}

static jval eval(jrender *r, jframe *f, const jnode *x)
{
	step(r, x);
	switch (x->kind) {
	case N_CONST:
		return x->k;
	case N_NAME:
		return eval_name(r, f, x);
	case N_LIST:
	case N_TUPLE: {
		jval l = jv_list(r, (size_t)x->nv);
		l.l->tuple = x->kind == N_TUPLE;
		for (int i = 0; i < x->nv; i++)
			jl_push(r, l.l, eval(r, f, x->v[i]));
		return l;
	}
	case N_DICT: {
		jval d = jv_dict(r);
		for (int i = 0; i < x->nv; i++) {
			jval k = eval(r, f, x->v[i]);
			if (k.t == JV_LIST && !k.l->tuple)
				jr_fail(r, x, "TypeError", "unhashable type: 'list'");
			if (k.t == JV_DICT)
				jr_fail(r, x, "TypeError", "unhashable type: 'dict'");
			jd_set(r, d.d, k, eval(r, f, x->w[i]));
		}
		return d;
	}
	case N_ATTR:
		return jr_getattr(r, x, eval(r, f, x->a), x->s);
	case N_ITEM: {
		jval o = eval(r, f, x->a);
		return jr_getitem(r, x, o, eval(r, f, x->b));
	}
	case N_SLICE: {
		jval o = eval(r, f, x->a);
		jval a = x->b ? eval(r, f, x->b) : jv_none();
		jval b = x->c ? eval(r, f, x->c) : jv_none();
		jval c = x->d ? eval(r, f, x->d) : jv_none();
		return do_slice(r, x, o, a, b, c);
	}
	case N_CALL: {
		jval fn = eval(r, f, x->a);
		jargs a;
		collect_args(r, f, x, &a, 0, fn);
		return jr_call(r, x, fn, a.args, a.nargs, a.kwn, a.kwv, a.nkw);
	}
	case N_FILTER: {
		jval v = eval(r, f, x->a);
		jargs a;
		collect_args(r, f, x, &a, 0, v);
		return jb_filter(r, x, x->fid, v, &a);
	}
	case N_TEST: {
		jval v = eval(r, f, x->a);
		jargs a;
		collect_args(r, f, x, &a, 0, v);
		int t = jb_test(r, x, x->fid, v, &a);
		return jv_bool(x->flag ? !t : t);
	}
	case N_BIN:
	{
		/* left before right: which error a template reports depends on it */
		jval a = eval(r, f, x->a);
		jval b = eval(r, f, x->b);
		return jb_binop(r, x, x->op, a, b);
	}
	case N_AND: {
		jval a = eval(r, f, x->a);
		return jv_truthy(a) ? eval(r, f, x->b) : a;
	}
	case N_OR: {
		jval a = eval(r, f, x->a);
		return jv_truthy(a) ? a : eval(r, f, x->b);
	}
	case N_NOT:
		return jv_bool(!jv_truthy(eval(r, f, x->a)));
	case N_NEG:
	case N_POS: {
		jval v = eval(r, f, x->a);
		if (v.t == JV_UNDEF)
			jr_undef_fail(r, v);
		if (v.t == JV_INT || v.t == JV_BOOL) {
			long long i = v.t == JV_INT ? v.i : v.b;
			return jv_int(x->kind == N_NEG ? -i : i);
		}
		if (v.t == JV_FLOAT)
			return jv_float(x->kind == N_NEG ? -v.f : v.f);
		jr_fail(r, x, "TypeError", "bad operand type for unary %c: '%s'", x->kind == N_NEG ? '-' : '+',
			jv_typename(v));
	}
	case N_COND:
		if (jv_truthy(eval(r, f, x->a)))
			return eval(r, f, x->b);
		if (x->c)
			return eval(r, f, x->c);
		return jv_undef(r, "the inline if-expression on line %d evaluated to false and no else section was defined.", x->line);
	case N_CONCAT: {
		jbuf b = { 0 };
		for (int i = 0; i < x->nv; i++)
			jv_tostr(r, &b, eval(r, f, x->v[i]));
		return jv_strv(jb_str(&b));
	}
	case N_CMP: {
		jval a = eval(r, f, x->a);
		for (int i = 0; i < x->nv; i++) {
			jval b = eval(r, f, x->v[i]->a);
			if (!compare(r, x->v[i], x->v[i]->op, a, b))
				return jv_bool(0);
			a = b;
		}
		return jv_bool(1);
	}
	default:
		jr_fail(r, x, "NotSupported", "expression kind %d is not supported", x->kind);
	}
}

/* ---- statements ---- */

static void assign(jrender *r, jframe *f, const jnode *tgt, jval v)
{
	if (tgt->kind == N_NAME) {
		frame_set(r, f, tgt->s, v);
		return;
	}
	if (tgt->kind == N_NSREF) {
		jval ns = eval_name(r, f, tgt->a);
		if (ns.t != JV_NS)
			jr_fail(r, tgt, "TemplateRuntimeError", "cannot assign attribute on non-namespace object");
		jd_set(r, ns.d, jv_strv(tgt->s), v);
		return;
	}
	/* tuple unpacking */
	if (v.t != JV_LIST && v.t != JV_STR && v.t != JV_DICT && v.t != JV_UNDEF)
		jr_fail(r, tgt, "TypeError", "cannot unpack non-iterable %s object", jv_typename(v));
	jval items = jr_iterable(r, tgt, v);
	if ((int)items.l->n < tgt->nv)
		jr_fail(r, tgt, "ValueError", "not enough values to unpack (expected %d, got %zu)", tgt->nv,
			items.l->n);
	if ((int)items.l->n > tgt->nv)
		jr_fail(r, tgt, "ValueError", "too many values to unpack (expected %d)", tgt->nv);
	for (int i = 0; i < tgt->nv; i++)
		frame_set(r, f, tgt->v[i]->s, items.l->v[i]);
}

static void exec_for(jrender *r, jframe *f, const jnode *x)
{
	jval seq = jr_iterable(r, x->b, eval(r, f, x->b));
	jval *items = seq.l->v;
	size_t n = seq.l->n;
	if (x->c) {
		/* inline filter: the loop sees only the items that pass */
		jval kept = jv_list(r, n);
		for (size_t i = 0; i < n; i++) {
			jframe *ff = frame_new(r, f);
			assign(r, ff, x->a, items[i]);
			if (jv_truthy(eval(r, ff, x->c)))
				jl_push(r, kept.l, items[i]);
		}
		items = kept.l->v;
		n = kept.l->n;
	} else if (n) {
		/* snapshot, so that a loop over a namespace-held list is stable */
		jval *cp = jarena_alloc(&r->a, n * sizeof(jval));
		memcpy(cp, items, n * sizeof(jval));
		items = cp;
	}
	jloop *l = jarena_alloc(&r->a, sizeof *l);
	memset(l, 0, sizeof *l);
	l->items = items;
	l->n = n;
	l->depth = 1;   /* only recursive loops (refused) go deeper */
	jval lv = { .t = JV_LOOP };
	lv.loop = l;
	for (size_t i = 0; i < n; i++) {
		step(r, x);
		l->i = i;
		jframe *ff = frame_new(r, f);
		assign(r, ff, x->a, items[i]);
		frame_set(r, ff, (jstr){ "loop", 4 }, lv);
		int ctl = 0;
		exec_body(r, ff, x->v, x->nv, &ctl);
		if (ctl == 1)
			break;
	}
	if (!n && x->nw) {
		int ctl = 0;
		exec_body(r, frame_new(r, f), x->w, x->nw, &ctl);
	}
}

static void add_span(jrender *r, size_t start, size_t end)
{
	if (r->nspans == r->capspans) {
		size_t nc = r->capspans ? r->capspans * 2 : 8;
		jinja_span_t *ns = jarena_alloc(&r->a, nc * sizeof *ns);
		if (r->nspans)
			memcpy(ns, r->spans, r->nspans * sizeof *ns);
		r->spans = ns;
		r->capspans = nc;
	}
	r->spans[r->nspans].start = start;
	r->spans[r->nspans].end = end;
	r->nspans++;
}

static void exec_body(jrender *r, jframe *f, jnode **body, int n, int *ctl)
{
	for (int i = 0; i < n && !*ctl; i++) {
		const jnode *x = body[i];
		step(r, x);
		switch (x->kind) {
		case N_TEXT:
			jb_putn(r, r->out, x->s.s, x->s.n);
			break;
		case N_OUTPUT: {
			jval v = eval(r, f, x->a);
			jv_tostr(r, r->out, v);
			break;
		}
		case N_IF: {
			const jnode *c = x;
			for (;;) {
				if (jv_truthy(eval(r, f, c->a))) {
					exec_body(r, f, c->v, c->nv, ctl);
					break;
				}
				/* elif chains loop here rather than recurse: they can be long */
				if (c->nw == 1 && c->w[0]->kind == N_IF && c->w[0]->flag) {
					c = c->w[0];
					continue;
				}
				exec_body(r, f, c->w, c->nw, ctl);
				break;
			}
			break;
		}
		case N_FOR:
			exec_for(r, f, x);
			break;
		case N_SET:
			assign(r, f, x->a, eval(r, f, x->b));
			break;
		case N_SETBLOCK: {
			jbuf *saved = r->out;
			jbuf cap = { 0 };
			cap.limit = lim_output;
			r->out = &cap;
			int c2 = 0;
			exec_body(r, f, x->v, x->nv, &c2);
			r->out = saved;
			jval v = jv_strv(jb_str(&cap));
			if (x->b) {
				/* the filter chain was parsed with a NULL innermost operand */
				const jnode *chain[64];
				int nc = 0;
				for (const jnode *q = x->b; q && nc < 64; q = q->a)
					chain[nc++] = q;
				for (int k = nc - 1; k >= 0; k--) {
					jargs a;
					collect_args(r, f, chain[k], &a, 0, v);
					v = jb_filter(r, chain[k], chain[k]->fid, v, &a);
				}
			}
			assign(r, f, x->a, v);
			break;
		}
		case N_FILTERBLOCK: {
			jbuf *saved = r->out;
			jbuf cap = { 0 };
			cap.limit = lim_output;
			r->out = &cap;
			int c2 = 0;
			exec_body(r, f, x->v, x->nv, &c2);
			r->out = saved;
			jval v = jv_strv(jb_str(&cap));
			const jnode *chain[64];
			int nc = 0;
			for (const jnode *q = x->a; q && nc < 64; q = q->a)
				chain[nc++] = q;
			for (int k = nc - 1; k >= 0; k--) {
				jargs a;
				collect_args(r, f, chain[k], &a, 0, v);
				v = jb_filter(r, chain[k], chain[k]->fid, v, &a);
			}
			jv_tostr(r, r->out, v);
			break;
		}
		case N_MACRO: {
			jval m = { .t = JV_FUNC };
			m.fn = jarena_alloc(&r->a, sizeof(jfunc));
			memset(m.fn, 0, sizeof(jfunc));
			m.fn->kind = JF_MACRO;
			m.fn->name = x->s;
			m.fn->node = x;
			m.fn->closure = f;
			frame_set(r, f, x->s, m);
			break;
		}
		case N_CALLBLOCK: {
			jval caller = { .t = JV_FUNC };
			caller.fn = jarena_alloc(&r->a, sizeof(jfunc));
			memset(caller.fn, 0, sizeof(jfunc));
			caller.fn->kind = JF_MACRO;
			caller.fn->name = (jstr){ "caller", 6 };
			caller.fn->node = x;
			caller.fn->closure = f;
			const jnode *call = x->a;
			jval fn = eval(r, f, call->a);
			if (fn.t != JV_FUNC || fn.fn->kind != JF_MACRO)
				jr_fail(r, x, "NotSupported", "{%% call %%} of something other than a macro is not supported");
			jfunc *copy = jarena_alloc(&r->a, sizeof(jfunc));
			*copy = *fn.fn;
			copy->caller = caller;
			jargs a;
			collect_args(r, f, call, &a, 0, fn);
			jval v = call_macro(r, x, copy, &a);
			jv_tostr(r, r->out, v);
			break;
		}
		case N_WITH: {
			/* values are evaluated in the outer scope, then bound in a new one */
			jval *vals = jarena_alloc(&r->a, (size_t)(x->nw + 1) * sizeof(jval));
			for (int k = 0; k < x->nw; k++)
				vals[k] = eval(r, f, x->w[k]);
			jframe *wf = frame_new(r, f);
			for (int k = 0; k < x->nw; k++)
				assign(r, wf, x->a->v[k], vals[k]);
			exec_body(r, wf, x->v, x->nv, ctl);
			break;
		}
		case N_BREAK:
			*ctl = 1;
			break;
		case N_CONTINUE:
			*ctl = 2;
			break;
		case N_GENERATION: {
			size_t start = r->out->n;
			exec_body(r, f, x->v, x->nv, ctl);
			if (r->out == &r->root)
				add_span(r, start, r->out->n);
			break;
		}
		default:
			jr_fail(r, x, "NotSupported", "statement kind %d is not supported", x->kind);
		}
	}
}

static int render(const jinja_t *t, const cJSON *vars, const char *text, size_t textlen, char **out,
		  size_t *outlen, jinja_span_t **spans, size_t *nspans, char *err, size_t errlen)
{
	jrender *r = xcalloc(1, sizeof *r);
	char dummy[8];
	r->err = err ? err : dummy;
	r->errlen = err ? errlen : sizeof dummy;
	r->t = t;
	r->max_steps = lim_steps;
	r->a.limit = lim_memory;
	r->a.oom = &r->jb;
	r->a.oom_err = r->err;
	r->a.oom_errlen = r->errlen;
	r->root.limit = lim_output;
	r->out = &r->root;
	*out = NULL;
	if (outlen)
		*outlen = 0;
	if (spans) {
		*spans = NULL;
		*nspans = 0;
	}
	if (setjmp(r->jb)) {
		jarena_free(&r->a);
		free(r);
		return -1;
	}
	jframe *root = frame_new(r, NULL);
	if (vars && cJSON_IsObject(vars))
		for (const cJSON *c = vars->child; c; c = c->next)
			frame_set(r, root, jv_cstr(c->string ? c->string : "").s, jv_from_cjson(r, c, 0));
	if (text) {
		jval v = jv_from_json_text(r, text, textlen);
		if (v.t != JV_DICT)
			jr_fail(r, NULL, "TypeError", "template variables must be a JSON object, not %s", jv_typename(v));
		for (size_t i = 0; i < v.d->n; i++)
			frame_set(r, root, v.d->p[i].k.s, v.d->p[i].v);
	}
	int ctl = 0;
	exec_body(r, root, t->body, t->nbody, &ctl);
	*out = xmalloc(r->root.n + 1);
	if (r->root.n)
		memcpy(*out, r->root.s, r->root.n);
	(*out)[r->root.n] = 0;
	if (outlen)
		*outlen = r->root.n;
	if (spans && r->nspans) {
		*spans = xmalloc(r->nspans * sizeof **spans);
		/* code point offsets in one pass over the output */
		size_t cp = 0, bi = 0;
		for (size_t k = 0; k < r->nspans; k++) {
			jinja_span_t s = r->spans[k];
			size_t cs, ce, c2 = 0, b2 = 0;
			/* spans are in output order except when nested; recount when needed */
			if (s.start < bi) {
				cp = 0;
				bi = 0;
			}
			for (; bi < s.start; bi++)
				cp += ((unsigned char)r->root.s[bi] & 0xC0) != 0x80;
			cs = cp;
			c2 = cp;
			for (b2 = bi; b2 < s.end; b2++)
				c2 += ((unsigned char)r->root.s[b2] & 0xC0) != 0x80;
			ce = c2;
			s.cstart = cs;
			s.cend = ce;
			(*spans)[k] = s;
		}
		*nspans = r->nspans;
	}
	jarena_free(&r->a);
	free(r);
	return 0;
}

int jinja_render(const jinja_t *t, const cJSON *vars, char **out, size_t *outlen,
		 jinja_span_t **spans, size_t *nspans, char *err, size_t errlen)
{
	return render(t, vars, NULL, 0, out, outlen, spans, nspans, err, errlen);
}

int jinja_render_json(const jinja_t *t, const char *vars_json, size_t len, char **out, size_t *outlen,
		      jinja_span_t **spans, size_t *nspans, char *err, size_t errlen)
{
	return render(t, NULL, vars_json, len, out, outlen, spans, nspans, err, errlen);
}
