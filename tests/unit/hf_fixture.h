/* hf_fixture: what the model tests share — finding the Hugging Face reference fixtures and
 * comparing our tensors with theirs.
 *
 * The fixtures come from FT_FIXTURES/hf (the shared ones, produced by transformers and PEFT,
 * see its README.md); when that is absent, tests/fixtures/hf holds a copy of the llama one so
 * the core tests still run. A comparison passes element-wise when
 * |got - ref| <= atol + rtol * |ref|, and prints the max abs and rel errors either way. */
#ifndef FT_TEST_HF_FIXTURE_H
#define FT_TEST_HF_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const hf_archs[] = {"llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2"};
#define HF_NARCHS ((int)(sizeof hf_archs / sizeof *hf_archs))

static inline int path_is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder of one architecture's fixture in buf, or NULL when not available. */
static inline const char *hf_fixture(const char *arch, char *buf, size_t n)
{
	const char *env = getenv("FT_FIXTURES");
	snprintf(buf, n, "%s/hf/%s", env ? env : "../shared/fixtures", arch);
	if (path_is_dir(buf))
		return buf;
	snprintf(buf, n, "tests/fixtures/hf/%s", arch);
	if (path_is_dir(buf))
		return buf;
	return NULL;
}

/* Compare n floats; returns 1 if all within tolerance. */
static inline int cmp_close(const char *what, const float *got, const float *ref, size_t n, double atol, double rtol)
{
	double maxabs = 0, maxrel = 0, maxref = 0;
	size_t bad = 0, first = (size_t)-1;
	for (size_t i = 0; i < n; i++)
		if (fabs(ref[i]) > maxref)
			maxref = fabs(ref[i]);
	for (size_t i = 0; i < n; i++) {
		double d = fabs((double)got[i] - ref[i]);
		double r = d / (fabs(ref[i]) > 1e-30 ? fabs(ref[i]) : 1e-30);
		if (!(d <= atol + rtol * fabs(ref[i]))) {
			if (!bad)
				first = i;
			bad++;
		}
		if (d > maxabs || d != d)
			maxabs = d;
		if (fabs(ref[i]) >= 1e-3 * maxref && r > maxrel)   /* rel of the non-tiny elements */
			maxrel = r;
	}
	printf("%s %-58s n=%-6zu max|ref|=%.3g max abs err=%.3g max rel err=%.3g (|ref| >= 1e-3 max)\n", bad ? "FAIL" : "ok  ", what, n,
	       maxref, maxabs, maxrel);
	if (bad)
		printf("     %zu of %zu outside atol=%g rtol=%g; first at %zu: got %.9g ref %.9g\n", bad, n, atol, rtol,
		       first, got[first], ref[first]);
	return bad == 0;
}

#endif

#include "model.h"
#include "safetensors.h"

/* The reference batch of ref_forward.safetensors: rows of input_ids and labels (B, T),
 * flattened into one packed batch of B samples, targets shifted as transformers' loss does
 * (position t predicts labels[t + 1] of its row; the last position of a row predicts nothing). */
typedef struct {
	int B, T;
	int *ids, *targets, *cu;
	batch_t b;
} hf_batch_t;

static inline void hf_batch_load(hf_batch_t *hb, const st_file_t *f)
{
	const st_tensor_t *ids = st_need(f, "input_ids", 2, NULL);
	hb->B = (int)ids->shape[0];
	hb->T = (int)ids->shape[1];
	int N = hb->B * hb->T;
	hb->ids = st_load_i32(ids);
	int32_t *labels = st_load_i32(st_need(f, "labels", 2, ids->shape));
	hb->targets = malloc((size_t)N * sizeof(int));
	hb->cu = malloc((size_t)(hb->B + 1) * sizeof(int));
	for (int r = 0; r <= hb->B; r++)
		hb->cu[r] = r * hb->T;
	model_shift_labels(hb->targets, labels, N, hb->cu, hb->B);
	free(labels);
	hb->b = (batch_t){.N = N, .ids = hb->ids, .cu_seqlens = hb->cu, .nseq = hb->B, .targets = hb->targets};
}

static inline void hf_batch_free(hf_batch_t *hb)
{
	free(hb->ids);
	free(hb->targets);
	free(hb->cu);
}
