/* tokfile: the files between the stages — `.ftt` (tokenized records) and `.ftp` (packed rows).
 *
 * Layout, all inside one zstd stream (so `zstd -d` opens it), little-endian:
 *   magic    8 bytes  "\x89FTDATA\n"
 *   version  u32      TOKFILE_VERSION; a reader refuses a newer one
 *   kind     u32      1 = .ftt tokens, 2 = .ftp packed rows
 *   metalen  u32      then metalen bytes of JSON metadata (canonical: sorted keys)
 *   records  .ftt: u32 n, then n tokens
 *            .ftp: u32 nseq, u32 n, nseq sample lengths (sum = n), then n tokens
 *   trailer  u32 0xffffffff, u64 records, u64 tokens, u64 trained tokens
 * A token is a u32: the id in the low 31 bits, bit 31 set when the token trains (its label is
 * the id; clear means label -100). The trailer makes truncation detectable even when the zstd
 * frame happens to end cleanly, and carries the counts a pipe could not know up front. */
#ifndef FT_TOKFILE_H
#define FT_TOKFILE_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "outfile.h"

#define TOKFILE_VERSION 1u
#define TOK_TRAINS 0x80000000u
#define TOK_ID(t) ((t) & 0x7fffffffu)
#define TOKFILE_MAX_TOKENS (1u << 28)   /* per record or row: a sanity bound, not a real limit */

typedef enum { TOKFILE_FTT = 1, TOKFILE_FTP = 2 } tokfile_kind_t;

typedef struct {
	const uint32_t *tok;       /* (n) id | TOK_TRAINS */
	uint32_t n;
	const uint32_t *seq_lens;  /* (nseq) .ftp only: lengths of the samples in the row */
	uint32_t nseq;
} tokrec_t;

typedef struct {
	uint64_t records, tokens, trained;
} tokfile_counts_t;

typedef struct tokfile_writer tokfile_writer_t;
typedef struct tokfile_reader tokfile_reader_t;

/* Starts a file on out (taken over: tokfile_finish commits it). meta is not taken. */
tokfile_writer_t *tokfile_create(outfile_t *out, tokfile_kind_t kind, const cJSON *meta);
void tokfile_write_record(tokfile_writer_t *w, const uint32_t *tok, uint32_t n);
void tokfile_write_row(tokfile_writer_t *w, const uint32_t *seq_lens, uint32_t nseq,
		       const uint32_t *tok, uint32_t n);
/* Writes the trailer, ends the stream and commits the output (rename into place). */
void tokfile_finish(tokfile_writer_t *w, tokfile_counts_t *counts);

/* Opens path (NULL or "-" = stdin); checks magic, version and kind (0 = either). Exits 3 on a
 * foreign, newer or damaged file, 4 if it cannot be read. */
tokfile_reader_t *tokfile_open(const char *path, tokfile_kind_t want);
tokfile_kind_t tokfile_kind(const tokfile_reader_t *r);
const cJSON *tokfile_meta(const tokfile_reader_t *r);
const char *tokfile_name(const tokfile_reader_t *r);
/* Next record into rec (buffers owned by the reader, valid until the next call). Returns 1,
 * or 0 at the end once the trailer has been checked against what was read. */
int tokfile_next(tokfile_reader_t *r, tokrec_t *rec);
/* Counts from the trailer (valid after tokfile_next returned 0). */
tokfile_counts_t tokfile_counts(const tokfile_reader_t *r);
void tokfile_close(tokfile_reader_t *r);

/* Name of a kind for messages: ".ftt tokens" / ".ftp packed rows". */
const char *tokfile_kind_name(tokfile_kind_t k);

#endif
