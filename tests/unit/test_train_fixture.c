/* test_train_fixture: ten optimizer steps of LoRA training against hf/train_llama (plain torch
 * run the way the Hugging Face Trainer does it: AdamW lr 1e-3, cosine with 2 warm-up steps,
 * micro batch 2, accumulation 2, clipping at 1.0, weight decay 0.01).
 *
 * The fixture's rows are written to a .ftp (one 32-token sample per row, in order) and the
 * whole of ft-train's loop runs on it (train_run, curriculum_sampling so rows stay in order).
 * Per step, metrics.jsonl must give history.json's loss, pre-clip gradient norm and learning
 * rate, and the final adapter must be adapter_final. Tolerances, float32 on both sides:
 *   loss      rtol 1e-5  (a mean of 240 float32 token losses; seen: 4e-8)
 *   grad_norm rtol 1e-4  (sum of squares of 112 float32 gradient tensors; seen: 6e-7)
 *   lr        rtol 1e-12 (both double, the same formula)
 *   adapter   atol 2e-6  (Adam divides by sqrt(v): tiny float32 differences in small gradient
 *                         entries become ~1e-7 differences of weights that moved ~1e-3; seen 4.5e-7) */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "fileio.h"
#include "hf_fixture.h"
#include "outfile.h"
#include "tokfile.h"
#include "train.h"

