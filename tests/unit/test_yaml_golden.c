/* test_yaml_golden: ft's YAML reader against PyYAML's safe_load on the cases in
 * tests/fixtures/yaml/golden.jsonl (written by scripts/gen-yaml-golden.py with PyYAML): the
 * same value for every accepted document, a refusal (exit 2) for every refused one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "yamlnode.h"

static int same(const cJSON *a, const cJSON *b)
{
	if (cJSON_IsString(b) && !strcmp(b->valuestring, "DATE")) /* PyYAML dates: strings to us */
		return cJSON_IsString(a);
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return a->valuedouble == b->valuedouble;
	if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return 0;
		for (const cJSON *k = b->child; k; k = k->next) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, k->string);
			if (!v || !same(v, k))
				return 0;
		}
		return 1;
	}
	if (cJSON_IsArray(a) && cJSON_IsArray(b)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return 0;
		for (const cJSON *x = a->child, *y = b->child; x; x = x->next, y = y->next)
			if (!same(x, y))
				return 0;
		return 1;
	}
	return cJSON_Compare(a, b, 1);
}

/* Parses in a child so that a refusal (which exits) can be observed; 0 if parsed. */
static int parse_status(const char *text)
{
	fflush(NULL); /* a child exiting through exit() must not re-flush our buffers */
	pid_t pid = fork();
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(99);
		ydoc_t *d = ydoc_parse(text, strlen(text), "case");
		if (d->root) {
			cJSON *j = ynode_to_json(d->root, NULL, "", "case");
			cJSON_Delete(j);
		}
		ydoc_free(d);
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(void)
{
	FILE *f = fopen("tests/fixtures/yaml/golden.jsonl", "r");
	if (!f) {
		printf("tests/fixtures/yaml/golden.jsonl not found (run from the repository root)\n");
		return 1;
	}
	/* Read every line before forking: a child exiting through exit() would flush (and move)
	 * the shared read offset of an open stream. */
	static char lines[256][8192];
	int nl = 0;
	while (nl < 256 && fgets(lines[nl], sizeof lines[nl], f))
		nl++;
	fclose(f);
	int n = 0, fails = 0;
	ft_verbosity = 0; /* duplicate-key warnings are part of the cases */
	for (int li = 0; li < nl; li++) {
		const char *line = lines[li];
		if (line[0] == '#')
			continue;
		cJSON *c = cJSON_Parse(line);
		const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(c, "yaml"));
		if (!text) {
			printf("bad case line: %s", line);
			fails++;
			cJSON_Delete(c);
			continue;
		}
		n++;
		const cJSON *err = cJSON_GetObjectItem(c, "error");
		if (err) {
			int st = parse_status(text);
			if (st != 2) {
				printf("PyYAML refuses (%s) but ft gave status %d:\n%s\n", err->valuestring, st, text);
				fails++;
			}
		} else {
			ydoc_t *d = ydoc_parse(text, strlen(text), "case");
			const cJSON *want = cJSON_GetObjectItem(c, "json");
			cJSON *got = d->root ? ynode_to_json(d->root, NULL, "", "case") : cJSON_CreateNull();
			if (!same(got, want)) {
				char *g = cJSON_PrintUnformatted(got), *w = cJSON_PrintUnformatted(want);
				printf("case:\n%sft:     %s\nPyYAML: %s\n", text, g, w);
				free(g);
				free(w);
				fails++;
			}
			cJSON_Delete(got);
			ydoc_free(d);
		}
		cJSON_Delete(c);
	}
	if (n < 30) {
		printf("only %d cases read\n", n);
		return 1;
	}
	return fails ? 1 : 0;
}
