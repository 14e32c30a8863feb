/* jsonl: dataset files to JSON records, in batches parsed in parallel. See jsonl.h. */
#include "jsonl.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "zio.h"

struct jsonl {
	char **files;
	size_t nfiles, cur;
	FILE *f;
	zr_t *z;
	long line;
	/* a .json array file is parsed whole and handed out element by element */
	cJSON *array, *next_elem;
	long *elem_line;
	size_t elem_i;
	char *buf;
	size_t cbuf;
	char **lines;
	long *lineno;
	size_t clines;
};

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

int jsonl_is_data_file(const char *name)
{
	return ends_with(name, ".jsonl") || ends_with(name, ".json") || ends_with(name, ".jsonl.zst") ||
	       ends_with(name, ".json.zst");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *s = xmalloc(n);
	snprintf(s, n, "%s/%s", dir, name);
	return s;
}

jsonl_t *jsonl_open(const char *path, const char *const *files, size_t nfiles, const char *where)
{
	jsonl_t *j = xcalloc(1, sizeof *j);
	struct stat st;
	if (stat(path, &st) != 0)
		ft_die(FT_EXIT_USAGE, "%s: dataset path %s: %s (ft reads local files; download a hub "
				      "dataset and point 'path' at its files)",
		       where, q(path), strerror(errno));
	int isdir = S_ISDIR(st.st_mode);
	if (nfiles) {
		j->files = xcalloc(nfiles, sizeof *j->files);
		for (size_t i = 0; i < nfiles; i++)
			j->files[j->nfiles++] = isdir ? join(path, files[i]) : xstrdup(files[i]);
	} else if (isdir) {
		DIR *d = opendir(path);
		if (!d)
			ft_die(FT_EXIT_IO, "%s: cannot read folder %s: %s", where, q(path), strerror(errno));
		size_t cap = 0;
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.' || !jsonl_is_data_file(e->d_name))
				continue;
			xgrow((void **)&j->files, &cap, j->nfiles + 1, sizeof *j->files);
			j->files[j->nfiles++] = join(path, e->d_name);
		}
		closedir(d);
		if (!j->nfiles)
			ft_die(FT_EXIT_USAGE, "%s: folder %s holds no .jsonl, .json or .zst data files",
			       where, q(path));
		qsort(j->files, j->nfiles, sizeof *j->files, cmp_str);
	} else {
		j->files = xcalloc(1, sizeof *j->files);
		j->files[j->nfiles++] = xstrdup(path);
	}
	for (size_t i = 0; i < j->nfiles; i++)
		if (!jsonl_is_data_file(j->files[i]))
			ft_die(FT_EXIT_USAGE, "%s: %s is not a .jsonl, .json or .zst file", where,
			       q(j->files[i]));
	return j;
}

static void close_file(jsonl_t *j)
{
	if (j->z)
		zr_close(j->z);
	if (j->f)
		fclose(j->f);
	j->z = NULL;
	j->f = NULL;
	cJSON_Delete(j->array);
	j->array = NULL;
	free(j->elem_line);
	j->elem_line = NULL;
}

static _Noreturn void bad_json(const char *file, long line, const char *text, const char *at)
{
	long col = at && at >= text ? (long)(at - text) + 1 : 1;
	ft_die(FT_EXIT_DATA, "%s:%ld:%ld: invalid JSON", q(file), line, col);
}

/* A .json file holding one array: parse it whole; note each element's line for messages. */
static void open_array(jsonl_t *j, const char *file)
{
	char *all = NULL;
	size_t cap = 0, len = 0;
	char tmp[65536];
	size_t k;
	while ((k = zr_read(j->z, tmp, sizeof tmp)) > 0) {
		xgrow((void **)&all, &cap, len + k + 1, 1);
		memcpy(all + len, tmp, k);
		len += k;
	}
	xgrow((void **)&all, &cap, len + 1, 1);
	all[len] = '\0';
	const char *end = NULL;
	j->array = cJSON_ParseWithLengthOpts(all, len, &end, 0);
	if (!j->array) {
		long line = 1;
		for (const char *p = all; end && p < end; p++)
			line += *p == '\n';
		const char *ls = end;
		while (ls && ls > all && ls[-1] != '\n')
			ls--;
		bad_json(file, line, ls, end);
	}
	if (!cJSON_IsArray(j->array))
		ft_die(FT_EXIT_DATA, "%s: a .json dataset file must hold an array of records (or "
				     "one record a line)", q(file));
	j->next_elem = j->array->child;
	j->elem_i = 0;
	/* cJSON keeps no positions; count lines to each element's opening brace instead. */
	size_t n = (size_t)cJSON_GetArraySize(j->array);
	j->elem_line = xcalloc(n + 1, sizeof *j->elem_line);
	long line = 1;
	int depth = 0, instr = 0, esc = 0;
	size_t e = 0;
	for (size_t i = 0; i < len && e < n; i++) {
		char c = all[i];
		if (instr) {
			if (esc) esc = 0;
			else if (c == '\\') esc = 1;
			else if (c == '"') instr = 0;
			else if (c == '\n') line++;
			continue;
		}
		if (c == '\n') line++;
		else if (c == '"') { if (depth == 1) j->elem_line[e++] = line; instr = 1; }
		else if (c == '[' || c == '{') { if (depth == 1) j->elem_line[e++] = line; depth++; }
		else if (c == ']' || c == '}') depth--;
		else if (depth == 1 && c != ',' && c != ' ' && c != '\t' && c != '\r') {
			j->elem_line[e++] = line;
			while (i + 1 < len && !strchr(",] \t\r\n", all[i + 1])) i++;
		}
	}
	free(all);
}

