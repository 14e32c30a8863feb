/* lrsched: transformers' schedule lambdas (optimization.py), written with the same float
 * operations in the same order so the learning rates agree to the last bit with Python's. */
#include <math.h>
#include <string.h>

#include "lrsched.h"

int sched_from_name(const char *name)
{
	if (!name || !strcmp(name, "cosine"))
		return SCHED_COSINE;
	if (!strcmp(name, "linear"))
		return SCHED_LINEAR;
	if (!strcmp(name, "constant"))
		return SCHED_CONSTANT;
	if (!strcmp(name, "constant_with_warmup"))
		return SCHED_CONSTANT_WARMUP;
	return -1;
}

static double maxd(double a, double b) { return a > b ? a : b; }

double sched_factor(const sched_t *sc, long s)
{
	long W = sc->warmup, T = sc->total;
	switch (sc->kind) {
	case SCHED_CONSTANT:
		return 1.0;
	case SCHED_CONSTANT_WARMUP:
		if (s < W)
			return (double)s / maxd(1.0, (double)W);
		return 1.0;
	case SCHED_LINEAR:
		if (s < W)
			return (double)s / (double)(W > 1 ? W : 1);
		return maxd(0.0, (double)(T - s) / (double)(T - W > 1 ? T - W : 1));
	case SCHED_COSINE:
	default:
		if (s < W)
			return (double)s / (double)(W > 1 ? W : 1);
		{
			double progress = (double)(s - W) / (double)(T - W > 1 ? T - W : 1);
			if (sc->min_ratio >= 0) {
				/* Axolotl's get_cosine_schedule_with_min_lr (utils/schedulers.py) */
				double scaling = 0.5 * (1.0 + cos(M_PI * progress));
				return (1 - sc->min_ratio) * scaling + sc->min_ratio;
			}
			/* num_cycles = 0.5 */
			return maxd(0.0, 0.5 * (1.0 + cos(M_PI * 0.5 * 2.0 * progress)));
		}
	}
}
