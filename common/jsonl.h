/* jsonl: reading dataset files — the record source of ft-tokenize.
 *
 * A dataset path is a file or a folder. Files: `.jsonl` (one JSON value a line, blank lines
 * skipped), `.json` (a JSON array of records, or JSON Lines as Hugging Face's json loader also
 * accepts), and either compressed with zstd (`.zst`). A folder is read as all such files in
 * it, sorted by name. Records come in batches parsed on all cores; order is the file order,
 * whatever the thread count. A line that is not valid JSON is fatal, naming file and line. */
#ifndef FT_JSONL_H
#define FT_JSONL_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct {
	cJSON *v;          /* the record (owned by the batch) */
	const char *file;  /* for messages */
	long line;         /* 1-based line; for a .json array, the element's line */
} jsonrec_t;

typedef struct {
	jsonrec_t *rec;
	size_t n, cap;
} jsonbatch_t;

typedef struct jsonl jsonl_t;

/* Opens every file of a dataset path. files: optional explicit list (Axolotl's data_files),
 * relative to path when path is a folder. Exits 2 (config) if nothing is there to read. */
jsonl_t *jsonl_open(const char *path, const char *const *files, size_t nfiles, const char *where);
/* Fills b with up to max records (freeing what it held); returns the count, 0 at the end. */
size_t jsonl_next_batch(jsonl_t *j, jsonbatch_t *b, size_t max);
void jsonl_batch_free(jsonbatch_t *b);
void jsonl_close(jsonl_t *j);
/* True if name ends in one of the extensions jsonl reads. */
int jsonl_is_data_file(const char *name);

#endif
