/* yamlnode: libyaml events -> ynode_t tree with positions, PyYAML-compatible scalar
 * resolution, and conversion to cJSON. See yamlnode.h. */
#include "yamlnode.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "diag.h"
#include "fileio.h"

/* Deeper than any config needs; the tree walks below recurse, so the depth is bounded. */
#define YAML_MAX_DEPTH 200
#define YAML_MAX_VALUES 100000

/* ---- scalar resolution: PyYAML's implicit resolvers, copied pattern for pattern ---- */

static const char *const RX_BOOL =
	"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$";
static const char *const RX_NULL = "^(?:~|null|Null|NULL|)$";
static const char *const RX_FLOAT =
	"^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?"
	"|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
	"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
	"|[-+]?\\.(?:inf|Inf|INF)"
	"|\\.(?:nan|NaN|NAN))$";
static const char *const RX_INT =
	"^(?:[-+]?0b[0-1_]+"
	"|[-+]?0[0-7_]+"
	"|[-+]?(?:0|[1-9][0-9_]*)"
	"|[-+]?0x[0-9a-fA-F_]+"
	"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$";

static int rx_match(pcre2_code **code, const char *pat, const char *s)
{
	if (!*code) {
		int err;
		PCRE2_SIZE off;
		*code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
		if (!*code)
			ft_die(FT_EXIT_IO, "internal error: bad resolver pattern at offset %zu", (size_t)off);
	}
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(*code, NULL);
	if (!md)
		ft_die(FT_EXIT_IO, "out of memory matching a YAML scalar");
	int rc = pcre2_match(*code, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

/* "a:b:c" in base 60, as YAML 1.1 sexagesimal numbers are. */
static double sexagesimal(const char *s)
{
	double v = 0;
	char *end;
	for (;;) {
		double part = strtod(s, &end);
		v = v * 60 + part;
		if (*end != ':')
			break;
		s = end + 1;
	}
	return v;
}

static char *strip_underscores(const char *s)
{
	char *r = xmalloc(strlen(s) + 1), *o = r;
	for (; *s; s++)
		if (*s != '_')
			*o++ = *s;
	*o = '\0';
	return r;
}

static void resolve_int(const char *text, ynode_t *out)
{
	char *s = strip_underscores(text), *p = s;
	int neg = 0;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	errno = 0;
	long long v = 0;
	double dv = 0;
	int big = 0;
	if (!strcmp(p, "0"))
		v = 0;
	else if (!strncmp(p, "0b", 2))
		v = strtoll(p + 2, NULL, 2);
	else if (!strncmp(p, "0x", 2))
		v = strtoll(p + 2, NULL, 16);
	else if (p[0] == '0')
		v = strtoll(p, NULL, 8);
	else if (strchr(p, ':'))
		dv = sexagesimal(p), big = 1;
	else
		v = strtoll(p, NULL, 10);
	if (errno == ERANGE) { /* PyYAML makes a big int; a double is the closest we hold */
		dv = strtod(p, NULL);
		big = 1;
	}
	if (big && fabs(dv) < 9.2e18) {
		v = (long long)dv;
		big = 0;
	}
	if (big) {
		out->kind = YN_FLOAT;
		out->f = neg ? -dv : dv;
	} else {
		out->kind = YN_INT;
		out->i = neg ? -v : v;
	}
	free(s);
}

static void resolve_float(const char *text, ynode_t *out)
{
	char *s = strip_underscores(text), *p = s;
	for (char *c = s; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	double sign = 1;
	if (*p == '-' || *p == '+')
		sign = *p++ == '-' ? -1 : 1;
	out->kind = YN_FLOAT;
	if (!strcmp(p, ".inf"))
		out->f = sign * INFINITY;
	else if (!strcmp(p, ".nan"))
		out->f = NAN;
	else if (strchr(p, ':'))
		out->f = sign * sexagesimal(p);
	else
		out->f = sign * strtod(p, NULL);
	free(s);
}

void yaml_resolve_plain(const char *s, ynode_t *out)
{
	static pcre2_code *rb, *rn, *rf, *ri;
	if (rx_match(&rn, RX_NULL, s)) {
		out->kind = YN_NULL;
	} else if (rx_match(&rb, RX_BOOL, s)) {
		out->kind = YN_BOOL;
		out->b = s[0] == 'y' || s[0] == 'Y' || s[0] == 't' || s[0] == 'T' ||
			 !strcmp(s, "on") || !strcmp(s, "On") || !strcmp(s, "ON");
	} else if (rx_match(&ri, RX_INT, s)) {
		resolve_int(s, out);
	} else if (rx_match(&rf, RX_FLOAT, s)) {
		resolve_float(s, out);
	} else {
		out->kind = YN_STR;
	}
}

/* ---- building the tree from libyaml events ---- */

typedef struct {
	ydoc_t *doc;
	const char *subject;
	struct { char *name; ynode_t *node; } *anchors;
	size_t nanchors, capanchors;
	struct frame { ynode_t *node; ynode_t *key; char *anchor; } stack[YAML_MAX_DEPTH + 1];
	int depth;
} builder_t;

static ynode_t *node_new(builder_t *b, yn_kind_t kind, yaml_mark_t m)
{
	ynode_t *n = xcalloc(1, sizeof *n);
	n->kind = kind;
	n->line = (int)m.line + 1;
	n->col = (int)m.column + 1;
	n->next_alloc = b->doc->all;
	b->doc->all = n;
	return n;
}

_Noreturn static void build_die(builder_t *b, yaml_mark_t m, const char *what, const char *arg)
{
	ft_die(FT_EXIT_USAGE, "%s:%d:%d: %s%s%s", q(b->subject), (int)m.line + 1,
		(int)m.column + 1, what, arg ? " " : "", arg ? q(arg) : "");
}

static void anchor_set(builder_t *b, const char *name, ynode_t *n)
{
	/* PyYAML refuses a second anchor of the same name; so do we, rather than guess which */
	for (size_t i = 0; i < b->nanchors; i++)
		if (!strcmp(b->anchors[i].name, name)) {
			yaml_mark_t m = { 0, (size_t)n->line - 1, (size_t)n->col - 1 };
			build_die(b, m, "duplicate anchor", name);
		}
	xgrow((void **)&b->anchors, &b->capanchors, b->nanchors + 1, sizeof *b->anchors);
	b->anchors[b->nanchors].name = xstrdup(name);
	b->anchors[b->nanchors].node = n;
	b->nanchors++;
}

static ynode_t *anchor_get(builder_t *b, const char *name)
{
	for (size_t i = b->nanchors; i-- > 0;)
		if (!strcmp(b->anchors[i].name, name))
			return b->anchors[i].node;
	return NULL;
}

static void push_child(ynode_t *parent, ynode_t *key, ynode_t *val)
{
	size_t need = parent->n + 1;
	if (need > parent->cap) {
		size_t cap = parent->cap;
		xgrow((void **)&parent->vals, &cap, need, sizeof *parent->vals);
		if (parent->kind == YN_MAP) {
			size_t kcap = parent->cap;
			xgrow((void **)&parent->keys, &kcap, need, sizeof *parent->keys);
		}
		parent->cap = cap;
	}
	if (parent->kind == YN_MAP)
		parent->keys[parent->n] = key;
	parent->vals[parent->n++] = val;
}

/* Hands a finished node to its parent (or makes it the root). */
static void attach(builder_t *b, ynode_t *n, yaml_mark_t m)
{
	if (b->depth == 0) {
		b->doc->root = n;
		return;
	}
	struct frame *f = &b->stack[b->depth - 1];
	if (f->node->kind == YN_SEQ) {
		push_child(f->node, NULL, n);
	} else if (!f->key) {
		if (n->kind == YN_MAP || n->kind == YN_SEQ)
			build_die(b, m, "a mapping key must be a plain value, not a list or mapping", NULL);
		f->key = n;
	} else {
		push_child(f->node, f->key, n);
		f->key = NULL;
	}
}

static int is_merge_key(const ynode_t *k)
{
	return k && k->kind == YN_STR && k->b == 2; /* b == 2 marks a plain `<<` key */
}

static void merge_pairs(builder_t *b, ynode_t **mk, ynode_t **mv, size_t *mn, const ynode_t *src)
{
	for (size_t i = 0; i < src->n; i++) {
		mk[*mn] = src->keys[i];
		mv[*mn] = src->vals[i];
		(*mn)++;
	}
}

/* PyYAML's flatten_mapping: pairs from `<<` values first (for a list of mappings, the
 * earlier mapping wins), then the explicit pairs; a later duplicate replaces an earlier one.
 * Explicit duplicates get a warning: PyYAML keeps the last silently, which hides typos. */
static void finish_mapping(builder_t *b, ynode_t *m)
{
	size_t total = 0, nmerge = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (!is_merge_key(m->keys[i])) {
			total++;
			continue;
		}
		nmerge++;
		ynode_t *v = m->vals[i];
		yaml_mark_t mark = { 0, (size_t)v->line - 1, (size_t)v->col - 1 };
		if (v->kind == YN_MAP) {
			total += v->n;
		} else if (v->kind == YN_SEQ) {
			for (size_t j = 0; j < v->n; j++) {
				if (v->vals[j]->kind != YN_MAP) {
					mark.line = (size_t)v->vals[j]->line - 1;
					mark.column = (size_t)v->vals[j]->col - 1;
					build_die(b, mark, "a merge key '<<' needs mappings to merge", NULL);
				}
				total += v->vals[j]->n;
			}
		} else {
			build_die(b, mark, "a merge key '<<' needs a mapping or a list of mappings", NULL);
		}
	}
	ynode_t **k = xcalloc(total + 1, sizeof *k), **v = xcalloc(total + 1, sizeof *v);
	size_t n = 0;
	if (nmerge) {
		for (size_t i = 0; i < m->n; i++) {
			if (!is_merge_key(m->keys[i]))
				continue;
			ynode_t *val = m->vals[i];
			if (val->kind == YN_MAP)
				merge_pairs(b, k, v, &n, val);
			else
				for (size_t j = val->n; j-- > 0;)
					merge_pairs(b, k, v, &n, val->vals[j]);
		}
	}
	size_t first_explicit = n;
	for (size_t i = 0; i < m->n; i++) {
		if (is_merge_key(m->keys[i]))
			continue;
		k[n] = m->keys[i];
		v[n] = m->vals[i];
		n++;
	}
	/* Keep the last of equal keys, in the position of its first appearance (dict order). */
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j;
		for (j = 0; j < out; j++)
			if (!strcmp(k[j]->text, k[i]->text))
				break;
		if (j < out) {
			if (i >= first_explicit && k[j]->line != k[i]->line)
				ft_warn("%s:%d:%d: duplicate key '%s'; the last one (line %d) is used",
					q(b->subject), k[j]->line, k[j]->col, k[i]->text, k[i]->line);
			k[j] = k[i];
			v[j] = v[i];
		} else {
			k[out] = k[i];
			v[out] = v[i];
			out++;
		}
	}
	free(m->keys);
	free(m->vals);
	m->keys = k;
	m->vals = v;
	m->n = out;
	m->cap = total + 1;
}

static const char *scalar_tag_kind(const char *tag)
{
	static const char pre[] = "tag:yaml.org,2002:";
	if (!strncmp(tag, pre, sizeof pre - 1))
		return tag + sizeof pre - 1;
	return NULL;
}

static ynode_t *make_scalar(builder_t *b, yaml_event_t *ev)
{
	const char *val = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	if (memchr(val, '\0', len))
		build_die(b, ev->start_mark, "a NUL character in a value is not supported", NULL);
	ynode_t *n = node_new(b, YN_STR, ev->start_mark);
	n->text = xstrdup(val);
	const char *tag = (const char *)ev->data.scalar.tag;
	if (tag && strcmp(tag, "!")) {
		const char *k = scalar_tag_kind(tag);
		if (!k)
			build_die(b, ev->start_mark, "unknown tag", tag);
		if (!strcmp(k, "str"))
			return n;
		ynode_t tmp = { 0 };
		yaml_resolve_plain(n->text, &tmp);
		int ok = (!strcmp(k, "null") && tmp.kind == YN_NULL) ||
			 (!strcmp(k, "bool") && tmp.kind == YN_BOOL) ||
			 (!strcmp(k, "int") && tmp.kind == YN_INT) ||
			 (!strcmp(k, "float") && (tmp.kind == YN_FLOAT || tmp.kind == YN_INT));
		if (!ok)
			build_die(b, ev->start_mark, "value does not match its tag", tag);
		if (!strcmp(k, "float") && tmp.kind == YN_INT) {
			tmp.kind = YN_FLOAT;
			tmp.f = (double)tmp.i;
		}
		n->kind = tmp.kind, n->b = tmp.b, n->i = tmp.i, n->f = tmp.f;
		return n;
	}
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !tag) {
		if (!strcmp(val, "<<")) {
			n->b = 2; /* merge key marker, see is_merge_key */
			return n;
		}
		yaml_resolve_plain(val, n);
	}
	return n;
}

