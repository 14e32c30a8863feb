/* config: load, override, validate and resolve an Axolotl YAML config. See config.h.
 *
 * Order of work, and why: the YAML is parsed with positions (yamlnode.c); command-line
 * overrides are applied to the parsed values (Axolotl applies them before validation, so a
 * bad override is reported like a bad YAML value); every field is checked and coerced against
 * the schema table with pydantic's lax rules, unknown keys draw a warning with a suggestion;
 * then the cross-field rules run, then the support check (so a rule's message comes first),
 * then defaults and derived values fill the resolved config; last, model and data paths are
 * checked. The first error ends the program with status 2. */
#include <stdio.h> /* opts.h, via config.h, uses FILE */

#include "config.h"
#include "backend.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
/* Paths and dotted names are bounded by fixed buffers; a longer one is cut, which at worst
 * shortens a message or makes a lookup miss (an error, never an overflow). */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfgctx.h"
#include "diag.h"
#include "json.h"
#include "schema.h"
#include "utf8.h"
#include "yamlnode.h"

struct ft_config {
	char *path;
	cJSON *root;         /* resolved */
	ypos_table_t pos;
	char **ov;           /* overridden dotted keys */
	int nov;
	char fp[17];
	char where[640];
	char *model_dir;
	int flags;
};

/* ---- small helpers shared with cfgrules.c ---- */

static int is_override(const char *const *ov, int nov, const char *dotted)
{
	for (int i = 0; i < nov; i++)
		if (!strcmp(ov[i], dotted))
			return 1;
	return 0;
}

static const char *where_impl(const char *file, const ypos_table_t *pos, const char *const *ov,
	int nov, const char *dotted, int key, char *buf, size_t n)
{
	/* quoted by q(), copied at once: one of q's buffers is taken only for this call */
	if (dotted && is_override(ov, nov, dotted)) {
		char opt[600];
		snprintf(opt, sizeof opt, "--%s", dotted);
		snprintf(buf, n, "%s", q(opt));
		return buf;
	}
	const ypos_t *p = dotted ? ypos_find(pos, dotted) : NULL;
	if (p)
		snprintf(buf, n, "%s:%d:%d", q(file), key ? p->key_line : p->line,
			key ? p->key_col : p->col);
	else
		snprintf(buf, n, "%s", q(file));
	return buf;
}

const char *cfg_where(const cfgctx_t *c, const char *dotted, char *buf, size_t n)
{
	return where_impl(c->file, c->pos, c->ov, c->nov, dotted, 0, buf, n);
}

const char *cfg_where_key(const cfgctx_t *c, const char *dotted, char *buf, size_t n)
{
	return where_impl(c->file, c->pos, c->ov, c->nov, dotted, 1, buf, n);
}

void cfg_fail_at(const char *file, int line, const cfgctx_t *c, const char *field,
	const char *fmt, ...)
{
	char w[600], msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (field)
		ft_die_at(file, line, FT_EXIT_USAGE, "%s: %s: %s", cfg_where(c, field, w, sizeof w),
			q(field), msg);
	ft_die_at(file, line, FT_EXIT_USAGE, "%s: %s", cfg_where(c, NULL, w, sizeof w), msg);
}

void cfg_warn(const cfgctx_t *c, const char *field, const char *fmt, ...)
{
	char w[600], msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (field)
		ft_warn("%s: %s: %s", cfg_where(c, field, w, sizeof w), q(field), msg);
	else
		ft_warn("%s: %s", cfg_where(c, NULL, w, sizeof w), msg);
}

static const cJSON *child(const cJSON *v, const char *seg, size_t len)
{
	char key[256];
	if (len >= sizeof key)
		return NULL;
	memcpy(key, seg, len);
	key[len] = '\0';
	if (cJSON_IsObject(v))
		return cJSON_GetObjectItemCaseSensitive(v, key);
	if (cJSON_IsArray(v)) {
		char *end;
		long i = strtol(key, &end, 10);
		if (*end || end == key || i < 0)
			return NULL;
		return cJSON_GetArrayItem(v, (int)i);
	}
	return NULL;
}

const cJSON *cfg_get(const cJSON *root, const char *dotted)
{
	const cJSON *v = root;
	const char *p = dotted;
	while (v && *p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		v = child(v, p, len);
		p = dot ? dot + 1 : p + len;
	}
	return v && !cJSON_IsNull(v) ? v : NULL;
}

int cfg_truthy(const cJSON *v)
{
	if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return 0;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsString(v))
		return v->valuestring && *v->valuestring;
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		return v->child != NULL;
	return 1;
}

const char *cfg_repr(const cJSON *v, char *buf, size_t n)
{
	if (!v || cJSON_IsNull(v))
		snprintf(buf, n, "null");
	else if (cJSON_IsBool(v))
		snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
	else if (cJSON_IsNumber(v))
		json_format_number(v->valuedouble, buf, n);
	else if (cJSON_IsString(v))
		snprintf(buf, n, "'%.200s'", v->valuestring);
	else if (cJSON_IsArray(v))
		snprintf(buf, n, "a list");
	else
		snprintf(buf, n, "a mapping");
	return buf;
}

size_t cfg_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return (size_t)-1;
	size_t d[65][65];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
			size_t m = sub < del ? sub : del;
			m = m < ins ? m : ins;
			/* a swap of neighbours counts as one edit: "lerning" vs "learning" */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < m)
				m = d[i - 2][j - 2] + 1;
			d[i][j] = m;
		}
	return d[la][lb];
}

/* The closest known name, if close enough to be a likely typo. */
static const char *suggest(const schema_model_t *const *models, const char *name)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1;
	for (; *models; models++)
		for (size_t i = 0; i < (*models)->n; i++) {
			size_t d = cfg_edit_distance(name, (*models)->fields[i].name);
			if (d < bestd) {
				bestd = d;
				best = (*models)->fields[i].name;
			}
		}
	size_t len = strlen(name);
	size_t limit = len <= 4 ? 1 : len <= 10 ? 2 : 3;
	return bestd <= limit ? best : NULL;
}

