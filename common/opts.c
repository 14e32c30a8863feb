/* opts: table-driven option parsing and --help. See opts.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "diag.h"
#include "opts.h"

#ifndef FT_VERSION
#define FT_VERSION "0.1.0"
#endif

static const opt_t builtin[] = {
	{ "help", 'h', OPT_FLAG, NULL, NULL, "show this help and exit", 0, 0 },
	{ "version", 0, OPT_FLAG, NULL, NULL, "show the version and the backends built in, and exit", 0, 0 },
	{ "quiet", 'q', OPT_FLAG, NULL, NULL, "print only errors", 0, 0 },
	{ "verbose", 'v', OPT_FLAG, NULL, NULL, "more detail; twice: source locations in errors", 0, 0 },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
};

int opts_parse_long(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || errno)
		return -1;
	long mul = 1;
	if (*end == 'K' || *end == 'k') mul = 1L << 10, end++;
	else if (*end == 'M') mul = 1L << 20, end++;
	else if (*end == 'G') mul = 1L << 30, end++;
	if (*end)
		return -1;
	if (v > 0 && v > __LONG_MAX__ / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static void usage_die(const opt_spec_t *spec, const char *fmt, const char *a)
{
	fprintf(stderr, "%s: ", ft_prog);
	fprintf(stderr, fmt, a);
	fprintf(stderr, "\nusage: %s %s\ntry '%s --help' for more\n", spec->name, spec->synopsis,
		spec->name);
	exit(FT_EXIT_USAGE);
}

static void opt_line(FILE *f, const opt_t *o)
{
	char left[80];
	int n = 0;
	if (o->shrt)
		n = snprintf(left, sizeof left, "  -%c, --%s", o->shrt, o->lng);
	else
		n = snprintf(left, sizeof left, "      --%s", o->lng);
	if (o->arg && n < (int)sizeof left)
		snprintf(left + n, sizeof left - n, " %s", o->arg);
	fprintf(f, "%-28s %s\n", left, o->help);
}

void opts_help(const opt_spec_t *spec, FILE *f)
{
	fprintf(f, "usage: %s %s\n%s\n\noptions:\n", spec->name, spec->synopsis, spec->summary);
	for (const opt_t *o = spec->opts; o && o->lng; o++)
		opt_line(f, o);
	for (const opt_t *o = builtin; o->lng; o++)
		opt_line(f, o);
	if (spec->overrides)
		fprintf(f, "%-28s %s\n", "  --FIELD VALUE",
			"override a config field (dotted for nested: --datasets.0.path x)");
	fprintf(f, "\nexit status: 0 ok, 1 check failed, 2 usage or config error, 3 bad input data,\n"
		   "4 I/O error, 5 GPU error, 130 interrupted. See %s(1).\n", spec->name);
}

static const opt_t *find_long(const opt_spec_t *spec, const char *name, size_t len)
{
	for (const opt_t *o = spec->opts; o && o->lng; o++)
		if (strlen(o->lng) == len && !strncmp(o->lng, name, len))
			return o;
	for (const opt_t *o = builtin; o->lng; o++)
		if (strlen(o->lng) == len && !strncmp(o->lng, name, len))
			return o;
	return NULL;
}

static const opt_t *find_short(const opt_spec_t *spec, char c)
{
	for (const opt_t *o = spec->opts; o && o->lng; o++)
		if (o->shrt == c)
			return o;
	for (const opt_t *o = builtin; o->lng; o++)
		if (o->shrt == c)
			return o;
	return NULL;
}

static void apply(const opt_spec_t *spec, const opt_t *o, const char *val)
{
	char name[96];
	snprintf(name, sizeof name, "--%s", o->lng);
	if (!o->dest) { /* builtins */
		if (!strcmp(o->lng, "help")) {
			opts_help(spec, stdout);
			diag_close_stdout();
			exit(0);
		}
		if (!strcmp(o->lng, "version")) {
			printf("%s ft " FT_VERSION " (backends: %s)\n", spec->name, backend_names());
			diag_close_stdout();
			exit(0);
		}
		if (!strcmp(o->lng, "quiet"))
			ft_verbosity = 0;
		else if (!strcmp(o->lng, "verbose"))
			ft_verbosity = ft_verbosity < 1 ? 2 : ft_verbosity + 1;
		return;
	}
	switch (o->kind) {
	case OPT_FLAG: *(int *)o->dest = 1; break;
	case OPT_NOFLAG: *(int *)o->dest = 0; break;
	case OPT_STR: *(const char **)o->dest = val; break;
	case OPT_INT: {
		long v;
		if (opts_parse_long(val, &v))
			usage_die(spec, "%s needs a whole number", q(name));
		if ((o->min || o->max) && (v < o->min || v > o->max)) {
			fprintf(stderr, "%s: %s: %ld is out of range [%.0f, %.0f]\n", ft_prog, q(name), v,
				o->min, o->max);
			exit(FT_EXIT_USAGE);
		}
		*(long *)o->dest = v;
		break;
	}
	case OPT_DBL: {
		char *end;
		errno = 0;
		double v = strtod(val, &end);
		if (end == val || *end || errno || !isfinite(v))
			usage_die(spec, "%s needs a number", q(name));
		if ((o->min || o->max) && (v < o->min || v > o->max)) {
			fprintf(stderr, "%s: %s: %g is out of range [%g, %g]\n", ft_prog, q(name), v, o->min,
				o->max);
			exit(FT_EXIT_USAGE);
		}
		*(double *)o->dest = v;
		break;
	}
	}
}

