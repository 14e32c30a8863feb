/* fuzz_tokjson: libFuzzer target for loading tokenizer.json. Tokenizer files come from model
 * repositories, so a crafted one may be refused (ft_die, caught here) but must never crash,
 * hang or read out of bounds; one that loads is then used to encode and decode.
 * Built and run by `make fuzz` (seed corpus: the tokenizer files in tests/fixtures). */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "tok/tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0]) {
		snprintf(path, sizeof path, "/tmp/fuzz_tokjson.%d.json", (int)getpid());
		ft_verbosity = 0;
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	jmp_buf jb;
	if (setjmp(jb)) {
		diag_catch_die(NULL);
		return 0;   /* refused: fine */
	}
	diag_catch_die(&jb);
	tok_t *t = tok_load_files(path, NULL);
	static const char *texts[] = { "Hello world", "  héllo\n\tthere 123 ☕", "", "<s>a</s>" };
	tok_ids_t ids = { 0 };
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		if (tok_encode(t, texts[i], strlen(texts[i]), i & 1, &ids) == 0) {
			char *s = tok_decode(t, ids.ids, ids.n, 0, NULL);
			free(s);
		}
	}
	free(ids.ids);
	diag_catch_die(NULL);
	tok_free(t);
	return 0;
}
