/* test_json_python: the JSON writer's Python layouts (json.h) against Python's own json.dumps.
 *
 * tests/fixtures/json/python.jsonl (made by scripts/gen-json-goldens.py) holds each value with
 * the text json.dumps made of it in the layout the Hugging Face file uses: indent 2, sorted
 * keys, ensure_ascii (non-BMP as surrogate pairs), control characters, float repr (1e-05,
 * 0.0001, 1.0, NaN, Infinity) beside ints, nesting, empty containers, and 1500 floats of
 * awkward shapes through repr. Every case must come out byte for byte. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define FIXTURE "tests/fixtures/json/python.jsonl"

/* json.dumps(v, sort_keys=True) and json.dumps(v, indent=0, sort_keys=True): the knobs the
 * files ft writes do not turn, so a writer that ignored them would show here */
static const json_style_t compact = {
	.indent = -1, .item_sep = ", ", .key_sep = ": ", .ensure_ascii = 1, .python_numbers = 1,
};
static const json_style_t indent0 = {
	.indent = 0, .item_sep = ",", .key_sep = ": ", .ensure_ascii = 1, .python_numbers = 1,
};

/* The value a fixture spelling stands for: {"$float": repr} a number marked as a Python
 * float, {"$bytes": hex} a string of those bytes; NULL if v is not a spelling. */
static cJSON *spelled(const cJSON *v)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(v, "$float"), *b = cJSON_GetObjectItemCaseSensitive(v, "$bytes");
	if (cJSON_IsObject(v) && cJSON_IsString(f))
		return json_mark_float(cJSON_CreateNumber(strtod(f->valuestring, NULL)));
	if (cJSON_IsObject(v) && cJSON_IsString(b)) {
		size_t n = strlen(b->valuestring) / 2;
		char *s = calloc(n + 1, 1);
		for (size_t i = 0; i < n; i++)
			s[i] = (char)strtol((char[3]){b->valuestring[2 * i], b->valuestring[2 * i + 1], 0}, NULL, 16);
		cJSON *str = cJSON_CreateString(s);
		free(s);
		return str;
	}
	return NULL;
}

/* Replaces the spellings inside container v by what they stand for. */
static void unspell(cJSON *v)
{
	for (cJSON *c = v->child; c; c = c->next) {
		cJSON *u = spelled(c);
		if (!u) {
			unspell(c);
			continue;
		}
		u->string = c->string;   /* the key moves over */
		c->string = NULL;
		cJSON_ReplaceItemViaPointer(v, c, u);
		c = u;
	}
}

/* Where two texts part, for the report. */
static void show_diff(const char *got, const char *want)
{
	size_t i = 0;
	while (got[i] && got[i] == want[i])
		i++;
	size_t from = i > 60 ? i - 60 : 0;
	printf("    first difference at byte %zu\n    got:  %.120s\n    want: %.120s\n", i, got + from, want + from);
}

int main(void)
{
	FILE *f = fopen(FIXTURE, "r");
	if (!f) {
		printf("FAIL %s: cannot open (run from the repository root)\n", FIXTURE);
		return 1;
	}
	char *line = NULL;
	size_t cap = 0;
	int fails = 0, cases = 0;
	while (getline(&line, &cap, f) > 0) {
		cJSON *c = cJSON_Parse(line);
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name"), *style = cJSON_GetObjectItemCaseSensitive(c, "style"),
			    *want = cJSON_GetObjectItemCaseSensitive(c, "want");
		cJSON *value = cJSON_DetachItemFromObjectCaseSensitive(c, "value");
		if (!cJSON_IsString(name) || !cJSON_IsString(style) || !cJSON_IsString(want) || !value) {
			printf("FAIL %s: a line without name, style, value and want\n", FIXTURE);
			return 1;
		}
		const char *sn = style->valuestring;
		const json_style_t *st = !strcmp(sn, "hf")	  ? &json_style_hf
					 : !strcmp(sn, "peft")	  ? &json_style_peft
					 : !strcmp(sn, "compact") ? &compact
					 : !strcmp(sn, "indent0") ? &indent0
								  : NULL;
		if (!st) {
			printf("FAIL %s: unknown style %s\n", name->valuestring, sn);
			return 1;
		}
		cJSON *sp = spelled(value);
		if (sp) {
			cJSON_Delete(value);
			value = sp;
		}
		unspell(value);
		size_t n;
		char *got = json_dumps(value, st, &n);
		int ok = n == strlen(want->valuestring) && !memcmp(got, want->valuestring, n);
		printf("%s %s (%s)\n", ok ? "ok  " : "FAIL", name->valuestring, sn);
		if (!ok) {
			show_diff(got, want->valuestring);
			fails++;
		}
		cases++;
		free(got);
		cJSON_Delete(value);
		cJSON_Delete(c);
	}
	free(line);
	fclose(f);
	if (cases < 19) {
		printf("FAIL %s: %d cases, expected 19 or more\n", FIXTURE, cases);
		return 1;
	}
	return fails ? 1 : 0;
}
