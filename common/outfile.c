/* outfile: temp file + fsync + rename, removed on error and on signals. See outfile.h. */
#include "outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"

static void remove_tmp(void *arg)
{
	/* Runs from ft_die or a signal handler: only async-signal-safe calls. */
	unlink((const char *)arg);
}

outfile_t *outfile_open(const char *path, int binary)
{
	outfile_t *o = xcalloc(1, sizeof *o);
	o->cleanup = -1;
	if (!path || !strcmp(path, "-")) {
		if (binary && isatty(STDOUT_FILENO))
			ft_die(FT_EXIT_USAGE, "refusing to write binary data to a terminal; "
					      "use -o FILE or a pipe");
		o->f = stdout;
		return o;
	}
	o->path = xstrdup(path);
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
	size_t n = strlen(path) + 32;
	o->tmp = xmalloc(n);
	snprintf(o->tmp, n, "%.*s.%s.tmp.XXXXXX", (int)dirlen, path, path + dirlen);
	int fd = mkstemp(o->tmp);
	if (fd < 0)
		ft_die(FT_EXIT_IO, "%s: cannot create: %s", q(path), strerror(errno));
	o->cleanup = diag_push_cleanup(remove_tmp, o->tmp);
	/* mkstemp makes 0600; an output should have the usual permissions. */
	mode_t um = umask(0);
	umask(um);
	if (fchmod(fd, 0666 & ~um) != 0)
		ft_die(FT_EXIT_IO, "%s: cannot set permissions: %s", q(path), strerror(errno));
	o->f = fdopen(fd, "wb");
	if (!o->f)
		ft_die(FT_EXIT_IO, "%s: cannot open: %s", q(path), strerror(errno));
	return o;
}

const char *outfile_name(const outfile_t *o)
{
	return o->path ? o->path : "<stdout>";
}

void outfile_commit(outfile_t *o)
{
	if (!o->path) {
		if (fflush(stdout) != 0 || ferror(stdout))
			ft_die(FT_EXIT_IO, "cannot write to standard output: %s", strerror(errno));
		free(o);
		return;
	}
	if (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0)
		ft_die(FT_EXIT_IO, "%s: cannot write: %s", q(o->path), strerror(errno));
	if (fclose(o->f) != 0) {
		o->f = NULL;
		ft_die(FT_EXIT_IO, "%s: cannot write: %s", q(o->path), strerror(errno));
	}
	o->f = NULL;
	if (rename(o->tmp, o->path) != 0)
		ft_die(FT_EXIT_IO, "%s: cannot rename into place: %s", q(o->path), strerror(errno));
	diag_pop_cleanup(o->cleanup);
	free(o->tmp);
	free(o->path);
	free(o);
}

void outfile_abort(outfile_t *o)
{
	if (!o)
		return;
	if (o->path) {
		if (o->f)
			fclose(o->f);
		unlink(o->tmp);
		diag_pop_cleanup(o->cleanup);
		free(o->tmp);
		free(o->path);
	}
	free(o);
}
