/* test_hf_extra: the features the shared fixtures do not reach, against transformers and PEFT
 * (tests/fixtures/hf_extra, made by scripts/gen_engine_fixtures.py with the shared fixtures'
 * versions: gemma3_text, phi3 with partial rotary and a sliding window, phi3 with longrope (long
 * and short factors), llama3 / yarn / linear / dynamic RoPE, attention biases with o_proj, qwen2 and mistral sliding windows, the text tower
 * of a multimodal Gemma 3 checkpoint; adapters with
 * rsLoRA on a subset of layers, modules_to_save, DoRA). For each model: logits and loss, every
 * gradient, packed logits; for each adapter: logits, loss, adapter gradients, merge, and the
 * saved adapter weights byte-identical to PEFT's. Tolerances as in test_model_forward and
 * test_model_grads (float32 against float32, summation order only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "hf_fixture.h"
#include "model.h"
#include "ops.h"

#define ROOT "tests/fixtures/hf_extra"

static int files_equal(const char *a, const char *b)
{
	char cmd[9000];
	snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", a, b);
	return system(cmd) == 0;
}

static int cmp_grads(model_t *m, st_file_t *rg, int lora, const char *what)
{
	int ok = 1, n = lora ? model_lora_nparams(m) : model_nparams(m);
	int seen = 0;
	for (int i = 0; i < rg->n; i++) {
		char name[256];
		snprintf(name, sizeof name, "%s", rg->t[i].name);
		char *d = strstr(name, ".default");
		if (d)   /* PEFT's in-memory names: ...lora_A.default.weight, ...modules_to_save.default.weight */
			memmove(d, d + 8, strlen(d + 8) + 1);
		if (!strncmp(name, "model.language_model.", 21))   /* Gemma 3 multimodal: the text tower */
			memmove(name + 6, name + 21, strlen(name + 21) + 1);
		d = strstr(name, "lora_magnitude_vector.weight");   /* saved without .weight */
		if (d)
			d[strlen("lora_magnitude_vector")] = 0;
		d = strstr(name, ".modules_to_save");
		if (d)
			memmove(d, d + 16, strlen(d + 16) + 1);
		param_t *p = NULL;
		char *fz = strstr(name, "qkv_proj.weight"), *fg = strstr(name, "gate_up_proj.weight");
		if (!lora && (fz || fg)) {
			/* Phi-3's fused projections: our q, k, v (gate, up) gradients stacked by rows */
			static const char *const qkv[] = {"q_proj.weight", "k_proj.weight", "v_proj.weight", NULL};
			static const char *const gu[] = {"gate_proj.weight", "up_proj.weight", NULL};
			const char *const *parts = fz ? qkv : gu;
			const st_tensor_t *t = &rg->t[i];
			float *g = st_load_f32(t), *ours = malloc((size_t)t->numel * sizeof *ours);
			size_t at = 0;
			int good = 1;
			for (int k = 0; parts[k] && good; k++) {
				char pn[300];
				snprintf(pn, sizeof pn, "%.*s%s", (int)((fz ? fz : fg) - name), name, parts[k]);
				param_t *q = model_param_by_name(m, pn);
				good = q && q->grad && at + q->numel <= (size_t)t->numel;
				if (good) {
					memcpy(ours + at, q->grad, q->numel * sizeof *ours);
					at += q->numel;
					seen++;
				}
			}
			double mx = 0;
			for (int64_t j = 0; j < t->numel; j++)
				mx = fabs(g[j]) > mx ? fabs(g[j]) : mx;
			char w[300];
			snprintf(w, sizeof w, "%s grad %s", what, name);
			if (good && at == (size_t)t->numel) {
				ok &= cmp_close(w, ours, g, at, 1e-5 * mx, 1e-4);
			} else {
				printf("FAIL %s: cannot assemble %s\n", what, name);
				ok = 0;
			}
			free(g);
			free(ours);
			continue;
		}
		if (lora) {
			p = model_lora_param_by_name(m, name);
			if (!p && !strncmp(name, "base_model.model.", 17))
				p = model_param_by_name(m, name + 17);
		} else {
			p = model_param_by_name(m, name);
		}
		if (!p || !p->grad) {
			printf("FAIL %s: no gradient for %s\n", what, name);
			ok = 0;
			continue;
		}
		seen++;
		float *g = st_load_f32(st_need(rg, rg->t[i].name, p->ndim, p->shape));
		double mx = 0;
		for (size_t j = 0; j < p->numel; j++)
			mx = fabs(g[j]) > mx ? fabs(g[j]) : mx;
		char w[300];
		snprintf(w, sizeof w, "%s grad %s", what, name);
		ok &= cmp_close(w, p->grad, g, p->numel, 1e-5 * mx, 1e-4);
		free(g);
	}
	if (!lora && seen != n) {
		printf("FAIL %s: %d reference gradients for %d parameters\n", what, seen, n);
		ok = 0;
	}
	return ok;
}

