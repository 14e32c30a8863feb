/* test_chat_named: the templates ft ships under Axolotl's names (common/chat_named.c) render
 * what the families' own templates render.
 *
 * 1. Against the shared fixtures (chat-templates/): each name is rendered with the four
 *    conversations of index.json, with and without add_generation_prompt, and must give the
 *    text jinja2 gave for the family's real template (expected/NAME.txt), or the same error
 *    (*.error). Where Axolotl's template under that name deliberately renders something else
 *    than the family's (listed in `follows_axolotl` with the reason), the fixture is not the
 *    reference for that case; part 2 checks it.
 * 2. Against Axolotl's own templates, read at test time (their text is not kept in this
 *    repository) from FT_AXOLOTL_TEMPLATES, a directory of NAME.jinja, or from FT_AXOLOTL, an
 *    Axolotl checkout (its work tree, or its git directory through `git show HEAD:...`),
 *    src/axolotl/utils/chat_templates/templates/NAME.jinja: each name is rendered
 *    by ours and by Axolotl's through the same interpreter (exact with jinja2 on the fixtures)
 *    over the fixture conversations plus the extra ones below (list contents, reasoning,
 *    system-less, tool results), and the two must agree, errors included.
 * Exits 77 when neither reference is available. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "chat.h"
#include "fileio.h"
#include "jinja/jinja.h"

/* Axolotl name -> the fixture template of the family it stands for. */
static const struct {
	const char *name, *fixture, *bos, *eos;
	int bos_first;   /* the fixture copy lacks the bos_token the model's own template starts with */
	int no_final_eos;/* Axolotl's drops the eos_token the family's ends with when !add_generation_prompt */
} names[] = {
	{ "chatml", "chatml_openhermes", "<s>", "<|im_end|>", 0, 0 },
	{ "llama3", "llama3_instruct", "<|begin_of_text|>", "<|eot_id|>", 0, 0 },
	{ "qwen_25", "qwen2.5_7b_instruct", NULL, "<|im_end|>", 0, 0 },
	{ "qwen3", "qwen3", NULL, "<|im_end|>", 0, 0 },
	/* gemma-7b-it's tokenizer_config template, and Axolotl's, start with bos_token; the
	 * fixture is llama.cpp's copy without it */
	{ "gemma", "gemma_7b_it", "<bos>", "<eos>", 1, 0 },
	{ "gemma3", "gemma3", "<bos>", "<eos>", 0, 0 },
	{ "mistral_v1", "mistral_v1", "<s>", "</s>", 0, 0 },
	{ "mistral_v2v3", "mistral_v3", "<s>", "</s>", 0, 0 },
	{ "mistral_v3_tekken", "mistral_v3_tekken_nemo", "<s>", "</s>", 0, 0 },
	/* Axolotl's mistral_v7_tekken is Mistral-Small-24B-Instruct-2501's template; the nearest
	 * fixture is Small 3.2's (the fixture mistral_v7 is llama.cpp's space-separated v7) */
	{ "mistral_v7_tekken", "mistral_small_3.2", "<s>", "</s>", 0, 0 },
	{ "phi_3", "phi3_mini", "<s>", "<|endoftext|>", 0, 0 },
	/* Axolotl's phi_35 ends without Phi-3.5's eos_token (the trainer adds EOS itself) */
	{ "phi_35", "phi3.5_mini_instruct", "<s>", "<|endoftext|>", 0, 1 },
	{ "deepseek_v3", "deepseek_v3", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", 0, 0 },
	{ "alpaca", NULL, "<s>", "</s>", 0, 0 },
	{ "cohere", NULL, "<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>", 0, 0 },
};

/* (name, fixture result file prefix) where Axolotl's template renders differently from the
 * family's on purpose, and ft follows Axolotl (what an Axolotl user of that name trains on). */
static const struct {
	const char *name, *result, *why;
} follows_axolotl[] = {
	{ "qwen3", "qwen3__sys_user_asst_user__agp1", "Axolotl opens the thinking block "
	  "('<think>\\n\\n') after the generation prompt unless enable_thinking is false" },
	{ "qwen3", "qwen3__user_asst_x2__agp1", "as above" },
	{ "qwen3", "qwen3__whitespace_unicode__agp1", "as above" },
	{ "qwen3", "qwen3__tools_call__agp1", "as above" },
	{ "mistral_v7_tekken", "mistral_small_3.2__user_asst_x2", "Small 3 (2501, Axolotl's) has "
	  "a shorter default system prompt than Small 3.2" },
	{ "mistral_v7_tekken", "mistral_small_3.2__tools_call", "Small 3 (2501, Axolotl's) has no "
	  "tool roles: it refuses the tool message where Small 3.2 checks the call id" },
	{ "phi_3", "phi3_mini__sys_user_asst_user", "Axolotl's phi_3 prints system turns "
	  "('<|system|>'); the Phi-3-mini template in the fixtures drops them" },
	{ "phi_3", "phi3_mini__whitespace_unicode", "as above" },
	{ "deepseek_v3", "deepseek_v3__tools_call", "Axolotl's deepseek_v3 is DeepSeek-V3-0324's "
	  "template: it renders the tool calls of an assistant whose content is '' (the fixture's "
	  "original V3 template skips them), and like DeepSeek's it takes arguments only as a "
	  "string (an object is a TypeError)" },
	{ NULL, NULL, NULL },
};

/* More conversations for the comparison with Axolotl's templates. */
static const char *extra_convs =
	"{"
	"\"list_content\": {\"messages\": ["
	"  {\"role\": \"system\", \"content\": [{\"type\": \"text\", \"text\": \"Be brief.\"}]},"
	"  {\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"Hi \"}, {\"type\": \"text\", \"text\": \"there\"}]},"
	"  {\"role\": \"assistant\", \"content\": [{\"type\": \"text\", \"text\": \"Hello!\"}]}]},"
	"\"single_user\": {\"messages\": [{\"role\": \"user\", \"content\": \" one \"}]},"
	"\"thinking\": {\"messages\": ["
	"  {\"role\": \"user\", \"content\": \"2+2?\"},"
	"  {\"role\": \"assistant\", \"content\": \"<think>\\nadd them\\n</think>\\n\\n4\"},"
	"  {\"role\": \"user\", \"content\": \"3+3?\"},"
	"  {\"role\": \"assistant\", \"reasoning_content\": \"add again\", \"content\": \"6\"}]},"
	"\"sys_user_asst\": {\"messages\": ["
	"  {\"role\": \"system\", \"content\": \"Sys\"},"
	"  {\"role\": \"user\", \"content\": \"Q\"},"
	"  {\"role\": \"assistant\", \"content\": \"A\"}]},"
	"\"tool_roundtrip\": {\"messages\": ["
	"  {\"role\": \"system\", \"content\": \"Use tools.\"},"
	"  {\"role\": \"user\", \"content\": \"Weather?\"},"
	"  {\"role\": \"assistant\", \"content\": \"Let me check.\", \"tool_calls\": [{\"id\": \"abcdefghi\", \"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}}]},"
	"  {\"role\": \"tool\", \"tool_call_id\": \"abcdefghi\", \"name\": \"get_weather\", \"content\": \"sunny\"},"
	"  {\"role\": \"tool\", \"tool_call_id\": \"abcdefghi\", \"name\": \"get_weather\", \"content\": \"warm\"},"
	"  {\"role\": \"assistant\", \"content\": \"Sunny and warm.\"}],"
	"  \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather\", \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}}}}]},"
	"\"tool_string_args\": {\"messages\": ["
	"  {\"role\": \"user\", \"content\": \"Weather?\"},"
	"  {\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"call00001\", \"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"}},"
	"    {\"id\": \"call00002\", \"type\": \"function\", \"function\": {\"name\": \"get_time\", \"arguments\": \"{}\"}}]},"
	"  {\"role\": \"tool\", \"tool_call_id\": \"call00001\", \"content\": \"sunny\"},"
	"  {\"role\": \"tool\", \"tool_call_id\": \"call00002\", \"content\": \"noon\"},"
	"  {\"role\": \"assistant\", \"content\": \"Sunny at noon.\"},"
	"  {\"role\": \"user\", \"content\": \"Thanks\"}]},"
	"\"alternation_broken\": {\"messages\": ["
	"  {\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"user\", \"content\": \"b\"}]},"
	"\"asst_first\": {\"messages\": ["
	"  {\"role\": \"assistant\", \"content\": \"I start\"}, {\"role\": \"user\", \"content\": \"ok\"}]}"
	"}";

