/* unicode: the Unicode data the tokenizer needs, pinned to what Hugging Face tokenizers does.
 *
 * Class ranges (\p{L}, \s, ...) are HF/Oniguruma's Unicode 16 sets, measured by the shared
 * fixture; normalization and lowercase follow Unicode 14 (HF's NFC agrees with it on every
 * code point, and NFD/NFKC/NFKD too once the 73 decompositions HF lacks are left out). Tables
 * are generated into unicode_tables.c by scripts/gen_unicode_tables.py so
 * the build needs no Unicode library. */
#ifndef FT_UNICODE_H
#define FT_UNICODE_H

#include <stddef.h>
#include <stdint.h>

typedef struct { uint32_t lo, hi; } tok_range_t;   /* inclusive */

typedef struct {
	const char *name;            /* "L", "Lu", "N", ..., "s" */
	const tok_range_t *full;     /* every code point HF's class matches */
	size_t nfull;
	const tok_range_t *extra;    /* the ones Unicode 14 (PCRE2 10.42) lacks */
	size_t nextra;
} uni_class_t;

typedef struct { uint32_t cp; uint8_t ccc; } uni_ccc_t;
typedef struct { uint32_t cp; uint32_t off, len; } uni_decomp_t;
typedef struct { uint32_t a, b, c; } uni_comp_t;

extern const uni_class_t uni_classes[];   /* ends with name == NULL */
extern const uni_ccc_t uni_ccc[];
extern const size_t uni_ccc_n;
extern const uni_decomp_t uni_canon[], uni_compat[], uni_lower[];
extern const size_t uni_canon_n, uni_compat_n, uni_lower_n;
extern const uint32_t uni_decomp_pool[], uni_lower_pool[];
extern const uni_comp_t uni_comp[];
extern const size_t uni_comp_n;
extern const tok_range_t *const uni_nfc_unsafe;   /* code points that may change under NFC */
extern const size_t uni_nfc_unsafe_n;

/* The class table entry for a property name, or NULL. */
const uni_class_t *uni_class_find(const char *name, size_t len);
int uni_in_ranges(const tok_range_t *r, size_t n, uint32_t cp);
/* HF's \s (White_Space, 25 code points; PCRE2 10.42 adds U+180E). */
int uni_is_space(uint32_t cp);

/* Normalization forms, as in HF's NFC/NFD/NFKC/NFKD normalizers. */
typedef enum { UNI_NFC, UNI_NFD, UNI_NFKC, UNI_NFKD } uni_form_t;
/* Normalizes UTF-8 s[0..n) (valid UTF-8) into a fresh xmalloc'd buffer, length in *outn.
 * Returns NULL (and leaves nothing allocated) when the text is already normalized. */
char *uni_normalize(uni_form_t form, const char *s, size_t n, size_t *outn);
/* Lowercases UTF-8 (per code point, as Rust's char::to_lowercase); fresh buffer. */
char *uni_lowercase(const char *s, size_t n, size_t *outn);
/* The same, also giving *map: for each output byte k, map[2k], map[2k+1] = the input byte span
 * [lo, hi) of the char it came from (a composed char: its starter's, as HF aligns it). *map is
 * xmalloc'd; it is not set when uni_normalize_map returns NULL (text unchanged). */
char *uni_normalize_map(uni_form_t form, const char *s, size_t n, size_t *outn, uint32_t **map);
char *uni_lowercase_map(const char *s, size_t n, size_t *outn, uint32_t **map);

#endif
