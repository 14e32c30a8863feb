/* test_tokenizer_api: the small API around encode/decode, on the tokenizers kept in
 * tests/fixtures (Qwen3, Mistral v0.1), so it runs without the shared fixtures:
 * special-token ids from tokenizer_config.json (string and null forms), token <-> id, vocab
 * size, invalid UTF-8 refused with its offset, batch encode equal to one-by-one encode on
 * all threads, skip_special decode, and BPE on megabyte-long words staying fast (the heap,
 * not a quadratic scan). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "tok/tokenizer.h"
#include "unicode.h"

static int fails, checks;

#define CHECK(cond, ...) do { checks++; if (!(cond)) { fails++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void test_qwen(tok_t *t)
{
	CHECK(tok_vocab_size(t) == 151669, "qwen3 vocab size %zu", tok_vocab_size(t));
	CHECK(tok_bos_id(t) == -1, "qwen3 bos_token is null, got %d", tok_bos_id(t));
	CHECK(tok_eos_id(t) == 151645, "qwen3 eos %d", tok_eos_id(t));
	CHECK(tok_pad_id(t) == 151643, "qwen3 pad %d", tok_pad_id(t));
	CHECK(tok_token_to_id(t, "<|im_start|>") == 151644, "im_start id");
	CHECK(tok_token_to_id(t, "no such token at all") == -1, "absent token");
	CHECK(tok_id_to_token(t, 9707) && !strcmp(tok_id_to_token(t, 9707), "Hello"), "id 9707");
	CHECK(tok_id_to_token(t, 999999) == NULL, "id out of range");
	CHECK(tok_is_special(t, 151644) && !tok_is_special(t, 9707), "special flags");
	CHECK(strlen(tok_fingerprint(t)) == 64, "fingerprint is sha256 hex");

	tok_ids_t o = {0};
	CHECK(tok_encode(t, "ab\xC3", 3, 0, &o) == -1 && tok_bad_utf8_offset() == 2 && o.n == 0, "truncated UTF-8");
	CHECK(tok_encode(t, "\xED\xA0\x80", 3, 0, &o) == -1 && tok_bad_utf8_offset() == 0, "surrogate");
	CHECK(tok_encode(t, "", 0, 1, &o) == 0 && o.n == 0, "empty text");
	const char *chat = "<|im_start|>user\nhi<|im_end|>";
	tok_encode(t, chat, strlen(chat), 0, &o);
	char *d = tok_decode(t, o.ids, o.n, 1, NULL);
	CHECK(!strcmp(d, "user\nhi"), "skip_special decode gave [%s]", d);
	free(d);
	size_t dl;
	d = tok_decode(t, o.ids, o.n, 0, &dl);
	CHECK(dl == strlen(chat) && !strcmp(d, chat), "decode round trip gave [%s]", d);
	free(d);

	/* a 256 KB word of one letter: regex gives one piece, BPE must not go quadratic */
	size_t n = 1 << 18;
	char *big = xmalloc(n);
	memset(big, 'a', n);
	double a = now();
	tok_encode(t, big, n, 0, &o);
	double el = now() - a;
	CHECK(el < 20 && o.n > 0, "256 KB word took %.2fs", el);
	printf("qwen3: 256 KB single word -> %zu tokens in %.2fs\n", o.n, el);
	free(big);
	free(o.ids);
}

static void test_mistral(tok_t *t)
{
	CHECK(tok_bos_id(t) == 1 && tok_eos_id(t) == 2 && tok_pad_id(t) == -1 && tok_unk_id(t) == 0,
	      "mistral specials bos %d eos %d pad %d unk %d", tok_bos_id(t), tok_eos_id(t), tok_pad_id(t), tok_unk_id(t));
	tok_ids_t o = {0};
	tok_encode(t, "Hello", 5, 1, &o);
	CHECK(o.n == 2 && o.ids[0] == 1 && o.ids[1] == 22557, "add_special gives <s> \u2581Hello");
	/* SentencePiece: the whole text is one word; 256 KB without spaces must stay fast */
	size_t n = 1 << 18;
	char *big = xmalloc(n);
	for (size_t i = 0; i < n; i++) big[i] = "abcdefgh"[i % 8 == 7 ? (i / 8) % 8 : i % 8];
	double a = now();
	tok_encode(t, big, n, 0, &o);
	double el = now() - a;
	CHECK(el < 20 && o.n > 0, "256 KB SentencePiece word took %.2fs", el);
	printf("mistral_v0_1: 256 KB single word -> %zu tokens in %.2fs\n", o.n, el);
	free(big);
	free(o.ids);
}

