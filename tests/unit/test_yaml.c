/* test_yaml: scalar resolution must match PyYAML's safe_load, since users' configs were
 * written for it. Expected values below were produced by PyYAML 6.0.3 (`yaml.safe_load`). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "yamlnode.h"

static int fails;

static void expect(const char *in, yn_kind_t kind, double val)
{
	ynode_t n = { 0 };
	yaml_resolve_plain(in, &n);
	double got = n.kind == YN_INT ? (double)n.i : n.kind == YN_FLOAT ? n.f : n.kind == YN_BOOL ? n.b : 0;
	int ok = n.kind == kind && (isnan(val) ? isnan(got) : got == val);
	if (!ok) {
		printf("'%s': kind %d value %g, expected kind %d value %g\n", in, n.kind, got, kind, val);
		fails++;
	}
}

int main(void)
{
	expect("~", YN_NULL, 0);
	expect("null", YN_NULL, 0);
	expect("Null", YN_NULL, 0);
	expect("NULL", YN_NULL, 0);
	expect("", YN_NULL, 0);
	expect("true", YN_BOOL, 1);
	expect("True", YN_BOOL, 1);
	expect("TRUE", YN_BOOL, 1);
	expect("yes", YN_BOOL, 1);
	expect("Yes", YN_BOOL, 1);
	expect("no", YN_BOOL, 0);
	expect("NO", YN_BOOL, 0);
	expect("on", YN_BOOL, 1);
	expect("Off", YN_BOOL, 0);
	expect("y", YN_STR, 0);
	expect("n", YN_STR, 0);
	expect("tRue", YN_STR, 0);
	expect("0", YN_INT, 0);
	expect("1", YN_INT, 1);
	expect("-1", YN_INT, -1);
	expect("+7", YN_INT, 7);
	expect("010", YN_INT, 8);
	expect("0o17", YN_STR, 0); /* YAML 1.2 octal; PyYAML (1.1) keeps it a string */
	expect("0x1F", YN_INT, 31);
	expect("0b101", YN_INT, 5);
	expect("1_000", YN_INT, 1000);
	expect("1:30", YN_INT, 90);
	expect("2e-4", YN_STR, 0);
	expect("1e5", YN_STR, 0);
	expect("1.0e+5", YN_FLOAT, 100000.0);
	expect("1.0e5", YN_STR, 0);
	expect("1.", YN_FLOAT, 1.0);
	expect("0.5", YN_FLOAT, 0.5);
	expect(".5", YN_FLOAT, 0.5);
	expect("-.inf", YN_FLOAT, -INFINITY);
	expect(".NaN", YN_FLOAT, NAN);
	expect(".inf", YN_FLOAT, INFINITY);
	expect("1_0.5", YN_FLOAT, 10.5);
	expect("3.14", YN_FLOAT, 3.14);
	expect("0x_1", YN_INT, 1);
	expect("1.5e-3", YN_FLOAT, 0.0015);
	expect("abc", YN_STR, 0);
	expect("0.0002", YN_FLOAT, 0.0002);
	expect("08", YN_STR, 0);
	expect("6e-05", YN_STR, 0);

	/* Anchors, merge keys (explicit keys win; in a list the first mapping wins), duplicates. */
	const char *doc = "base: &b {x: 1, y: 2}\n"
			  "other: &o {y: 3, z: 4}\n"
			  "m:\n  <<: [*b, *o]\n  x: 9\n"
			  "d: 1\nd: 2\n"
			  "q: '2e-4'\n";
	ft_verbosity = 0; /* the duplicate-key warning is expected */
	ydoc_t *d = ydoc_parse(doc, strlen(doc), "t.yml");
	ypos_table_t pos = { 0 };
	cJSON *j = ynode_to_json(d->root, &pos, "", "t.yml");
	cJSON *m = cJSON_GetObjectItem(j, "m");
	int x = cJSON_GetObjectItem(m, "x")->valueint, y = cJSON_GetObjectItem(m, "y")->valueint,
	    z = cJSON_GetObjectItem(m, "z")->valueint;
	if (x != 9 || y != 2 || z != 4) {
		printf("merge: x=%d y=%d z=%d, expected 9 2 4\n", x, y, z);
		fails++;
	}
	if (cJSON_GetObjectItem(j, "d")->valueint != 2) {
		printf("duplicate key: the last value must win\n");
		fails++;
	}
	if (!cJSON_IsString(cJSON_GetObjectItem(j, "q"))) {
		printf("quoted scalar must stay a string\n");
		fails++;
	}
	const ypos_t *p = ypos_find(&pos, "m.x");
	if (!p || p->line != 5 || p->col != 6 || p->key_col != 3) {
		printf("position of m.x: %d:%d (key col %d), expected 5:6 (3)\n", p ? p->line : 0,
			p ? p->col : 0, p ? p->key_col : 0);
		fails++;
	}
	cJSON_Delete(j);
	ypos_free(&pos);
	ydoc_free(d);
	return fails ? 1 : 0;
}
