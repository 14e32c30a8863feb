/* gpu_check: what the GPU tests share — seeded random inputs, device buffers, and the
 * comparison |got - ref| <= atol + rtol |ref| that records the worst errors per op for the
 * table printed last. Not run by `make test` (no GPU there): `make gpu-tests`,
 * scripts/gpu-check.sh. */
#ifndef FT_GPU_CHECK_H
#define FT_GPU_CHECK_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "ops_cuda.h"

static uint64_t gc_state = 0x1234567;
static inline double gc_uniform(void)
{
	uint64_t z = (gc_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return ((z >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

/* n floats uniform in [lo, hi): host memory, fresh for every call */
static inline float *hrand(size_t n, float lo, float hi)
{
	float *p = malloc((n ? n : 1) * sizeof *p);
	for (size_t i = 0; i < n; i++)
		p[i] = (float)(lo + (hi - lo) * gc_uniform());
	return p;
}

static inline float *hdup(const float *h, size_t n)
{
	float *p = malloc((n ? n : 1) * sizeof *p);
	memcpy(p, h, n * sizeof *p);
	return p;
}

/* device copy of n host floats */
static inline float *dup_dev(const void *h, size_t bytes)
{
	void *d = ops_cuda.alloc(bytes);
	ops_cuda.upload(d, h, bytes);
	return d;
}

/* device buffer of n floats filled with NaN: an element the op fails to write stays NaN */
static inline float *dpoison(size_t n)
{
	float *h = malloc((n ? n : 1) * sizeof *h);
	for (size_t i = 0; i < n; i++)
		h[i] = NAN;
	float *d = dup_dev(h, n * sizeof *h);
	free(h);
	return d;
}

static inline float *hdown(const float *d, size_t n)
{
	float *h = malloc((n ? n : 1) * sizeof *h);
	ops_cuda.download(h, d, n * sizeof *h);
	return h;
}

/* worst errors per op, for the table */
typedef struct {
	char op[40];
	int checks, fails;
	double maxabs, maxrel;
} gc_row_t;
static gc_row_t gc_rows[128];
static int gc_nrows;

static inline gc_row_t *gc_row(const char *op)
{
	for (int i = 0; i < gc_nrows; i++)
		if (!strcmp(gc_rows[i].op, op))
			return &gc_rows[i];
	gc_row_t *r = &gc_rows[gc_nrows++];
	memset(r, 0, sizeof *r);
	snprintf(r->op, sizeof r->op, "%s", op);
	return r;
}

/* Compare n floats, element-wise |got - ref| <= atol + rtol |ref|; NaN never passes.
 * Relative error is reported over elements with |ref| >= 1e-3 max|ref|. */
static inline int gc_cmp(const char *op, const char *what, const float *got, const float *ref, size_t n, double atol,
			 double rtol)
{
	double maxabs = 0, maxrel = 0, maxref = 0;
	size_t bad = 0, first = 0;
	for (size_t i = 0; i < n; i++)
		maxref = fabs(ref[i]) > maxref ? fabs(ref[i]) : maxref;
	for (size_t i = 0; i < n; i++) {
		double d = fabs((double)got[i] - ref[i]);
		if (!(d <= atol + rtol * fabs(ref[i]))) {
			if (!bad)
				first = i;
			bad++;
		}
		if (d > maxabs || d != d)
			maxabs = d != d ? INFINITY : d;
		if (fabs(ref[i]) >= 1e-3 * maxref && fabs(ref[i]) > 0 && d / fabs(ref[i]) > maxrel)
			maxrel = d / fabs(ref[i]);
	}
	gc_row_t *r = gc_row(op);
	r->checks++;
	r->fails += bad > 0;
	r->maxabs = maxabs > r->maxabs ? maxabs : r->maxabs;
	r->maxrel = maxrel > r->maxrel ? maxrel : r->maxrel;
	printf("%s %-14s %-40s n=%-8zu max|ref|=%-9.3g abs=%-9.3g rel=%-9.3g\n", bad ? "FAIL" : "ok  ", op, what, n,
	       maxref, maxabs, maxrel);
	if (bad)
		printf("     %zu of %zu outside atol=%g rtol=%g; first at %zu: got %.9g ref %.9g\n", bad, n, atol, rtol,
		       first, got[first], ref[first]);
	return bad == 0;
}

/* ||got - ref|| / ||ref|| <= tol (for the reduced-precision matmul modes) */
static inline int gc_cmp_norm(const char *op, const char *what, const float *got, const float *ref, size_t n, double tol)
{
	double num = 0, den = 0;
	for (size_t i = 0; i < n; i++) {
		double d = (double)got[i] - ref[i];
		num += d * d;
		den += (double)ref[i] * ref[i];
	}
	double e = sqrt(num / (den > 0 ? den : 1));
	int ok = e <= tol;   /* NaN fails */
	gc_row_t *r = gc_row(op);
	r->checks++;
	r->fails += !ok;
	r->maxrel = e > r->maxrel || e != e ? e : r->maxrel;
	printf("%s %-14s %-40s n=%-8zu ||err||/||ref||=%.3g (tol %g)\n", ok ? "ok  " : "FAIL", op, what, n, e, tol);
	return ok;
}

static inline int gc_table(const char *title)
{
	int fails = 0;
	printf("\n%s\n%-16s %7s %6s %12s %12s\n", title, "op", "checks", "fails", "max abs err", "max rel err");
	for (int i = 0; i < gc_nrows; i++) {
		gc_row_t *r = &gc_rows[i];
		printf("%-16s %7d %6d %12.3g %12.3g\n", r->op, r->checks, r->fails, r->maxabs, r->maxrel);
		fails += r->fails;
	}
	printf("%s: %d checks failed\n", title, fails);
	return fails;
}

#endif
