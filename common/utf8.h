/* utf8: the few UTF-8 primitives the tokenizer needs, inline because they sit in inner loops.
 *
 * Input text is validated once (utf8_valid) at the API boundary; after that the decoders may
 * assume well-formed UTF-8, which is what lets them be branch-light. */
#ifndef FT_UTF8_H
#define FT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Byte length of the UTF-8 sequence that starts with lead byte c (1 for a stray byte). */
static inline int utf8_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Decodes one code point of well-formed UTF-8 at s; stores its length in *len. */
static inline uint32_t utf8_decode(const char *p, int *len)
{
	const unsigned char *s = (const unsigned char *)p;
	if (s[0] < 0x80) { *len = 1; return s[0]; }
	if (s[0] < 0xE0) { *len = 2; return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F); }
	if (s[0] < 0xF0) {
		*len = 3;
		return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
	}
	*len = 4;
	return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
	       ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

/* Writes cp as UTF-8 into out (room for 4); returns the byte count. */
static inline int utf8_encode(uint32_t cp, char *o)
{
	unsigned char *out = (unsigned char *)o;
	if (cp < 0x80) { out[0] = (unsigned char)cp; return 1; }
	if (cp < 0x800) { out[0] = 0xC0 | (cp >> 6); out[1] = 0x80 | (cp & 0x3F); return 2; }
	if (cp < 0x10000) {
		out[0] = 0xE0 | (cp >> 12); out[1] = 0x80 | ((cp >> 6) & 0x3F); out[2] = 0x80 | (cp & 0x3F);
		return 3;
	}
	out[0] = 0xF0 | (cp >> 18); out[1] = 0x80 | ((cp >> 12) & 0x3F);
	out[2] = 0x80 | ((cp >> 6) & 0x3F); out[3] = 0x80 | (cp & 0x3F);
	return 4;
}

/* Length of the longest valid UTF-8 prefix of s[0..n) (n when all of it is valid): rejects
 * overlongs, surrogates and code points above U+10FFFF, as Rust's str does. */
size_t utf8_valid_prefix(const char *s, size_t n);

#endif