static const char *suggest_value(const char *values, const char *v)
{
	static char best[128];
	size_t bestd = (size_t)-1;
	for (const char *p = values; p && *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char w[128];
		if (len < sizeof w) {
			memcpy(w, p, len);
			w[len] = '\0';
			size_t d = cfg_edit_distance(v, w);
			if (d < bestd) {
				bestd = d;
				memcpy(best, w, len + 1);
			}
		}
		if (!e)
			break;
		p = e + 1;
	}
	size_t len = strlen(v);
	size_t limit = len <= 4 ? 1 : len <= 10 ? 2 : 3;
	return bestd <= limit ? best : NULL;
}

static int count_words(const char *list)
{
	int n = 1;
	for (const char *p = list; *p; p++)
		n += *p == ',';
	return n;
}

/* "a, b, c" from "a,b,c" */
static const char *spaced(const char *list, char *buf, size_t n)
{
	size_t o = 0;
	for (const char *p = list; *p && o + 3 < n; p++) {
		buf[o++] = *p;
		if (*p == ',')
			buf[o++] = ' ';
	}
	buf[o] = '\0';
	return buf;
}

/* ---- YAML values -> typed values (pydantic's lax mode) ---- */

static void replace(cJSON *parent, const char *key, int idx, cJSON *v)
{
	if (cJSON_IsArray(parent))
		cJSON_ReplaceItemInArray(parent, idx, v);
	else
		cJSON_ReplaceItemInObjectCaseSensitive(parent, key, v);
}

static int bool_word(const char *s, int *out)
{
	static const char *const t[] = { "1", "on", "t", "true", "y", "yes" };
	static const char *const f[] = { "0", "off", "f", "false", "n", "no" };
	char low[8];
	size_t n = strlen(s);
	if (n >= sizeof low)
		return 0;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	for (size_t i = 0; i < 6; i++) {
		if (!strcmp(low, t[i]))
			return *out = 1, 1;
		if (!strcmp(low, f[i]))
			return *out = 0, 1;
	}
	return 0;
}

static int parse_number(const char *s, double *out)
{
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return 0;
	char *end;
	errno = 0;
	double d = strtod(s, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (*end || errno == ERANGE)
		return 0;
	/* strtod also reads hex floats ("0x1p3"); Python's float() does not */
	for (const char *p = s; p < end; p++)
		if (*p == 'x' || *p == 'X')
			return 0;
	*out = d;
	return 1;
}

typedef struct {
	cfgctx_t *c;
	int strict;
	int quiet;        /* inside a field ft does not support: its error says enough */
} vctx_t;

_Noreturn static void type_fail(cfgctx_t *c, const char *path, const char *want, const cJSON *v)
{
	char r[256];
	cfg_fail(c, path, "expected %s, got %s", want, cfg_repr(v, r, sizeof r));
}

static void check_model(vctx_t *vc, cJSON *obj, const schema_model_t *m, const char *path,
	const schema_model_t *const *also);

static void check_string_list(cfgctx_t *c, cJSON *v, const char *path, const char *want)
{
	int i = 0;
	for (cJSON *e = v->child; e; e = e->next, i++) {
		if (!cJSON_IsString(e)) {
			char p[512];
			snprintf(p, sizeof p, "%s.%d", path, i);
			type_fail(c, p, want, e);
		}
	}
}

static void check_number_list(cfgctx_t *c, cJSON *v, const char *path, int whole)
{
	int i = 0;
	for (cJSON *e = v->child; e; e = e->next, i++) {
		char p[512];
		snprintf(p, sizeof p, "%s.%d", path, i);
		double d;
		if (cJSON_IsString(e) && parse_number(e->valuestring, &d))
			cJSON_ReplaceItemInArray(v, i, e = cJSON_CreateNumber(d));
		if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble))
			type_fail(c, p, whole ? "a whole number" : "a number", e);
		if (whole && e->valuedouble != floor(e->valuedouble))
			type_fail(c, p, "a whole number", e);
	}
}

