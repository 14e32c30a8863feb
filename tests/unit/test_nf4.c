/* test_nf4: QLoRA's 4-bit base against bitsandbytes (tests/fixtures/hf_extra/llama_nf4: the
 * llama_linear_bias model quantised by transformers + bitsandbytes 0.50, NF4 with double
 * quantisation, saved as a 4-bit checkpoint). Loading it dequantises every linear weight to
 * exactly bitsandbytes' dequantize_4bit and gives its logits; quantising the float weights
 * ourselves gives the same packed nibbles, absmax codes and nested state as the checkpoint
 * (checked on two weights), and the round trip its weights to an ulp. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "hf_fixture.h"
#include "model.h"
#include "nf4.h"
#include "ops.h"

#define ROOT "tests/fixtures/hf_extra"

int main(void)
{
	if (!path_is_dir(ROOT "/llama_nf4")) {
		printf("no %s/llama_nf4 (run from the repository root)\n", ROOT);
		return 77;
	}
	int ok = 1;
	model_t *q = model_load(ROOT "/llama_nf4", &ops_cpu);
	st_file_t *deq = st_open(ROOT "/llama_nf4/ref_dequant.safetensors");
	int nq = 0, exact = 1;
	for (int i = 0; i < deq->n; i++) {
		param_t *p = model_param_by_name(q, deq->t[i].name);
		float *want = st_load_f32(&deq->t[i]);
		if (!p || p->numel != (size_t)deq->t[i].numel || memcmp(p->data, want, p->numel * sizeof(float)) != 0) {
			printf("FAIL dequantised %s differs from bitsandbytes'\n", deq->t[i].name);
			exact = 0;
		}
		nq++;
		free(want);
	}
	printf("%s %d nf4 weights dequantised bit for bit as bitsandbytes\n", exact && nq == 21 ? "ok  " : "FAIL", nq);
	ok &= exact && nq == 21;

	/* forward on the dequantised weights, as the 4-bit model computes in float32 */
	st_file_t *ref = st_open(ROOT "/llama_nf4/ref_forward.safetensors");
	hf_batch_t hb;
	hf_batch_load(&hb, ref);
	float loss = model_forward(q, &hb.b), want_loss;
	float *want = st_load_f32(st_need(ref, "logits", 3, NULL));
	st_read_f32(st_need(ref, "loss", 1, NULL), &want_loss);
	ok &= cmp_close("llama_nf4 logits", model_logits(q), want, (size_t)hb.b.N * model_cfg(q)->V, 3e-6, 1e-5);
	ok &= cmp_close("llama_nf4 loss", &loss, &want_loss, 1, 0, 2e-6);
	free(want);
	hf_batch_free(&hb);
	st_close(ref);

	/* quantising ourselves: the float model's q_proj of layer 0 against the checkpoint's state */
	st_file_t *fl = st_open(ROOT "/llama_linear_bias/model.safetensors");
	st_file_t *ck = st_open(ROOT "/llama_nf4/model.safetensors");
	const char *names[] = {"model.layers.0.self_attn.q_proj.weight", "model.layers.2.mlp.down_proj.weight"};
	for (int k = 0; k < 2; k++) {
		char nm[200];
		float *w = st_load_f32(st_need(fl, names[k], 2, NULL));
		size_t n = (size_t)st_find(fl, names[k])->numel, nb = (n + 63) / 64;
		uint8_t *packed = malloc(n / 2 + 1), *qa = malloc(nb);
		float *absmax = malloc(nb * sizeof *absmax), a2[16], map[256];
		nf4_quantize(w, n, 64, packed, absmax);
		float sum = 0;   /* as nf4_roundtrip: torch's float32 mean */
		for (size_t b = 0; b < nb; b++)
			sum += absmax[b];
		float offset = sum / (float)nb;
		for (size_t b = 0; b < nb; b++)
			absmax[b] -= offset;
		bnb_dynamic_map(map);
		bnb_quantize_blockwise(absmax, nb, 256, map, qa, a2);
		const st_tensor_t *cw = st_need(ck, names[k], 2, NULL);
		snprintf(nm, sizeof nm, "%s.absmax", names[k]);
		const st_tensor_t *ca = st_need(ck, nm, 1, NULL);
		snprintf(nm, sizeof nm, "%s.nested_absmax", names[k]);
		float *cna = st_load_f32(st_need(ck, nm, 1, NULL));
		snprintf(nm, sizeof nm, "%s.nested_quant_map", names[k]);
		float *cmap = st_load_f32(st_need(ck, nm, 1, NULL));
		int same = cw->nbytes == n / 2 && memcmp(cw->data, packed, n / 2) == 0 && (size_t)ca->numel == nb
			   && memcmp(ca->data, qa, nb) == 0 && memcmp(cna, a2, sizeof(float)) == 0
			   && memcmp(cmap, map, sizeof map) == 0;
		printf("%s quantising %s: packed nibbles, absmax codes, nested absmax and map as bitsandbytes\n",
		       same ? "ok  " : "FAIL", names[k]);
		ok &= same;
		free(w), free(packed), free(qa), free(absmax), free(cna), free(cmap);
	}
	st_close(fl);
	st_close(ck);

	/* and the whole round trip on load: the 4-bit checkpoint's weights, up to the last bit of
	 * the double-quantisation offset (torch's float32 mean sums in an order of its own: an
	 * ulp in the offset moves each weight by at most an ulp or two; codebases.md 4e) */
	model_t *f = model_load(ROOT "/llama_linear_bias", &ops_cpu);
	model_quantize_nf4(f, 64, 1);
	for (int i = 0; i < deq->n; i++) {
		param_t *p = model_param_by_name(f, deq->t[i].name), *r = model_param_by_name(q, deq->t[i].name);
		char w[200];
		snprintf(w, sizeof w, "model_quantize_nf4 %s", deq->t[i].name);
		ok &= cmp_close(w, p->data, r->data, p->numel, 2.5e-7, 0);
	}
	model_free(f);
	st_close(deq);
	model_free(q);
	return ok ? 0 : 1;
}
