/* outfile: temp file + fsync + rename, removed on error and on signals; output folders the
 * same way. See outfile.h. */
#define _GNU_SOURCE   /* nftw's FTW_PHYS and FTW_DEPTH */
#include "outfile.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "fileio.h"

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

/* ---- folders ---- */

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb, (void)flag, (void)f;
	remove(p);
	return 0;
}

void rmtree(const char *path) { nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

static void rmtree_cb(void *arg) { rmtree(arg); }

void mkdir_p(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(buf, 0755);
			*p = '/';
		}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		ft_die(FT_EXIT_IO, "%s: cannot create: %s", q(path), strerror(errno));
}

void outdir_open(outdir_t *d, const char *final)
{
	char parent[4096];
	snprintf(parent, sizeof parent, "%s", final);
	size_t n = strlen(parent);
	while (n > 1 && parent[n - 1] == '/')
		parent[--n] = 0;
	char *slash = strrchr(parent, '/');
	const char *base = slash ? slash + 1 : parent;
	char tmp[4300];
	if (slash) {
		*slash = 0;
		if (*parent)
			mkdir_p(parent);
		snprintf(tmp, sizeof tmp, "%s/.%s.tmp.XXXXXX", *parent ? parent : "/", base);
	} else {
		snprintf(tmp, sizeof tmp, ".%s.tmp.XXXXXX", base);
	}
	if (!mkdtemp(tmp))
		ft_die(FT_EXIT_IO, "%s: cannot create a temporary folder: %s", q(tmp), strerror(errno));
	chmod(tmp, 0755);
	d->tmp = xstrdup(tmp);
	d->final = xstrdup(final);
	d->cleanup = diag_push_cleanup(rmtree_cb, d->tmp);
}

void outdir_commit(outdir_t *d)
{
	struct stat st;
	char *old = NULL;
	if (stat(d->final, &st) == 0) {
		old = xmalloc(strlen(d->tmp) + 8);
		sprintf(old, "%s.old", d->tmp);
		if (rename(d->final, old) != 0)
			ft_die(FT_EXIT_IO, "%s: cannot replace: %s", q(d->final), strerror(errno));
	}
	if (rename(d->tmp, d->final) != 0)
		ft_die(FT_EXIT_IO, "%s: cannot rename into place: %s", q(d->final), strerror(errno));
	diag_pop_cleanup(d->cleanup);
	if (old) {
		rmtree(old);
		free(old);
	}
	free(d->tmp);
	free(d->final);
	d->tmp = d->final = NULL;
}

void outdir_remove(const char *path)
{
	char gone[4400];
	const char *slash = strrchr(path, '/');
	snprintf(gone, sizeof gone, "%.*s.%s.tmp.old", slash ? (int)(slash - path + 1) : 0, path, slash ? slash + 1 : path);
	if (rename(path, gone) != 0)
		ft_die(FT_EXIT_IO, "%s: cannot remove: %s", q(path), strerror(errno));
	int h = diag_push_cleanup(rmtree_cb, gone);
	rmtree(gone);
	diag_pop_cleanup(h);
}

/* ---- files ---- */

void file_write_atomic(const char *path, const void *data, size_t n)
{
	outfile_t *o = outfile_open(path, 0);
	if (n && fwrite(data, 1, n, o->f) != n)
		ft_die(FT_EXIT_IO, "%s: cannot write: %s", q(outfile_name(o)), strerror(errno));
	outfile_commit(o);
}

void copy_file(const char *src, const char *dst)
{
	size_t n;
	char *s = file_read(src, &n, 0);
	file_write_atomic(dst, s, n);
	free(s);
}
