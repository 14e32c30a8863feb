/* test_jinja: the 22 real chat templates against the renders jinja2 3.1.2 produced with
 * transformers' settings (shared fixtures chat-templates/), byte for byte, including the
 * expected raise_exception messages; and {% generation %} spans against the character spans
 * transformers recorded for assistant masks. Skips when the shared fixtures are absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "jinja/jinja.h"
#include "fileio.h"

/* Entries known to differ, with the reason. Empty is the goal. */
static const struct { const char *result; const char *why; } known_failures[] = {
	{ NULL, NULL },
};

static const char *known(const char *result)
{
	for (size_t i = 0; i < sizeof known_failures / sizeof known_failures[0]; i++)
		if (known_failures[i].result && !strcmp(known_failures[i].result, result))
			return known_failures[i].why;
	return NULL;
}

static int test_masks(const char *dir)
{
	char path[2048];
	snprintf(path, sizeof path, "%s/assistant_masks_qwen3_chatml_generation.json", dir);
	char *txt = file_read(path, NULL, FILE_OPTIONAL);
	if (!txt) {
		printf("masks: cannot read %s\n", path);
		return 1;
	}
	cJSON *doc = cJSON_Parse(txt);
	free(txt);
	const char *src = cJSON_GetStringValue(cJSON_GetObjectItem(doc, "template"));
	char err[512];
	jinja_t *t = jinja_compile(src, "masks", err, sizeof err);
	int fails = 0, n = 0;
	if (!t) {
		printf("masks: compile: %s\n", err);
		cJSON_Delete(doc);
		return 1;
	}
	cJSON *rec;
	cJSON_ArrayForEach(rec, cJSON_GetObjectItem(doc, "records")) {
		cJSON *vars = cJSON_CreateObject();
		cJSON_AddItemToObject(vars, "messages",
				      cJSON_Duplicate(cJSON_GetObjectItem(rec, "messages"), 1));
		cJSON_AddFalseToObject(vars, "add_generation_prompt");
		char *out = NULL;
		size_t outlen, ns = 0;
		jinja_span_t *sp = NULL;
		n++;
		if (jinja_render(t, vars, &out, &outlen, &sp, &ns, err, sizeof err)) {
			printf("masks record %d: render failed: %s\n", n, err);
			fails++;
		} else {
			const char *want = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "rendered"));
			if (strcmp(out, want)) {
				printf("masks record %d: rendered text differs\n", n);
				fails++;
			}
			cJSON *spans = cJSON_GetObjectItem(rec, "generation_char_spans");
			if ((size_t)cJSON_GetArraySize(spans) != ns) {
				printf("masks record %d: %zu spans, expected %d\n", n, ns, cJSON_GetArraySize(spans));
				fails++;
			} else {
				for (size_t i = 0; i < ns; i++) {
					cJSON *s = cJSON_GetArrayItem(spans, (int)i);
					size_t a = (size_t)cJSON_GetArrayItem(s, 0)->valuedouble;
					size_t b = (size_t)cJSON_GetArrayItem(s, 1)->valuedouble;
					if (sp[i].cstart != a || sp[i].cend != b) {
						printf("masks record %d span %zu: [%zu, %zu), expected [%zu, %zu)\n", n, i,
						       sp[i].cstart, sp[i].cend, a, b);
						fails++;
					}
				}
			}
		}
		free(out);
		free(sp);
		cJSON_Delete(vars);
	}
	jinja_free(t);
	cJSON_Delete(doc);
	printf("masks: %d of %d records exact\n", n - fails, n);
	return fails;
}