static const char *event_anchor(yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT: return (const char *)ev->data.scalar.anchor;
	case YAML_SEQUENCE_START_EVENT: return (const char *)ev->data.sequence_start.anchor;
	case YAML_MAPPING_START_EVENT: return (const char *)ev->data.mapping_start.anchor;
	default: return NULL;
	}
}

static void check_collection_tag(builder_t *b, yaml_event_t *ev, const char *want)
{
	const char *tag = ev->type == YAML_SEQUENCE_START_EVENT
				  ? (const char *)ev->data.sequence_start.tag
				  : (const char *)ev->data.mapping_start.tag;
	if (!tag || !strcmp(tag, "!"))
		return;
	const char *k = scalar_tag_kind(tag);
	if (!k || strcmp(k, want))
		build_die(b, ev->start_mark, "unsupported tag", tag);
}

ydoc_t *ydoc_parse(const char *text, size_t len, const char *subject)
{
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		ft_die(FT_EXIT_IO, "out of memory starting the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	builder_t b;
	memset(&b, 0, sizeof b);
	b.doc = xcalloc(1, sizeof *b.doc);
	b.subject = subject;
	int ndocs = 0, done = 0;
	while (!done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			yaml_mark_t m = parser.problem_mark;
			char msg[512];
			snprintf(msg, sizeof msg, "%s%s%s", parser.problem ? parser.problem : "invalid YAML",
				parser.context ? " " : "", parser.context ? parser.context : "");
			/* libyaml reports the offending offset but sometimes 0:0 for encoding errors. */
			ft_die(FT_EXIT_USAGE, "%s:%d:%d: %s", q(subject), (int)m.line + 1,
				(int)m.column + 1, msg);
		}
		const char *anchor = event_anchor(&ev);
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1)
				build_die(&b, ev.start_mark, "expected a single document, found another", NULL);
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_SCALAR_EVENT: {
			ynode_t *n = make_scalar(&b, &ev);
			if (anchor)
				anchor_set(&b, anchor, n);
			attach(&b, n, ev.start_mark);
			break;
		}
		case YAML_ALIAS_EVENT: {
			const char *name = (const char *)ev.data.alias.anchor;
			ynode_t *n = anchor_get(&b, name);
			if (!n) /* also an alias to a collection still being read: no cycles */
				build_die(&b, ev.start_mark, "alias to an unknown anchor", name);
			attach(&b, n, ev.start_mark);
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			int seq = ev.type == YAML_SEQUENCE_START_EVENT;
			check_collection_tag(&b, &ev, seq ? "seq" : "map");
			if (b.depth >= YAML_MAX_DEPTH)
				build_die(&b, ev.start_mark, "nested too deeply", NULL);
			ynode_t *n = node_new(&b, seq ? YN_SEQ : YN_MAP, ev.start_mark);
			b.stack[b.depth].node = n;
			b.stack[b.depth].key = NULL;
			b.stack[b.depth].anchor = anchor ? xstrdup(anchor) : NULL;
			b.depth++;
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			struct frame f = b.stack[--b.depth];
			if (f.node->kind == YN_MAP)
				finish_mapping(&b, f.node);
			if (f.anchor) {
				anchor_set(&b, f.anchor, f.node);
				free(f.anchor);
			}
			yaml_mark_t m = { 0, (size_t)f.node->line - 1, (size_t)f.node->col - 1 };
			attach(&b, f.node, m);
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	for (size_t i = 0; i < b.nanchors; i++)
		free(b.anchors[i].name);
	free(b.anchors);
	return b.doc;
}

ydoc_t *ydoc_load_file(const char *path)
{
	size_t len;
	char *buf = file_read(path, &len, FILE_CONFIG);   /* "-": the config may come on stdin */
	ydoc_t *d = ydoc_parse(buf, len, path);
	free(buf);
	return d;
}

void ydoc_free(ydoc_t *d)
{
	if (!d)
		return;
	for (ynode_t *n = d->all, *next; n; n = next) {
		next = n->next_alloc;
		free(n->text);
		free(n->keys);
		free(n->vals);
		free(n);
	}
	free(d);
}

/* ---- positions and conversion to cJSON ---- */

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Index of path in t->v, or the empty slot where it would go (*found = 0). */
static size_t ypos_slot(const ypos_table_t *t, const char *path, int *found)
{
	size_t i = hash_str(path) & (t->hcap - 1);
	while (t->slot[i]) {
		if (!strcmp(t->v[t->slot[i] - 1].path, path)) {
			*found = 1;
			return i;
		}
		i = (i + 1) & (t->hcap - 1);
	}
	*found = 0;
	return i;
}

static void ypos_rehash(ypos_table_t *t)
{
	free(t->slot);
	t->hcap = t->hcap ? t->hcap * 2 : 64;
	t->slot = xcalloc(t->hcap, sizeof *t->slot);
	for (size_t k = 0; k < t->n; k++) {
		int found;
		size_t i = ypos_slot(t, t->v[k].path, &found);
		t->slot[i] = k + 1;
	}
}

void ypos_add(ypos_table_t *t, const char *path, int line, int col, int kline, int kcol)
{
	if ((t->n + 1) * 2 > t->hcap)
		ypos_rehash(t);
	int found;
	size_t i = ypos_slot(t, path, &found);
	if (found) {
		ypos_t *p = &t->v[t->slot[i] - 1];
		p->line = line, p->col = col, p->key_line = kline, p->key_col = kcol;
		return;
	}
	xgrow((void **)&t->v, &t->cap, t->n + 1, sizeof *t->v);
	t->v[t->n++] = (ypos_t){ xstrdup(path), line, col, kline, kcol };
	t->slot[i] = t->n;
}

const ypos_t *ypos_find(const ypos_table_t *t, const char *path)
{
	if (!t->hcap)
		return NULL;
	int found;
	size_t i = ypos_slot(t, path, &found);
	return found ? &t->v[t->slot[i] - 1] : NULL;
}

void ypos_free(ypos_table_t *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].path);
	free(t->v);
	free(t->slot);
	memset(t, 0, sizeof *t);
}

