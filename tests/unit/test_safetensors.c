/* test_safetensors: the reader refuses truncated and corrupt files with a message naming the
 * file (st_open_check, no exit); the writer reproduces Hugging Face's bytes (rewriting the
 * llama fixture's model.safetensors gives the same file); sharded folders read through
 * model.safetensors.index.json; float16/bfloat16 conversions round to nearest even. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "hf_fixture.h"
#include "model.h"
#include "safetensors.h"

static int fails = 0;
static char tmpdir[64];

#define CHECK(cond, ...) do { if (!(cond)) { fails++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static void write_bytes(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* A file with the given header JSON and n data bytes. */
static void make_file(const char *path, const char *json, size_t ndata, size_t header_len_override)
{
	size_t hn = strlen(json);
	unsigned char *b = calloc(1, 8 + hn + ndata);
	uint64_t v = header_len_override ? header_len_override : hn;
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	memcpy(b + 8, json, hn);
	write_bytes(path, b, 8 + hn + ndata);
	free(b);
}

static void expect_refused(const char *what, const char *json, size_t ndata, size_t hlen, const char *needle)
{
	char path[128], err[512];
	snprintf(path, sizeof path, "%s/bad.safetensors", tmpdir);
	make_file(path, json, ndata, hlen);
	st_file_t *f;
	int rc = st_open_check(path, &f, err, sizeof err);
	CHECK(rc == -1, "%s: accepted", what);
	if (rc == 0) {
		st_close(f);
		return;
	}
	CHECK(strstr(err, path) != NULL, "%s: message does not name the file: %s", what, err);
	CHECK(strstr(err, needle) != NULL, "%s: message lacks '%s': %s", what, needle, err);
	printf("ok   refused %-28s %s\n", what, err);
}

