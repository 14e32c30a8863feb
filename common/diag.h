/* diag: the one diagnostic path every ft tool uses.
 *
 * Messages are one line on stderr, `prog: subject: what is wrong`, lowercase, no final
 * period (STYLE.md 4). Fatal errors exit through ft_die() with a status from the one table
 * below (STYLE.md 5); before exiting, registered cleanups run so a half-written output is
 * removed (STYLE.md 8). The same cleanups run on SIGINT/SIGTERM. */
#ifndef FT_DIAG_H
#define FT_DIAG_H

#include <stddef.h>
#include <stdio.h>

enum {
	FT_EXIT_OK = 0,
	FT_EXIT_CHECK = 1,   /* a check failed (e.g. a test comparison, a verify) */
	FT_EXIT_USAGE = 2,   /* bad usage or invalid config */
	FT_EXIT_DATA = 3,    /* bad input data: malformed, truncated, foreign */
	FT_EXIT_IO = 4,      /* I/O error: cannot open, read, write */
	FT_EXIT_GPU = 5,     /* GPU or NCCL error */
	FT_EXIT_INTR = 130,  /* interrupted by a signal */
};

extern const char *ft_prog;   /* program name for messages, set by diag_init */
extern int ft_verbosity;      /* 0 = -q, 1 = default, 2 = -v, 3 = -vv (source locations) */

/* Sets the program name from argv[0] and installs the signal handlers. */
void diag_init(const char *argv0);

void ft_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ft_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));   /* shown unless -q */
void ft_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* shown with -v */
_Noreturn void ft_die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like ft_die but with the source location appended under -vv. */
_Noreturn void ft_die_at(const char *file, int line, int status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define FT_DIE(status, ...) ft_die_at(__FILE__, __LINE__, (status), __VA_ARGS__)
/* Check a condition that, when false, is fatal: FT_CHECK(n >= 0, FT_EXIT_DATA, "...") */
#define FT_CHECK(cond, status, ...) \
	do { if (!(cond)) ft_die_at(__FILE__, __LINE__, (status), __VA_ARGS__); } while (0)

/* Cleanups run (last registered first) by ft_die, on a fatal signal, and by diag_run_cleanups.
 * The handler must be async-signal-safe where it may run from a signal (unlink, close). */
typedef void (*diag_cleanup_fn)(void *arg);
int diag_push_cleanup(diag_cleanup_fn fn, void *arg);   /* returns a handle */
void diag_pop_cleanup(int handle);                      /* forget it (output committed) */

/* Allocation that cannot fail: exits with FT_EXIT_IO naming the size on out-of-memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Grow *p (holding *cap elements of size sz) so that at least need elements fit. */
void xgrow(void **p, size_t *cap, size_t need, size_t sz);

/* Quote a subject for a message: returns "'s'" in a static buffer. Four buffers rotate, so
 * one message may hold at most four q() (config_where and cfg_where each use one while they
 * format); the one way ft quotes a path, field or name it talks about. */
const char *q(const char *s);

/* For fuzz targets only: make ft_die longjmp to jb (with the exit status as the value) instead
 * of ending the process, so a target can feed the library input it refuses. NULL restores
 * exiting. Not for tools: state is left as it was at the failure. */
#include <setjmp.h>
void diag_catch_die(jmp_buf *jb);

/* Flush and close stdout; exit FT_EXIT_IO if writing it failed (STYLE.md 8). */
void diag_close_stdout(void);

#endif
