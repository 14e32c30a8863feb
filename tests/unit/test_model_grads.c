/* test_model_grads: d loss / d parameter for every parameter of every fixture architecture
 * against transformers' autograd (ref_grads.safetensors), full fine-tuning, CPU backend. */
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "hf_fixture.h"
#include "model.h"
#include "ops.h"

int main(void)
{
	int ok = 1, ran = 0;
	char dir[4096], path[4200];
	for (int a = 0; a < HF_NARCHS; a++) {
		if (!hf_fixture(hf_archs[a], dir, sizeof dir)) {
			printf("skip %s: no fixture\n", hf_archs[a]);
			continue;
		}
		ran++;
		model_t *m = model_load(dir, &ops_cpu);
		snprintf(path, sizeof path, "%s/ref_forward.safetensors", dir);
		st_file_t *ref = st_open(path);
		snprintf(path, sizeof path, "%s/ref_grads.safetensors", dir);
		st_file_t *rg = st_open(path);
		hf_batch_t hb;
		hf_batch_load(&hb, ref);
		model_zero_grad(m);
		model_forward(m, &hb.b);
		model_backward(m, 1.0f / model_ntargets(m));
		if (rg->n != model_nparams(m)) {
			printf("FAIL %s: %d reference gradients for %d parameters\n", hf_archs[a], rg->n, model_nparams(m));
			ok = 0;
		}
		for (int i = 0; i < model_nparams(m); i++) {
			param_t *p = model_param(m, i);
			const st_tensor_t *t = st_need(rg, p->name, p->ndim, p->shape);
			float *want = st_load_f32(t);
			double mx = 0;
			for (size_t j = 0; j < p->numel; j++)
				mx = fabs(want[j]) > mx ? fabs(want[j]) : mx;
			char what[200];
			snprintf(what, sizeof what, "%s %s", hf_archs[a], p->name);
			/* float32 autograd against our double-accumulated float32: gradients are sums
			 * over 48 tokens and 256 logits whose terms cancel, so compare relative to the
			 * tensor's largest gradient: atol 1e-5 of max|ref|, rtol 1e-4 */
			ok &= cmp_close(what, p->grad, want, p->numel, 1e-5 * mx, 1e-4);
			free(want);
		}
		hf_batch_free(&hb);
		st_close(ref);
		st_close(rg);
		model_free(m);
	}
	if (!ran) {
		printf("no Hugging Face fixtures found (FT_FIXTURES or tests/fixtures/hf)\n");
		return 77;
	}
	return ok ? 0 : 1;
}
