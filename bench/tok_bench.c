/* tok_bench: times our tokenizer on a JSONL corpus ({"text": ...} per line), one thread
 * (tok_encode in a loop) and all threads (tok_encode_batch), best of R runs, and writes the
 * ids of every chunk (one JSON array per line) so bench/tokenizer.sh can compare them with HF.
 * Built and run by bench/tokenizer.sh; not part of `make`.
 * usage: tok_bench MODEL_DIR CORPUS.jsonl IDS_OUT THREADS RUNS */
#include <cjson/cJSON.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "tok/tokenizer.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU time of this thread: the one-thread figure on a shared machine (other jobs steal wall
 * time, not CPU time) */
static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	if (argc != 6) ft_die(FT_EXIT_USAGE, "usage: tok_bench MODEL_DIR CORPUS.jsonl IDS_OUT THREADS RUNS");
	int threads = atoi(argv[4]), runs = atoi(argv[5]);
	double t0 = now();
	tok_t *t = tok_load(argv[1]);
	double tload = now() - t0;
	FILE *f = fopen(argv[2], "r");
	if (!f) ft_die(FT_EXIT_IO, "%s: cannot open", q(argv[2]));
	char **texts = NULL;
	size_t *lens = NULL, n = 0, cap = 0, bytes = 0;
	char *line = NULL;
	size_t lcap = 0;
	while (getline(&line, &lcap, f) > 0) {
		cJSON *j = cJSON_Parse(line);
		const char *s = cJSON_GetObjectItem(j, "text")->valuestring;
		if (n == cap) {
			size_t c2 = cap;
			xgrow((void **)&texts, &cap, n + 1, sizeof *texts);
			xgrow((void **)&lens, &c2, n + 1, sizeof *lens);
		}
		texts[n] = xstrdup(s);
		lens[n] = strlen(s);
		bytes += lens[n];
		n++;
		cJSON_Delete(j);
	}
	free(line);
	fclose(f);
	tok_ids_t *outs = xcalloc(n, sizeof *outs);
	double best1 = 1e30, bestn = 1e30, bestc = 1e30;
	size_t ntok = 0;
	for (int r = 0; r < runs; r++) {
		double a = now(), c = cpu();
		for (size_t i = 0; i < n; i++) tok_encode(t, texts[i], lens[i], 0, &outs[i]);
		double d = now() - a, dc = cpu() - c;
		if (d < best1) best1 = d;
		if (dc < bestc) bestc = dc;
	}
	omp_set_num_threads(threads);
	for (int r = 0; r < runs; r++) {
		double a = now();
		tok_encode_batch(t, (const char *const *)texts, lens, n, 0, outs);
		double d = now() - a;
		if (d < bestn) bestn = d;
	}
	FILE *o = fopen(argv[3], "w");
	for (size_t i = 0; i < n; i++) {
		fputc('[', o);
		for (size_t k = 0; k < outs[i].n; k++) fprintf(o, k ? ",%d" : "%d", outs[i].ids[k]);
		fputs("]\n", o);
		ntok += outs[i].n;
		free(outs[i].ids);
		free(texts[i]);
	}
	fclose(o);
	printf("{\"load_s\": %.3f, \"bytes\": %zu, \"chunks\": %zu, \"tokens\": %zu, \"mbps_1\": %.2f, \"mbps_1cpu\": %.2f, \"mbps_n\": %.2f, \"threads\": %d}\n",
	       tload, bytes, n, ntok, bytes / best1 / 1e6, bytes / bestc / 1e6, bytes / bestn / 1e6, threads);
	free(outs);
	free(texts);
	free(lens);
	tok_free(t);
	return 0;
}
