/* test_tokenizer: our tokenizer against Hugging Face's own outputs, every line.
 *
 * Goldens (never our own earlier output, STYLE.md 11):
 *   tokenizers/golden/tok_NAME.jsonl      ids (add_special false), ids_with_special, decoded
 *   tokenizer-tests/hf-oracle/NAME.jsonl   ids per add_special, decoded
 *   tokenizer-tests/llama.cpp/NAME.inp/.out   ids without BOS, for the vocabularies we have
 * from the shared fixtures ($FT_FIXTURES, default ../shared/fixtures). Qwen3 and Mistral v0.1
 * (Apache-2.0) are also under tests/fixtures, so their cases run without the shared tree;
 * Llama 3.1 and Gemma 3 cases are skipped (reported) when it is absent. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "fileio.h"
#include "tok/tokenizer.h"

static int failures, checks, shown;
static const char *fixtures;

static int exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

static void show_ids(const char *label, const int32_t *ids, size_t n)
{
	fprintf(stderr, "    %s:", label);
	for (size_t i = 0; i < n && i < 60; i++) fprintf(stderr, " %d", ids[i]);
	fprintf(stderr, n > 60 ? " ...\n" : "\n");
}

static int check_ids(const char *where, const char *text, size_t tlen, const cJSON *want, const tok_ids_t *got)
{
	checks++;
	int ok = cJSON_IsArray(want) && (size_t)cJSON_GetArraySize(want) == got->n;
	if (ok) {
		size_t i = 0;
		const cJSON *e;
		cJSON_ArrayForEach(e, want) if ((int32_t)e->valuedouble != got->ids[i++]) { ok = 0; break; }
	}
	if (ok) return 1;
	failures++;
	if (shown++ < 25) {
		fprintf(stderr, "FAIL %s: text %.*s\n", where, (int)(tlen > 200 ? 200 : tlen), text);
		int32_t w[4096];
		size_t wn = 0;
		const cJSON *e;
		cJSON_ArrayForEach(e, want) if (wn < 4096) w[wn++] = (int32_t)e->valuedouble;
		show_ids("want", w, wn);
		show_ids("got ", got->ids, got->n);
	}
	return 0;
}

static int check_str(const char *where, const char *want, const char *got)
{
	checks++;
	if (!strcmp(want, got)) return 1;
	failures++;
	if (shown++ < 25) fprintf(stderr, "FAIL %s decode: want [%s]\n    got  [%s]\n", where, want, got);
	return 0;
}

/* Finds the tokenizer folder: shared fixtures first, then the copy in tests/fixtures. */
static tok_t *load_family(const char *name)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/tokenizers/%s", fixtures, name);
	if (!exists(p)) snprintf(p, sizeof p, "tests/fixtures/tokenizers/%s", name);
	if (!exists(p)) return NULL;
	return tok_load(p);
}

static const char *find_file(const char *rel, const char *local)
{
	static char p[4][1024];
	static int k;
	char *b = p[k++ % 4];
	snprintf(b, 1024, "%s/%s", fixtures, rel);
	if (exists(b)) return b;
	if (local) {
		snprintf(b, 1024, "tests/fixtures/%s", local);
		if (exists(b)) return b;
	}
	return NULL;
}

/* tok_NAME.jsonl: ids, ids_with_special, decoded */
static void run_tok_golden(tok_t *t, const char *name)
{
	char rel[256], loc[256];
	snprintf(rel, sizeof rel, "tokenizers/golden/tok_%s.jsonl", name);
	snprintf(loc, sizeof loc, "tokenizers/golden/tok_%s.jsonl", name);
	const char *path = find_file(rel, loc);
	if (!path) { printf("%s: tok golden absent, skipped\n", name); return; }
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int lines = 0, ok_ids = 0, ok_sp = 0, ok_dec = 0;
	tok_ids_t a = {0}, b = {0};
	while (getline(&line, &cap, f) > 0) {
		cJSON *j = cJSON_Parse(line);
		if (!j) continue;
		const cJSON *tx = cJSON_GetObjectItem(j, "text");
		if (!cJSON_IsString(tx)) { cJSON_Delete(j); continue; }
		lines++;
		const char *text = tx->valuestring;
		size_t tl = strlen(text);
		char where[300];
		snprintf(where, sizeof where, "%s tok line %d", name, lines);
		if (tok_encode(t, text, tl, 0, &a) != 0) { failures++; fprintf(stderr, "FAIL %s: invalid utf-8?\n", where); }
		ok_ids += check_ids(where, text, tl, cJSON_GetObjectItem(j, "ids"), &a);
		tok_encode(t, text, tl, 1, &b);
		snprintf(where, sizeof where, "%s tok line %d (special)", name, lines);
		ok_sp += check_ids(where, text, tl, cJSON_GetObjectItem(j, "ids_with_special"), &b);
		const cJSON *dec = cJSON_GetObjectItem(j, "decoded");
		if (cJSON_IsString(dec)) {
			/* decoded is of `ids`, special tokens kept */
			int32_t w[8192];
			size_t wn = 0;
			const cJSON *e;
			cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "ids")) if (wn < 8192) w[wn++] = (int32_t)e->valuedouble;
			char *d = tok_decode(t, w, wn, 0, NULL);
			ok_dec += check_str(where, dec->valuestring, d);
			free(d);
		}
		cJSON_Delete(j);
	}
	free(line);
	fclose(f);
	free(a.ids);
	free(b.ids);
	printf("%s: tok golden %d lines: ids %d/%d, ids_with_special %d/%d, decoded %d/%d\n", name, lines, ok_ids,
	       lines, ok_sp, lines, ok_dec, lines);
}