static int open_next(jsonl_t *j)
{
	close_file(j);
	if (j->cur >= j->nfiles)
		return 0;
	const char *file = j->files[j->cur++];
	j->f = fopen(file, "rb");
	if (!j->f)
		ft_die(FT_EXIT_IO, "%s: cannot open: %s", q(file), strerror(errno));
	j->z = zr_open(j->f, file, 1);
	j->line = 0;
	if (ends_with(file, ".json") || ends_with(file, ".json.zst")) {
		/* Hugging Face's json loader takes an array or JSON Lines: look at the first
		 * character of the (decompressed) text, then start over. */
		char first = 0;
		while (zr_read(j->z, &first, 1) == 1 && (first == ' ' || first == '\n' ||
							  first == '\r' || first == '\t'))
			;
		rewind(j->f);
		zr_close(j->z);
		j->z = zr_open(j->f, file, 1);
		if (first == '[')
			open_array(j, file);
	}
	return 1;
}

static int is_blank(const char *s)
{
	for (; *s; s++)
		if (!strchr(" \t\r", *s))
			return 0;
	return 1;
}

size_t jsonl_next_batch(jsonl_t *j, jsonbatch_t *b, size_t max)
{
	jsonl_batch_free(b);
	if (!j->z && !open_next(j))
		return 0;
	const char *file = j->files[j->cur - 1];
	if (j->array) {
		while (b->n < max && j->next_elem) {
			cJSON *e = j->next_elem;
			j->next_elem = e->next;
			cJSON_DetachItemViaPointer(j->array, e);
			xgrow((void **)&b->rec, &b->cap, b->n + 1, sizeof *b->rec);
			b->rec[b->n++] = (jsonrec_t){ e, file, j->elem_line[j->elem_i++] };
		}
		if (!j->next_elem)
			close_file(j);
		return b->n ? b->n : jsonl_next_batch(j, b, max);
	}
	/* JSON Lines: read up to max non-blank lines, then parse them on all cores. */
	size_t n = 0;
	xgrow((void **)&j->lines, &j->clines, max, sizeof *j->lines);
	j->lineno = xrealloc(j->lineno, j->clines * sizeof *j->lineno);
	while (n < max) {
		size_t cap = 0;
		char *line = NULL;
		long len = zr_getline(j->z, &line, &cap);
		if (len < 0) {
			free(line);
			close_file(j);
			break;
		}
		j->line++;
		if (is_blank(line)) {
			free(line);
			continue;
		}
		j->lines[n] = line;
		j->lineno[n] = j->line;
		n++;
	}
	xgrow((void **)&b->rec, &b->cap, n, sizeof *b->rec);
	long bad = -1;
	const char *badat = NULL;
	size_t badi = 0;
#pragma omp parallel for schedule(dynamic, 64)
	for (size_t i = 0; i < n; i++) {
		const char *end = NULL;
		cJSON *v = cJSON_ParseWithOpts(j->lines[i], &end, 1);
		b->rec[i] = (jsonrec_t){ v, file, j->lineno[i] };
		if (!v) {
#pragma omp critical
			if (bad < 0 || j->lineno[i] < bad) {
				bad = j->lineno[i];
				badat = end;
				badi = i;
			}
		}
	}
	b->n = n;
	if (bad >= 0)
		bad_json(file, bad, j->lines[badi], badat);
	for (size_t i = 0; i < n; i++)
		free(j->lines[i]);
	if (n == 0)
		return jsonl_next_batch(j, b, max);
	return n;
}

void jsonl_batch_free(jsonbatch_t *b)
{
	for (size_t i = 0; i < b->n; i++)
		cJSON_Delete(b->rec[i].v);
	b->n = 0;
}

void jsonl_close(jsonl_t *j)
{
	if (!j)
		return;
	close_file(j);
	for (size_t i = 0; i < j->nfiles; i++)
		free(j->files[i]);
	free(j->files);
	free(j->lines);
	free(j->lineno);
	free(j->buf);
	free(j);
}
