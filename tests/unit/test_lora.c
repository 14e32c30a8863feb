/* test_lora: a PEFT LoRA adapter (r=4, alpha=8, all linear layers, non-zero B) on every
 * fixture architecture: logits and loss against PEFT's (adapter/ref_forward), gradients of
 * lora_A and lora_B against PEFT's autograd (adapter/ref_grads, base frozen), the merge
 * against merge_and_unload() (merged/model.safetensors), and saving: the adapter weights we
 * write are byte-identical to the adapter_model.safetensors PEFT wrote, and what we write
 * loads back to the same logits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "fileio.h"
#include "hf_fixture.h"
#include "model.h"
#include "ops.h"

static int files_equal(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int eq = fa && fb;
	while (eq) {
		int ca = getc(fa), cb = getc(fb);
		if (ca != cb)
			eq = 0;
		if (ca == EOF || cb == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return eq;
}

/* adapter_config.json of a fresh adapter, as PEFT's json.dumps(indent=2, sort_keys=True) writes
 * it for these settings (written out by hand from the format, codebases.md 4d) */
static const char want_config[] =
	"{\n  \"alpha_pattern\": {},\n  \"auto_mapping\": null,\n"
	"  \"base_model_name_or_path\": \"/models/caf\\u00e9 \\\"x\\\" \\ud83d\\ude00\",\n"
	"  \"bias\": \"none\",\n  \"fan_in_fan_out\": false,\n  \"inference_mode\": true,\n"
	"  \"init_lora_weights\": true,\n  \"layers_pattern\": null,\n  \"layers_to_transform\": [\n    1\n  ],\n"
	"  \"lora_alpha\": 16,\n  \"lora_bias\": false,\n  \"lora_dropout\": 0.05,\n  \"modules_to_save\": null,\n"
	"  \"peft_type\": \"LORA\",\n  \"r\": 8,\n  \"rank_pattern\": {},\n  \"revision\": null,\n"
	"  \"target_modules\": [\n    \"down_proj\",\n    \"q_proj\",\n    \"v_proj\"\n  ],\n"
	"  \"task_type\": \"CAUSAL_LM\",\n  \"use_dora\": false,\n  \"use_rslora\": true\n}";

static int check_config_text(const char *dir, const char *tmp)
{
	model_t *m = model_load(dir, &ops_cpu);
	lora_cfg_t lc = {.r = 8, .alpha = 16, .dropout = 0.05f, .use_rslora = 1};
	unsigned char layers[2] = {0, 1};
	lc.layers = layers;
	lc.target[LIN_Q] = lc.target[LIN_V] = lc.target[LIN_DOWN] = 1;
	model_lora_add(m, &lc, 1);
	char out[300], path[400];
	snprintf(out, sizeof out, "%s/fresh", tmp);
	model_lora_save(m, out, "/models/caf\xc3\xa9 \"x\" \xf0\x9f\x98\x80");
	model_free(m);
	snprintf(path, sizeof path, "%s/adapter_config.json", out);
	char *got = file_read(path, NULL, 0);
	int ok = strcmp(got, want_config) == 0;
	printf("%s adapter_config.json as PEFT writes it (sorted keys, indent 2, ensure_ascii, no final newline)\n",
	       ok ? "ok  " : "FAIL");
	if (!ok)
		printf("got:\n%s\nwant:\n%s\n", got, want_config);
	free(got);
	/* and it loads back: rsLoRA, layers and targets as written */
	model_t *m2 = model_load(dir, &ops_cpu);
	model_lora_load(m2, out);
	const lora_cfg_t *lc2 = model_lora_cfg(m2);
	int ok2 = lc2 && lc2->r == 8 && lc2->use_rslora && lc2->dropout == 0.05f && lc2->layers && !lc2->layers[0]
		  && lc2->layers[1] && lc2->target[LIN_DOWN] && !lc2->target[LIN_K] && model_lora_nparams(m2) == 6;
	printf("%s fresh adapter loads back with its settings\n", ok2 ? "ok  " : "FAIL");
	model_free(m2);
	return ok && ok2;
}

/* modules_to_save: embed_tokens and lm_head trained in full next to the adapter, saved in the
 * adapter file under base_model.model.<module>.weight, restored on load */
