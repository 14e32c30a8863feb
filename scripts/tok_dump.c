/* tok_dump: encodes every {"text": ...} line of a JSONL file with a tokenizer.json and prints,
 * per line, {"ids": [...], "ids_special": [...], "decoded": "...", "decoded_skip": "..."}.
 * The C side of scripts/tok_difftest.py; built by that script, not by `make`.
 * usage: tok_dump TOKENIZER_JSON [CONFIG_JSON|-] < texts.jsonl */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "tokenizer.h"

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	if (argc < 2) ft_die(FT_EXIT_USAGE, "usage: tok_dump TOKENIZER_JSON [CONFIG_JSON|-] < texts.jsonl");
	tok_t *t = tok_load_files(argv[1], argc > 2 && strcmp(argv[2], "-") ? argv[2] : NULL);
	char *line = NULL;
	size_t cap = 0;
	tok_ids_t a = {0}, b = {0};
	while (getline(&line, &cap, stdin) > 0) {
		cJSON *j = cJSON_Parse(line);
		const cJSON *tx = cJSON_GetObjectItem(j, "text");
		cJSON *o = cJSON_CreateObject();
		if (tok_encode(t, tx->valuestring, strlen(tx->valuestring), 0, &a) != 0) a.n = 0;
		tok_encode(t, tx->valuestring, strlen(tx->valuestring), 1, &b);
		cJSON *ia = cJSON_AddArrayToObject(o, "ids"), *ib = cJSON_AddArrayToObject(o, "ids_special");
		for (size_t i = 0; i < a.n; i++) cJSON_AddItemToArray(ia, cJSON_CreateNumber(a.ids[i]));
		for (size_t i = 0; i < b.n; i++) cJSON_AddItemToArray(ib, cJSON_CreateNumber(b.ids[i]));
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