/* Checks and coerces one value in place. parent/key/idx locate it for replacement. */
static void check_value(vctx_t *vc, const schema_field_t *f, cJSON *parent, const char *key,
	int idx, const char *path)
{
	cfgctx_t *c = vc->c;
	cJSON *v = cJSON_IsArray(parent) ? cJSON_GetArrayItem(parent, idx)
					 : cJSON_GetObjectItemCaseSensitive(parent, key);
	if (!v || cJSON_IsNull(v))
		return;
	if (f->support == SUP_NO && (f->type == ST_MODEL || f->type == ST_LIST || f->type == ST_DATASETS)) {
		int q = vc->quiet;
		vc->quiet = 1;
		const schema_field_t g = { .name = f->name, .type = f->type, .flags = f->flags,
			.model = f->model, .support = SUP_YES };
		check_value(vc, &g, parent, key, idx, path);
		vc->quiet = q;
		return;
	}
	char r[256], want[512];
	switch (f->type) {
	case ST_BOOL: {
		if (cJSON_IsBool(v))
			return;
		int b;
		if (cJSON_IsString(v)) {
			if ((f->flags & SF_AUTO) && !strcmp(v->valuestring, "auto"))
				return;
			if (bool_word(v->valuestring, &b)) {
				replace(parent, key, idx, cJSON_CreateBool(b));
				return;
			}
			if (f->flags & SF_OR_ANYSTR)
				return;
		}
		if (cJSON_IsNumber(v) && (v->valuedouble == 0 || v->valuedouble == 1)) {
			replace(parent, key, idx, cJSON_CreateBool(v->valuedouble == 1));
			return;
		}
		type_fail(c, path, f->flags & SF_AUTO ? "true, false or auto" : "true or false", v);
	}
	case ST_INT:
	case ST_FLOAT:
	case ST_NUMBER: {
		double d;
		const char *w = f->type == ST_INT ? "a whole number" : "a number";
		if (cJSON_IsString(v)) {
			if (!parse_number(v->valuestring, &d))
				cfg_fail(c, path, "expected %s, got %s", w, cfg_repr(v, r, sizeof r));
			replace(parent, key, idx, v = cJSON_CreateNumber(d));
		}
		if (!cJSON_IsNumber(v))
			type_fail(c, path, w, v);
		if (!isfinite(v->valuedouble))
			cfg_fail(c, path, "expected a finite number, got %s", cfg_repr(v, r, sizeof r));
		if (f->type == ST_INT && v->valuedouble != floor(v->valuedouble))
			cfg_fail(c, path, "expected a whole number, got %s", cfg_repr(v, r, sizeof r));
		if (f->type == ST_INT && fabs(v->valuedouble) > 9007199254740992.0)
			cfg_fail(c, path, "%s is too large", cfg_repr(v, r, sizeof r));
		return;
	}
	case ST_STR:
		if (cJSON_IsString(v))
			return;
		if ((f->flags & SF_OR_MAP) && cJSON_IsObject(v)) {
			if (f->model)
				check_model(vc, v, f->model, path, NULL);
			return;
		}
		type_fail(c, path, f->flags & SF_OR_MAP ? "a string or a mapping" : "a string", v);
	case ST_ENUM:
		if ((f->flags & SF_OR_BOOL) && cJSON_IsBool(v))
			return;
		if ((f->flags & SF_OR_BOOL) && f->model && cJSON_IsObject(v))
			return;
		if (!cJSON_IsString(v)) {
			if ((f->flags & SF_OR_BOOL) && cJSON_IsNumber(v) &&
			    (v->valuedouble == 0 || v->valuedouble == 1)) {
				replace(parent, key, idx, cJSON_CreateBool(v->valuedouble == 1));
				return;
			}
			if (cJSON_IsFalse(v) && schema_list_has(f->values, "no"))
				cfg_fail(c, path, "expected one of %s, got false (YAML reads an unquoted no as "
					"false; write \"no\")", spaced(f->values, r, sizeof r));
			snprintf(want, sizeof want, "one of %s%s", spaced(f->values, r, sizeof r),
				f->flags & SF_OR_BOOL ? ", true, false" : "");
			type_fail(c, path, count_words(f->values) <= 16 ? want : "a string", v);
		}
		if (schema_list_has(f->values, v->valuestring) || (f->flags & SF_OPEN))
			return;
		if (f->flags & SF_OR_BOOL) {
			int b;
			if (bool_word(v->valuestring, &b)) {
				replace(parent, key, idx, cJSON_CreateBool(b));
				return;
			}
		}
		/* chat_template also takes tokenizer_default_fallback_<name> */
		if (!strcmp(f->name, "chat_template") &&
		    !strncmp(v->valuestring, "tokenizer_default_fallback_", 27) && v->valuestring[27])
			return;
		{
			const char *s = suggest_value(f->values, v->valuestring);
			if (count_words(f->values) <= 16)
				cfg_fail(c, path, "%s is not one of %s%s", cfg_repr(v, r, sizeof r),
					spaced(f->values, want, sizeof want),
					f->flags & SF_OR_BOOL ? ", true, false" : "");
			if (s)
				cfg_fail(c, path, "%s is not a known value; did you mean '%s'?",
					cfg_repr(v, r, sizeof r), s);
			cfg_fail(c, path, "%s is not a known value (see ft-config(5) for the list)",
				cfg_repr(v, r, sizeof r));
		}
	case ST_STRLIST:
		if (cJSON_IsString(v) && (f->flags & SF_OR_STR))
			return;
		if (!cJSON_IsArray(v))
			type_fail(c, path, f->flags & SF_OR_STR ? "a string or a list of strings" : "a list of strings", v);
		check_string_list(c, v, path, "a string");
		return;
	case ST_INTLIST:
	case ST_FLOATLIST:
		if ((f->flags & SF_OR_INT) && cJSON_IsNumber(v)) {
			if (v->valuedouble != floor(v->valuedouble))
				type_fail(c, path, "a whole number or a list of them", v);
			return;
		}
		if (!cJSON_IsArray(v))
			type_fail(c, path, f->type == ST_INTLIST ? "a list of whole numbers" : "a list of numbers", v);
		check_number_list(c, v, path, f->type == ST_INTLIST);
		return;
	case ST_LIST:
		if (!cJSON_IsArray(v))
			type_fail(c, path, "a list", v);
		if (f->model) {
			int i = 0;
			for (cJSON *e = v->child; e; e = e->next, i++) {
				char p[512];
				snprintf(p, sizeof p, "%s.%d", path, i);
				if (!cJSON_IsObject(e))
					type_fail(c, p, "a mapping", e);
				check_model(vc, e, f->model, p, NULL);
			}
		}
		return;
	case ST_MAP:
		if (!cJSON_IsObject(v))
			type_fail(c, path, "a mapping", v);
		return;
	case ST_MODEL:
		if ((f->flags & SF_OR_BOOL) && cJSON_IsBool(v))
			return;
		if (!cJSON_IsObject(v))
			type_fail(c, path, "a mapping", v);
		check_model(vc, v, f->model, path, NULL);
		return;
	case ST_DATASETS: {
		if (!cJSON_IsArray(v))
			type_fail(c, path, "a list of dataset entries", v);
		if (!v->child)
			cfg_fail(c, path, "needs at least one dataset entry");
		int i = 0;
		for (cJSON *e = v->child; e; e = e->next, i++) {
			char p[512];
			snprintf(p, sizeof p, "%s.%d", path, i);
			if (!cJSON_IsObject(e))
				type_fail(c, p, "a dataset entry (a mapping with path, type, ...)", e);
			/* Axolotl picks the entry model from rl and the type (its validate_config) */
			const char *rl = cJSON_GetStringValue(cfg_get(c->u, "rl"));
			const char *ty = cJSON_GetStringValue(cfg_get(e, "type"));
			const schema_model_t *m = f->model;
			if (!strcmp(f->model->name, "SFTDataset")) {
				if (rl && (!strcmp(rl, "dpo") || !strcmp(rl, "ipo") || !strcmp(rl, "simpo")))
					m = schema_model_named("DPODataset");
				else if (rl && !strcmp(rl, "kto"))
					m = schema_model_named("KTODataset");
				else if (ty && !strcmp(ty, "_synthetic"))
					m = schema_model_named("SyntheticDataset");
			}
			check_model(vc, e, m, p, schema_dataset_models());
		}
		return;
	}
	case ST_ANY:
		return;
	}
}

static int is_prefix_of_fsdp(const schema_model_t *m)
{
	return m && !strcmp(m->name, "FSDPConfig");
}

/* Checks every key of obj against model m; keys known only to the `also` models are kept
 * (the support check decides on them), others draw a warning and are dropped. */
