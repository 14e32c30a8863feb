/* yamlnode: YAML text to a tree that remembers where every value was written.
 *
 * Users write Axolotl's YAML, which Axolotl reads with PyYAML's safe_load, so a value must
 * mean here what it means there: the YAML 1.1 resolver (yes/no/on/off are booleans, `010` is
 * octal, a float needs a dot so `2e-4` is the string "2e-4"), anchors, aliases and `<<` merge
 * keys, duplicate keys resolved to the last one (with a warning, PyYAML says nothing). libyaml
 * does the parsing; this file builds the tree from its events, keeping the 1-based line and
 * column of every key and value so messages can point at them. */
#ifndef FT_YAMLNODE_H
#define FT_YAMLNODE_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef enum { YN_NULL, YN_BOOL, YN_INT, YN_FLOAT, YN_STR, YN_MAP, YN_SEQ } yn_kind_t;

typedef struct ynode ynode_t;
struct ynode {
	yn_kind_t kind;
	int line, col;          /* where the value starts, 1-based */
	char *text;             /* scalars: the text as written (for YN_STR, the string) */
	int b;                  /* YN_BOOL */
	long long i;            /* YN_INT */
	double f;               /* YN_FLOAT */
	size_t n, cap;          /* YN_MAP: pairs, YN_SEQ: items */
	ynode_t **keys;         /* YN_MAP: scalar key nodes (their text is the key) */
	ynode_t **vals;         /* YN_MAP: values, YN_SEQ: items */
	ynode_t *next_alloc;    /* every node of a document, for freeing */
};

typedef struct {
	ynode_t *root;          /* NULL for an empty document */
	ynode_t *all;           /* allocation list */
} ydoc_t;

/* Parses text; `subject` names it in messages ("cfg.yml"). Malformed YAML exits 2 with
 * `prog: 'subject':LINE:COL: problem`. An empty stream gives root == NULL. */
ydoc_t *ydoc_parse(const char *text, size_t len, const char *subject);
/* Reads and parses a file ("-": standard input); a file that cannot be read exits 4. */
ydoc_t *ydoc_load_file(const char *path);
void ydoc_free(ydoc_t *d);

/* Resolves a plain (unquoted, untagged) scalar the way PyYAML's implicit resolver does.
 * Fills kind and the value fields of out (text is not touched). */
void yaml_resolve_plain(const char *s, ynode_t *out);

/* Where each converted value came from: dotted path -> positions. */
typedef struct {
	char *path;
	int line, col;          /* the value */
	int key_line, key_col;  /* its key (the item itself for list items) */
} ypos_t;

typedef struct {
	ypos_t *v;
	size_t n, cap;
	size_t *slot;   /* open-addressing index into v (i + 1; 0 = empty), hcap entries */
	size_t hcap;
} ypos_table_t;

/* Converts the tree to cJSON (integers and floats both become numbers, scalars keep their
 * resolved type), recording positions under `prefix` ("" for the root). Aliases are expanded;
 * a document that expands past 100000 values is refused (exit 2), so a "billion laughs"
 * file cannot exhaust memory. */
cJSON *ynode_to_json(const ynode_t *n, ypos_table_t *pos, const char *prefix,
	const char *subject);
const ypos_t *ypos_find(const ypos_table_t *t, const char *path);
void ypos_add(ypos_table_t *t, const char *path, int line, int col, int kline, int kcol);
void ypos_free(ypos_table_t *t);

#endif