/* hf-oracle/NAME.jsonl: {"text", "add_special_tokens", "ids", "decoded"?} after a meta line */
static void run_oracle(tok_t *t, const char *label, const char *file)
{
	char rel[256], loc[256];
	snprintf(rel, sizeof rel, "tokenizer-tests/hf-oracle/%s", file);
	snprintf(loc, sizeof loc, "tokenizer-tests/hf-oracle/%s", file);
	const char *path = find_file(rel, loc);
	if (!path) { printf("%s: hf-oracle %s absent, skipped\n", label, file); return; }
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int recs = 0, ok = 0, decs = 0, okd = 0, fp_ok = -1, offn = 0, okoff = 0;
	tok_ids_t a = {0};
	while (getline(&line, &cap, f) > 0) {
		cJSON *j = cJSON_Parse(line);
		if (!j) continue;
		const cJSON *meta = cJSON_GetObjectItem(j, "meta");
		if (meta) {
			const cJSON *sha = cJSON_GetObjectItem(meta, "tokenizer_json_sha256");
			if (cJSON_IsString(sha)) fp_ok = !strcmp(sha->valuestring, tok_fingerprint(t));
			cJSON_Delete(j);
			continue;
		}
		const char *text = cJSON_GetObjectItem(j, "text")->valuestring;
		size_t tl = strlen(text);
		int add = cJSON_IsTrue(cJSON_GetObjectItem(j, "add_special_tokens"));
		char where[300];
		snprintf(where, sizeof where, "%s oracle record %d (add_special=%d)", label, recs + 1, add);
		recs++;
		tok_encode(t, text, tl, add, &a);
		ok += check_ids(where, text, tl, cJSON_GetObjectItem(j, "ids"), &a);
		const cJSON *offs = cJSON_GetObjectItem(j, "offsets");
		if (cJSON_IsArray(offs)) {
			/* HF's offsets are in chars; ours in bytes: convert through the text */
			size_t nch = 0, *c2b = xmalloc((tl + 2) * sizeof *c2b);
			for (size_t b = 0; b < tl; b++)
				if (((unsigned char)text[b] & 0xC0) != 0x80) c2b[nch++] = b;
			c2b[nch] = tl;
			tok_ids_t w = {0};
			tok_encode_offsets(t, text, tl, add, &w);
			int good = w.n == (size_t)cJSON_GetArraySize(offs);
			size_t i = 0;
			const cJSON *e;
			cJSON_ArrayForEach(e, offs) {
				if (!good) break;
				size_t ca = (size_t)cJSON_GetArrayItem(e, 0)->valuedouble, cb = (size_t)cJSON_GetArrayItem(e, 1)->valuedouble;
				if (ca > nch || cb > nch || w.offs[2 * i] != c2b[ca] || w.offs[2 * i + 1] != c2b[cb]) good = 0;
				i++;
			}
			offn++;
			okoff += good;
			checks++;
			if (!good) {
				failures++;
				if (shown++ < 25) {
					fprintf(stderr, "FAIL %s offsets: text %.*s\n    want (chars):", where, (int)(tl > 100 ? 100 : tl), text);
					cJSON_ArrayForEach(e, offs) fprintf(stderr, " [%d,%d)", cJSON_GetArrayItem(e, 0)->valueint, cJSON_GetArrayItem(e, 1)->valueint);
					fprintf(stderr, "\n    got (bytes):");
					for (size_t k = 0; k < w.n; k++) fprintf(stderr, " [%u,%u)", w.offs[2 * k], w.offs[2 * k + 1]);
					fprintf(stderr, "\n");
				}
			}
			free(w.ids);
			free(w.offs);
			free(c2b);
		}
		const cJSON *dec = cJSON_GetObjectItem(j, "decoded");
		if (cJSON_IsString(dec)) {
			decs++;
			char *d = tok_decode(t, a.ids, a.n, 0, NULL);
			okd += check_str(where, dec->valuestring, d);
			free(d);
		}
		cJSON_Delete(j);
	}
	free(line);
	fclose(f);
	free(a.ids);
	printf("%s: hf-oracle %d records: ids %d/%d, decoded %d/%d, offsets %d/%d%s\n", label, recs, ok, recs, okd, decs, okoff, offn,
	       fp_ok < 0 ? "" : fp_ok ? ", fingerprint = sha256 in meta" : strstr(file, "variant") ? " (modified file: fingerprint not compared)" : ", FINGERPRINT DIFFERS from meta");
	if (fp_ok == 0 && strstr(file, "variant") == NULL) { failures++; checks++; }
}