typedef struct {
	ypos_table_t *pos;
	const char *subject;
	size_t count;
} conv_t;

static char *join_path(const char *prefix, const char *key)
{
	size_t n = strlen(prefix) + strlen(key) + 2;
	char *s = xmalloc(n);
	snprintf(s, n, "%s%s%s", prefix, *prefix ? "." : "", key);
	return s;
}

static cJSON *conv(conv_t *c, const ynode_t *n, const char *path, int kline, int kcol, int depth)
{
	if (++c->count > YAML_MAX_VALUES)
		ft_die(FT_EXIT_USAGE, "%s:%d:%d: aliases expand to more than %d values", q(c->subject),
			n->line, n->col, YAML_MAX_VALUES);
	if (depth > YAML_MAX_DEPTH)
		ft_die(FT_EXIT_USAGE, "%s:%d:%d: nested too deeply", q(c->subject), n->line, n->col);
	if (c->pos && *path)
		ypos_add(c->pos, path, n->line, n->col, kline, kcol);
	cJSON *j = NULL;
	switch (n->kind) {
	case YN_NULL: j = cJSON_CreateNull(); break;
	case YN_BOOL: j = cJSON_CreateBool(n->b); break;
	case YN_INT: j = cJSON_CreateNumber((double)n->i); break;
	case YN_FLOAT: j = cJSON_CreateNumber(n->f); break;
	case YN_STR: j = cJSON_CreateString(n->text); break;
	case YN_SEQ:
		j = cJSON_CreateArray();
		for (size_t i = 0; i < n->n; i++) {
			char idx[32];
			snprintf(idx, sizeof idx, "%zu", i);
			char *p = join_path(path, idx);
			cJSON_AddItemToArray(j, conv(c, n->vals[i], p, n->vals[i]->line, n->vals[i]->col,
						    depth + 1));
			free(p);
		}
		break;
	case YN_MAP:
		j = cJSON_CreateObject();
		for (size_t i = 0; i < n->n; i++) {
			char *p = join_path(path, n->keys[i]->text);
			cJSON *v = conv(c, n->vals[i], p, n->keys[i]->line, n->keys[i]->col, depth + 1);
			cJSON_AddItemToObject(j, n->keys[i]->text, v);
			free(p);
		}
		break;
	}
	if (!j)
		ft_die(FT_EXIT_IO, "out of memory converting YAML");
	return j;
}

cJSON *ynode_to_json(const ynode_t *n, ypos_table_t *pos, const char *prefix,
	const char *subject)
{
	conv_t c = { pos, subject, 0 };
	return conv(&c, n, prefix ? prefix : "", n->line, n->col, 0);
}
