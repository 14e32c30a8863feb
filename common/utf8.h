/* utf8: the few UTF-8 primitives ft needs, inline because they sit in inner loops, and so
 * that the one validator costs a tool that checks text (JSON, command-line overrides) no link
 * of the Unicode tables (unicode.c).
 *
 * Input text is validated once (utf8_valid_prefix) at the API boundary; after that the
 * decoders may assume well-formed UTF-8, which is what lets them be branch-light. */
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
static inline size_t utf8_valid_prefix(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) { i++; continue; }
		size_t need;
		uint32_t min, cp;
		if (c >= 0xC2 && c <= 0xDF) { need = 1; min = 0x80; cp = c & 0x1F; }
		else if (c >= 0xE0 && c <= 0xEF) { need = 2; min = 0x800; cp = c & 0x0F; }
		else if (c >= 0xF0 && c <= 0xF4) { need = 3; min = 0x10000; cp = c & 0x07; }
		else return i;
		if (n - i <= need) return i;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xC0) != 0x80) return i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
		i += need + 1;
	}
	return n;
}

/* Whether all of s[0..n) is valid UTF-8 (utf8_valid_prefix). */
static inline int utf8_valid(const char *s, size_t n)
{
	return utf8_valid_prefix(s, n) == n;
}

#endif