/* llama.cpp .inp/.out pairs */
static void run_llamacpp(tok_t *t, const char *label, const char *stem)
{
	char rel[256];
	snprintf(rel, sizeof rel, "tokenizer-tests/llama.cpp/ggml-vocab-%s.gguf.inp", stem);
	const char *ip = find_file(rel, rel);
	snprintf(rel, sizeof rel, "tokenizer-tests/llama.cpp/ggml-vocab-%s.gguf.out", stem);
	const char *op = find_file(rel, rel);
	if (!ip || !op) { printf("%s: llama.cpp %s absent, skipped\n", label, stem); return; }
	char *in = file_read(ip, NULL, 0), *out = file_read(op, NULL, 0);
	static const char sep[] = "\n__ggml_vocab_test__\n";
	char *p = in, *o = out;
	int n = 0, ok = 0;
	tok_ids_t a = {0};
	for (;;) {
		char *e = strstr(p, sep);
		if (!e) break;
		*e = 0;
		char *ol = o, *oe = strchr(o, '\n');
		if (!oe) break;
		*oe = 0;
		o = oe + 1;
		cJSON *want = cJSON_CreateArray();
		for (char *s = ol; *s; ) {
			char *end;
			long v = strtol(s, &end, 10);
			if (end == s) break;
			cJSON_AddItemToArray(want, cJSON_CreateNumber((double)v));
			s = end;
		}
		n++;
		char where[300];
		snprintf(where, sizeof where, "%s llama.cpp %s case %d", label, stem, n);
		tok_encode(t, p, strlen(p), 0, &a);
		ok += check_ids(where, p, strlen(p), want, &a);
		cJSON_Delete(want);
		p = e + sizeof sep - 1;
	}
	free(a.ids);
	free(in);
	free(out);
	printf("%s: llama.cpp %s %d/%d\n", label, stem, ok, n);
}

/* The Mistral v0.1 vocabulary in the newer form: no normalizer, Metaspace(first, split=false). */
static tok_t *load_metaspace_variant(void)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/tokenizers/mistral_v0_1", fixtures);
	if (!exists(p)) snprintf(p, sizeof p, "tests/fixtures/tokenizers/mistral_v0_1");
	if (!exists(p)) return NULL;
	char cmd[4200];
	char tmp[] = "/tmp/ft-tok-variant.XXXXXX";
	int fd = mkstemp(tmp);
	if (fd < 0) return NULL;
	close(fd);
	snprintf(cmd, sizeof cmd, "zstd -qdcf %s/tokenizer.json.zst > %s 2>/dev/null || cp %s/tokenizer.json %s", p, tmp, p, tmp);
	if (system(cmd) != 0) { unlink(tmp); return NULL; }
	size_t n;
	char *buf = file_read(tmp, &n, 0);
	cJSON *j = cJSON_ParseWithLength(buf, n);
	free(buf);
	cJSON_ReplaceItemInObject(j, "normalizer", cJSON_CreateNull());
	cJSON *ms = cJSON_Parse("{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\",\"prepend_scheme\":\"first\",\"split\":false}");
	cJSON_ReplaceItemInObject(j, "pre_tokenizer", ms);
	char *txt = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	FILE *f = fopen(tmp, "w");
	fputs(txt, f);
	fclose(f);
	free(txt);
	tok_t *t = tok_load_files(tmp, NULL);
	unlink(tmp);
	return t;
}

int main(void)
{
	fixtures = getenv("FT_FIXTURES");
	if (!fixtures) fixtures = "../shared/fixtures";
	int families = 0;
	static const struct { const char *name, *oracle, *llamacpp[3]; } fam[] = {
		{"llama3_1", "llama3_1.jsonl", {"llama-bpe", NULL}},
		{"qwen3", "qwen3.jsonl", {"qwen2", "deepseek-r1-qwen", NULL}},
		{"mistral_v0_1", "mistral_v01_as_lenml_llama2.jsonl", {NULL}},
		{"gemma3", "gemma3.jsonl", {NULL}},
	};
	for (size_t i = 0; i < sizeof fam / sizeof fam[0]; i++) {
		tok_t *t = load_family(fam[i].name);
		if (!t) { printf("%s: tokenizer absent (shared fixtures not found), skipped\n", fam[i].name); continue; }
		families++;
		run_tok_golden(t, fam[i].name);
		run_oracle(t, fam[i].name, fam[i].oracle);
		for (int k = 0; fam[i].llamacpp[k]; k++) run_llamacpp(t, fam[i].name, fam[i].llamacpp[k]);
		tok_free(t);
	}
	tok_t *v = load_metaspace_variant();
	if (v) {
		run_oracle(v, "mistral_v0_1 (Metaspace first)", "mistral_v01_metaspace_first_variant.jsonl");
		tok_free(v);
	}
	if (!families) {
		printf("no tokenizer fixtures found under %s or tests/fixtures\n", fixtures);
		return 77;
	}
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
