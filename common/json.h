/* json: the one JSON writer, and the one reader of a JSON file. It writes two kinds of text: the canonical layout, and the files
 * the Hugging Face libraries write with Python's json.dumps, byte for byte.
 *
 * Canonical: config fingerprints, metadata blocks in .ftt/.ftp files, metrics.jsonl and
 * `ft-validate --print` hash or compare JSON text; that only works if the text is a function
 * of the value alone. The layout: object keys sorted by their UTF-8 bytes (memcmp order), no
 * whitespace anywhere, strings escaped per RFC 8259 (", \, and control characters; everything
 * else raw UTF-8), integral numbers with |x| < 2^53 as plain integers ("-0" becomes "0"), other
 * numbers in the shortest form that reads back to the same double ("0.0002", "1e-5",
 * "1.5e300"); NaN and infinities, which JSON cannot say, are written as null.
 *
 * Python: json.dumps(v, indent=2, sort_keys=True) with its defaults ensure_ascii=True and
 * allow_nan=True, as transformers (config.json, model.safetensors.index.json,
 * trainer_state.json: with a final "\n") and PEFT (adapter_config.json: without) write them.
 * Strings: \" \\ \b \f \n \r \t, every other character outside ' '..'~' as \uXXXX (lowercase
 * hex; beyond the BMP a UTF-16 surrogate pair; each byte that is not part of valid UTF-8 as
 * \ufffd, as Python's errors="replace" reads a stray byte). Numbers as Python writes an int
 * (123) or a float (repr: 1.0, 0.0001, 1e-05, 1e+16, NaN, Infinity).
 * cJSON has one number type, so which numbers Python would hold as floats is marked on the
 * item (json_mark_float); an unmarked integral number below 10^18 is an int, any other a
 * float. */
#ifndef FT_JSON_H
#define FT_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

#include "fileio.h"   /* FILE_OPTIONAL, FILE_CONFIG for json_read_file */

/* The knobs of json.dumps in which the files ft writes differ. */
typedef struct {
	int indent;           /* < 0: all on one line; n >= 0: an item per line, n spaces deeper per level */
	const char *item_sep; /* between items (json.dumps separators[0]: "," with an indent, ", " without) */
	const char *key_sep;  /* between a key and its value (separators[1]) */
	int ensure_ascii;     /* non-ASCII as \uXXXX; 0: raw UTF-8 */
	int python_numbers;   /* numbers as Python's int and float; 0: the canonical form */
	int final_newline;    /* "\n" after the document */
} json_style_t;
/* Keys are always sorted (sort_keys=True in every file ft imitates, and canonical needs it). */

extern const json_style_t json_style_canonical; /* the canonical layout */
/* json.dumps(v, indent=2, sort_keys=True) + "\n": transformers' PretrainedConfig.to_json_file,
 * save_pretrained's model.safetensors.index.json, TrainerState.save_to_json */
extern const json_style_t json_style_hf;
/* json.dumps(v, indent=2, sort_keys=True), no final newline: PEFT's
 * PeftConfigMixin.save_pretrained (adapter_config.json) */
extern const json_style_t json_style_peft;

/* The text of v in style, malloc'd and NUL-terminated (caller frees); its length in *len
 * unless len is NULL. Dies (FT_EXIT_DATA) on values nested over 1000 deep. */
char *json_dumps(const cJSON *v, const json_style_t *style, size_t *len);

/* Writes the canonical text of v to f (no trailing newline); returns 0, or -1 if f failed. */
int json_write_canonical(FILE *f, const cJSON *v);
/* The canonical text of v in a malloc'd string (caller frees). */
char *json_canonical(const cJSON *v);
/* The shortest text that reads back as d (the number part of the canonical layout), into buf
 * (at least 32 bytes). */
void json_format_number(double d, char *buf, size_t n);

/* Marks number item v as one Python holds as a float (written 1.0, not 1, by python_numbers
 * styles; canonical text ignores the mark); returns v. */
cJSON *json_mark_float(cJSON *v);
/* cJSON_AddNumberToObject with the mark. */
cJSON *json_add_float(cJSON *obj, const char *key, double d);

/* The JSON value in file path (file_read: "-" is standard input; flags FILE_OPTIONAL,
 * FILE_CONFIG). Dies naming the file: FT_EXIT_IO if it cannot be read, FT_EXIT_DATA if it
 * is not valid JSON. NULL only for a missing FILE_OPTIONAL file. */
cJSON *json_read_file(const char *path, int flags);

#endif
