/* jinja: render Hugging Face chat templates exactly as transformers does (jinja2 3.1 in an
 * ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks, loop controls, the
 * {% generation %} tag, its own tojson, raise_exception and strftime_now).
 *
 * Compile once, render many times. A render either succeeds or fails with one line:
 * - raise_exception(msg) in the template: exactly msg (what transformers shows after
 *   "TemplateError: ");
 * - a Python-level error jinja2 would raise too: its class and message, e.g.
 *   "TypeError: can only concatenate str (not \"dict\") to str",
 *   "UndefinedError: 'x' is undefined";
 * - what this interpreter does not implement, or a limit: "NotSupported: NAME:LINE:COL: ..."
 *   or "LimitError: ...", never a silently different render.
 * Compile errors read "TemplateSyntaxError: NAME:LINE:COL: ...".
 * Renders are bounded (output size, steps, call depth, memory) so hostile templates end. */
#ifndef FT_JINJA_H
#define FT_JINJA_H

#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

typedef struct jinja jinja_t;

/* One {% generation %}...{% endgeneration %} block of a render: offsets into the output, in
 * bytes and in Unicode code points (transformers' assistant masks use character offsets). */
typedef struct {
	size_t start, end;     /* bytes, end exclusive */
	size_t cstart, cend;   /* code points, end exclusive */
} jinja_span_t;

/* Parses src (name is used in messages). Returns NULL with the message in err on failure. */
jinja_t *jinja_compile(const char *src, const char *name, char *err, size_t errlen);

/* Renders with vars, a JSON object whose members become template variables (messages, tools,
 * add_generation_prompt, bos_token, ...). JSON numbers with an integral value become ints
 * (cJSON keeps no literal, so 1.0 in the input is the int 1).
 * On success returns 0, *out is a malloc'd NUL-terminated string of *outlen bytes, and, when
 * spans is not NULL, *spans (malloc'd, NULL when there are none) and *nspans give the
 * generation blocks. On failure returns -1 with the message in err; *out is NULL. */
int jinja_render(const jinja_t *t, const cJSON *vars, char **out, size_t *outlen,
		 jinja_span_t **spans, size_t *nspans, char *err, size_t errlen);

/* The same with the variables given as JSON text (a JSON object), read the way Python's
 * json.loads reads it: 1.0 stays a float and prints "1.0", integers keep all 64 bits. Use
 * this when the data's exact numbers matter (tool-call arguments); the cJSON form cannot
 * tell 1.0 from 1. */
int jinja_render_json(const jinja_t *t, const char *vars_json, size_t len, char **out, size_t *outlen,
		      jinja_span_t **spans, size_t *nspans, char *err, size_t errlen);

void jinja_free(jinja_t *t);

/* Pins what strftime_now() sees (tests use 2024-07-26 12:00:00); NULL returns to the local
 * clock. Process-wide, not thread-safe. */
void jinja_pin_clock(const struct tm *tm);

/* Lowers the render limits (for fuzzing); 0 restores a default (64 MiB, 50M steps). */
void jinja_set_limits(size_t max_output, long long max_steps);

#endif