static const char *axolotl_reason(const char *name, const char *result)
{
	for (size_t i = 0; follows_axolotl[i].name; i++)
		if (!strcmp(follows_axolotl[i].name, name) &&
		    !strncmp(result, follows_axolotl[i].result, strlen(follows_axolotl[i].result)))
			return follows_axolotl[i].why;
	return NULL;
}

/* Renders src; returns 0 with *out, or -1 with err. */
static int render(const char *src, const char *name, const cJSON *conv, int agp, const char *bos,
		  const char *eos, const cJSON *kwargs, char **out, size_t *outlen, char *err,
		  size_t errlen)
{
	*out = NULL;
	jinja_t *t = jinja_compile(src, name, err, errlen);
	if (!t)
		return -1;
	cJSON *vars = cJSON_CreateObject();
	cJSON_AddItemToObject(vars, "messages",
			      cJSON_Duplicate(cJSON_GetObjectItem(conv, "messages"), 1));
	cJSON *tools = cJSON_GetObjectItem(conv, "tools");
	cJSON_AddItemToObject(vars, "tools", tools ? cJSON_Duplicate(tools, 1) : cJSON_CreateNull());
	cJSON_AddNullToObject(vars, "documents");
	cJSON_AddBoolToObject(vars, "add_generation_prompt", agp);
	if (bos)
		cJSON_AddStringToObject(vars, "bos_token", bos);
	else
		cJSON_AddNullToObject(vars, "bos_token");
	cJSON_AddStringToObject(vars, "eos_token", eos);
	for (const cJSON *e = kwargs ? kwargs->child : NULL; e; e = e->next)
		cJSON_AddItemToObject(vars, e->string, cJSON_Duplicate(e, 1));
	int rc = jinja_render(t, vars, out, outlen, NULL, NULL, err, errlen);
	cJSON_Delete(vars);
	jinja_free(t);
	return rc;
}

