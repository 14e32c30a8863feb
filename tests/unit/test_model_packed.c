/* test_model_packed: three samples packed in one row (ref_packed.safetensors: position ids
 * restarting, logits of each sample run alone by transformers) — attention must not cross a
 * sample boundary and RoPE must restart; also the same with positions derived from the
 * boundaries alone (batch.pos NULL). */
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
		snprintf(path, sizeof path, "%s/ref_packed.safetensors", dir);
		st_file_t *ref = st_open(path);
		const st_tensor_t *ti = st_need(ref, "input_ids", 2, NULL);
		int N = (int)ti->numel;
		int32_t *ids = st_load_i32(ti);
		int32_t *pos = st_load_i32(st_need(ref, "position_ids", 2, ti->shape));
		const st_tensor_t *tl = st_need(ref, "seq_lens", 1, NULL);
		int nseq = (int)tl->numel;
		int32_t *lens = st_load_i32(tl);
		int *cu = malloc((size_t)(nseq + 1) * sizeof *cu);
		cu[0] = 0;
		for (int s = 0; s < nseq; s++)
			cu[s + 1] = cu[s] + lens[s];
		const modelcfg_t *c = model_cfg(m);
		float *want = st_load_f32(st_need(ref, "logits", 3, (int64_t[]){1, N, c->V}));
		char what[128];
		for (int derived = 0; derived < 2; derived++) {
			batch_t b = {.N = N, .ids = ids, .pos = derived ? NULL : pos, .cu_seqlens = cu, .nseq = nseq};
			model_forward(m, &b);
			/* as test_model_forward: float32 vs float32, summation order only */
			snprintf(what, sizeof what, "%s packed logits%s", hf_archs[a], derived ? " (derived positions)" : "");
			ok &= cmp_close(what, model_logits(m), want, (size_t)N * c->V, 3e-6, 1e-5);
		}
		free(want);
		free(ids);
		free(pos);
		free(lens);
		free(cu);
		st_close(ref);
		model_free(m);
	}
	if (!ran) {
		printf("no Hugging Face fixtures found (FT_FIXTURES or tests/fixtures/hf)\n");
		return 77;
	}
	return ok ? 0 : 1;
}
