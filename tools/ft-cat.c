/* ft-cat: any .ftt or .ftp file, readable.
 *
 * The default view shows every record (or packed row, sample by sample) as `id(label)`,
 * label being the id for a trained token and -100 otherwise — the triples
 * `axolotl preprocess --debug` prints — coloured on a terminal (green trains, red does not).
 * --json gives one object per record for scripts and tests; --stats the counts, lengths and
 * fill; --meta the metadata block. With --tokenizer, each record or sample is shown as its
 * decoded text instead, the trained spans green on a terminal (or between [[ and ]] where
 * there is no colour), so a label mask can be read at a glance. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "json.h"
#include "opts.h"
#include "tok/tokenizer.h"
#include "tokfile.h"

static int as_json, stats, meta_only;
static const char *color = "auto", *tokenizer_dir;
static tok_t *tok;
static long head = -1;

static const opt_t options[] = {
	{ "json", 'j', OPT_FLAG, &as_json, NULL,
	  "one JSON object per record: input_ids, labels (+ position_ids, seq_lens for rows)", 0, 0 },
	{ "stats", 's', OPT_FLAG, &stats, NULL, "counts, token totals, length histogram and fill", 0, 0 },
	{ "meta", 'm', OPT_FLAG, &meta_only, NULL, "print the metadata block as JSON", 0, 0 },
	{ "head", 'n', OPT_INT, &head, "N", "show only the first N records or rows", 0, 1e15 },
	{ "color", 0, OPT_STR, &color, "WHEN", "colour trained tokens: auto (default), always, never", 0, 0 },
	{ "tokenizer", 't', OPT_STR, &tokenizer_dir, "DIR",
	  "show decoded text (tokenizer of model folder DIR), trained spans marked", 0, 0 },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
};

static const opt_spec_t spec = {
	.name = "ft-cat",
	.synopsis = "[--json | --stats | --meta] [-n N] [--tokenizer DIR] [FILE ...]",
	.summary = "Print .ftt token files and .ftp packed files readably.",
	.opts = options,
	.min_args = 0,
	.max_args = -1,
};

static int use_color;

/* Decoded text, trained runs marked. Each run's text is the difference of the decodes of
 * the prefixes that end and start it, so decoders that treat the first token specially
 * (SentencePiece's leading space) give the same text as decoding the whole record. */
static void print_text(const uint32_t *t, uint32_t n)
{
	int32_t *ids = xmalloc((n ? n : 1) * sizeof *ids);
	for (uint32_t i = 0; i < n; i++)
		ids[i] = (int32_t)TOK_ID(t[i]);
	size_t done = 0;
	uint32_t start = 0;
	while (start < n) {
		uint32_t end = start;
		int tr = t[start] >> 31;
		while (end < n && (int)(t[end] >> 31) == tr)
			end++;
		size_t len;
		char *text = tok_decode(tok, ids, end, 0, &len);
		const char *piece = len >= done ? text + done : "";
		size_t plen = len >= done ? len - done : 0;
		if (tr)
			printf(use_color ? "\033[32m%.*s\033[0m" : "[[%.*s]]", (int)plen, piece);
		else
			printf("%.*s", (int)plen, piece);
		done = len;
		free(text);
		start = end;
	}
	putchar('\n');
	free(ids);
}

static void print_tokens(const uint32_t *t, uint32_t n)
{
	if (tok) {
		print_text(t, n);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t id = TOK_ID(t[i]);
		int tr = t[i] >> 31;
		if (use_color)
			printf("%s%s%u(%ld)\033[0m", i ? " " : "", tr ? "\033[32m" : "\033[31m", id,
			       tr ? (long)id : -100L);
		else
			printf("%s%u(%ld)", i ? " " : "", id, tr ? (long)id : -100L);
	}
	putchar('\n');
}

static void print_json(const tokrec_t *r, int packed)
{
	fputs("{\"input_ids\":[", stdout);
	for (uint32_t i = 0; i < r->n; i++)
		printf(i ? ",%u" : "%u", TOK_ID(r->tok[i]));
	fputs("],\"labels\":[", stdout);
	for (uint32_t i = 0; i < r->n; i++)
		printf(i ? ",%ld" : "%ld", r->tok[i] >> 31 ? (long)TOK_ID(r->tok[i]) : -100L);
	fputs("]", stdout);
	if (packed) {
		fputs(",\"position_ids\":[", stdout);
		int first = 1;
		for (uint32_t s = 0; s < r->nseq; s++)
			for (uint32_t p = 0; p < r->seq_lens[s]; p++, first = 0)
				printf(first ? "%u" : ",%u", p);
		fputs("],\"seq_lens\":[", stdout);
		for (uint32_t s = 0; s < r->nseq; s++)
			printf(s ? ",%u" : "%u", r->seq_lens[s]);
		fputs("]", stdout);
	}
	fputs("}\n", stdout);
}

#define NBUCKETS 33

typedef struct {
	uint64_t recs, samples, tokens, trained, minlen, maxlen;
	uint64_t hist[NBUCKETS];   /* sample lengths: bucket k holds [2^(k-1), 2^k) , 0 for 0 */
} stats_t;