static void show_diff(const char *what, const char *got, size_t glen, const char *want, size_t wlen)
{
	size_t k = 0;
	while (k < glen && k < wlen && got[k] == want[k])
		k++;
	printf("%s: differs at byte %zu (got %zu bytes, expected %zu): got \"%.60s\" expected \"%.60s\"\n",
	       what, k, glen, wlen, got + k, want + k);
}

/* Part 1. Returns failures; counts checked and skipped cases. */
static int against_fixtures(const char *dir, int *checked, int *deferred)
{
	char path[2048];
	snprintf(path, sizeof path, "%s/index.json", dir);
	char *txt = file_read(path, NULL, FILE_OPTIONAL);
	cJSON *idx = txt ? cJSON_Parse(txt) : NULL;
	free(txt);
	if (!idx) {
		printf("cannot read %s\n", path);
		return 1;
	}
	cJSON *convs = cJSON_GetObjectItem(idx, "conversations");
	int fails = 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *src = chat_named_template(names[i].name);
		if (!src || !names[i].fixture)
			continue;
		int n = 0, ok = 0;
		cJSON *c;
		cJSON_ArrayForEach(c, cJSON_GetObjectItem(idx, "cases")) {
			if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "template")), names[i].fixture))
				continue;
			const char *result = cJSON_GetStringValue(cJSON_GetObjectItem(c, "result"));
			if (axolotl_reason(names[i].name, result)) {
				(*deferred)++;
				continue;
			}
			const char *cname = cJSON_GetStringValue(cJSON_GetObjectItem(c, "conversation"));
			const char *bos = cJSON_GetStringValue(cJSON_GetObjectItem(c, "bos_token"));
			const char *eos = cJSON_GetStringValue(cJSON_GetObjectItem(c, "eos_token"));
			int agp = cJSON_IsTrue(cJSON_GetObjectItem(c, "add_generation_prompt"));
			int want_ok = !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "status")), "ok");
			char err[1024], what[512], *out;
			size_t outlen, wlen;
			snprintf(what, sizeof what, "%s vs %s", names[i].name, result);
			int rc = render(src, names[i].name, cJSON_GetObjectItem(convs, cname), agp, bos, eos,
					NULL, &out, &outlen, err, sizeof err);
			snprintf(path, sizeof path, "%s/expected/%s", dir, result);
			char *want = file_read(path, &wlen, FILE_OPTIONAL);
			if (want && want_ok && names[i].bos_first) {
				size_t bl = strlen(bos);
				char *w = malloc(bl + wlen + 1);
				memcpy(w, bos, bl);
				memcpy(w + bl, want, wlen + 1);
				free(want);
				want = w;
				wlen += bl;
			}
			if (want && want_ok && !agp && names[i].no_final_eos) {
				size_t el = strlen(eos);
				if (wlen >= el && !memcmp(want + wlen - el, eos, el))
					want[wlen -= el] = 0;
			}
			n++;
			if (!want) {
				printf("%s: cannot read %s\n", what, path);
			} else if (want_ok && rc) {
				printf("%s: render failed: %s\n", what, err);
			} else if (want_ok && (outlen != wlen || memcmp(out, want, wlen))) {
				show_diff(what, out, outlen, want, wlen);
			} else if (!want_ok && !rc) {
				printf("%s: rendered, expected the error %s\n", what, want);
			} else if (!want_ok) {
				/* the file holds "error: TemplateError: MSG" (maybe with a newline) */
				const char *w = want;
				if (!strncmp(w, "error: ", 7))
					w += 7;
				if (!strncmp(w, "TemplateError: ", 15))
					w += 15;
				size_t wl = strcspn(w, "\n");
				if (strlen(err) != wl || memcmp(err, w, wl))
					printf("%s: error \"%s\", expected \"%.*s\"\n", what, err, (int)wl, w);
				else
					ok++;
			} else {
				ok++;
			}
			free(want);
			free(out);
		}
		printf("%s: %d of %d fixture renders of %s exact\n", names[i].name, ok, n, names[i].fixture);
		fails += n - ok;
		*checked += n;
	}
	cJSON_Delete(idx);
	return fails;
}