/* encode_batch on all threads equals encode one by one */
static void test_batch(tok_t *t, const char *name)
{
	FILE *f = fopen("tests/fixtures/tokenizers/golden/tok_qwen3.jsonl", "r");
	if (!f) { printf("golden texts absent\n"); return; }
	char *line = NULL;
	size_t cap = 0, n = 0, tc = 0;
	char **texts = NULL;
	while (getline(&line, &cap, f) > 0) {
		/* the raw JSON line is a fine multilingual test string in itself */
		for (int r = 0; r < 8; r++) {
			if (n == tc) xgrow((void **)&texts, &tc, n + 1, sizeof *texts);
			texts[n++] = xstrdup(line + r);
		}
	}
	free(line);
	fclose(f);
	size_t *lens = xmalloc(n * sizeof *lens);
	for (size_t i = 0; i < n; i++) lens[i] = strlen(texts[i]);
	tok_ids_t *a = xcalloc(n, sizeof *a), *b = xcalloc(n, sizeof *b);
	for (size_t i = 0; i < n; i++) tok_encode(t, texts[i], lens[i], 1, &a[i]);
	omp_set_num_threads(4);   /* more threads than cores is fine and exercises the states */
	long bad = tok_encode_batch(t, (const char *const *)texts, lens, n, 1, b);
	CHECK(bad == -1, "batch reported bad UTF-8 at %ld", bad);
	size_t same = 0;
	for (size_t i = 0; i < n; i++) {
		same += a[i].n == b[i].n && !memcmp(a[i].ids, b[i].ids, a[i].n * sizeof *a[i].ids);
		free(a[i].ids);
		free(b[i].ids);
		free(texts[i]);
	}
	CHECK(same == n, "%s batch: %zu of %zu equal", name, same, n);
	printf("%s: batch on 4 threads equals one-by-one on %zu/%zu texts\n", name, same, n);
	free(a);
	free(b);
	free(texts);
	free(lens);
}

/* A few normalization facts HF's tables fix (reference/tokenizer.md 1.4), checked without HF. */
static void test_unicode(void)
{
	static const struct { uni_form_t f; const char *in, *want; } nf[] = {
		{UNI_NFC, "\xE2\x84\xAB", "\xC3\x85"},                 /* Angstrom sign -> A with ring */
		{UNI_NFC, "A\xCC\x8A", "\xC3\x85"},                     /* A + combining ring composes */
		{UNI_NFD, "\xC3\x85", "A\xCC\x8A"},
		{UNI_NFKC, "\xEF\xAC\x81", "fi"},                        /* ligature */
		{UNI_NFKC, "\xE3\x8B\xBF", "\xE3\x8B\xBF"},          /* U+32FF: HF's tables predate it */
		{UNI_NFD, "\xF0\x91\xA4\xB8", "\xF0\x91\xA4\xB8"},  /* U+11938 likewise */
		{UNI_NFC, "\xEA\xB0\x80\xE1\x86\xA8", "\xEA\xB0\x81"}, /* Hangul LV + T */
	};
	for (size_t i = 0; i < sizeof nf / sizeof nf[0]; i++) {
		size_t on, n = strlen(nf[i].in);
		char *o = uni_normalize(nf[i].f, nf[i].in, n, &on);
		const char *got = o ? o : nf[i].in;
		size_t gn = o ? on : n;
		CHECK(gn == strlen(nf[i].want) && !memcmp(got, nf[i].want, gn), "normalization case %zu", i);
		free(o);
	}
	size_t on;
	char *o = uni_lowercase("\xEA\x9F\x8B\xCE\xA3", 5, &on);   /* U+A7CB (Unicode 16), Sigma */
	CHECK(on == 4 && !memcmp(o, "\xC9\xA4\xCF\x83", 4), "lowercase");
	free(o);
}

int main(void)
{
	test_unicode();
	tok_t *q = tok_load("tests/fixtures/tokenizers/qwen3");
	test_qwen(q);
	test_batch(q, "qwen3");
	tok_t *m = tok_load("tests/fixtures/tokenizers/mistral_v0_1");
	test_mistral(m);
	test_batch(m, "mistral_v0_1");
	tok_free(q);
	tok_free(m);
	printf("%d checks, %d failed\n", checks, fails);
	return fails ? 1 : 0;
}