static int check_forward(model_t *m, const char *dir, const char *what, int grads)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/ref_forward.safetensors", dir);
	st_file_t *ref = st_open(path);
	hf_batch_t hb;
	hf_batch_load(&hb, ref);
	model_zero_grad(m);
	float loss = model_forward(m, &hb.b);
	const modelcfg_t *c = model_cfg(m);
	float *want = st_load_f32(st_need(ref, "logits", 3, (int64_t[]){hb.B, hb.T, c->V}));
	float want_loss;
	st_read_f32(st_need(ref, "loss", 1, (int64_t[]){1}), &want_loss);
	char w[300];
	snprintf(w, sizeof w, "%s logits", what);
	int ok = cmp_close(w, model_logits(m), want, (size_t)hb.b.N * c->V, 3e-6, 1e-5);
	snprintf(w, sizeof w, "%s loss", what);
	ok &= cmp_close(w, &loss, &want_loss, 1, 0, 2e-6);
	if (grads) {
		model_backward(m, 1.0f / model_ntargets(m));
		snprintf(path, sizeof path, "%s/ref_grads.safetensors", dir);
		st_file_t *rg = st_open(path);
		ok &= cmp_grads(m, rg, grads == 2, what);
		st_close(rg);
	}
	free(want);
	hf_batch_free(&hb);
	st_close(ref);
	return ok;
}

static int check_packed(model_t *m, const char *dir, const char *what)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/ref_packed.safetensors", dir);
	st_file_t *ref = st_open(path);
	const st_tensor_t *ti = st_need(ref, "input_ids", 2, NULL);
	int N = (int)ti->numel;
	int32_t *ids = st_load_i32(ti), *pos = st_load_i32(st_need(ref, "position_ids", 2, ti->shape));
	const st_tensor_t *tl = st_need(ref, "seq_lens", 1, NULL);
	int32_t *lens = st_load_i32(tl);
	int nseq = (int)tl->numel, cu[16] = {0};
	for (int s = 0; s < nseq && s < 15; s++)
		cu[s + 1] = cu[s] + lens[s];
	batch_t b = {.N = N, .ids = ids, .pos = pos, .cu_seqlens = cu, .nseq = nseq};
	model_forward(m, &b);
	float *want = st_load_f32(st_need(ref, "logits", 3, (int64_t[]){1, N, model_cfg(m)->V}));
	char w[300];
	snprintf(w, sizeof w, "%s packed logits", what);
	int ok = cmp_close(w, model_logits(m), want, (size_t)N * model_cfg(m)->V, 3e-6, 1e-5);
	free(want);
	free(ids);
	free(pos);
	free(lens);
	st_close(ref);
	return ok;
}


