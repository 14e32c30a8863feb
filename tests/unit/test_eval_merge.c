/* test_eval_merge: ft-eval's loss and ft-merge's output against the Hugging Face fixtures of
 * the six architectures.
 *
 * Loss: ref_forward's two rows written to a .ftp and evaluated as ft-eval does (rowset_load,
 * train_evaluate) must give transformers' loss, for the base and for base + PEFT adapter
 * (adapter/ref_forward); float32 on both sides, a mean of ~30 token losses: rtol 1e-5. Batch
 * size 1 and 2 agree (rtol 1e-6).
 * Merge: merge_lora() of base + adapter must give merged/ (PEFT's merge_and_unload and
 * save_pretrained): the same tensor names, values within a few float32 ulps (atol 1e-7,
 * rtol 1e-6, as test_lora), config.json byte for byte; and a base saved in shards is merged
 * into the same shards with an index. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "hf_fixture.h"
#include "merge.h"
#include "outfile.h"
#include "rowset.h"
#include "tokfile.h"
#include "train.h"

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

static void write_ftp(const char *path, const st_file_t *f)
{
	const st_tensor_t *ti = st_need(f, "input_ids", 2, NULL);
	int B = (int)ti->shape[0], T = (int)ti->shape[1];
	int32_t *ids = st_load_i32(ti), *labels = st_load_i32(st_need(f, "labels", 2, ti->shape));
	cJSON *meta = cJSON_CreateObject();
	cJSON_AddStringToObject(meta, "kind", "packed");
	tokfile_writer_t *w = tokfile_create(outfile_open(path, 1), TOKFILE_FTP, meta);
	cJSON_Delete(meta);
	uint32_t tok[4096], len = (uint32_t)T;
	for (int r = 0; r < B; r++) {
		for (int t = 0; t < T; t++)
			tok[t] = (uint32_t)ids[r * T + t] | (labels[r * T + t] >= 0 ? TOK_TRAINS : 0);
		tokfile_write_row(w, &len, 1, tok, (uint32_t)T);
	}
	tokfile_finish(w, NULL);
	free(ids);
	free(labels);
}

static int cmp_dirs(const char *what, const char *got, const char *ref)
{
	stdir_t *g = stdir_open(got), *r = stdir_open(ref);
	int ok = 1, ng = 0, nr = 0;
	for (int i = 0; i < g->nfiles; i++)
		ng += g->files[i]->n;
	for (int i = 0; i < r->nfiles; i++) {
		nr += r->files[i]->n;
		for (int k = 0; k < r->files[i]->n; k++) {
			const st_tensor_t *rt = &r->files[i]->t[k], *gt = stdir_find(g, rt->name);
			if (!gt || gt->numel != rt->numel || gt->dtype != rt->dtype) {
				printf("FAIL %s: %s missing or of another shape or dtype\n", what, rt->name);
				ok = 0;
				continue;
			}
			float *a = st_load_f32(gt), *b = st_load_f32(rt);
			char w[300];
			snprintf(w, sizeof w, "%s %s", what, rt->name);
			if (!cmp_close(w, a, b, (size_t)rt->numel, 1e-7, 1e-6))
				ok = 0;
			free(a);
			free(b);
		}
	}
	if (ng != nr) {
		printf("FAIL %s: %d tensors, want %d\n", what, ng, nr);
		ok = 0;
	}
	stdir_close(g);
	stdir_close(r);
	return ok;
}

int main(void)
{
	char dir[4096], path[4400], tmp[] = "/tmp/ft-test-evalmerge.XXXXXX";
	if (!hf_fixture("llama", dir, sizeof dir)) {
		printf("no hf fixtures (FT_FIXTURES)\n");
		return 77;
	}
	if (!mkdtemp(tmp))
		return 1;
	ft_verbosity = 0;
	int ok = 1, ran = 0;
	for (int a = 0; a < HF_NARCHS; a++) {
		const char *an = hf_archs[a];
		if (!hf_fixture(an, dir, sizeof dir))
			continue;
		ran++;
		char ftp[4500], what[128];
		snprintf(path, sizeof path, "%s/ref_forward.safetensors", dir);
		st_file_t *rf = st_open(path);
		snprintf(ftp, sizeof ftp, "%s/%s.ftp", tmp, an);
		write_ftp(ftp, rf);
		float *lp = st_load_f32(st_need(rf, "loss", 1, NULL)), want = lp[0];
		free(lp);
		st_close(rf);
		rowset_t rs;
		rowset_init(&rs);
		rowset_load(&rs, ftp, NULL, 0);
		model_t *m = model_load(dir, &ops_cpu);
		eval_result_t e1, e2;
		train_evaluate(m, &rs, 2, &e2);
		train_evaluate(m, &rs, 1, &e1);
		float l2 = (float)(e2.loss_sum / (double)e2.ntok), l1 = (float)(e1.loss_sum / (double)e1.ntok);
		snprintf(what, sizeof what, "%s eval loss vs transformers", an);
		ok &= cmp_close(what, &l2, &want, 1, 0, 1e-5);
		snprintf(what, sizeof what, "%s eval loss batch 1 vs 2", an);
		ok &= cmp_close(what, &l1, &l2, 1, 0, 1e-6);
		snprintf(path, sizeof path, "%s/adapter", dir);
		model_lora_load(m, path);
		train_evaluate(m, &rs, 2, &e2);
		snprintf(path, sizeof path, "%s/adapter/ref_forward.safetensors", dir);
		rf = st_open(path);
		lp = st_load_f32(st_need(rf, "loss", 1, NULL));
		want = lp[0];
		free(lp);
		st_close(rf);
		l2 = (float)(e2.loss_sum / (double)e2.ntok);
		snprintf(what, sizeof what, "%s eval loss with adapter vs PEFT", an);
		ok &= cmp_close(what, &l2, &want, 1, 0, 1e-5);
		model_free(m);
		rowset_free(&rs);

		/* merge */
		char out[4500], ad[4200], ref[4200];
		snprintf(out, sizeof out, "%s/%s-merged", tmp, an);
		snprintf(ad, sizeof ad, "%s/adapter", dir);
		snprintf(ref, sizeof ref, "%s/merged", dir);
		merge_lora(dir, ad, out);
		snprintf(what, sizeof what, "%s merged", an);
		ok &= cmp_dirs(what, out, ref);
		char c1[4600], c2[4600];
		snprintf(c1, sizeof c1, "%s/config.json", out);
		snprintf(c2, sizeof c2, "%s/config.json", ref);
		int ce = files_equal(c1, c2);
		printf("%s %s merged config.json equals PEFT's\n", ce ? "ok  " : "FAIL", an);
		ok &= ce;
	}
	/* a sharded base: the merge is sharded the same way, with an index */
	hf_fixture("llama", dir, sizeof dir);
	char sh[4500], shm[4500], ad[4200];
	snprintf(sh, sizeof sh, "%s/sharded", tmp);
	model_t *m = model_load(dir, &ops_cpu);
	model_save_dir(m, sh, ST_F32, 100000);
	model_free(m);
	hfdir_copy_side_files(dir, sh, 1);
	snprintf(shm, sizeof shm, "%s/sharded-merged", tmp);
	snprintf(ad, sizeof ad, "%s/adapter", dir);
	merge_lora(sh, ad, shm);
	char i1[4600], i2[4600];
	snprintf(i1, sizeof i1, "%s/model.safetensors.index.json", sh);
	snprintf(i2, sizeof i2, "%s/model.safetensors.index.json", shm);
	int ie = files_equal(i1, i2);
	printf("%s sharded base: merged shards and index equal the base's layout\n", ie ? "ok  " : "FAIL");
	ok &= ie;
	char ref[4200];
	snprintf(ref, sizeof ref, "%s/merged", dir);
	ok &= cmp_dirs("sharded llama merged", shm, ref);
	rmtree(tmp);
	if (!ran)
		return 77;
	return ok ? 0 : 1;
}
