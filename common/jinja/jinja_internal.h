/* jinja_internal: what the parser (jinja_parse.c), the values (jinja_value.c) and the renderer
 * (jinja_eval.c) share. Not for other modules: they use jinja.h.
 *
 * Everything is arena-allocated: the AST in the compiled template's arena, render values in a
 * per-render arena freed in one go, so an error anywhere can longjmp out without leaking. */
#ifndef FT_JINJA_INTERNAL_H
#define FT_JINJA_INTERNAL_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include "jinja.h"

/* ---- arena ---- */
typedef struct jarena_blk {
	struct jarena_blk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
} jarena_blk;

typedef struct {
	jarena_blk *head;
	size_t total, limit;   /* bytes taken from malloc; limit 0 = none */
	jmp_buf *oom;          /* where to go when limit is passed (NULL: abort via xmalloc) */
	char *oom_err;         /* message buffer to fill on that path */
	size_t oom_errlen;
} jarena;

void *jarena_alloc(jarena *a, size_t n);
void jarena_free(jarena *a);
char *jarena_strndup(jarena *a, const char *s, size_t n);

/* ---- values ---- */
enum {
	JV_UNDEF, JV_NONE, JV_BOOL, JV_INT, JV_FLOAT, JV_STR, JV_LIST, JV_DICT, JV_NS,
	JV_FUNC, JV_LOOP,
};

typedef struct jlist jlist;
typedef struct jdict jdict;
typedef struct jfunc jfunc;
typedef struct jloop jloop;

typedef struct {
	const char *s;
	size_t n;
} jstr;

typedef struct jval {
	uint8_t t;
	union {
		int b;
		long long i;
		double f;
		jstr s;
		jlist *l;
		jdict *d;          /* JV_DICT and JV_NS */
		jfunc *fn;
		jloop *loop;
		const char *undef; /* JV_UNDEF: the message using it would raise (NULL: plain) */
	};
} jval;

struct jlist {
	jval *v;
	size_t n, cap;
	int tuple;   /* prints as (a, b) */
	int view;    /* 1 dict_items, 2 dict_keys, 3 dict_values: prints so, no indexing, no JSON */
	int gen;     /* 1 generator, 2 list_reverseiterator, 3 dict_reversekeyiterator: single pass
		      * from pos, no len, no JSON */
	size_t pos;
	const char *poison;   /* generator: the error its next step raises once the items run out */
};

typedef struct {
	jval k, v;
} jpair;

struct jdict {
	jpair *p;
	size_t n, cap;
};

/* ---- AST ---- */
enum {
	/* expressions */
	N_CONST, N_NAME, N_LIST, N_TUPLE, N_DICT, N_ATTR, N_ITEM, N_SLICE, N_CALL, N_FILTER,
	N_TEST, N_BIN, N_AND, N_OR, N_NOT, N_NEG, N_POS, N_COND, N_CONCAT, N_CMP, N_NSREF,
	/* statements */
	N_TEXT, N_OUTPUT, N_IF, N_FOR, N_SET, N_SETBLOCK, N_MACRO, N_CALLBLOCK, N_FILTERBLOCK,
	N_BREAK, N_CONTINUE, N_GENERATION, N_WITH,
};

/* binary / comparison operators */
enum {
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_FLOORDIV, OP_MOD, OP_POW,
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_NOTIN,
};

typedef struct jnode jnode;
struct jnode {
	uint8_t kind, op, flag;   /* flag: negated test, recursive loop, ... */
	int line, col;
	jnode *a, *b, *c, *d;
	jnode **v;      /* items, positional args, body */
	int nv;
	jnode **w;      /* kwarg values, dict values, else body, param defaults */
	int nw;
	jstr s;         /* name, attribute, filter/test name, text */
	jstr *names;    /* kwarg names, macro params, compare-op chain (as op in .op of v[i]) */
	int nnames;
	jval k;         /* constant */
	int fid;        /* filter/test id resolved at compile time: -1 unknown, -2 unsupported */
	size_t pos;     /* source offset of a filter/test name, for compile-time messages */
};

struct jinja {
	jarena arena;
	jnode **body;
	int nbody;
	char name[64];
};

/* filter and test tables, shared by parser (to refuse unknown names at compile time) and
 * renderer */
int jinja_filter_id(const char *name, size_t n);   /* -1 unknown, -2 known but unsupported */
int jinja_test_id(const char *name, size_t n);

#endif
