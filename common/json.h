/* json: the one canonical JSON layout ft writes, so that equal values give equal bytes.
 *
 * Config fingerprints, metadata blocks in .ftt/.ftp files and `ft-validate --print` all hash
 * or compare JSON text; that only works if the text is a function of the value alone. The
 * layout: object keys sorted by their UTF-8 bytes (memcmp order), no whitespace anywhere,
 * strings escaped per RFC 8259 (", \, and control characters; everything else raw UTF-8),
 * integral numbers with |x| < 2^53 as plain integers ("-0" becomes "0"), other numbers in the
 * shortest form that reads back to the same double ("0.0002", "1e-5", "1.5e300"); NaN and
 * infinities, which JSON cannot say, are written as null. */
#ifndef FT_JSON_H
#define FT_JSON_H

#include <cjson/cJSON.h>
#include <stdio.h>

/* Writes the canonical text of v to f (no trailing newline); returns 0, or -1 if f failed. */
int json_write_canonical(FILE *f, const cJSON *v);
/* The canonical text of v in a malloc'd string (caller frees). */
char *json_canonical(const cJSON *v);
/* The shortest text that reads back as d (the number part of the layout above), into buf
 * (at least 32 bytes). */
void json_format_number(double d, char *buf, size_t n);

#endif
