/* test_tokfile: .ftt/.ftp round trips, and every kind of damage is refused with exit 3:
 * truncation at any byte, a foreign file, a newer version, a wrong kind. Damage cases run in
 * a child process because the reader exits on them, as the tools do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include "diag.h"
#include "fileio.h"
#include "tokfile.h"

static int failures;
#define EXPECT(c, ...) do { if (!(c)) { printf("FAIL %s:%d: ", __FILE__, __LINE__); \
	printf(__VA_ARGS__); putchar('\n'); failures++; } } while (0)

static char dir[] = "/tmp/ft-test-tokfile.XXXXXX";

static char *path(const char *name)
{
	static char buf[4][256];
	static int k;
	k = (k + 1) & 3;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

static void write_ftt(const char *p, int nrec)
{
	cJSON *meta = cJSON_CreateObject();
	cJSON_AddStringToObject(meta, "kind", "sft");
	tokfile_writer_t *w = tokfile_create(outfile_open(p, 1), TOKFILE_FTT, meta);
	cJSON_Delete(meta);
	uint32_t t[64];
	for (int r = 0; r < nrec; r++) {
		int n = 1 + r % 60;
		for (int i = 0; i < n; i++)
			t[i] = (uint32_t)(r * 100 + i) | (i % 3 ? TOK_TRAINS : 0);
		tokfile_write_record(w, t, (uint32_t)n);
	}
	tokfile_finish(w, NULL);
}

/* Runs the reader over p in a child; returns its exit status. */
static int read_status(const char *p, tokfile_kind_t want)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		tokfile_reader_t *r = tokfile_open(p, want);
		tokrec_t rec;
		while (tokfile_next(r, &rec))
			;
		tokfile_close(r);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void spit(const char *p, const void *buf, size_t n)
{
	FILE *f = fopen(p, "wb");
	fwrite(buf, 1, n, f);
	fclose(f);
}

int main(void)
{
	diag_init("test_tokfile");
	if (!mkdtemp(dir))
		return 2;
	/* Round trip with counts. */
	write_ftt(path("a.ftt"), 500);
	tokfile_reader_t *r = tokfile_open(path("a.ftt"), TOKFILE_FTT);
	tokrec_t rec;
	int k = 0, ok = 1;
	while (tokfile_next(r, &rec)) {
		int n = 1 + k % 60;
		ok &= rec.n == (uint32_t)n;
		for (int i = 0; i < n && ok; i++)
			ok &= rec.tok[i] == ((uint32_t)(k * 100 + i) | (i % 3 ? TOK_TRAINS : 0));
		k++;
	}
	EXPECT(ok && k == 500, "round trip: %d records, ok=%d", k, ok);
	EXPECT(tokfile_counts(r).records == 500, "trailer count");
	EXPECT(!strcmp(cJSON_GetObjectItem(tokfile_meta(r), "kind")->valuestring, "sft"), "meta");
	tokfile_close(r);

	/* Packed rows. */
	cJSON *meta = cJSON_CreateObject();
	tokfile_writer_t *w = tokfile_create(outfile_open(path("a.ftp"), 1), TOKFILE_FTP, meta);
	cJSON_Delete(meta);
	uint32_t toks[10] = { 1, 2 | TOK_TRAINS, 3, 4, 5 | TOK_TRAINS, 6, 7, 8, 9, 10 };
	uint32_t seqs[3] = { 2, 5, 3 };
	tokfile_write_row(w, seqs, 3, toks, 10);
	tokfile_finish(w, NULL);
	r = tokfile_open(path("a.ftp"), TOKFILE_FTP);
	EXPECT(tokfile_next(r, &rec) == 1 && rec.nseq == 3 && rec.n == 10 && rec.seq_lens[1] == 5 &&
		       rec.tok[4] == (5 | TOK_TRAINS),
	       "packed round trip");
	EXPECT(tokfile_next(r, &rec) == 0, "packed end");
	tokfile_close(r);

	/* Wrong kind, foreign file, empty file. */
	EXPECT(read_status(path("a.ftp"), TOKFILE_FTT) == 3, "ftp read as ftt");
	spit(path("foreign"), "{\"input_ids\": [1]}\n", 19);
	EXPECT(read_status(path("foreign"), 0) == 3, "foreign file");
	spit(path("empty"), "", 0);
	EXPECT(read_status(path("empty"), 0) == 3, "empty file");
	EXPECT(read_status(path("missing"), 0) == 4, "missing file is an I/O error");

	/* Every truncation of the compressed file is refused. */
	size_t n;
	unsigned char *buf = (unsigned char *)file_read(path("a.ftt"), &n, 0);
	int bad = 0;
	for (size_t cut = 0; cut < n; cut += (cut < 64 || n - cut < 64) ? 1 : 97) {
		spit(path("cut.ftt"), buf, cut);
		if (read_status(path("cut.ftt"), 0) != 3) {
			printf("truncated at %zu of %zu not refused\n", cut, n);
			bad++;
		}
	}
	EXPECT(!bad, "truncations");

	/* A valid zstd stream whose content is cut at the end (trailer missing). */
	size_t rawcap = ZSTD_getFrameContentSize(buf, n) == ZSTD_CONTENTSIZE_UNKNOWN
				? 1 << 22 : (size_t)ZSTD_getFrameContentSize(buf, n);
	unsigned char *raw = malloc(rawcap);
	size_t rawn = ZSTD_decompress(raw, rawcap, buf, n);
	EXPECT(!ZSTD_isError(rawn), "decompress");
	unsigned char *z = malloc(ZSTD_compressBound(rawn));
	size_t zn = ZSTD_compress(z, ZSTD_compressBound(rawn), raw, rawn - 7, 3);
	spit(path("short.ftt"), z, zn);
	EXPECT(read_status(path("short.ftt"), 0) == 3, "clean zstd frame without trailer");
	/* A newer version. */
	raw[8] = 99;
	zn = ZSTD_compress(z, ZSTD_compressBound(rawn), raw, rawn, 3);
	spit(path("newer.ftt"), z, zn);
	EXPECT(read_status(path("newer.ftt"), 0) == 3, "newer version");
	free(raw);
	free(z);
	free(buf);

	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd))
		return 2;
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