static void check_model(vctx_t *vc, cJSON *obj, const schema_model_t *m, const char *path,
	const schema_model_t *const *also)
{
	cJSON *e = obj->child;
	while (e) {
		cJSON *next = e->next;
		char p[512];
		snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", e->string);
		const char *name = e->string;
		/* Axolotl strips the deprecated fsdp_ prefix inside fsdp_config */
		if (is_prefix_of_fsdp(m) && !strncmp(name, "fsdp_", 5) && strcmp(name, "fsdp_version"))
			name += 5;
		if (is_prefix_of_fsdp(m) && !strcmp(name, "version"))
			name = "fsdp_version";
		const schema_field_t *f = schema_find(m, name);
		if (!f && also)
			for (const schema_model_t *const *a = also; *a && !f; a++)
				f = schema_find(*a, name);
		if (f) {
			check_value(vc, f, obj, e->string, 0, p);
		} else {
			const schema_model_t *one[] = { m, NULL };
			const char *s = suggest(also ? also : one, e->string);
			char w[600];
			if (vc->strict && !vc->quiet)
				ft_die(FT_EXIT_USAGE, "%s: %s: unknown field%s%s%s (strict: true)",
					cfg_where_key(vc->c, p, w, sizeof w), q(p), s ? "; did you mean " : "",
					s ? q(s) : "", s ? "?" : "");
			if (!vc->quiet)
				ft_warn("%s: %s: unknown field, ignored%s%s%s",
					cfg_where_key(vc->c, p, w, sizeof w), q(p), s ? "; did you mean " : "",
					s ? q(s) : "", s ? "?" : "");
			cJSON_DeleteItemFromObjectCaseSensitive(obj, e->string);
		}
		e = next;
	}
}

/* ---- command-line overrides (axolotl.md §5.3) ---- */

static cJSON *infer_value(const char *s)
{
	char low[16];
	size_t n = strlen(s);
	if (n < sizeof low) {
		for (size_t i = 0; i <= n; i++)
			low[i] = (char)tolower((unsigned char)s[i]);
		if (!strcmp(low, "true") || !strcmp(low, "yes"))
			return cJSON_CreateTrue();
		if (!strcmp(low, "false") || !strcmp(low, "no"))
			return cJSON_CreateFalse();
		if (!strcmp(low, "null") || !strcmp(low, "none") || !strcmp(low, "~"))
			return cJSON_CreateNull();
	}
	double d;
	if (parse_number(s, &d))
		return cJSON_CreateNumber(d);
	return cJSON_CreateString(s);
}

static cJSON *coerce_like(const cJSON *old, const char *s)
{
	if (cJSON_IsBool(old)) {
		char low[8];
		size_t n = strlen(s);
		if (n < sizeof low) {
			for (size_t i = 0; i <= n; i++)
				low[i] = (char)tolower((unsigned char)s[i]);
			return cJSON_CreateBool(!strcmp(low, "true") || !strcmp(low, "1") || !strcmp(low, "yes"));
		}
		return cJSON_CreateFalse();
	}
	if (cJSON_IsNumber(old)) {
		double d;
		if (parse_number(s, &d))
			return cJSON_CreateNumber(d);
		return cJSON_CreateString(s); /* the type check then says what is wrong */
	}
	return infer_value(s);
}

static void apply_override(cfgctx_t *c, cJSON *root, const cfg_override_t *o, int strict)
{
	const char *key = o->key;
	/* command-line text is not checked by a YAML parser; JSON (and so --print and the
	 * fingerprint) needs well-formed UTF-8 */
	int key_ok = utf8_valid(key, strlen(key));
	if (!key_ok || !utf8_valid(o->value, strlen(o->value)))
		ft_die(FT_EXIT_USAGE, "'--%s': not valid UTF-8", key_ok ? key : "?");
	if (!*key || key[strlen(key) - 1] == '.' || strstr(key, ".."))
		ft_die(FT_EXIT_USAGE, "'--%s': not a field name", key);
	cJSON *cur = root;
	const char *p = key;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		char seg[256];
		if (len >= sizeof seg)
			ft_die(FT_EXIT_USAGE, "'--%s': field name too long", key);
		memcpy(seg, p, len);
		seg[len] = '\0';
		cJSON *next = NULL;
		int idx = -1;
		if (cJSON_IsArray(cur)) {
			char *end;
			long i = strtol(seg, &end, 10);
			int n = cJSON_GetArraySize(cur);
			if (*end || end == seg || i < 0)
				ft_die(FT_EXIT_USAGE, "'--%s': '%s' is a list; index it with a number", key, seg);
			if (i >= n)
				ft_die(FT_EXIT_USAGE, "'--%s': index %ld is out of range (the list has %d entr%s)",
					key, i, n, n == 1 ? "y" : "ies");
			idx = (int)i;
			next = cJSON_GetArrayItem(cur, idx);
		} else {
			next = cJSON_GetObjectItemCaseSensitive(cur, seg);
		}
		if (!dot) {
			if (strict && !next && cur == root)
				ft_die(FT_EXIT_USAGE, "'--%s': not in the config; with strict: true only fields "
					"already in the YAML can be overridden", key);
			cJSON *nv = coerce_like(next, o->value);
			if (idx >= 0)
				cJSON_ReplaceItemInArray(cur, idx, nv);
			else if (next)
				cJSON_ReplaceItemInObjectCaseSensitive(cur, seg, nv);
			else
				cJSON_AddItemToObject(cur, seg, nv);
			return;
		}
		if (!next || (!cJSON_IsObject(next) && !cJSON_IsArray(next))) {
			if (strict && cur == root && !next)
				ft_die(FT_EXIT_USAGE, "'--%s': not in the config; with strict: true only fields "
					"already in the YAML can be overridden", key);
			if (next && !cJSON_IsNull(next))
				ft_warn("'--%s': '%s' was not a mapping; replaced by one", key, seg);
			cJSON *obj = cJSON_CreateObject();
			if (idx >= 0)
				cJSON_ReplaceItemInArray(cur, idx, obj);
			else if (next)
				cJSON_ReplaceItemInObjectCaseSensitive(cur, seg, obj);
			else
				cJSON_AddItemToObject(cur, seg, obj);
			next = obj;
		}
		cur = next;
		p = dot + 1;
	}
}