#define AX_TEMPLATES "src/axolotl/utils/chat_templates/templates"

/* Axolotl's template NAME, malloc'd, or NULL. */
static char *axolotl_template(const char *name)
{
	const char *dir = getenv("FT_AXOLOTL_TEMPLATES"), *repo = getenv("FT_AXOLOTL");
	char path[2048];
	if (dir && *dir) {
		snprintf(path, sizeof path, "%s/%s.jinja", dir, name);
		return file_read(path, NULL, FILE_OPTIONAL);
	}
	if (!repo || !*repo)
		return NULL;
	snprintf(path, sizeof path, "%s/" AX_TEMPLATES "/%s.jinja", repo, name);
	char *s = file_read(path, NULL, FILE_OPTIONAL);
	if (s)
		return s;
	/* a git directory without a work tree; names and repo are ours, no quoting needed
	 * beyond the single quotes */
	if (strchr(repo, '\''))
		return NULL;
	snprintf(path, sizeof path, "git --git-dir='%s' show 'HEAD:" AX_TEMPLATES "/%s.jinja' 2>/dev/null",
		 repo, name);
	FILE *f = popen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0, k;
	s = malloc(cap);
	while ((k = fread(s + n, 1, cap - n - 1, f)) > 0) {
		n += k;
		if (cap - n - 1 == 0)
			s = realloc(s, cap *= 2);
	}
	s[n] = 0;
	if (pclose(f) || !n) {
		free(s);
		return NULL;
	}
	return s;
}

