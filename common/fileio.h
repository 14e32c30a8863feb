/* fileio: the one way ft reads a whole file into memory (configs, model and tokenizer JSON,
 * chat templates, checkpoint state). Data files are streamed instead (zio.h, jsonl.h). */
#ifndef FT_FILEIO_H
#define FT_FILEIO_H

#include <stddef.h>

enum {
	FILE_OPTIONAL = 1,   /* a file that does not exist gives NULL (errno ENOENT), not an error */
	FILE_CONFIG = 2,     /* refuse more than 64 MiB (exit 2): a config, not a dataset */
};

/* The whole of path ("-": standard input) as a NUL-terminated buffer the caller frees; *len
 * (when len is not NULL) gets its length, which may be less than strlen's when the file holds
 * NUL bytes. A file that cannot be opened or read is fatal (FT_EXIT_IO) with a message
 * naming it, except as flags say. */
char *file_read(const char *path, size_t *len, int flags);

#endif
