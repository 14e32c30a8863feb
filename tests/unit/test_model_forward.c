/* test_model_forward: logits and loss of every fixture architecture against transformers'
 * (ref_forward.safetensors: eager attention, float32, two rows of 24 tokens, labels with
 * -100s), on the CPU backend. */
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
		hf_batch_t hb;
		hf_batch_load(&hb, ref);
		float loss = model_forward(m, &hb.b);
		const modelcfg_t *c = model_cfg(m);
		const st_tensor_t *rl = st_need(ref, "logits", 3, (int64_t[]){hb.B, hb.T, c->V});
		float *want = st_load_f32(rl);
		float want_loss;
		st_read_f32(st_need(ref, "loss", 1, (int64_t[]){1}), &want_loss);
		char what[128];
		/* float32 against float32, differing in summation order only (we accumulate in
		 * double): measured max abs error 5e-7 on logits of magnitude up to 1.7, so allow
		 * a few float32 ulps of the largest: atol 3e-6, rtol 1e-5 */
		snprintf(what, sizeof what, "%s logits", hf_archs[a]);
		ok &= cmp_close(what, model_logits(m), want, rl->numel, 3e-6, 1e-5);
		snprintf(what, sizeof what, "%s loss", hf_archs[a]);
		ok &= cmp_close(what, &loss, &want_loss, 1, 0, 2e-6);
		free(want);
		hf_batch_free(&hb);
		st_close(ref);
		model_free(m);
	}
	if (!ran) {
		printf("no Hugging Face fixtures found (FT_FIXTURES or tests/fixtures/hf)\n");
		return 77;
	}
	return ok ? 0 : 1;
}
