/* outfile: outputs that appear whole or not at all (STYLE.md 8), files and folders.
 *
 * A named output is written to `dir/.name.tmp.XXXXXX` beside its final name, fsynced and
 * renamed over it on commit; on any fatal error or SIGINT before that, the temporary file is
 * removed by a diag cleanup, so a reader never sees half a file and an existing file of the
 * same name (which may be mmapped by someone) is never truncated. Standard output is used
 * when the path is NULL or "-"; binary data is refused when stdout is a terminal. */
#ifndef FT_OUTFILE_H
#define FT_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

typedef struct outfile {
	FILE *f;
	char *path;      /* final name; NULL for stdout */
	char *tmp;       /* temporary name while open */
	int cleanup;     /* diag cleanup handle */
} outfile_t;

/* binary: refuse a terminal on stdout. Exits FT_EXIT_IO / FT_EXIT_USAGE on failure. */
outfile_t *outfile_open(const char *path, int binary);
/* Flush, fsync, close and rename into place (or flush stdout). Exits FT_EXIT_IO on failure. */
void outfile_commit(outfile_t *o);
/* Remove the temporary file and free (for a failure the caller reports itself). */
void outfile_abort(outfile_t *o);
/* The name to use in messages: the final path, or "<stdout>". */
const char *outfile_name(const outfile_t *o);

/* An output folder that appears whole: a temporary sibling removed on error or SIGINT, then
 * renamed over final (an existing final folder is replaced). */
typedef struct {
	char *tmp, *final;
	int cleanup;
} outdir_t;
void outdir_open(outdir_t *d, const char *final);
void outdir_commit(outdir_t *d);
/* Removes folder path so that an interrupt never leaves half of it under its name: renamed
 * to a hidden sibling first, which is removed on error or SIGINT too. */
void outdir_remove(const char *path);

/* A folder and its parents, as mkdir -p (mode 0755); dies (FT_EXIT_IO) if it cannot be made. */
void mkdir_p(const char *path);
/* Removes path and everything under it, not following symbolic links; errors are ignored. */
void rmtree(const char *path);
/* A whole buffer to path, as outfile_open and outfile_commit write it (path "-": standard
 * output). Dies (FT_EXIT_IO) on failure, the temporary file removed. */
void file_write_atomic(const char *path, const void *data, size_t n);
/* Copies file src to dst, atomically (file_write_atomic); dies if src cannot be read. */
void copy_file(const char *src, const char *dst);

#endif