static int check_modules_to_save(const char *dir, const char *tmp)
{
	model_t *m = model_load(dir, &ops_cpu);
	lora_cfg_t lc = {.r = 2, .alpha = 4, .save_embed_tokens = 1, .save_lm_head = 1};
	lc.target[LIN_Q] = lc.target[LIN_UP] = 1;
	model_lora_add(m, &lc, 9);
	int ok = 1;
	for (int i = 0; i < model_nparams(m); i++) {
		param_t *p = model_param(m, i);
		int want = !strcmp(p->name, "model.embed_tokens.weight") || !strcmp(p->name, "lm_head.weight");
		model_zero_grad(m);
		if ((p->grad != NULL) != want) {
			printf("FAIL modules_to_save: %s %s a gradient\n", p->name, p->grad ? "has" : "lacks");
			ok = 0;
		}
	}
	/* change what is trained, save, load into a fresh base: the same logits bit for bit */
	param_t *e = model_param_by_name(m, "model.embed_tokens.weight"), *h = model_param_by_name(m, "lm_head.weight");
	for (size_t k = 0; k < e->numel; k++)
		((float *)e->data)[k] += 0.01f * (float)((k * 7919) % 13) - 0.06f;
	for (size_t k = 0; k < h->numel; k++)
		((float *)h->data)[k] *= 1.5f;
	for (int i = 0; i < model_lora_nparams(m); i++)
		for (size_t k = 0; k < model_lora_param(m, i)->numel; k++)
			((float *)model_lora_param(m, i)->data)[k] += 0.05f;
	int ids[10] = {5, 9, 200, 17, 3, 3, 80, 255, 1, 42};
	batch_t b = {.N = 10, .ids = ids};
	model_forward(m, &b);
	float *want = malloc(10 * 256 * sizeof(float));
	memcpy(want, model_logits(m), 10 * 256 * sizeof(float));
	char out[300];
	snprintf(out, sizeof out, "%s/mts", tmp);
	model_lora_save(m, out, NULL);
	model_free(m);
	model_t *m2 = model_load(dir, &ops_cpu);
	model_lora_load(m2, out);
	model_forward(m2, &b);
	int same = memcmp(want, model_logits(m2), 10 * 256 * sizeof(float)) == 0;
	const lora_cfg_t *l2 = model_lora_cfg(m2);
	same &= l2->save_embed_tokens && l2->save_lm_head;
	printf("%s modules_to_save: only embed_tokens and lm_head train; saved and loaded back, same logits\n",
	       ok && same ? "ok  " : "FAIL");
	free(want);
	model_free(m2);
	return ok && same;
}

/* target_modules as one string: a regular expression matched against whole module names */
static int check_regex_targets(const char *dir, const char *tmp)
{
	model_t *m = model_load(dir, &ops_cpu);
	lora_cfg_t lc = {.r = 2, .alpha = 4};
	unsigned char layers[2] = {0, 1};
	lc.layers = layers;
	lc.target[LIN_Q] = lc.target[LIN_V] = 1;
	model_lora_add(m, &lc, 5);
	for (int i = 0; i < model_lora_nparams(m); i++)
		for (size_t k = 0; k < model_lora_param(m, i)->numel; k++)
			((float *)model_lora_param(m, i)->data)[k] += 0.03f;
	int ids[6] = {4, 8, 15, 16, 23, 42};
	batch_t b = {.N = 6, .ids = ids};
	model_forward(m, &b);
	float want[6 * 256];
	memcpy(want, model_logits(m), sizeof want);
	char out[300], path[400];
	snprintf(out, sizeof out, "%s/re", tmp);
	model_lora_save(m, out, NULL);
	model_free(m);
	/* the same selection written as PEFT's regular-expression form */
	snprintf(path, sizeof path, "%s/adapter_config.json", out);
	FILE *f = fopen(path, "w");
	fputs("{\"peft_type\": \"LORA\", \"r\": 2, \"lora_alpha\": 4, "
	      "\"target_modules\": \"model\\\\.layers\\\\.[1-9]\\\\d*\\\\.self_attn\\\\.(q|v)_proj\"}", f);
	fclose(f);
	model_t *m2 = model_load(dir, &ops_cpu);
	model_lora_load(m2, out);
	model_forward(m2, &b);
	int ok = model_lora_nparams(m2) == 4 && memcmp(want, model_logits(m2), sizeof want) == 0;
	printf("%s regular-expression target_modules select the same modules\n", ok ? "ok  " : "FAIL");
	model_free(m2);
	return ok;
}

