/* test_neftune: NEFTune's embedding noise (model_set_neftune, ops uniform_noise).
 *
 * The op: on zeros it gives values in [-mag, mag) with mean near 0 and extremes near +-mag, and
 * the same values for the same seed. The model (examples/tiny-llama, seeded random weights, a
 * batch of two samples): in training mode the loss with noise differs from the loss without,
 * is the same for the same seed and differs for another; in eval mode the noise is off and the
 * loss is the plain one, bit for bit; the gradients of a noisy forward are finite. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "modelcfg.h"
#include "ops.h"

static int ok = 1;

static void check(int cond, const char *what)
{
	printf("%s %s\n", cond ? "ok  " : "FAIL", what);
	ok &= cond;
}

int main(void)
{
	size_t n = 100000;
	float *a = calloc(n, sizeof *a), *b = calloc(n, sizeof *b);
	ops_cpu.uniform_noise(a, n, 0.5f, 42);
	ops_cpu.uniform_noise(b, n, 0.5f, 42);
	double mean = 0, lo = 1, hi = -1;
	int inside = 1;
	for (size_t i = 0; i < n; i++) {
		mean += a[i] / (double)n;
		lo = fmin(lo, a[i]);
		hi = fmax(hi, a[i]);
		inside &= a[i] >= -0.5f && a[i] < 0.5f;
	}
	check(inside && lo < -0.499 && hi > 0.499 && fabs(mean) < 0.01, "uniform_noise: in [-mag, mag), mean ~0, extremes ~mag");
	check(!memcmp(a, b, n * sizeof *a), "uniform_noise: the same seed gives the same noise");
	free(a);
	free(b);

	modelcfg_t mc;
	modelcfg_load(&mc, "examples/tiny-llama");
	model_t *m = model_init_random(&mc, 3, &ops_cpu);
	int ids[40], labels[40], targets[40], cu[3] = {0, 24, 40};
	for (int i = 0; i < 40; i++)
		ids[i] = labels[i] = (i * 37 + 11) % mc.V;
	model_shift_labels(targets, labels, 40, cu, 2);
	batch_t bt = {.N = 40, .ids = ids, .cu_seqlens = cu, .nseq = 2, .targets = targets, .row_len = 40};
	model_set_training(m, 0, 0);
	float plain = model_forward(m, &bt);
	model_set_neftune(m, 5.0f);
	model_set_training(m, 1, 7);
	float n1 = model_forward(m, &bt);
	model_zero_grad(m);
	model_backward(m, 1.0f / model_ntargets(m));
	int finite = 1;
	for (int i = 0; i < model_nparams(m); i++) {
		param_t *p = model_param(m, i);
		for (size_t k = 0; k < p->numel; k++)
			finite &= isfinite(p->grad[k]);
	}
	float n2 = model_forward(m, &bt);
	model_set_training(m, 1, 8);
	float n3 = model_forward(m, &bt);
	model_set_training(m, 0, 0);
	float ev = model_forward(m, &bt);
	char w[200];
	snprintf(w, sizeof w, "training with noise: loss %.7f, without %.7f: they differ", n1, plain);
	check(n1 != plain, w);
	check(n1 == n2, "the same seed gives the same noisy loss");
	check(n3 != n1, "another seed gives another noisy loss");
	check(ev == plain, "eval mode: no noise, the plain loss bit for bit");
	check(finite, "gradients of a noisy forward are finite");
	model_free(m);
	return ok ? 0 : 1;
}