/* ---- defaults and derived values (axolotl.md §0) ---- */

static void set_item(cJSON *o, const char *key, cJSON *v)
{
	if (cJSON_GetObjectItemCaseSensitive(o, key))
		cJSON_ReplaceItemInObjectCaseSensitive(o, key, v);
	else
		cJSON_AddItemToObject(o, key, v);
}

static int is_set(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return v && !cJSON_IsNull(v);
}

static double numv(const cJSON *o, const char *key, double d)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : d;
}

static void fill_defaults(cJSON *o, const schema_model_t *m)
{
	for (size_t i = 0; i < m->n; i++) {
		const schema_field_t *f = &m->fields[i];
		if (!f->dflt || is_set(o, f->name))
			continue;
		cJSON *d = cJSON_Parse(f->dflt);
		if (!d)
			ft_die(FT_EXIT_IO, "internal error: bad default for '%s'", f->name);
		set_item(o, f->name, d);
	}
}

/* Drops nulls everywhere: the resolved config, like Axolotl's model_dump(exclude_none=True),
 * says unset by leaving a field out. */
static void drop_nulls(cJSON *o)
{
	cJSON *e = o->child;
	while (e) {
		cJSON *next = e->next;
		if (cJSON_IsNull(e) && cJSON_IsObject(o))
			cJSON_Delete(cJSON_DetachItemViaPointer(o, e));
		else if (cJSON_IsObject(e) || cJSON_IsArray(e))
			drop_nulls(e);
		e = next;
	}
}