static int same_file(const char *a, const char *b)
{
	char cmd[9000];
	snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", a, b);
	return system(cmd) == 0;
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/ft-test-st.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	const char *good = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
	char path[256], err[512];
	snprintf(path, sizeof path, "%s/good.safetensors", tmpdir);
	make_file(path, good, 8, 0);
	st_file_t *f;
	CHECK(st_open_check(path, &f, err, sizeof err) == 0, "good file refused: %s", err);
	if (f) {
		CHECK(f->n == 1 && f->t[0].numel == 2, "good file misread");
		st_close(f);
	}

	/* each refusal mirrors a check of the Python library's reader */
	expect_refused("zero header", "", 0, 0, "not a safetensors file");
	snprintf(path, sizeof path, "%s/short.safetensors", tmpdir);
	write_bytes(path, "abc", 3);
	CHECK(st_open_check(path, &f, err, sizeof err) == -1 && strstr(err, "shorter"), "3-byte file: %s", err);
	expect_refused("junk after JSON", "{}xx    ", 0, 0, "after the JSON");
	expect_refused("header past end", good, 8, 4096, "truncated");
	expect_refused("huge header size", good, 8, 200000000, "over the limit");
	expect_refused("data truncated", good, 4, 0, "truncated");
	expect_refused("trailing bytes", good, 12, 0, "not fully covered");
	expect_refused("not JSON", "{\"a\":{\"dtype\":", 0, 0, "not valid JSON");
	expect_refused("not an object", "[1,2,3]", 0, 0, "not a safetensors file");
	expect_refused("unknown dtype", "{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, 0, "dtype");
	expect_refused("size mismatch", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, 0,
		       "data_offsets span");
	expect_refused("missing field", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, 0, "needs exactly");
	expect_refused("negative shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, 0,
		       "bad shape");
	expect_refused("hole", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, 0, "hole");
	expect_refused("overlap",
		       "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
		       "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, 0, "overlaps");
	expect_refused("duplicate name",
		       "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
		       "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, 0, "twice");
	expect_refused("bad metadata", "{\"__metadata__\":{\"format\":3}}", 0, 0, "__metadata__");

	/* conversions: exact values and ties to even */
	CHECK(f32_to_bf16(1.0f) == 0x3f80, "bf16(1)");
	CHECK(f32_to_bf16(1.00390625f) == 0x3f80, "bf16 tie to even down");   /* 1 + 2^-8: halfway, even is 0x3f80 */
	CHECK(f32_to_bf16(1.01171875f) == 0x3f82, "bf16 tie to even up");     /* 1 + 3*2^-8: halfway, even is 0x3f82 */
	CHECK(bf16_to_f32(0xc040) == -3.0f, "bf16 -3");
	CHECK(f32_to_f16(1.0f) == 0x3c00 && f32_to_f16(-2.0f) == 0xc000 && f32_to_f16(65504.0f) == 0x7bff, "f16 normal");
	CHECK(f32_to_f16(1e6f) == 0x7c00, "f16 overflow to inf");
	CHECK(f32_to_f16(5.9604645e-8f) == 0x0001, "f16 smallest subnormal");
	CHECK(f16_to_f32(0x0001) == 5.9604645e-8f && f16_to_f32(0x3555) == 0.333251953125f, "f16 decode");
	CHECK(f32_to_f16(1.0f + 1.0f / 2048) == 0x3c00, "f16 tie to even");

	/* writer: read the llama fixture and write it back, byte for byte */
	char dir[4096];
	if (hf_fixture("llama", dir, sizeof dir)) {
		char src[4200], dst[300];
		snprintf(src, sizeof src, "%s/model.safetensors", dir);
		snprintf(dst, sizeof dst, "%s/model.safetensors", tmpdir);
		model_t *m = model_load(dir, &ops_cpu);
		model_save_weights(m, dst, ST_F32);
		int same = same_file(src, dst);
		CHECK(same, "rewritten model.safetensors differs from the one transformers wrote");
		if (same)
			printf("ok   model.safetensors written byte-identical to transformers'\n");

		/* shards: split the tensors over two files with an index; same values back */
		st_file_t *one = st_open(src);
		st_writer_t *w1 = st_writer_new(), *w2 = st_writer_new();
		char idx[65536];
		int o = snprintf(idx, sizeof idx, "{\"metadata\":{\"total_size\":1},\"weight_map\":{");
		for (int i = 0; i < one->n; i++) {
			const st_tensor_t *t = &one->t[i];
			st_writer_add(i % 2 ? w2 : w1, t->name, t->dtype, t->ndim, t->shape, t->data);
			o += snprintf(idx + o, sizeof idx - o, "%s\"%s\":\"model-0000%d-of-00002.safetensors\"", i ? "," : "",
				      t->name, i % 2 + 1);
		}
		snprintf(idx + o, sizeof idx - o, "}}");
		char sd[300], p[400];
		snprintf(sd, sizeof sd, "%s/sharded", tmpdir);
		mkdir(sd, 0755);
		snprintf(p, sizeof p, "%s/model-00001-of-00002.safetensors", sd);
		st_writer_write(w1, p);
		snprintf(p, sizeof p, "%s/model-00002-of-00002.safetensors", sd);
		st_writer_write(w2, p);
		snprintf(p, sizeof p, "%s/model.safetensors.index.json", sd);
		write_bytes(p, idx, strlen(idx));
		stdir_t *d = stdir_open(sd);
		CHECK(d->nfiles == 2, "shards: %d files", d->nfiles);
		int all = 1;
		for (int i = 0; i < one->n; i++) {
			const st_tensor_t *a = &one->t[i], *b = stdir_find(d, a->name);
			all &= b && b->nbytes == a->nbytes && memcmp(a->data, b->data, a->nbytes) == 0;
		}
		CHECK(all, "shards: tensors differ");
		if (all)
			printf("ok   sharded folder reads the same %d tensors\n", one->n);
		stdir_close(d);
		/* bf16 and f16 writing converts, reading converts back */
		snprintf(p, sizeof p, "%s/bf16.safetensors", tmpdir);
		model_save_weights(m, p, ST_BF16);
		st_file_t *bf = st_open(p);
		const st_tensor_t *a = st_find(one, "model.embed_tokens.weight"), *b = st_find(bf, "model.embed_tokens.weight");
		float *fa = st_load_f32(a), *fb = st_load_f32(b);
		double mx = 0;
		for (int64_t i = 0; i < a->numel; i++)
			mx = fmax(mx, fabs(fa[i] - fb[i]) / fmax(fabs(fa[i]), 1e-30));
		CHECK(b->dtype == ST_BF16 && mx <= 1.0 / 256, "bf16 round trip rel err %g", mx);
		printf("ok   bf16 write/read rel err %.3g (<= 2^-8)\n", mx);
		free(fa);
		free(fb);
		st_close(bf);
		st_writer_free(w1);
		st_writer_free(w2);

		/* model_save_dir: shards of at most 100 kB in state-dict order, index as transformers
		 * writes it; the folder loads back to the same weights; unsplit it is the same file */
		char md[300], cfgsrc[4300], cmd2[9000];
		snprintf(md, sizeof md, "%s/saved", tmpdir);
		model_save_dir(m, md, ST_F32, 100000);
		snprintf(cfgsrc, sizeof cfgsrc, "%s/config.json", dir);
		snprintf(cmd2, sizeof cmd2, "cp '%s' '%s/'", cfgsrc, md);
		CHECK(system(cmd2) == 0, "cp config.json");
		model_t *back = model_load(md, &ops_cpu);
		same = 1;
		for (int i = 0; i < model_nparams(m); i++)
			same &= memcmp(model_param(m, i)->data, model_param(back, i)->data, model_param(m, i)->numel * 4) == 0;
		stdir_t *sdir = stdir_open(md);
		/* llama: embed (64 kB), layer tensors, norm, lm_head (64 kB); ~138 kB per layer */
		CHECK(same && sdir->nfiles >= 4, "sharded save: %d files, same %d", sdir->nfiles, same);
		snprintf(p, sizeof p, "%s/model-00001-of-0000%d.safetensors", md, sdir->nfiles);
		st_file_t *s1 = st_open(p);
		/* embedding 64 kB + q, k, v of layer 0 (32 kB) fit in 100 kB; o_proj (16 kB) would not */
		CHECK(s1->n == 4 && st_find(s1, "model.embed_tokens.weight") && st_find(s1, "model.layers.0.self_attn.v_proj.weight"),
		      "first shard: %d tensors, not embed + q/k/v of layer 0", s1->n);
		st_close(s1);
		printf("ok   model_save_dir: %d shards, loads back the same\n", sdir->nfiles);
		stdir_close(sdir);
		model_free(back);
		snprintf(md, sizeof md, "%s/saved1", tmpdir);
		model_save_dir(m, md, ST_F32, 0);
		snprintf(p, sizeof p, "%s/model.safetensors", md);
		CHECK(same_file(src, p), "unsplit model_save_dir differs from transformers' file");
		st_close(one);
		model_free(m);
	} else {
		printf("skip writer checks: no llama fixture\n");
	}
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("warning: could not remove %s\n", tmpdir);
	printf("%d failures\n", fails);
	return fails ? 1 : 0;
}
