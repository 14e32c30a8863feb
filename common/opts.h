/* opts: one declarative option table per tool drives parsing, --help and the man-page check
 * (STYLE.md 6). GNU long options (`--name value`, `--name=value`), bundled short flags, `--`
 * ends options, numbers through strtol/strtod with range checks and K/M/G suffixes.
 *
 * Every tool gets -h/--help, --version, -q/--quiet and -v/--verbose without listing them.
 * A tool that reads a config sets `overrides`: then an unknown `--a.b value` (or `--a.b=value`)
 * becomes a config override, as Axolotl's CLI does (`--learning_rate 1e-4`,
 * `--datasets.0.path other.jsonl`). */
#ifndef FT_OPTS_H
#define FT_OPTS_H

#include <stdio.h>

/* The value of a macro as a string literal, for help text that names a default kept in one
 * place: "(default " FT_STRINGIFY(FT_DEFAULT_SEED) ")". */
#define FT_STRINGIFY(x) FT_STRINGIFY_(x)
#define FT_STRINGIFY_(x) #x

typedef enum {
	OPT_FLAG,   /* int *: set to 1 */
	OPT_NOFLAG, /* int *: set to 0 (e.g. --no-progress) */
	OPT_STR,    /* const char **: the argument */
	OPT_INT,    /* long *: integer within [min, max], K/M/G suffixes allowed */
	OPT_DBL,    /* double *: number within [min, max] */
} opt_kind_t;

typedef struct {
	const char *lng;   /* long name without dashes */
	char shrt;         /* short letter, or 0 */
	opt_kind_t kind;
	void *dest;
	const char *arg;   /* argument name shown in --help ("FILE"), NULL for flags */
	const char *help;  /* one line */
	double min, max;   /* range for OPT_INT / OPT_DBL (ignored when both 0) */
} opt_t;

typedef struct {
	const char *key;    /* dotted path, e.g. "datasets.0.path" */
	const char *value;  /* the text as given; coerced by the config library */
} cfg_override_t;

typedef struct {
	const char *name;      /* "ft-pack" */
	const char *synopsis;  /* "-c CONFIG [IN] [-o OUT]" */
	const char *summary;   /* one line: what the tool does */
	const opt_t *opts;     /* terminated by an entry with lng == NULL */
	int min_args, max_args; /* positional operands allowed (max -1 = any) */
	int overrides;         /* unknown long options become config overrides */
} opt_spec_t;

typedef struct {
	char **args;              /* positional operands */
	int nargs;
	cfg_override_t *ov;       /* config overrides, in order */
	int nov;
} opt_result_t;

/* Parses argv; prints --help/--version and exits 0; exits 2 on bad usage. */
void opts_parse(const opt_spec_t *spec, int argc, char **argv, opt_result_t *res);
void opts_help(const opt_spec_t *spec, FILE *f);
void opts_result_free(opt_result_t *res);

/* Parse a whole number with optional K/M/G (powers of 1024) suffix; 0 on success. */
int opts_parse_long(const char *s, long *out);

#endif