int main(void)
{
	char dir[4096], path[4400];
	if (!hf_fixture("train_llama", dir, sizeof dir)) {
		printf("no hf/train_llama fixture (FT_FIXTURES)\n");
		return 77;
	}
	char tmp[] = "/tmp/ft-test-train.XXXXXX";
	if (!mkdtemp(tmp))
		return 1;
	ft_verbosity = 0;
	/* the rows as a .ftp */
	snprintf(path, sizeof path, "%s/data.safetensors", dir);
	st_file_t *data = st_open(path);
	const st_tensor_t *ti = st_need(data, "input_ids", 2, NULL);
	int R = (int)ti->shape[0], T = (int)ti->shape[1];
	int32_t *ids = st_load_i32(ti), *labels = st_load_i32(st_need(data, "labels", 2, ti->shape));
	char ftp[4200];
	snprintf(ftp, sizeof ftp, "%s/train.ftp", tmp);
	cJSON *meta = cJSON_CreateObject();
	cJSON_AddStringToObject(meta, "kind", "packed");
	cJSON_AddNumberToObject(meta, "sequence_len", T);
	tokfile_writer_t *w = tokfile_create(outfile_open(ftp, 1), TOKFILE_FTP, meta);
	cJSON_Delete(meta);
	uint32_t *tok = malloc((size_t)T * sizeof *tok), len = (uint32_t)T;
	for (int r = 0; r < R; r++) {
		for (int t = 0; t < T; t++) {
			int l = labels[r * T + t];
			if (l >= 0 && l != ids[r * T + t]) {
				printf("labels are not input_ids or -100: cannot be a .ftp\n");
				return 1;
			}
			tok[t] = (uint32_t)ids[r * T + t] | (l >= 0 ? TOK_TRAINS : 0);
		}
		tokfile_write_row(w, &len, 1, tok, (uint32_t)T);
	}
	tokfile_finish(w, NULL);
	free(tok);
	free(ids);
	free(labels);
	st_close(data);

	char cfgp[4200];
	snprintf(cfgp, sizeof cfgp, "%s/cfg.yml", tmp);
	FILE *f = fopen(cfgp, "w");
	fprintf(f, "base_model: %s/base\ndatasets:\n  - path: %s/unused.jsonl\nsequence_len: %d\n"
		   "curriculum_sampling: true\nadapter: lora\nlora_model_dir: %s/adapter_init\nlora_r: 8\n"
		   "lora_alpha: 16\nlora_target_linear: true\nmicro_batch_size: 2\ngradient_accumulation_steps: 2\n"
		   "max_steps: 10\nlearning_rate: 1e-3\nweight_decay: 0.01\noptimizer: adamw_torch\n"
		   "lr_scheduler: cosine\nwarmup_steps: 2\nmax_grad_norm: 1.0\nlogging_steps: 1\n"
		   "save_strategy: \"no\"\noutput_dir: %s/out\n",
		dir, tmp, T, dir, tmp);
	fclose(f);
	ft_config_t *cfg = config_load(cfgp, NULL, 0, CONFIG_NEEDS_MODEL);
	train_opts_t o = {.data = ftp, .progress = 0};
	train_run(cfg, &o);
	config_free(cfg);

	int ok = 1;
	snprintf(path, sizeof path, "%s/history.json", dir);
	char *ht = file_read(path, NULL, 0);
	cJSON *hroot = cJSON_Parse(ht), *hist = cJSON_GetObjectItem(hroot, "history");
	snprintf(path, sizeof path, "%s/out/metrics.jsonl", tmp);
	char *mt = file_read(path, NULL, 0);
	int nstep = 0;
	for (char *line = strtok(mt, "\n"); line; line = strtok(NULL, "\n")) {
		cJSON *e = cJSON_Parse(line);
		cJSON *st = cJSON_GetObjectItem(e, "step"), *loss = cJSON_GetObjectItem(e, "loss");
		if (!loss) {
			cJSON_Delete(e);
			continue;
		}
		cJSON *h = cJSON_GetArrayItem(hist, st->valueint - 1);
		char what[64];
		float g[3] = {(float)loss->valuedouble, (float)cJSON_GetObjectItem(e, "grad_norm")->valuedouble,
			      (float)cJSON_GetObjectItem(e, "learning_rate")->valuedouble};
		float want[3] = {(float)cJSON_GetObjectItem(h, "loss")->valuedouble,
				 (float)cJSON_GetObjectItem(h, "grad_norm")->valuedouble,
				 (float)cJSON_GetObjectItem(h, "lr")->valuedouble};
		snprintf(what, sizeof what, "step %d loss", st->valueint);
		ok &= cmp_close(what, &g[0], &want[0], 1, 0, 1e-5);
		snprintf(what, sizeof what, "step %d pre-clip grad norm", st->valueint);
		ok &= cmp_close(what, &g[1], &want[1], 1, 0, 1e-4);
		snprintf(what, sizeof what, "step %d learning rate", st->valueint);
		ok &= cmp_close(what, &g[2], &want[2], 1, 1e-15, 1e-12);
		nstep++;
		cJSON_Delete(e);
	}
	if (nstep != 10) {
		printf("FAIL metrics.jsonl has %d step entries, want 10\n", nstep);
		ok = 0;
	}
	/* the final adapter */
	snprintf(path, sizeof path, "%s/adapter_final/adapter_model.safetensors", dir);
	st_file_t *ref = st_open(path);
	snprintf(path, sizeof path, "%s/out/adapter_model.safetensors", tmp);
	st_file_t *got = st_open(path);
	if (got->n != ref->n) {
		printf("FAIL adapter has %d tensors, want %d\n", got->n, ref->n);
		ok = 0;
	}
	for (int i = 0; i < ref->n; i++) {
		const st_tensor_t *rt = &ref->t[i], *gt = st_find(got, rt->name);
		if (!gt || gt->numel != rt->numel) {
			printf("FAIL adapter lacks %s\n", rt->name);
			ok = 0;
			continue;
		}
		float *a = st_load_f32(gt), *b = st_load_f32(rt);
		ok &= cmp_close(rt->name, a, b, (size_t)rt->numel, 2e-6, 0);
		free(a);
		free(b);
	}
	st_close(ref);
	st_close(got);
	cJSON_Delete(hroot);
	free(ht);
	free(mt);
	rmtree(tmp);
	return ok ? 0 : 1;
}