static void derive(cfgctx_t *c, cJSON *r)
{
	/* Legacy attention flags name attn_implementation (normalize_attn_implementation). */
	static const char *const legacy[][2] = {
		{ "xformers_attention", "xformers" }, { "sage_attention", "sage" },
		{ "flex_attention", "flex_attention" }, { "flash_attention", "flash_attention_2" },
		{ "sdp_attention", "sdpa" }, { "eager_attention", "eager" },
	};
	for (size_t i = 0; i < 6; i++) {
		if (!is_set(r, "attn_implementation") && cfg_truthy(cfg_get(r, legacy[i][0])))
			set_item(r, "attn_implementation", cJSON_CreateString(legacy[i][1]));
	}
	for (size_t i = 0; i < 6; i++)
		cJSON_DeleteItemFromObjectCaseSensitive(r, legacy[i][0]);

	/* Deprecated names feed their replacements. */
	if (is_set(r, "noisy_embedding_alpha") && !is_set(r, "neftune_noise_alpha"))
		set_item(r, "neftune_noise_alpha", cJSON_Duplicate(cfg_get(r, "noisy_embedding_alpha"), 1));
	if (is_set(r, "evaluation_strategy") && !is_set(r, "eval_strategy"))
		set_item(r, "eval_strategy", cJSON_Duplicate(cfg_get(r, "evaluation_strategy"), 1));
	if (is_set(r, "dpo_beta") && !is_set(r, "rl_beta"))
		set_item(r, "rl_beta", cJSON_Duplicate(cfg_get(r, "dpo_beta"), 1));
	if (is_set(r, "dataset_processes") && !is_set(r, "dataset_num_proc"))
		set_item(r, "dataset_num_proc", cJSON_Duplicate(cfg_get(r, "dataset_processes"), 1));

	/* Packing implies padding and eval packing unless the user said otherwise. */
	if (cfg_truthy(cfg_get(r, "sample_packing"))) {
		if (!is_set(r, "pad_to_sequence_len"))
			set_item(r, "pad_to_sequence_len", cJSON_CreateTrue());
		if (!is_set(r, "eval_sample_packing") && !cfg_truthy(cfg_get(r, "eval_table_size")))
			set_item(r, "eval_sample_packing", cJSON_CreateTrue());
	}
	if (is_set(r, "adapter") && !is_set(r, "lora_dropout"))
		set_item(r, "lora_dropout", cJSON_CreateNumber(0));
	if (!is_set(r, "seed"))
		set_item(r, "seed", cJSON_CreateNumber(FT_DEFAULT_SEED));

	fill_defaults(r, schema_top());

	/* Batch sizes (normalize_config; one process). */
	double mbs = numv(r, "micro_batch_size", 1);
	if (!cfg_truthy(cfg_get(c->u, "gradient_accumulation_steps")) && cfg_truthy(cfg_get(c->u, "batch_size")))
		set_item(r, "gradient_accumulation_steps",
			cJSON_CreateNumber(floor(numv(r, "batch_size", 1) / mbs)));
	double gas = numv(r, "gradient_accumulation_steps", 1);
	if (!cfg_truthy(cfg_get(r, "batch_size")))
		set_item(r, "batch_size", cJSON_CreateNumber(mbs * gas));
	if (!is_set(r, "eval_batch_size"))
		set_item(r, "eval_batch_size", cJSON_CreateNumber(mbs));

	/* Precision. bf16/tf32 "auto" follow the machine, as Axolotl's capability probe does: on
	 * when a GPU with bf16 (Ampere or newer) is there or declared (CONFIG_GPU), off on the CPU
	 * backend, which is float32. (Axolotl would also turn fp16 on there; ft does not.) The
	 * probe runs only for "auto", so tools in a pipeline do not pay for CUDA start-up. */
	const cJSON *bf = cfg_get(r, "bf16");
	if (cJSON_IsString(bf) || cJSON_IsString(cfg_get(r, "tf32"))) {
		device_info_t dev;
		device_probe(&dev);
		c->gpu = c->gpu || device_has_bf16(&dev);
	}
	if (cJSON_IsString(bf)) { /* "auto" */
		int on = c->gpu && !cfg_truthy(cfg_get(r, "fp16"));
		set_item(r, "bf16", cJSON_CreateBool(on));
	}
	if (cfg_truthy(cfg_get(r, "bf16")))
		set_item(r, "fp16", cJSON_CreateFalse());
	if (cJSON_IsString(cfg_get(r, "tf32")))
		set_item(r, "tf32", cJSON_CreateBool(c->gpu));
	const char *dtype = "float32";
	if (cfg_truthy(cfg_get(r, "bf16")) || cfg_truthy(cfg_get(r, "bfloat16")))
		dtype = "bfloat16";
	else if (cfg_truthy(cfg_get(r, "load_in_8bit")) || cfg_truthy(cfg_get(r, "fp16")) ||
		 cfg_truthy(cfg_get(r, "float16")))
		dtype = "float16";
	set_item(r, "torch_dtype", cJSON_CreateString(dtype));

	/* Save / eval cadence from the per-epoch counts, as a fraction of the total steps. */
	double epochs = numv(r, "num_epochs", 1);
	if (cfg_truthy(cfg_get(r, "saves_per_epoch")) && !is_set(r, "save_steps")) {
		double s = 1.0 / (numv(r, "saves_per_epoch", 1) * epochs);
		if (s < 1)
			set_item(r, "save_steps", cJSON_CreateNumber(s));
		else if (s > 1)
			cfg_warn(c, "saves_per_epoch", "with num_epochs %g this saves less than once in the run",
				epochs);
	}
	int has_eval = cfg_truthy(cfg_get(r, "val_set_size")) || cfg_truthy(cfg_get(r, "test_datasets"));
	if (cfg_truthy(cfg_get(r, "evals_per_epoch")) && !is_set(r, "eval_steps") && has_eval) {
		double s = 1.0 / (numv(r, "evals_per_epoch", 1) * epochs);
		if (s < 1)
			set_item(r, "eval_steps", cJSON_CreateNumber(s));
	}
	/* Trainer-builder defaults (core/builders/base.py). */
	if (is_set(r, "save_steps"))
		set_item(r, "save_strategy", cJSON_CreateString("steps"));
	else if (!is_set(r, "save_strategy"))
		set_item(r, "save_strategy", cJSON_CreateString("epoch"));
	if (!is_set(r, "save_total_limit"))
		set_item(r, "save_total_limit", cJSON_CreateNumber(4));
	/* No evaluation data means no evaluation, whatever eval_strategy says (the trainer
	 * builder checks that first); else eval_steps means steps; else as given, or "no". */
	if (!has_eval)
		set_item(r, "eval_strategy", cJSON_CreateString("no"));
	else if (is_set(r, "eval_steps"))
		set_item(r, "eval_strategy", cJSON_CreateString("steps"));
	else if (!is_set(r, "eval_strategy"))
		set_item(r, "eval_strategy", cJSON_CreateString("no"));

	/* Model and tokenizer locations. */
	if (!is_set(r, "base_model_config") && is_set(r, "base_model"))
		set_item(r, "base_model_config", cJSON_Duplicate(cfg_get(r, "base_model"), 1));
	if (!is_set(r, "tokenizer_config") && is_set(r, "base_model_config"))
		set_item(r, "tokenizer_config", cJSON_Duplicate(cfg_get(r, "base_model_config"), 1));

	/* A chat_template dataset without its own template uses the top-level one (Axolotl gets
	 * the same effect by overwriting the tokenizer's template), else the tokenizer's. */
	const char *lists[] = { "datasets", "test_datasets" };
	for (int l = 0; l < 2; l++) {
		cJSON *ds = cJSON_GetObjectItemCaseSensitive(r, lists[l]);
		for (cJSON *e = cJSON_IsArray(ds) ? ds->child : NULL; e; e = e->next) {
			if (!cJSON_IsObject(e))
				continue;
			const char *ty = cJSON_GetStringValue(cfg_get(e, "type"));
			if (!ty || (strcmp(ty, "chat_template") && strcmp(ty, "orpo.chat_template")))
				continue;
			if (is_set(e, "chat_template_jinja") && !is_set(e, "chat_template"))
				set_item(e, "chat_template", cJSON_CreateString("jinja"));
			if (is_set(e, "chat_template"))
				continue;
			if (is_set(r, "chat_template")) {
				set_item(e, "chat_template", cJSON_Duplicate(cfg_get(r, "chat_template"), 1));
				if (is_set(r, "chat_template_jinja") && !is_set(e, "chat_template_jinja"))
					set_item(e, "chat_template_jinja",
						cJSON_Duplicate(cfg_get(r, "chat_template_jinja"), 1));
			} else {
				set_item(e, "chat_template", cJSON_CreateString("tokenizer_default"));
			}
		}
	}
	if (is_set(r, "chat_template_jinja") && !is_set(r, "chat_template"))
		set_item(r, "chat_template", cJSON_CreateString("jinja"));

	/* gradient_checkpointing: offload means checkpointing plus activation offloading. */
	const cJSON *gc = cfg_get(r, "gradient_checkpointing");
	if (cJSON_IsString(gc)) {
		int disk = !strcmp(gc->valuestring, "offload_disk");
		set_item(r, "activation_offloading", disk ? cJSON_CreateString("disk") : cJSON_CreateTrue());
		set_item(r, "gradient_checkpointing", cJSON_CreateTrue());
	}
	if (!cfg_truthy(cfg_get(r, "context_parallel_size")))
		set_item(r, "context_parallel_size", cJSON_CreateNumber(1));
	if (!cfg_truthy(cfg_get(r, "tensor_parallel_size")))
		set_item(r, "tensor_parallel_size", cJSON_CreateNumber(1));
	drop_nulls(r);
}

/* ---- model and data locations ---- */

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

static char *hub_dir(void)
{
	char buf[4096];
	const char *e = getenv("HF_HUB_CACHE");
	if (e && *e)
		return xstrdup(e);
	e = getenv("HF_HOME");
	if (e && *e) {
		snprintf(buf, sizeof buf, "%s/hub", e);
		return xstrdup(buf);
	}
	e = getenv("XDG_CACHE_HOME");
	if (e && *e) {
		snprintf(buf, sizeof buf, "%s/huggingface/hub", e);
		return xstrdup(buf);
	}
	e = getenv("HOME");
	if (!e || !*e)
		return NULL;
	snprintf(buf, sizeof buf, "%s/.cache/huggingface/hub", e);
	return xstrdup(buf);
}

/* A Hugging Face id: "name" or "org/name", letters, digits, - _ . only. */
static int looks_like_hf_id(const char *id)
{
	int slashes = 0;
	if (!*id || *id == '/' || *id == '.')
		return 0;
	for (const char *p = id; *p; p++) {
		if (*p == '/')
			slashes++;
		else if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return 0;
	}
	return slashes <= 1 && id[strlen(id) - 1] != '/' && !strstr(id, "..");
}