/* Part 2. */
static int against_axolotl(const char *fixdir, int *checked)
{
	cJSON *convs = cJSON_Parse(extra_convs);
	char path[2048];
	snprintf(path, sizeof path, "%s/index.json", fixdir);
	char *txt = file_read(path, NULL, FILE_OPTIONAL);
	cJSON *idx = txt ? cJSON_Parse(txt) : NULL;
	free(txt);
	if (idx) {
		cJSON *c;
		cJSON_ArrayForEach(c, cJSON_GetObjectItem(idx, "conversations"))
			cJSON_AddItemToObject(convs, c->string, cJSON_Duplicate(c, 1));
	}
	cJSON_Delete(idx);
	/* chat_template_kwargs Axolotl users set */
	cJSON *kwsets = cJSON_Parse("[null, {\"enable_thinking\": false}, {\"enable_thinking\": true}, "
				      "{\"real_last_index\": 1}]");
	int fails = 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *src = chat_named_template(names[i].name);
		char *ax = src ? axolotl_template(names[i].name) : NULL;
		if (!src || !ax) {
			if (src)
				printf("%s: Axolotl's template not found, not compared\n", names[i].name);
			free(ax);
			continue;
		}
		int n = 0, ok = 0;
		cJSON *conv, *kw;
		cJSON_ArrayForEach(conv, convs) cJSON_ArrayForEach(kw, kwsets) for (int agp = 0; agp < 2; agp++) {
			char e1[1024] = "", e2[1024] = "", what[512], *o1, *o2;
			char *kwname = cJSON_PrintUnformatted(kw);
			size_t l1 = 0, l2 = 0;
			int r1 = render(src, names[i].name, conv, agp, names[i].bos, names[i].eos, kw, &o1,
					&l1, e1, sizeof e1);
			int r2 = render(ax, "axolotl", conv, agp, names[i].bos, names[i].eos, kw, &o2, &l2, e2,
					sizeof e2);
			snprintf(what, sizeof what, "%s vs Axolotl's, %s, agp %d, kwargs %s", names[i].name,
				 conv->string, agp, kwname);
			n++;
			if (r1 != r2)
				printf("%s: %s\n", what, r1 ? e1 : e2);
			else if (r1 && strcmp(e1, e2))
				printf("%s: error \"%s\", Axolotl's \"%s\"\n", what, e1, e2);
			else if (!r1 && (l1 != l2 || memcmp(o1, o2, l1)))
				show_diff(what, o1, l1, o2, l2);
			else
				ok++;
			free(o1);
			free(o2);
			free(kwname);
		}
		printf("%s: %d of %d renders equal to Axolotl's\n", names[i].name, ok, n);
		fails += n - ok;
		*checked += n;
		free(ax);
	}
	cJSON_Delete(kwsets);
	cJSON_Delete(convs);
	return fails;
}

int main(void)
{
	const char *fx = getenv("FT_FIXTURES");
	const char *axd = getenv("FT_AXOLOTL_TEMPLATES"), *axr = getenv("FT_AXOLOTL");
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/tokenizer-tests/chat-templates", fx ? fx : "../shared/fixtures");
	char path[2048];
	snprintf(path, sizeof path, "%s/index.json", dir);
	struct stat st;
	int have_fx = !stat(path, &st);
	int have_ax = (axd && *axd && !stat(axd, &st)) || (axr && *axr && !stat(axr, &st));
	if (!have_fx && !have_ax) {
		printf("shared fixtures not found (%s; set FT_FIXTURES) and no Axolotl checkout "
		       "(FT_AXOLOTL)\n", path);
		return 77;
	}
	struct tm pin = { .tm_year = 2024 - 1900, .tm_mon = 6, .tm_mday = 26, .tm_hour = 12 };
	mktime(&pin);
	pin.tm_hour = 12;
	pin.tm_min = 0;
	pin.tm_sec = 0;
	jinja_pin_clock(&pin);

	int fails = 0, checked = 0, deferred = 0, axchecked = 0;
	if (have_fx)
		fails += against_fixtures(dir, &checked, &deferred);
	else
		printf("shared fixtures not found (%s): not compared with the families' renders\n", path);
	if (have_ax)
		fails += against_axolotl(dir, &axchecked);
	else
		printf("FT_AXOLOTL (an Axolotl checkout) not set: not compared with Axolotl's "
		       "templates\n");
	printf("%d fixture renders checked (%d where Axolotl's template differs from the family's "
	       "left to the comparison with Axolotl's), %d compared with Axolotl's: %d failed\n",
	       checked, deferred, axchecked, fails);
	return fails ? 1 : 0;
}
