/* zio: zstd stream I/O over stdio. ft's data files (.ftt, .ftp) are plain zstd streams so
 * `zstd -d` opens them; readers may also take uncompressed input where a format allows it
 * (zr_open detects the zstd magic). Compression is single-threaded at a fixed level so the
 * same bytes in give the same bytes out — checksums of outputs are stable. */
#ifndef FT_ZIO_H
#define FT_ZIO_H

#include <stddef.h>
#include <stdio.h>

typedef struct zw zw_t;
typedef struct zr zr_t;

/* name is for messages. level: zstd level (3 is the default trade-off). */
zw_t *zw_open(FILE *f, const char *name, int level);
void zw_write(zw_t *w, const void *buf, size_t n);
/* Ends the frame and flushes to the FILE (does not close it); frees w. */
void zw_close(zw_t *w);

/* Reader over f. Input not starting with the zstd magic is read as is when raw_ok, else refused. */
zr_t *zr_open(FILE *f, const char *name, int raw_ok);
/* Reads up to n bytes; returns the count, 0 only at the end of the stream. A truncated or
 * corrupt stream is fatal (FT_EXIT_DATA) with a message naming the input. */
size_t zr_read(zr_t *r, void *buf, size_t n);
/* Reads exactly n bytes; returns 0 on success, -1 if the stream ended first (nothing fatal). */
int zr_read_full(zr_t *r, void *buf, size_t n);
/* Reads one line (without the newline) into *line (growable); returns its length, or -1 at
 * the end. Used by the JSONL reader for .jsonl.zst. */
long zr_getline(zr_t *r, char **line, size_t *cap);
const char *zr_name(const zr_t *r);
void zr_close(zr_t *r);   /* frees r; does not close the FILE */

#endif
