/* tok_dump: encodes every {"text": ...} line of a JSONL file with a tokenizer.json and prints,
 * per line, {"ids": [...], "ids_special": [...], "offsets": [[start, end], ...] (bytes),
 * "decoded": "...", "decoded_skip": "..."}.
 * The C side of scripts/tok_difftest.py; built by that script, not by `make`.
 * With --trace, prints each piece and its tokens instead (tok_encode_trace), for debugging:
 *   cc -Icommon -fopenmp scripts/tok_dump.c build/rel/libft.a -lcjson -lzstd -lpcre2-8 -lm -o tok_dump
 *   echo '{"text": "Hello world"}' | ./tok_dump --trace MODEL/tokenizer.json
 * usage: tok_dump [--trace] TOKENIZER_JSON [CONFIG_JSON|-] < texts.jsonl */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "tok/tokenizer.h"

static void trace(void *ctx, const char *piece, size_t len, int kind, const int32_t *ids, size_t n)
{
	const tok_t *t = ctx;
	static const char *const what[] = {"word", "added", "post"};
	printf("  %-5s \"", what[kind]);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)piece[i];
		printf(c < 0x20 || c == '"' || c == '\\' || c == 0x7F ? "\\x%02X" : "%c", c);
	}
	printf("\" ->");
	for (size_t i = 0; i < n; i++) printf(" %d:%s", ids[i], tok_id_to_token(t, ids[i]));
	printf("\n");
}

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	int tr = argc > 1 && !strcmp(argv[1], "--trace");
	if (tr) { argv++; argc--; }
	if (argc < 2) ft_die(FT_EXIT_USAGE, "usage: tok_dump TOKENIZER_JSON [CONFIG_JSON|-] < texts.jsonl");
	tok_t *t = tok_load_files(argv[1], argc > 2 && strcmp(argv[2], "-") ? argv[2] : NULL);
	char *line = NULL;
	size_t cap = 0;
	tok_ids_t a = {0}, b = {0};
	while (getline(&line, &cap, stdin) > 0) {
		cJSON *j = cJSON_Parse(line);
		const cJSON *tx = cJSON_GetObjectItem(j, "text");
		if (tr) {
			printf("%s\n", tx->valuestring);
			tok_encode_trace(t, tx->valuestring, strlen(tx->valuestring), 1, &a, trace, t);
			cJSON_Delete(j);
			continue;
		}
		cJSON *o = cJSON_CreateObject();
		if (tok_encode(t, tx->valuestring, strlen(tx->valuestring), 0, &a) != 0) a.n = 0;
		tok_encode(t, tx->valuestring, strlen(tx->valuestring), 1, &b);
		cJSON *ia = cJSON_AddArrayToObject(o, "ids"), *ib = cJSON_AddArrayToObject(o, "ids_special");
		for (size_t i = 0; i < a.n; i++) cJSON_AddItemToArray(ia, cJSON_CreateNumber(a.ids[i]));
		for (size_t i = 0; i < b.n; i++) cJSON_AddItemToArray(ib, cJSON_CreateNumber(b.ids[i]));
		tok_ids_t w = {0};
		tok_encode_offsets(t, tx->valuestring, strlen(tx->valuestring), 0, &w);
		cJSON *io = cJSON_AddArrayToObject(o, "offsets");
		for (size_t i = 0; i < w.n; i++) {
			cJSON *pr = cJSON_CreateArray();
			cJSON_AddItemToArray(pr, cJSON_CreateNumber(w.offs[2 * i]));
			cJSON_AddItemToArray(pr, cJSON_CreateNumber(w.offs[2 * i + 1]));
			cJSON_AddItemToArray(io, pr);
		}
		free(w.ids);
		free(w.offs);
		char *d = tok_decode(t, a.ids, a.n, 0, NULL), *ds = tok_decode(t, a.ids, a.n, 1, NULL);
		cJSON_AddStringToObject(o, "decoded", d);
		cJSON_AddStringToObject(o, "decoded_skip", ds);
		char *s = cJSON_PrintUnformatted(o);
		puts(s);
		free(s);
		free(d);
		free(ds);
		cJSON_Delete(o);
		cJSON_Delete(j);
	}
	free(line);
	free(a.ids);
	free(b.ids);
	tok_free(t);
	return 0;
}
