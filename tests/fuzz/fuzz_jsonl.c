/* fuzz_jsonl: libFuzzer target for the dataset reader: a .jsonl (or .json) file of arbitrary
 * bytes read in batches, each record then parsed as a pre-tokenized record. Bad input must
 * give an error (ft_die, caught here), never a crash or a hang. Built and run by `make fuzz`. */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataset.h"
#include "diag.h"
#include "jsonl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[2][64];
	if (!path[0][0]) {
		snprintf(path[0], sizeof path[0], "/tmp/fuzz_jsonl.%d.jsonl", (int)getpid());
		snprintf(path[1], sizeof path[1], "/tmp/fuzz_jsonl.%d.json", (int)getpid());
		ft_verbosity = 0;
	}
	const char *p = path[size && data[0] == '[' ? 1 : 0];
	FILE *f = fopen(p, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	jmp_buf jb;
	if (setjmp(jb)) {
		diag_catch_die(NULL);
		return 0;
	}
	diag_catch_die(&jb);
	jsonl_t *j = jsonl_open(p, NULL, 0, "fuzz");
	jsonbatch_t b = { 0 };
	uint32_t *tok = NULL;
	size_t cap = 0;
	char err[256];
	while (jsonl_next_batch(j, &b, 64) > 0)
		for (size_t i = 0; i < b.n; i++) {
			uint32_t n;
			dataset_parse_pretokenized(b.rec[i].v, &tok, &cap, &n, err, sizeof err);
		}
	diag_catch_die(NULL);
	jsonl_batch_free(&b);
	free(b.rec);
	free(tok);
	jsonl_close(j);
	return 0;
}
