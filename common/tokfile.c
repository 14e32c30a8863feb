/* tokfile: reader and writer of .ftt and .ftp files. The layout is described in tokfile.h. */
#include "tokfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "json.h"
#include "zio.h"

static const char MAGIC[8] = { '\x89', 'F', 'T', 'D', 'A', 'T', 'A', '\n' };
#define TRAILER 0xffffffffu

_Static_assert(sizeof(uint32_t) == 4, "u32");

struct tokfile_writer {
	outfile_t *out;
	zw_t *z;
	tokfile_kind_t kind;
	tokfile_counts_t c;
};

struct tokfile_reader {
	FILE *f;
	char *name;
	zr_t *z;
	tokfile_kind_t kind;
	cJSON *meta;
	uint32_t *tok, *seq;
	size_t ctok, cseq;
	tokfile_counts_t c, trailer;
	int done;
};

const char *tokfile_kind_name(tokfile_kind_t k)
{
	return k == TOKFILE_FTT ? ".ftt tokens" : k == TOKFILE_FTP ? ".ftp packed rows" : "ft data";
}

/* The formats are little-endian; so is every machine ft runs on. Say so rather than swap. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ft data files are little-endian");

static void put_u32(zw_t *z, uint32_t v)
{
	zw_write(z, &v, 4);
}

tokfile_writer_t *tokfile_create(outfile_t *out, tokfile_kind_t kind, const cJSON *meta)
{
	tokfile_writer_t *w = xcalloc(1, sizeof *w);
	w->out = out;
	w->kind = kind;
	w->z = zw_open(out->f, outfile_name(out), 3);
	char *js = json_canonical(meta);
	zw_write(w->z, MAGIC, sizeof MAGIC);
	put_u32(w->z, TOKFILE_VERSION);
	put_u32(w->z, (uint32_t)kind);
	put_u32(w->z, (uint32_t)strlen(js));
	zw_write(w->z, js, strlen(js));
	free(js);
	return w;
}

static void count(tokfile_counts_t *c, const uint32_t *tok, uint32_t n)
{
	c->records++;
	c->tokens += n;
	for (uint32_t i = 0; i < n; i++)
		c->trained += tok[i] >> 31;
}

void tokfile_write_record(tokfile_writer_t *w, const uint32_t *tok, uint32_t n)
{
	FT_CHECK(w->kind == TOKFILE_FTT && n < TOKFILE_MAX_TOKENS, FT_EXIT_DATA,
		 "%s: record of %u tokens cannot be written", q(outfile_name(w->out)), n);
	put_u32(w->z, n);
	zw_write(w->z, tok, (size_t)n * 4);
	count(&w->c, tok, n);
}

void tokfile_write_row(tokfile_writer_t *w, const uint32_t *seq_lens, uint32_t nseq,
		       const uint32_t *tok, uint32_t n)
{
	uint64_t sum = 0;
	for (uint32_t i = 0; i < nseq; i++)
		sum += seq_lens[i];
	FT_CHECK(w->kind == TOKFILE_FTP && sum == n && n < TOKFILE_MAX_TOKENS, FT_EXIT_DATA,
		 "%s: inconsistent packed row (%u tokens, samples sum to %llu)",
		 q(outfile_name(w->out)), n, (unsigned long long)sum);
	put_u32(w->z, nseq);
	put_u32(w->z, n);
	zw_write(w->z, seq_lens, (size_t)nseq * 4);
	zw_write(w->z, tok, (size_t)n * 4);
	count(&w->c, tok, n);
}

void tokfile_finish(tokfile_writer_t *w, tokfile_counts_t *counts)
{
	put_u32(w->z, TRAILER);
	zw_write(w->z, &w->c.records, 8);
	zw_write(w->z, &w->c.tokens, 8);
	zw_write(w->z, &w->c.trained, 8);
	zw_close(w->z);
	outfile_commit(w->out);
	if (counts)
		*counts = w->c;
	free(w);
}

static _Noreturn void damaged(tokfile_reader_t *r, const char *what)
{
	ft_die(FT_EXIT_DATA, "%s: %s (was the writer interrupted? re-run the tool that made it)",
	       q(r->name), what);
}

tokfile_reader_t *tokfile_open(const char *path, tokfile_kind_t want)
{
	tokfile_reader_t *r = xcalloc(1, sizeof *r);
	if (!path || !strcmp(path, "-")) {
		r->f = stdin;
		r->name = xstrdup("<stdin>");
	} else {
		r->f = fopen(path, "rb");
		if (!r->f)
			ft_die(FT_EXIT_IO, "%s: cannot open: %s", q(path), strerror(errno));
		r->name = xstrdup(path);
	}
	r->z = zr_open(r->f, r->name, 0);
	char magic[8];
	uint32_t hdr[3];
	size_t got = zr_read(r->z, magic, 8);
	if (got == 0)
		ft_die(FT_EXIT_DATA, "%s: empty input: not an ft data file", q(r->name));
	if (got < 8 || memcmp(magic, MAGIC, 8))
		ft_die(FT_EXIT_DATA, "%s: not an ft data file (.ftt or .ftp)", q(r->name));
	if (zr_read_full(r->z, hdr, sizeof hdr))
		damaged(r, "truncated header");
	if (hdr[0] > TOKFILE_VERSION)
		ft_die(FT_EXIT_DATA, "%s: format version %u is newer than this ft reads (%u); "
				     "upgrade ft or re-create the file with this one",
		       q(r->name), hdr[0], TOKFILE_VERSION);
	if (hdr[0] == 0)
		damaged(r, "bad format version 0");
	if (hdr[1] != TOKFILE_FTT && hdr[1] != TOKFILE_FTP)
		damaged(r, "unknown file kind");
	r->kind = (tokfile_kind_t)hdr[1];
	if (want && r->kind != want)
		ft_die(FT_EXIT_DATA, "%s: holds %s where %s are expected", q(r->name),
		       tokfile_kind_name(r->kind), tokfile_kind_name(want));
	if (hdr[2] > (64u << 20))
		damaged(r, "metadata too large");
	char *js = xmalloc(hdr[2] + 1);
	if (zr_read_full(r->z, js, hdr[2]))
		damaged(r, "truncated metadata");
	js[hdr[2]] = '\0';
	r->meta = cJSON_Parse(js);
	free(js);
	if (!cJSON_IsObject(r->meta))
		damaged(r, "metadata is not a JSON object");
	return r;
}

tokfile_kind_t tokfile_kind(const tokfile_reader_t *r) { return r->kind; }
const cJSON *tokfile_meta(const tokfile_reader_t *r) { return r->meta; }
const char *tokfile_name(const tokfile_reader_t *r) { return r->name; }
tokfile_counts_t tokfile_counts(const tokfile_reader_t *r) { return r->trailer; }

static void read_u32s(tokfile_reader_t *r, uint32_t **buf, size_t *cap, uint32_t n)
{
	xgrow((void **)buf, cap, n ? n : 1, 4);
	if (zr_read_full(r->z, *buf, (size_t)n * 4))
		damaged(r, "truncated record");
}

int tokfile_next(tokfile_reader_t *r, tokrec_t *rec)
{
	if (r->done)
		return 0;
	uint32_t first;
	if (zr_read_full(r->z, &first, 4))
		damaged(r, "ends without its trailer");
	if (first == TRAILER) {
		uint64_t t[3];
		if (zr_read_full(r->z, t, sizeof t))
			damaged(r, "truncated trailer");
		r->trailer = (tokfile_counts_t){ t[0], t[1], t[2] };
		if (t[0] != r->c.records || t[1] != r->c.tokens || t[2] != r->c.trained)
			damaged(r, "trailer counts do not match the records");
		char extra;
		if (zr_read(r->z, &extra, 1))
			ft_die(FT_EXIT_DATA, "%s: unexpected data after the end of the file "
					     "(were two files concatenated?)", q(r->name));
		r->done = 1;
		return 0;
	}
	memset(rec, 0, sizeof *rec);
	uint32_t n = first;
	if (r->kind == TOKFILE_FTP) {
		uint32_t nseq = first;
		if (zr_read_full(r->z, &n, 4))
			damaged(r, "truncated record");
		if (nseq > TOKFILE_MAX_TOKENS || nseq > n)
			damaged(r, "corrupt row header");
		read_u32s(r, &r->seq, &r->cseq, nseq);
		uint64_t sum = 0;
		for (uint32_t i = 0; i < nseq; i++) {
			if (r->seq[i] == 0)
				damaged(r, "row with an empty sample");
			sum += r->seq[i];
		}
		if (sum != n)
			damaged(r, "row sample lengths do not add up to its length");
		rec->seq_lens = r->seq;
		rec->nseq = nseq;
	}
	if (n > TOKFILE_MAX_TOKENS)
		damaged(r, "corrupt record length");
	read_u32s(r, &r->tok, &r->ctok, n);
	rec->tok = r->tok;
	rec->n = n;
	count(&r->c, r->tok, n);
	return 1;
}

void tokfile_close(tokfile_reader_t *r)
{
	if (!r)
		return;
	zr_close(r->z);
	if (r->f != stdin)
		fclose(r->f);
	cJSON_Delete(r->meta);
	free(r->tok);
	free(r->seq);
	free(r->name);
	free(r);
}