int main(void)
{
	static const char *const models[] = {"gemma3_text", "phi3", "phi3_longrope", "llama_llama3", "llama_yarn",
					     "llama_linear_bias", "gemma3_mm",
					     "llama_dynamic", "qwen2_sliding", "mistral_sliding"};
	static const char *const adapters[] = {"lora_rslora", "lora_modules_to_save", "lora_dora", "gemma3_mm"};
	if (!path_is_dir(ROOT)) {
		printf("no %s (run from the repository root)\n", ROOT);
		return 77;
	}
	int ok = 1;
	char dir[512], path[4096];
	for (size_t i = 0; i < sizeof models / sizeof *models; i++) {
		snprintf(dir, sizeof dir, ROOT "/%s", models[i]);
		model_t *m = model_load(dir, &ops_cpu);
		ok &= check_forward(m, dir, models[i], 1);
		if (!strcmp(models[i], "gemma3_mm")) {
			/* the vision tower rides along: writing the checkpoint back gives transformers' bytes */
			char saved[600], orig[700];
			snprintf(saved, sizeof saved, "/tmp/ft-test-extra-%d.safetensors", (int)getpid());
			model_save_weights(m, saved, ST_F32);
			snprintf(orig, sizeof orig, "%s/model.safetensors", dir);
			int same = files_equal(orig, saved);
			printf("%s gemma3_mm checkpoint written back byte-identical (vision tower carried through)\n",
			       same ? "ok  " : "FAIL");
			ok &= same;
			unlink(saved);
		}
		ok &= check_packed(m, dir, models[i]);
		model_free(m);
	}
	char tmpl[] = "/tmp/ft-test-extra.XXXXXX";
	char *tmp = mkdtemp(tmpl);
	for (size_t i = 0; i < sizeof adapters / sizeof *adapters; i++) {
		const char *an = adapters[i];
		snprintf(dir, sizeof dir, ROOT "/%s", an);
		model_t *m = model_load(dir, &ops_cpu);
		snprintf(path, sizeof path, "%s/adapter", dir);
		model_lora_load(m, path);
		ok &= check_forward(m, path, an, 2);
		/* saved weights byte-identical to PEFT's file */
		char out[2048], saved[4096];
		snprintf(out, sizeof out, "%s/%s", tmp, an);
		model_lora_save(m, out, NULL);
		snprintf(saved, sizeof saved, "%s/adapter_model.safetensors", out);
		snprintf(path, sizeof path, "%s/adapter/adapter_model.safetensors", dir);
		int same = files_equal(path, saved);
		printf("%s %s saved adapter_model.safetensors byte-identical to PEFT's\n", same ? "ok  " : "FAIL", an);
		ok &= same;
		/* and our adapter_config.json selects the same modules again */
		{
			model_t *m2 = model_load(dir, &ops_cpu);
			model_lora_load(m2, out);
			int ids[7] = {5, 17, 3, 60, 8, 9, 33};
			batch_t b = {.N = 7, .ids = ids};
			size_t nl = 7 * (size_t)model_cfg(m)->V;
			model_forward(m, &b);
			float *w1 = malloc(nl * sizeof *w1);
			memcpy(w1, model_logits(m), nl * sizeof *w1);
			model_forward(m2, &b);
			int same2 = model_lora_nparams(m2) == model_lora_nparams(m)
				    && memcmp(w1, model_logits(m2), nl * sizeof *w1) == 0;
			printf("%s %s saved adapter loads back to the same model\n", same2 ? "ok  " : "FAIL", an);
			ok &= same2;
			free(w1);
			model_free(m2);
		}
		/* merge as merge_and_unload */
		model_lora_merge(m);
		snprintf(path, sizeof path, "%s/merged", dir);
		stdir_t *mg = stdir_open(path);
		for (int k = 0; k < model_nparams(m); k++) {
			param_t *p = model_param(m, k);
			char mname[300];
			snprintf(mname, sizeof mname, "language_model.%s", p->name);
			const st_tensor_t *t = stdir_find(mg, p->name);
			if (!t)
				t = stdir_find(mg, mname);   /* Gemma 3 multimodal */
			if (!t) {
				printf("FAIL %s: merged model lacks %s\n", an, p->name);
				ok = 0;
				continue;
			}
			float *wv = st_load_f32(t);
			char w[300];
			snprintf(w, sizeof w, "%s merged %s", an, p->name);
			/* W + s B A (DoRA: times m / |W + s B A|) in float32: a few ulps */
			ok &= cmp_close(w, p->data, wv, p->numel, 1e-6, 1e-5);
			free(wv);
		}
		stdir_close(mg);
		model_free(m);
	}
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("warning: could not remove %s\n", tmp);
	return ok ? 0 : 1;
}
