/* test_tokenizer_fastsplit: the hand-written GPT-2 / Llama 3 / Qwen2 matchers
 * (tok/tok_fastsplit.c) against PCRE2 running the same (rewritten) regex, on 300,000 generated
 * strings built from the characters where the alternatives interact: apostrophes and the
 * contraction letters (with S/s/U+017F case folding), every kind of whitespace including
 * \r \n and U+180E (not \s for HF), letters, digits and marks from old and Unicode 16 blocks,
 * punctuation, emoji. Any difference in the sequence of matches fails. Needs no fixtures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "tok/tok_internal.h"
#include "utf8.h"

static const uint32_t POOL[] = {
	'\'', '\'', '\'', 's', 'S', 0x17F, 't', 'T', 'r', 'R', 'e', 'E', 'v', 'V', 'm', 'M', 'l', 'L', 'd', 'D',
	'a', 'x', 'Z', ' ', ' ', ' ', ' ', '\t', '\r', '\n', '\n', 0x0B, 0x0C, 0x85, 0xA0, 0x1680, 0x180E, 0x2000,
	0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0x200B, '0', '1', '9', 0x0663, 0x00B2, 0x00BD, 0x2167,
	0x1E4F0, 0x116D0, '.', ',', '!', '-', '_', '(', '"', '/', '$', 0xE9, 0x3A9, 0x4E2D, 0x3042, 0xAC00,
	0x0301, 0x0308, 0x1F600, 0x2764, 0xFE0F, 0x200D, 0x31350, 0x2EBF0, 0x10D4A, 0x0378, 0xE000, 0x1CCF0,
};

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static size_t split_all(const tok_re_t *re, pcre2_match_data *md, const char *s, size_t n, size_t *out)
{
	size_t pos = 0, last = (size_t)-1, a, b, k = 0;
	while (tok_re_next(re, md, s, n, &pos, &last, &a, &b)) { out[k++] = a; out[k++] = b; }
	return k;
}

int main(void)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	long total = 0, fails = 0;
	for (int kind = 1; kind < TOK_FAST_N; kind++) {
		char err[256];
		tok_re_t *fast = tok_re_compile(tok_fast_pattern(kind), err, sizeof err);
		tok_re_t *slow = tok_re_compile(tok_fast_pattern(kind), err, sizeof err);
		if (!fast || !slow || fast->fast != kind) { printf("FAIL kind %d: not recognised (%s)\n", kind, err); return 1; }
		slow->fast = TOK_FAST_NONE;   /* the PCRE2 path */
		long bad = 0;
		for (int it = 0; it < 100000; it++) {
			char s[256];
			size_t n = 0;
			int len = (int)(next_rand() % 24);
			for (int k = 0; k < len; k++) n += (size_t)utf8_encode(POOL[next_rand() % (sizeof POOL / sizeof POOL[0])], s + n);
			size_t a[512], b[512];
			size_t na = split_all(fast, md, s, n, a), nb = split_all(slow, md, s, n, b);
			total++;
			if (na != nb || memcmp(a, b, na * sizeof *a)) {
				if (bad++ < 5) {
					printf("FAIL %s on \"", tok_fast_pattern(kind));
					for (size_t i = 0; i < n; i++) printf((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7F ? "\\x%02X" : "%c", (unsigned char)s[i]);
					printf("\"\n  fast:");
					for (size_t i = 0; i < na; i += 2) printf(" [%zu,%zu)", a[i], a[i + 1]);
					printf("\n  pcre2:");
					for (size_t i = 0; i < nb; i += 2) printf(" [%zu,%zu)", b[i], b[i + 1]);
					printf("\n");
				}
			}
		}
		printf("kind %d: %ld of 100000 strings differ from PCRE2\n", kind, bad);
		fails += bad;
		tok_re_free(fast);
		tok_re_free(slow);
	}
	pcre2_match_data_free(md);
	printf("%ld strings, %ld differ\n", total, fails);
	return fails ? 1 : 0;
}
