/* test_json: the canonical layout is a contract (fingerprints hash it), so pin it exactly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static int fails;

static void num(double d, const char *want)
{
	char buf[64];
	json_format_number(d, buf, sizeof buf);
	if (strcmp(buf, want)) {
		printf("number %.17g: got %s, expected %s\n", d, buf, want);
		fails++;
	}
	if (isfinite(d) && strtod(buf, NULL) != d && d != 0) {
		printf("number %.17g does not round-trip through %s\n", d, buf);
		fails++;
	}
}

static void doc(const char *in, const char *want)
{
	cJSON *v = cJSON_Parse(in);
	char *s = json_canonical(v);
	if (strcmp(s, want)) {
		printf("canonical(%s): got %s, expected %s\n", in, s, want);
		fails++;
	}
	free(s);
	cJSON_Delete(v);
}

int main(void)
{
	num(0, "0");
	num(-0.0, "0");
	num(1, "1");
	num(-42, "-42");
	num(2e-4, "0.0002");
	num(1e-5, "1e-5");
	num(0.1, "0.1");
	num(1.0 / 3, "0.3333333333333333");
	num(1.5e300, "1.5e300");
	num(9007199254740992.0, "9007199254740992");
	num(1e21, "1e21");
	num(123456789012.0, "123456789012");
	num(0.05, "0.05");
	num(NAN, "null");
	num(INFINITY, "null");
	doc("{\"b\": 1, \"a\": [true, false, null, \"x\"]}", "{\"a\":[true,false,null,\"x\"],\"b\":1}");
	doc("{\"B\":1,\"a\":2,\"_\":3}", "{\"B\":1,\"_\":3,\"a\":2}");
	doc("\"q\\\"\\\\\\n\\t\\u0001\\u00e9/\"", "\"q\\\"\\\\\\n\\t\\u0001\xc3\xa9/\"");
	doc("{\"x\":{\"z\":1.25,\"y\":{}}}", "{\"x\":{\"y\":{},\"z\":1.25}}");
	return fails ? 1 : 0;
}