int main(void)
{
	int ok = 1, ran = 0;
	char dir[4096], path[4200], what[256];
	char tmpl[] = "/tmp/ft-test-lora.XXXXXX";
	char *tmp = mkdtemp(tmpl);
	if (!tmp) {
		perror("mkdtemp");
		return 1;
	}
	if (hf_fixture("llama", dir, sizeof dir)) {
		ok &= check_config_text(dir, tmp);
		ok &= check_modules_to_save(dir, tmp);
		ok &= check_regex_targets(dir, tmp);
	}
	for (int a = 0; a < HF_NARCHS; a++) {
		if (!hf_fixture(hf_archs[a], dir, sizeof dir)) {
			printf("skip %s: no fixture\n", hf_archs[a]);
			continue;
		}
		ran++;
		const char *an = hf_archs[a];
		model_t *m = model_load(dir, &ops_cpu);
		snprintf(path, sizeof path, "%s/adapter", dir);
		model_lora_load(m, path);
		snprintf(path, sizeof path, "%s/ref_forward.safetensors", dir);
		st_file_t *ref = st_open(path);
		hf_batch_t hb;
		hf_batch_load(&hb, ref);
		snprintf(path, sizeof path, "%s/adapter/ref_forward.safetensors", dir);
		st_file_t *aref = st_open(path);
		const modelcfg_t *c = model_cfg(m);
		size_t nl = (size_t)hb.B * hb.T * c->V;
		float *want = st_load_f32(st_need(aref, "logits", 3, (int64_t[]){hb.B, hb.T, c->V}));
		float want_loss;
		st_read_f32(st_need(aref, "loss", 1, (int64_t[]){1}), &want_loss);

		/* forward + backward with the adapter, base frozen */
		model_zero_grad(m);
		float loss = model_forward(m, &hb.b);
		/* float32 vs float32, summation order only: as test_model_forward */
		snprintf(what, sizeof what, "%s lora logits", an);
		ok &= cmp_close(what, model_logits(m), want, nl, 3e-6, 1e-5);
		snprintf(what, sizeof what, "%s lora loss", an);
		ok &= cmp_close(what, &loss, &want_loss, 1, 0, 2e-6);
		model_backward(m, 1.0f / model_ntargets(m));
		for (int i = 0; i < model_nparams(m); i++)
			if (model_param(m, i)->grad) {
				printf("FAIL %s: base parameter %s has a gradient with LoRA attached\n", an, model_param(m, i)->name);
				ok = 0;
			}
		snprintf(path, sizeof path, "%s/adapter/ref_grads.safetensors", dir);
		st_file_t *rg = st_open(path);
		if (rg->n != model_lora_nparams(m)) {
			printf("FAIL %s: %d reference LoRA gradients for %d LoRA parameters\n", an, rg->n, model_lora_nparams(m));
			ok = 0;
		}
		for (int i = 0; i < rg->n; i++) {
			/* PEFT's in-memory name has the adapter name: ...lora_A.default.weight */
			char name[256];
			snprintf(name, sizeof name, "%s", rg->t[i].name);
			char *d = strstr(name, ".default.");
			if (d)
				memmove(d, d + 8, strlen(d + 8) + 1);
			param_t *p = model_lora_param_by_name(m, name);
			if (!p) {
				printf("FAIL %s: no LoRA parameter %s\n", an, name);
				ok = 0;
				continue;
			}
			float *g = st_load_f32(st_need(rg, rg->t[i].name, p->ndim, p->shape));
			double mx = 0;
			for (size_t j = 0; j < p->numel; j++)
				mx = fabs(g[j]) > mx ? fabs(g[j]) : mx;
			snprintf(what, sizeof what, "%s grad %s", an, name + strlen("base_model.model.model."));
			/* as test_model_grads: relative to the tensor's largest gradient */
			ok &= cmp_close(what, p->grad, g, p->numel, 1e-5 * mx, 1e-4);
			free(g);
		}
		st_close(rg);

		/* save: weights byte-identical to PEFT's file; the folder loads back */
		char out[4300];
		snprintf(out, sizeof out, "%s/%s-adapter", tmp, an);
		model_lora_save(m, out, dir);
		snprintf(path, sizeof path, "%s/adapter/adapter_model.safetensors", dir);
		char saved[4400];
		snprintf(saved, sizeof saved, "%s/adapter_model.safetensors", out);
		int same = files_equal(path, saved);
		printf("%s %s saved adapter_model.safetensors byte-identical to PEFT's\n", same ? "ok  " : "FAIL", an);
		ok &= same;
		model_t *m2 = model_load(dir, &ops_cpu);
		model_lora_load(m2, out);
		model_forward(m2, &hb.b);
		snprintf(what, sizeof what, "%s lora logits after save and load", an);
		ok &= cmp_close(what, model_logits(m2), want, nl, 3e-6, 1e-5);

		/* merge: weights as merge_and_unload, and the merged model gives the adapter's logits */
		model_lora_merge(m2);
		snprintf(path, sizeof path, "%s/merged", dir);
		stdir_t *mg = stdir_open(path);
		for (int i = 0; i < model_nparams(m2); i++) {
			param_t *p = model_param(m2, i);
			const st_tensor_t *t = stdir_find(mg, p->name);
			if (!t) {
				printf("FAIL %s: merged model lacks %s\n", an, p->name);
				ok = 0;
				continue;
			}
			float *w = st_load_f32(t);
			snprintf(what, sizeof what, "%s merged %s", an, p->name);
			/* W + s B A in float32: one rounding of a sum of 4 products each side; weights
			 * are O(0.02-1): a few ulps */
			ok &= cmp_close(what, p->data, w, p->numel, 1e-7, 1e-6);
			free(w);
		}
		stdir_close(mg);
		model_forward(m2, &hb.b);
		snprintf(what, sizeof what, "%s merged logits", an);
		ok &= cmp_close(what, model_logits(m2), want, nl, 3e-6, 1e-5);
		model_free(m2);

		free(want);
		hf_batch_free(&hb);
		st_close(ref);
		st_close(aref);
		model_free(m);
	}
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("warning: could not remove %s\n", tmp);
	if (!ran) {
		printf("no Hugging Face fixtures found (FT_FIXTURES or tests/fixtures/hf)\n");
		return 77;
	}
	return ok ? 0 : 1;
}