char *config_hf_snapshot(const char *id, const char *kind)
{
	if (!looks_like_hf_id(id))
		return NULL;
	char *hub = hub_dir();
	if (!hub)
		return NULL;
	char repo[4096], buf[4096];
	int n = snprintf(repo, sizeof repo, "%s/%s--", hub, kind);
	free(hub);
	for (const char *p = id; *p && n < (int)sizeof repo - 3; p++) {
		if (*p == '/') {
			repo[n++] = '-';
			repo[n++] = '-';
		} else {
			repo[n++] = *p;
		}
	}
	repo[n] = '\0';
	if (!is_dir(repo))
		return NULL;
	/* refs/main names the snapshot the hub's default branch points at */
	snprintf(buf, sizeof buf, "%s/refs/main", repo);
	FILE *f = fopen(buf, "r");
	if (f) {
		char rev[128] = "";
		if (fgets(rev, sizeof rev, f)) {
			rev[strcspn(rev, "\r\n \t")] = '\0';
			snprintf(buf, sizeof buf, "%s/snapshots/%s", repo, rev);
			if (*rev && !strchr(rev, '/') && is_dir(buf)) {
				fclose(f);
				return xstrdup(buf);
			}
		}
		fclose(f);
	}
	/* else the only snapshot, or the newest */
	snprintf(buf, sizeof buf, "%s/snapshots", repo);
	DIR *d = opendir(buf);
	if (!d)
		return NULL;
	char best[4096] = "";
	time_t best_t = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char p[4096];
		struct stat st;
		snprintf(p, sizeof p, "%s/%s", buf, de->d_name);
		if (stat(p, &st) || !S_ISDIR(st.st_mode))
			continue;
		if (!*best || st.st_mtime > best_t || (st.st_mtime == best_t && strcmp(p, best) > 0)) {
			snprintf(best, sizeof best, "%s", p);
			best_t = st.st_mtime;
		}
	}
	closedir(d);
	return *best ? xstrdup(best) : NULL;
}

/* A missing model or data file: an error for a tool that reads it, a warning from
 * ft-validate (which checks the config, not the machine), nothing for the other tools. */
static void missing(cfgctx_t *c, int mode, const char *field, const char *fmt, const char *arg)
{
	char msg[1024];
	snprintf(msg, sizeof msg, fmt, q(arg));   /* arg: the path fmt names */
	if (mode == 1)
		cfg_fail(c, field, "%s", msg);
	else if (mode == 2)
		cfg_warn(c, field, "%s", msg);
}

static void check_paths(ft_config_t *cfg, cfgctx_t *c)
{
	/* per kind of file: 1 = error, 2 = warning, 0 = silent (see missing) */
	int validate = cfg->flags & CONFIG_FOR_VALIDATE ? 2 : 0;
	int model_mode = cfg->flags & CONFIG_NEEDS_MODEL ? 1 : validate;
	int data_mode = cfg->flags & CONFIG_NEEDS_DATA ? 1 : validate;
	const char *bm = cJSON_GetStringValue(cfg_get(cfg->root, "base_model"));
	if (bm) {
		if (is_dir(bm))
			cfg->model_dir = xstrdup(bm);
		else
			cfg->model_dir = config_hf_snapshot(bm, "models");
		if (!cfg->model_dir)
			missing(c, model_mode, "base_model",
				looks_like_hf_id(bm)
					? "%s is not a local directory and not in the Hugging Face cache "
					  "(HF_HUB_CACHE); ft does not download models"
					: "%s is not a directory",
				bm);
	}
	/* Other inputs named by path: a tokenizer or model config elsewhere than base_model, an
	 * adapter to continue from, a checkpoint to resume. */
	static const char *const dirs[] = { "base_model_config", "tokenizer_config", "lora_model_dir",
		NULL };
	for (int i = 0; dirs[i]; i++) {
		const char *p = cJSON_GetStringValue(cfg_get(cfg->root, dirs[i]));
		if (!p || (bm && !strcmp(p, bm)) || is_dir(p))
			continue;
		char *snap = i < 2 ? config_hf_snapshot(p, "models") : NULL;
		if (snap) {
			free(snap);
			continue;
		}
		/* the tokenizer is read by the data tools too; the others only with the model */
		int mode = i == 1 && (model_mode == 1 || data_mode == 1) ? 1 : model_mode;
		missing(c, mode, dirs[i], i < 2 && looks_like_hf_id(p)
			? "%s is not a local directory and not in the Hugging Face cache"
			: "%s is not a directory", p);
	}
	/* only ft-train resumes, and it says so itself; the others need not care */
	const char *rc = cJSON_GetStringValue(cfg_get(cfg->root, "resume_from_checkpoint"));
	if (rc && !is_dir(rc))
		missing(c, validate, "resume_from_checkpoint", "%s is not a directory", rc);

	const char *lists[] = { "datasets", "test_datasets" };
	for (int l = 0; l < 2; l++) {
		const cJSON *ds = cfg_get(cfg->root, lists[l]);
		int i = 0;
		for (const cJSON *e = cJSON_IsArray(ds) ? ds->child : NULL; e; e = e->next, i++) {
			const char *path = cJSON_GetStringValue(cfg_get(e, "path"));
			char field[128];
			snprintf(field, sizeof field, "%s.%d.path", lists[l], i);
			if (!path) {
				if (!cfg_get(e, "data_files"))
					cfg_fail(c, field, "a dataset entry needs a path");
				continue;
			}
			if (exists(path))
				continue;
			char *snap = config_hf_snapshot(path, "datasets");
			if (snap) {
				free(snap);
				continue;
			}
			missing(c, data_mode, field,
				looks_like_hf_id(path)
					? "%s is not a local file or directory and not in the Hugging Face "
					  "cache; ft does not download datasets"
					: "%s does not exist",
				path);
		}
	}
}

/* ---- fingerprint: FNV-1a 64 over the canonical JSON ---- */

static uint64_t fnv1a64(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return h;
}

/* ---- the public entry point ---- */

static const char *const aliases[][2] = {
	{ "overrides_of_model_config", "model_config" },
	{ "overrides_of_model_kwargs", "model_kwargs" },
	{ "type_of_model", "model_type" },
	{ "revision_of_model", "model_revision" },
};