int main(void)
{
	const char *fx = getenv("FT_FIXTURES");
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/tokenizer-tests/chat-templates", fx ? fx : "../shared/fixtures");
	char path[2048];
	snprintf(path, sizeof path, "%s/index.json", dir);
	struct stat st;
	if (stat(path, &st)) {
		printf("shared fixtures not found (%s); set FT_FIXTURES\n", path);
		return 77;
	}
	char *txt = file_read(path, NULL, FILE_OPTIONAL);
	cJSON *idx = cJSON_Parse(txt);
	free(txt);
	if (!idx) {
		printf("cannot parse %s\n", path);
		return 1;
	}
	struct tm pin = { .tm_year = 2024 - 1900, .tm_mon = 6, .tm_mday = 26, .tm_hour = 12 };
	mktime(&pin);   /* fills tm_wday / tm_yday for %a, %j */
	pin.tm_hour = 12;
	pin.tm_min = 0;
	pin.tm_sec = 0;
	jinja_pin_clock(&pin);

	cJSON *convs = cJSON_GetObjectItem(idx, "conversations");
	cJSON *cases = cJSON_GetObjectItem(idx, "cases");
	int total = 0, exact = 0, unexpected = 0, known_bad = 0, fixed = 0, text_mismatch = 0;
	cJSON *c;
	cJSON_ArrayForEach(c, cases) {
		const char *tname = cJSON_GetStringValue(cJSON_GetObjectItem(c, "template"));
		const char *cname = cJSON_GetStringValue(cJSON_GetObjectItem(c, "conversation"));
		const char *result = cJSON_GetStringValue(cJSON_GetObjectItem(c, "result"));
		const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(c, "status"));
		cJSON *conv = cJSON_GetObjectItem(convs, cname);
		total++;

		snprintf(path, sizeof path, "%s/templates/%s.jinja", dir, tname);
		char *src = file_read(path, NULL, FILE_OPTIONAL);
		char err[1024] = "";
		char *out = NULL;
		size_t outlen = 0;
		int rc = -1;
		jinja_t *t = src ? jinja_compile(src, tname, err, sizeof err) : NULL;
		if (!src)
			snprintf(err, sizeof err, "cannot read %.900s", path);
		if (t) {
			cJSON *vars = cJSON_CreateObject();
			cJSON_AddItemToObject(vars, "messages",
					      cJSON_Duplicate(cJSON_GetObjectItem(conv, "messages"), 1));
			cJSON *tools = cJSON_GetObjectItem(conv, "tools");
			cJSON_AddItemToObject(vars, "tools", tools ? cJSON_Duplicate(tools, 1) : cJSON_CreateNull());
			cJSON_AddNullToObject(vars, "documents");
			cJSON_AddItemToObject(vars, "add_generation_prompt",
					      cJSON_Duplicate(cJSON_GetObjectItem(c, "add_generation_prompt"), 1));
			cJSON_AddItemToObject(vars, "bos_token", cJSON_Duplicate(cJSON_GetObjectItem(c, "bos_token"), 1));
			cJSON_AddItemToObject(vars, "eos_token", cJSON_Duplicate(cJSON_GetObjectItem(c, "eos_token"), 1));
			rc = jinja_render(t, vars, &out, &outlen, NULL, NULL, err, sizeof err);
			/* the JSON-text entry point must agree with the cJSON one */
			char *vtxt = cJSON_PrintUnformatted(vars), *out2 = NULL, err2[1024] = "";
			size_t outlen2 = 0;
			int rc2 = jinja_render_json(t, vtxt, strlen(vtxt), &out2, &outlen2, NULL, NULL, err2, sizeof err2);
			if (rc2 != rc || (rc == 0 && (outlen2 != outlen || memcmp(out, out2, outlen))) ||
			    (rc && strcmp(err, err2))) {
				printf("FAIL %s: jinja_render_json differs from jinja_render (%s)\n", result, rc2 ? err2 : "rendered");
				text_mismatch++;
			}
			free(out2);
			cJSON_free(vtxt);
			cJSON_Delete(vars);
		}
		int ok = 0;
		char why[4096] = "";
		if (status && !strcmp(status, "ok")) {
			snprintf(path, sizeof path, "%s/expected/%s", dir, result);
			size_t wlen = 0;
			char *want = file_read(path, &wlen, FILE_OPTIONAL);
			if (!want) {
				snprintf(why, sizeof why, "cannot read %s", path);
			} else if (rc) {
				snprintf(why, sizeof why, "render failed: %s", err);
			} else if (outlen != wlen || memcmp(out, want, wlen)) {
				size_t k = 0;
				while (k < outlen && k < wlen && out[k] == want[k])
					k++;
				snprintf(why, sizeof why, "differs at byte %zu (got %zu bytes, expected %zu): got \"%.40s\" expected \"%.40s\"",
					 k, outlen, wlen, out + k, want + k);
			} else {
				ok = 1;
			}
			free(want);
		} else {
			snprintf(path, sizeof path, "%s/expected/%s", dir, result);
			char *want = file_read(path, NULL, FILE_OPTIONAL);
			if (!want) {
				snprintf(why, sizeof why, "cannot read %s", path);
			} else {
				size_t wl = strlen(want);
				while (wl && (want[wl - 1] == '\n' || want[wl - 1] == '\r'))
					want[--wl] = 0;
				/* the files read "error: TemplateError: msg"; raise_exception gives msg */
				const char *w = want;
				if (!strncmp(w, "error: ", 7))
					w += 7;
				if (!strncmp(w, "TemplateError: ", 15))
					w += 15;
				if (!rc)
					snprintf(why, sizeof why, "rendered, expected the error \"%s\"", w);
				else if (strcmp(err, w))
					snprintf(why, sizeof why, "error \"%s\", expected \"%s\"", err, w);
				else
					ok = 1;
			}
			free(want);
		}
		const char *kf = known(result);
		if (ok) {
			exact++;
			if (kf) {
				printf("FIXED (remove from known failures): %s\n", result);
				fixed++;
			}
		} else if (kf) {
			known_bad++;
			printf("known failure %s: %s (%s)\n", result, why, kf);
		} else {
			unexpected++;
			printf("FAIL %s: %s\n", result, why);
		}
		free(out);
		jinja_free(t);
		free(src);
	}
	cJSON_Delete(idx);
	printf("chat templates: %d of %d exact (%d known failures, %d unexpected)\n", exact, total,
	       known_bad, unexpected);
	int mf = test_masks(dir);
	return unexpected || fixed || mf || text_mismatch ? 1 : 0;
}
