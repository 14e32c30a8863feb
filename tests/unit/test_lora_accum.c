/* test_lora_accum: gradient accumulation as the Hugging Face Trainer does it, on the engine
 * side — hf/train_llama logs, per optimiser step, the loss (sum of token cross-entropies over
 * both micro-batches / label tokens in both) and the pre-clip gradient norm of the LoRA
 * parameters. Its first step runs at learning rate 0, so steps 1 and 2 both see the initial
 * adapter (adapter_init: PEFT's own initialisation, B zero): we reproduce their loss and
 * gradient norm by accumulating two micro-batches of two rows with dloss = 1 / (label tokens
 * of the whole step). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "hf_fixture.h"
#include "json.h"
#include "model.h"
#include "ops.h"

int main(void)
{
	char dir[4096], path[4200];
	if (!hf_fixture("train_llama", dir, sizeof dir)) {
		printf("no hf/train_llama fixture (FT_FIXTURES)\n");
		return 77;
	}
	snprintf(path, sizeof path, "%s/base", dir);
	model_t *m = model_load(path, &ops_cpu);
	snprintf(path, sizeof path, "%s/adapter_init", dir);
	model_lora_load(m, path);
	snprintf(path, sizeof path, "%s/data.safetensors", dir);
	st_file_t *data = st_open(path);
	const st_tensor_t *ti = st_need(data, "input_ids", 2, NULL);
	int T = (int)ti->shape[1];
	if (T > 64 || ti->shape[0] < 8) {
		printf("unexpected data shape: rows of %d tokens (at most 64), %lld rows\n", T, (long long)ti->shape[0]);
		return 1;
	}
	int32_t *ids = st_load_i32(ti), *labels = st_load_i32(st_need(data, "labels", 2, ti->shape));
	snprintf(path, sizeof path, "%s/history.json", dir);
	cJSON *h = json_read_file(path, 0), *hist = cJSON_GetObjectItem(h, "history");
	int ok = 1;
	enum { MICRO = 2, ACC = 2 };
	for (int step = 1; step <= 2; step++) {
		cJSON *e = cJSON_GetArrayItem(hist, step - 1);
		double want_loss = cJSON_GetObjectItem(e, "loss")->valuedouble,
		       want_norm = cJSON_GetObjectItem(e, "grad_norm")->valuedouble;
		int row0 = (step - 1) * MICRO * ACC;
		int tg[MICRO * ACC][64], total = 0;
		for (int r = 0; r < MICRO * ACC; r++)
			for (int t = 0; t < T; t++) {
				tg[r][t] = t + 1 < T ? labels[(row0 + r) * T + t + 1] : -100;
				total += tg[r][t] >= 0;
			}
		model_zero_grad(m);
		double loss_sum = 0;
		for (int mb = 0; mb < ACC; mb++) {
			int tflat[MICRO * 64], cu[MICRO + 1];
			for (int r = 0; r < MICRO; r++) {
				memcpy(tflat + r * T, tg[mb * MICRO + r], (size_t)T * sizeof(int));
				cu[r] = r * T;
			}
			cu[MICRO] = MICRO * T;
			batch_t b = {.N = MICRO * T, .ids = ids + (size_t)(row0 + mb * MICRO) * T, .cu_seqlens = cu,
				     .nseq = MICRO, .targets = tflat};
			model_forward(m, &b);
			loss_sum += model_loss_sum(m);
			model_backward(m, 1.0f / total);
		}
		double g2 = 0;
		for (int i = 0; i < model_lora_nparams(m); i++) {
			param_t *p = model_lora_param(m, i);
			for (size_t k = 0; k < p->numel; k++)
				g2 += (double)p->grad[k] * p->grad[k];
		}
		float loss = (float)(loss_sum / total), norm = (float)sqrt(g2), wl = (float)want_loss, wn = (float)want_norm;
		char what[64];
		/* float32 training arithmetic on both sides: a few ulps of the loss, ~1e-5 of the norm
		 * (a sum of squares of 2 x 14 float32 gradient tensors) */
		snprintf(what, sizeof what, "step %d loss", step);
		ok &= cmp_close(what, &loss, &wl, 1, 0, 2e-6);
		snprintf(what, sizeof what, "step %d pre-clip grad norm", step);
		ok &= cmp_close(what, &norm, &wn, 1, 0, 1e-5);
	}
	cJSON_Delete(h);
	free(ids);
	free(labels);
	st_close(data);
	model_free(m);
	return ok ? 0 : 1;
}
