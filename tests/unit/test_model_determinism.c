/* test_model_determinism: the CPU backend gives bit-identical logits, loss and gradients
 * whatever the number of OpenMP threads and however often it runs — every output element is
 * computed by one thread in a fixed order — which resumable training and the CUDA comparison
 * rely on. Llama fixture with a LoRA adapter (base and LoRA gradients both on). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "hf_fixture.h"
#include "model.h"
#include "ops.h"

typedef struct { float *logits, loss; float *grads; size_t ng, nl; } run_t;

static run_t run_once(const char *dir, int threads)
{
	omp_set_num_threads(threads);
	model_t *m = model_load(dir, &ops_cpu);
	char path[4200];
	snprintf(path, sizeof path, "%s/adapter", dir);
	model_lora_load(m, path);
	model_set_train_base(m, 1);
	snprintf(path, sizeof path, "%s/ref_forward.safetensors", dir);
	st_file_t *ref = st_open(path);
	hf_batch_t hb;
	hf_batch_load(&hb, ref);
	run_t r;
	model_zero_grad(m);
	r.loss = model_forward(m, &hb.b);
	size_t nl = (size_t)hb.b.N * model_cfg(m)->V;
	r.nl = nl;
	r.logits = malloc(nl * sizeof(float));
	memcpy(r.logits, model_logits(m), nl * sizeof(float));
	model_backward(m, 1.0f / model_ntargets(m));
	r.ng = 0;
	for (int i = 0; i < model_nparams(m); i++)
		r.ng += model_param(m, i)->numel;
	for (int i = 0; i < model_lora_nparams(m); i++)
		r.ng += model_lora_param(m, i)->numel;
	r.grads = malloc(r.ng * sizeof(float));
	size_t at = 0;
	for (int i = 0; i < model_nparams(m); i++, at += model_param(m, i - 1)->numel)
		memcpy(r.grads + at, model_param(m, i)->grad, model_param(m, i)->numel * sizeof(float));
	for (int i = 0; i < model_lora_nparams(m); i++, at += model_lora_param(m, i - 1)->numel)
		memcpy(r.grads + at, model_lora_param(m, i)->grad, model_lora_param(m, i)->numel * sizeof(float));
	hf_batch_free(&hb);
	st_close(ref);
	model_free(m);
	return r;
}

int main(void)
{
	char dir[4096];
	if (!hf_fixture("llama", dir, sizeof dir)) {
		printf("no llama fixture\n");
		return 77;
	}
	ops_cpu_min_parallel = 0;   /* split every op over the threads, however small */
	run_t a = run_once(dir, 1), b = run_once(dir, 3), c = run_once(dir, 2);
	int ok = 1;
	const run_t *o[2] = {&b, &c};
	for (int k = 0; k < 2; k++) {
		int same = a.loss == o[k]->loss && a.ng == o[k]->ng && a.nl == o[k]->nl
			   && memcmp(a.logits, o[k]->logits, a.nl * sizeof(float)) == 0
			   && memcmp(a.grads, o[k]->grads, a.ng * sizeof(float)) == 0;
		printf("%s 1 thread and %d threads: same loss, logits and %zu gradients, bit for bit\n", same ? "ok  " : "FAIL",
		       k ? 2 : 3, a.ng);
		ok &= same;
	}
	free(a.logits), free(a.grads), free(b.logits), free(b.grads), free(c.logits), free(c.grads);
	return ok ? 0 : 1;
}
