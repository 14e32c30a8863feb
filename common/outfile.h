/* outfile: outputs that appear whole or not at all (STYLE.md 8).
 *
 * A named output is written to `dir/.name.tmp.XXXXXX` beside its final name, fsynced and
 * renamed over it on commit; on any fatal error or SIGINT before that, the temporary file is
 * removed by a diag cleanup, so a reader never sees half a file and an existing file of the
 * same name (which may be mmapped by someone) is never truncated. Standard output is used
 * when the path is NULL or "-"; binary data is refused when stdout is a terminal. */
#ifndef FT_OUTFILE_H
#define FT_OUTFILE_H

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

#endif
