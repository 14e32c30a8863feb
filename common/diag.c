/* diag: fatal errors, warnings, cleanups on exit and on signals. See diag.h. */
#include "diag.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *ft_prog = "ft";
int ft_verbosity = 1;

#define MAX_CLEANUPS 16
static struct { diag_cleanup_fn fn; void *arg; } cleanups[MAX_CLEANUPS];
static volatile sig_atomic_t ncleanups;

static void run_cleanups(void)
{
	while (ncleanups > 0) {
		int i = --ncleanups;
		if (cleanups[i].fn)
			cleanups[i].fn(cleanups[i].arg);
	}
}

static void on_signal(int sig)
{
	run_cleanups();
	signal(sig, SIG_DFL);
	if (sig == SIGINT || sig == SIGTERM) {
		static const char msg[] = ": interrupted\n";
		ssize_t r = write(2, ft_prog, strlen(ft_prog));
		r = write(2, msg, sizeof msg - 1);
		(void)r;
		_exit(FT_EXIT_INTR);
	}
	raise(sig);
}

void diag_init(const char *argv0)
{
	if (argv0) {
		const char *s = strrchr(argv0, '/');
		ft_prog = s ? s + 1 : argv0;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A reader that went away (`ft-cat x.ftp | head`) ends us quietly, as it does any Unix
	 * filter — after the cleanups have removed a half-written named output. */
	sigaction(SIGPIPE, &sa, NULL);
}

int diag_push_cleanup(diag_cleanup_fn fn, void *arg)
{
	for (int i = 0; i < ncleanups; i++)
		if (!cleanups[i].fn) {
			cleanups[i].arg = arg;
			cleanups[i].fn = fn;
			return i;
		}
	if (ncleanups >= MAX_CLEANUPS)
		ft_die(FT_EXIT_IO, "too many open outputs");
	cleanups[ncleanups].arg = arg;
	cleanups[ncleanups].fn = fn;
	return ncleanups++;
}

void diag_pop_cleanup(int handle)
{
	if (handle < 0 || handle >= ncleanups)
		return;
	cleanups[handle].fn = NULL;
	while (ncleanups > 0 && !cleanups[ncleanups - 1].fn)
		ncleanups--;
}

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: %s", ft_prog, kind);
	vfprintf(stderr, fmt, ap);
}

void ft_warn(const char *fmt, ...)
{
	if (ft_verbosity < 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void ft_info(const char *fmt, ...)
{
	if (ft_verbosity < 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void ft_debug(const char *fmt, ...)
{
	if (ft_verbosity < 2)
		return;
	va_list ap;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A fatal error ends the process at once: cleanups (removing half-written outputs), then the
 * streams flushed, then _exit — no atexit handlers, whose only work left would be
 * LeakSanitizer reporting the memory a failing tool did not bother to free. */
static jmp_buf *die_jmp;

void diag_catch_die(jmp_buf *jb)
{
	die_jmp = jb;
}

static _Noreturn void die_exit(int status)
{
	if (die_jmp)
		longjmp(*die_jmp, status ? status : 1);
	run_cleanups();
	fflush(NULL);
	_exit(status);
}

void ft_die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	die_exit(status);
}

void ft_die_at(const char *file, int line, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	if (ft_verbosity >= 3)
		fprintf(stderr, " (at %s:%d)", file, line);
	fputc('\n', stderr);
	die_exit(status);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		ft_die(FT_EXIT_IO, "out of memory allocating %zu bytes", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		ft_die(FT_EXIT_IO, "out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *r = realloc(p, n ? n : 1);
	if (!r)
		ft_die(FT_EXIT_IO, "out of memory allocating %zu bytes", n);
	return r;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

void xgrow(void **p, size_t *cap, size_t need, size_t sz)
{
	if (need <= *cap)
		return;
	size_t c = *cap ? *cap : 16;
	while (c < need) {
		if (c > ((size_t)-1) / 2 / sz)
			ft_die(FT_EXIT_IO, "out of memory: %zu elements", need);
		c *= 2;
	}
	*p = xrealloc(*p, c * sz);
	*cap = c;
}

const char *q(const char *s)
{
	static char buf[4][4096 + 3];   /* a path of PATH_MAX, quoted */
	static int k;
	k = (k + 1) & 3;
	snprintf(buf[k], sizeof buf[k], "'%s'", s ? s : "");
	return buf[k];
}

void diag_close_stdout(void)
{
	int bad = fflush(stdout) != 0 || ferror(stdout);
	if (fclose(stdout) != 0)
		bad = 1;
	if (bad)
		ft_die(FT_EXIT_IO, "cannot write to standard output: %s", strerror(errno ? errno : EIO));
}