ft_config_t *config_load(const char *path, const cfg_override_t *ov, int nov, int flags)
{
	ft_config_t *cfg = xcalloc(1, sizeof *cfg);
	cfg->path = xstrdup(path);
	cfg->flags = flags;
	ydoc_t *doc = ydoc_load_file(path);
	if (!doc->root || doc->root->kind != YN_MAP) {
		int empty = !doc->root, line = empty ? 0 : doc->root->line, col = empty ? 0 : doc->root->col;
		int list = !empty && doc->root->kind == YN_SEQ;
		ydoc_free(doc);
		if (empty)
			ft_die(FT_EXIT_USAGE, "%s: empty config; expected a mapping of fields such as "
				"base_model and datasets", q(path));
		ft_die(FT_EXIT_USAGE, "%s:%d:%d: expected a mapping of fields at the top level, found %s",
			q(path), line, col, list ? "a list" : "a single value");
	}
	cJSON *u = ynode_to_json(doc->root, &cfg->pos, "", path);
	ydoc_free(doc);

	cfg->ov = xcalloc((size_t)nov + 1, sizeof *cfg->ov);
	cfg->nov = nov;
	for (int i = 0; i < nov; i++)
		cfg->ov[i] = xstrdup(ov[i].key);
	cfgctx_t c = { cfg->path, u, &cfg->pos, (const char *const *)cfg->ov, nov,
		(flags & CONFIG_GPU) != 0 };

	int strict = cfg_truthy(cfg_get(u, "strict"));
	for (int i = 0; i < nov; i++)
		apply_override(&c, u, &ov[i], strict);
	strict = cfg_truthy(cfg_get(u, "strict"));

	/* Axolotl's internal field names for the aliased fields are accepted too. */
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
		cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(u, aliases[i][0]);
		if (!v)
			continue;
		if (!cJSON_GetObjectItemCaseSensitive(u, aliases[i][1]))
			cJSON_AddItemToObject(u, aliases[i][1], v);
		else
			cJSON_Delete(v);
	}

	vctx_t vc = { &c, strict, 0 };
	check_model(&vc, u, schema_top(), "", NULL);

	/* Required fields (base_model, learning_rate): Axolotl refuses a config without them. */
	for (size_t i = 0; i < schema_top()->n; i++) {
		const schema_field_t *f = &schema_top()->fields[i];
		if ((f->flags & SF_REQUIRED) && !(f->flags & SF_INTERNAL) && !cfg_get(u, f->name))
			cfg_fail(&c, f->name, "required");
	}
	cfgrules_check(&c);
	cfgrules_check_support(&c);

	cfg->root = cJSON_Duplicate(u, 1);
	derive(&c, cfg->root);
	cJSON_Delete(u);
	c.u = cfg->root;
	check_paths(cfg, &c);

	char *canon = json_canonical(cfg->root);
	snprintf(cfg->fp, sizeof cfg->fp, "%016llx", (unsigned long long)fnv1a64(canon));
	free(canon);
	return cfg;
}

void config_free(ft_config_t *cfg)
{
	if (!cfg)
		return;
	cJSON_Delete(cfg->root);
	ypos_free(&cfg->pos);
	for (int i = 0; i < cfg->nov; i++)
		free(cfg->ov[i]);
	free(cfg->ov);
	free(cfg->model_dir);
	free(cfg->path);
	free(cfg);
}

const cJSON *config_root(const ft_config_t *cfg) { return cfg->root; }
const cJSON *config_get(const ft_config_t *cfg, const char *dotted) { return cfg_get(cfg->root, dotted); }

long config_int(const ft_config_t *cfg, const char *dotted, long dflt)
{
	const cJSON *v = config_get(cfg, dotted);
	if (cJSON_IsNumber(v))
		return (long)v->valuedouble;
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v);
	return dflt;
}

uint64_t config_seed(const ft_config_t *cfg)
{
	return (uint64_t)config_int(cfg, "seed", FT_DEFAULT_SEED);
}

double config_num(const ft_config_t *cfg, const char *dotted, double dflt)
{
	const cJSON *v = config_get(cfg, dotted);
	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

int config_bool(const ft_config_t *cfg, const char *dotted, int dflt)
{
	const cJSON *v = config_get(cfg, dotted);
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v);
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	return dflt;
}

const char *config_str(const ft_config_t *cfg, const char *dotted, const char *dflt)
{
	const cJSON *v = config_get(cfg, dotted);
	return cJSON_IsString(v) ? v->valuestring : dflt;
}

const char *config_where(const ft_config_t *cfg, const char *dotted)
{
	ft_config_t *m = (ft_config_t *)cfg; /* the buffer is scratch space, not state */
	return where_impl(cfg->path, &cfg->pos, (const char *const *)cfg->ov, cfg->nov, dotted, 0,
		m->where, sizeof m->where);
}

const char *config_path(const ft_config_t *cfg) { return cfg->path; }
const char *config_fingerprint(const ft_config_t *cfg) { return cfg->fp; }
const char *config_model_dir(const ft_config_t *cfg) { return cfg->model_dir; }

int config_count(const ft_config_t *cfg, const char *dotted)
{
	const cJSON *v = config_get(cfg, dotted);
	return cJSON_IsArray(v) || cJSON_IsObject(v) ? cJSON_GetArraySize(v) : 0;
}

long config_warmup_steps(const ft_config_t *cfg, long total)
{
	long w;
	const cJSON *ws = config_get(cfg, "warmup_steps"), *wr = config_get(cfg, "warmup_ratio");
	if (cJSON_IsNumber(ws))
		w = (long)ws->valuedouble;
	else if (cJSON_IsNumber(wr))
		w = (long)(wr->valuedouble * (double)total);
	else
		w = (long)(0.03 * (double)total) < 100 ? (long)(0.03 * (double)total) : 100;
	if (w < 0)
		w = 0;
	return w == 1 ? 2 : w;
}

long config_logging_steps(const ft_config_t *cfg, long total)
{
	const cJSON *ls = config_get(cfg, "logging_steps");
	if (cJSON_IsNumber(ls))
		return (long)ls->valuedouble;
	long s = (long)(0.005 * (double)total);
	if (s > 10)
		s = 10;
	return s < 1 ? 1 : s;
}
