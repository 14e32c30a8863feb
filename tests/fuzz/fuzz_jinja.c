/* fuzz_jinja: libFuzzer target for the template compiler and renderer. Chat templates come
 * from model repositories, i.e. from strangers, so neither a crafted template nor crafted
 * messages may crash, hang or exhaust memory; errors are fine.
 *
 * Input: template bytes, optionally followed by a NUL and a JSON object of variables
 * (default: a small conversation), rendered through both jinja_render (cJSON) and
 * jinja_render_json (our JSON reader). Build and run (from the repository root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Icommon tests/fuzz/fuzz_jinja.c \
 *     common/jinja/jinja_*.c common/diag.c common/unicode.c common/unicode_tables.c \
 *     -lcjson -lm -o /tmp/fuzz_jinja
 *   mkdir -p /tmp/jcorpus && cp -r ../shared/fixtures/tokenizer-tests/chat-templates/templates/. /tmp/jcorpus/
 *   /tmp/fuzz_jinja -max_total_time=300 -max_len=8192 /tmp/jcorpus
 * A crash found here becomes a case in tests/unit/test_jinja_lang.c. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jinja/jinja.h"

static const char *default_vars =
	"{\"messages\": [{\"role\": \"system\", \"content\": \"sys\"}, {\"role\": \"user\", \"content\": \"h\\u00e9\"},"
	" {\"role\": \"assistant\", \"content\": \" x \", \"tool_calls\": [{\"id\": \"abcdefghi\", \"type\": \"function\","
	" \"function\": {\"name\": \"f\", \"arguments\": {\"a\": 1}}}]}, {\"role\": \"tool\", \"content\": \"1\"}],"
	" \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": {}}}],"
	" \"add_generation_prompt\": true, \"bos_token\": \"<s>\", \"eos_token\": \"</s>\"}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	if (!init) {
		/* small limits keep each input fast; the limits themselves are under test too */
		jinja_set_limits(1 << 20, 200000);
		init = 1;
	}
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = 0;
	size_t tl = strlen(buf);
	const char *vtext = tl < size ? buf + tl + 1 : default_vars;
	cJSON *vars = cJSON_Parse(vtext);
	if (!vars)
		vars = cJSON_Parse(default_vars);
	char err[512];
	jinja_t *t = jinja_compile(buf, "fuzz", err, sizeof err);
	if (t) {
		char *out = NULL;
		size_t n, ns;
		jinja_span_t *sp = NULL;
		if (jinja_render(t, vars, &out, &n, &sp, &ns, err, sizeof err) == 0) {
			free(out);
			free(sp);
		}
		/* the same variables as JSON text, through our own JSON reader */
		if (jinja_render_json(t, vtext, strlen(vtext), &out, &n, NULL, NULL, err, sizeof err) == 0)
			free(out);
		jinja_free(t);
	}
	cJSON_Delete(vars);
	free(buf);
	return 0;
}
