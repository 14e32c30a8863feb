/* cfgctx: what config.c and the rule checks (cfgrules.c) share while a config is loaded.
 * Internal to the config library; tools use config.h. */
#ifndef FT_CFGCTX_H
#define FT_CFGCTX_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "schema.h"
#include "yamlnode.h"

typedef struct {
	const char *file;         /* the config path, for messages */
	cJSON *u;                 /* the user's values after type coercion (no defaults yet) */
	const ypos_table_t *pos;  /* where each value was written */
	const char *const *ov;    /* dotted keys set on the command line */
	int nov;
	int gpu;                  /* resolving for a GPU (CONFIG_GPU) */
} cfgctx_t;

/* "'cfg.yml':12:3" (the value's position), "'--key'" for a command-line value, or "'cfg.yml'". */
const char *cfg_where(const cfgctx_t *c, const char *dotted, char *buf, size_t n);
/* Same, pointing at the key rather than the value. */
const char *cfg_where_key(const cfgctx_t *c, const char *dotted, char *buf, size_t n);
/* Exit 2 with `prog: WHERE: 'field': message` (and, under -vv, the check's source line). */
_Noreturn void cfg_fail_at(const char *file, int line, const cfgctx_t *c, const char *field,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define cfg_fail(c, field, ...) cfg_fail_at(__FILE__, __LINE__, (c), (field), __VA_ARGS__)
void cfg_warn(const cfgctx_t *c, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Value access by dotted path on c->u; JSON null reads as absent. */
const cJSON *cfg_get(const cJSON *root, const char *dotted);
int cfg_truthy(const cJSON *v);   /* Python truthiness: not null/false/0/""/[]/{} */
/* Short description of a value for messages: 'text', 12, true, a list, a mapping. */
const char *cfg_repr(const cJSON *v, char *buf, size_t n);

/* The cross-field rules of Axolotl (axolotl.md §2) that touch what ft supports or checks. */
void cfgrules_check(cfgctx_t *c);
/* Fields and values ft does not support yet (error), and the ignored ones (one warning). */
void cfgrules_check_support(cfgctx_t *c);
/* Edit distance, for did-you-mean suggestions. */
size_t cfg_edit_distance(const char *a, const char *b);

#endif