void opts_parse(const opt_spec_t *spec, int argc, char **argv, opt_result_t *res)
{
	memset(res, 0, sizeof *res);
	res->args = xcalloc((size_t)argc + 1, sizeof *res->args);
	res->ov = xcalloc((size_t)argc + 1, sizeof *res->ov);
	int only_args = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (only_args || a[0] != '-' || !strcmp(a, "-")) {
			res->args[res->nargs++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_args = 1;
			continue;
		}
		if (a[1] == '-') {
			char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const opt_t *o = find_long(spec, name, len);
			if (!o) {
				if (spec->overrides && len > 0) {
					const char *val = eq ? eq + 1 : NULL;
					if (!val) {
						if (i + 1 >= argc)
							usage_die(spec, "config override '%s' needs a value", a);
						val = argv[++i];
					}
					if (eq)
						*eq = '\0';
					res->ov[res->nov].key = name;
					res->ov[res->nov].value = val;
					res->nov++;
					continue;
				}
				usage_die(spec, "unknown option '%s'", a);
			}
			const char *val = NULL;
			if (o->arg) {
				if (eq)
					val = eq + 1;
				else if (i + 1 < argc)
					val = argv[++i];
				else
					usage_die(spec, "option '%s' needs an argument", a);
			} else if (eq) {
				usage_die(spec, "option '%s' takes no argument", a);
			}
			apply(spec, o, val);
			continue;
		}
		for (char *c = a + 1; *c; c++) {
			const opt_t *o = find_short(spec, *c);
			if (!o) {
				char s[3] = { '-', *c, 0 };
				usage_die(spec, "unknown option '%s'", s);
			}
			const char *val = NULL;
			if (o->arg) {
				if (c[1])
					val = c + 1;
				else if (i + 1 < argc)
					val = argv[++i];
				else {
					char s[3] = { '-', *c, 0 };
					usage_die(spec, "option '%s' needs an argument", s);
				}
				apply(spec, o, val);
				break;
			}
			apply(spec, o, NULL);
		}
	}
	if (res->nargs < spec->min_args)
		usage_die(spec, "%s", spec->min_args == 1 ? "missing operand" : "missing operands");
	if (spec->max_args >= 0 && res->nargs > spec->max_args)
		usage_die(spec, "unexpected operand '%s'", res->args[spec->max_args]);
}

void opts_result_free(opt_result_t *res)
{
	free(res->args);
	free(res->ov);
	memset(res, 0, sizeof *res);
}
