/* schema: the one table of every config field ft knows — Axolotl's whole schema (top level,
 * nested models, dataset entries, plugin fields) with, for each field, its type, default,
 * allowed values, a one-line doc and whether ft supports it.
 *
 * Everything else derives from this table: type checking and coercion (config.c), the
 * unknown-key suggestions, `ft-validate --list-fields`, and the ft-config(5) man page, which is
 * generated from it so the documentation cannot drift from the code.
 *
 * Support: SUP_YES is validated and used by ft; SUP_IGNORED is harmless to ignore (logging,
 * hub upload, PyTorch kernel and compile switches: ft has its own kernels) and draws one
 * warning listing every such field set; SUP_NO is an error ("not supported yet") when set to a
 * value other than null or its default. A supported field may still support only some values
 * (sup_values): `adapter: lora` is supported, `adapter: qlora` is not yet. */
#ifndef FT_SCHEMA_H
#define FT_SCHEMA_H

#include <stddef.h>
#include <stdio.h>

typedef enum {
	ST_BOOL,      /* true/false (lax: yes/no/on/off/1/0 strings) */
	ST_INT,       /* whole number (lax: 2.0 and "2" accepted, 2.5 not) */
	ST_FLOAT,     /* number (lax: "2e-4" strings accepted) */
	ST_NUMBER,    /* int or float, kept as given */
	ST_STR,       /* string */
	ST_ENUM,      /* one of `values` */
	ST_STRLIST,   /* list of strings */
	ST_INTLIST,   /* list of whole numbers */
	ST_FLOATLIST, /* list of numbers */
	ST_LIST,      /* list of anything (of `model` entries when model is set) */
	ST_MAP,       /* free-form mapping */
	ST_MODEL,     /* mapping checked against `model` */
	ST_DATASETS,  /* non-empty list of dataset entries (`model` is the entry model) */
	ST_ANY,       /* anything */
} stype_t;

enum {
	SF_AUTO = 1 << 0,       /* also the string "auto" */
	SF_OR_BOOL = 1 << 1,    /* also a boolean */
	SF_OR_STR = 1 << 2,     /* a list that may also be given as one string */
	SF_OR_MAP = 1 << 3,     /* a string that may also be a mapping */
	SF_OPEN = 1 << 4,       /* an enum that also takes other strings */
	SF_REQUIRED = 1 << 5,   /* Axolotl refuses a config without it */
	SF_DEPRECATED = 1 << 6, /* Axolotl marks it deprecated */
	SF_INTERNAL = 1 << 7,   /* set by Axolotl itself, not by users */
	SF_OR_ANYSTR = 1 << 8,  /* also any string */
	SF_OR_INT = 1 << 9,     /* a list that may also be one whole number */
};

typedef enum { SUP_YES, SUP_IGNORED, SUP_NO } support_t;

typedef struct schema_model schema_model_t;

typedef struct {
	const char *name;
	stype_t type;
	unsigned flags;
	const char *dflt;        /* default as JSON text; NULL: none (unset) */
	const char *values;      /* ST_ENUM: allowed values, comma-separated */
	support_t support;
	const char *sup_values;  /* values ft supports, comma-separated ("true,false" for bools);
				    NULL: every valid value */
	const char *doc;         /* one line */
	const schema_model_t *model; /* ST_MODEL / ST_DATASETS / ST_LIST entries */
} schema_field_t;

struct schema_model {
	const char *name;        /* Axolotl's class name */
	const schema_field_t *fields;
	size_t n;
};

const schema_model_t *schema_top(void);
/* Dataset entry models by Axolotl class name: "SFTDataset", "DPODataset", "KTODataset",
 * "StepwiseSupervisedDataset", "SyntheticDataset", "PretrainingDataset". NULL if unknown. */
const schema_model_t *schema_model_named(const char *name);
/* Every dataset entry model, NULL-terminated (for keys known to any of them). */
const schema_model_t *const *schema_dataset_models(void);
const schema_field_t *schema_find(const schema_model_t *m, const char *name);
/* Is v one of the comma-separated words of list? */
int schema_list_has(const char *list, const char *v);
/* "bool or auto", "list of strings", "one of: a, b" ... for messages and the man page. */
const char *schema_type_name(const schema_field_t *f, char *buf, size_t n);
const char *schema_support_name(support_t s);
/* Writes ft-config(5) in roff, generated from the table. */
void schema_write_man(FILE *f);
/* One line per field: dotted name, type, default, support (ft-validate --list-fields). */
void schema_write_list(FILE *f);

#endif