static void stat_len(stats_t *s, uint64_t n)
{
	int k = 0;
	while (k < NBUCKETS - 1 && (1ull << k) <= n)
		k++;
	s->hist[k]++;
	s->samples++;
	if (s->samples == 1 || n < s->minlen)
		s->minlen = n;
	if (n > s->maxlen)
		s->maxlen = n;
}

static void print_stats(const char *name, tokfile_kind_t kind, const cJSON *meta, const stats_t *s)
{
	const cJSON *sl = cJSON_GetObjectItemCaseSensitive(meta, "sequence_len");
	int packed = kind == TOKFILE_FTP;
	printf("file: %s (%s)\n", name, tokfile_kind_name(kind));
	if (packed)
		printf("rows: %llu\n", (unsigned long long)s->recs);
	printf("%s: %llu\n", packed ? "samples" : "records", (unsigned long long)s->samples);
	printf("tokens: %llu\ntrained tokens: %llu (%.2f%%)\n", (unsigned long long)s->tokens,
	       (unsigned long long)s->trained, s->tokens ? 100.0 * s->trained / s->tokens : 0.0);
	if (s->samples)
		printf("%s length: min %llu, mean %.1f, max %llu\n", packed ? "sample" : "record",
		       (unsigned long long)s->minlen, (double)s->tokens / s->samples,
		       (unsigned long long)s->maxlen);
	if (packed && s->recs && cJSON_IsNumber(sl) && sl->valuedouble > 0)
		printf("fill: %.2f%% of %d tokens per row; %.2f samples per row\n",
		       100.0 * s->tokens / (s->recs * sl->valuedouble), sl->valueint,
		       (double)s->samples / s->recs);
	printf("length histogram:\n");
	for (int k = 0; k < NBUCKETS; k++) {
		if (!s->hist[k])
			continue;
		unsigned long long lo = k ? 1ull << (k - 1) : 0, hi = k ? (1ull << k) - 1 : 0;
		printf("  %8llu..%-8llu %llu\n", lo, hi, (unsigned long long)s->hist[k]);
	}
}

static void cat_file(const char *path)
{
	tokfile_reader_t *r = tokfile_open(path, 0);
	tokfile_kind_t kind = tokfile_kind(r);
	if (meta_only) {
		if (json_write_canonical(stdout, tokfile_meta(r)))
			ft_die(FT_EXIT_IO, "cannot write to standard output");
		putchar('\n');
		tokfile_close(r);
		return;
	}
	stats_t s = { 0 };
	tokrec_t rec;
	long k = 0;
	while (tokfile_next(r, &rec)) {
		k++;
		s.recs++;
		s.tokens += rec.n;
		for (uint32_t i = 0; i < rec.n; i++)
			s.trained += rec.tok[i] >> 31;
		if (kind == TOKFILE_FTP)
			for (uint32_t i = 0; i < rec.nseq; i++)
				stat_len(&s, rec.seq_lens[i]);
		else
			stat_len(&s, rec.n);
		if (stats || (head >= 0 && k > head))
			continue;
		if (as_json) {
			print_json(&rec, kind == TOKFILE_FTP);
			continue;
		}
		uint32_t tr = 0;
		for (uint32_t i = 0; i < rec.n; i++)
			tr += rec.tok[i] >> 31;
		if (kind == TOKFILE_FTT) {
			printf("# record %ld: %u tokens, %u trained\n", k, rec.n, tr);
			print_tokens(rec.tok, rec.n);
			continue;
		}
		printf("# row %ld: %u tokens in %u samples, %u trained\n", k, rec.n, rec.nseq, tr);
		const uint32_t *t = rec.tok;
		for (uint32_t i = 0; i < rec.nseq; i++) {
			printf("## sample %u: %u tokens, positions 0..%u\n", i + 1, rec.seq_lens[i],
			       rec.seq_lens[i] - 1);
			print_tokens(t, rec.seq_lens[i]);
			t += rec.seq_lens[i];
		}
	}
	if (stats)
		print_stats(tokfile_name(r), kind, tokfile_meta(r), &s);
	tokfile_close(r);
}

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	opt_result_t res;
	opts_parse(&spec, argc, argv, &res);
	if (as_json + stats + meta_only > 1)
		ft_die(FT_EXIT_USAGE, "--json, --stats and --meta exclude each other");
	if (!strcmp(color, "always"))
		use_color = 1;
	else if (!strcmp(color, "auto"))
		use_color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	else if (strcmp(color, "never"))
		ft_die(FT_EXIT_USAGE, "'--color': %s is not one of auto, always, never", q(color));
	if (tokenizer_dir)
		tok = tok_load(tokenizer_dir);
	if (res.nargs == 0)
		cat_file(NULL);
	for (int i = 0; i < res.nargs; i++)
		cat_file(res.args[i]);
	if (tok)
		tok_free(tok);
	opts_result_free(&res);
	diag_close_stdout();
	return 0;
}
