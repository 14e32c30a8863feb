/* dataset: reading, tokenizing and preparing SFT datasets. See dataset.h.
 *
 * Pre-tokenized records (no `type:`) are parsed here; text types go through prompt.c with
 * the model's tokenizer. Records are parsed and tokenized in parallel batches and appended
 * in file order, so the output does not depend on the thread count. */
#include "dataset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jsonl.h"
#include "prompt.h"
#include "rng.h"

#define BATCH 8192

void lenpolicy_from_config(const ft_config_t *cfg, lenpolicy_t *lp)
{
	lp->seq_len = (uint32_t)config_int(cfg, "sequence_len", 2048);
	lp->min_len = (uint32_t)config_int(cfg, "min_sample_len", 2);
	const char *s = config_str(cfg, "excess_length_strategy", "drop");
	lp->excess = !strcmp(s, "truncate") ? EXCESS_TRUNCATE : !strcmp(s, "raise") ? EXCESS_RAISE
										     : EXCESS_DROP;
}

int lenpolicy_apply(const lenpolicy_t *lp, uint32_t *n, ds_stats_t *st, const char *what)
{
	if (*n > lp->seq_len) {
		if (lp->excess == EXCESS_RAISE)
			ft_die(FT_EXIT_DATA, "%s: record of %u tokens exceeds sequence_len %u "
					     "(excess_length_strategy: raise)", what, *n, lp->seq_len);
		if (lp->excess == EXCESS_DROP) {
			st->too_long++;
			return 0;
		}
		*n = lp->seq_len;
		st->truncated++;
	}
	if (*n < lp->min_len) {
		st->too_short++;
		return 0;
	}
	return 1;
}

int dataset_parse_pretokenized(const void *json, uint32_t **tok, size_t *cap, uint32_t *n,
			       char *err, size_t errlen)
{
	const cJSON *v = json;
	if (!cJSON_IsObject(v)) {
		snprintf(err, errlen, "record is not a JSON object");
		return -1;
	}
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(v, "input_ids");
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(v, "labels");
	const cJSON *mask = cJSON_GetObjectItemCaseSensitive(v, "attention_mask");
	if (!ids) {
		snprintf(err, errlen, "missing field 'input_ids' (a dataset without 'type:' must be "
				      "pre-tokenized)");
		return -1;
	}
	if (!cJSON_IsArray(ids)) {
		snprintf(err, errlen, "'input_ids' is not an array");
		return -1;
	}
	int len = cJSON_GetArraySize(ids);
	if (labels && !cJSON_IsNull(labels) &&
	    (!cJSON_IsArray(labels) || cJSON_GetArraySize(labels) != len)) {
		snprintf(err, errlen, "'labels' must be an array as long as 'input_ids' (%d)", len);
		return -1;
	}
	if (mask && !cJSON_IsNull(mask) && (!cJSON_IsArray(mask) || cJSON_GetArraySize(mask) != len)) {
		snprintf(err, errlen, "'attention_mask' must be an array as long as 'input_ids' (%d)",
			 len);
		return -1;
	}
	if ((uint64_t)len >= TOKFILE_MAX_TOKENS) {
		snprintf(err, errlen, "record of %d tokens is too long", len);
		return -1;
	}
	xgrow((void **)tok, cap, (size_t)len, sizeof **tok);
	const cJSON *id = ids->child;
	const cJSON *lab = labels && cJSON_IsArray(labels) ? labels->child : NULL;
	const cJSON *m = mask && cJSON_IsArray(mask) ? mask->child : NULL;
	for (int i = 0; i < len; i++, id = id->next) {
		double d = cJSON_IsNumber(id) ? id->valuedouble : -1;
		if (d < 0 || d > 0x7fffffff || d != floor(d)) {
			snprintf(err, errlen, "'input_ids'[%d] is not a token id", i);
			return -1;
		}
		uint32_t t = (uint32_t)d;
		if (m) {
			if (!cJSON_IsNumber(m) || (m->valuedouble != 0 && m->valuedouble != 1)) {
				snprintf(err, errlen, "'attention_mask'[%d] is not 0 or 1", i);
				return -1;
			}
			if (m->valuedouble == 0) {
				snprintf(err, errlen, "'attention_mask'[%d] is 0: ft takes unpadded "
						      "records; strip the padding", i);
				return -1;
			}
			m = m->next;
		}
		if (lab) {
			double l = cJSON_IsNumber(lab) ? lab->valuedouble : -2;
			if (l == -100) {
				/* not trained */
			} else if (l == d) {
				t |= TOK_TRAINS;
			} else {
				/* ft keeps one "trains" bit per token, which is exact whenever a label
				 * is -100 or the token itself — Axolotl's convention everywhere. */
				snprintf(err, errlen, "'labels'[%d] is neither -100 nor input_ids[%d]",
					 i, i);
				return -1;
			}
			lab = lab->next;
		} else {
			t |= TOK_TRAINS; /* no labels: every token trains, as causal LM collators do */
		}
		(*tok)[i] = t;
	}
	*n = (uint32_t)len;
	return 0;
}

void dataset_check_tokenizer(const ft_config_t *cfg, const cJSON *meta, const char *file)
{
	const cJSON *fp = cJSON_GetObjectItemCaseSensitive(meta, "tokenizer");
	if (!cJSON_IsString(fp))
		return;
	const char *dir = config_str(cfg, "tokenizer_config", config_model_dir(cfg));
	char mine[65];
	if (!dir || tok_dir_fingerprint(dir, mine))
		return;   /* nothing to compare with: the tool that needs the model says so */
	if (strcmp(mine, fp->valuestring))
		ft_die(FT_EXIT_DATA, "%s: made with another tokenizer (fingerprint %.12s) than the one "
				     "in %s (%.12s); re-run ft-tokenize with this config",
		       q(file), fp->valuestring, q(dir), mine);
}

/* Axolotl's `shards`/`shards_idx`: datasets' contiguous shard of a dataset of n records. */
static void shard_range(size_t n, long shards, long idx, size_t *lo, size_t *hi)
{
	size_t div = n / (size_t)shards, mod = n % (size_t)shards;
	*lo = div * (size_t)idx + ((size_t)idx < mod ? (size_t)idx : mod);
	*hi = *lo + div + ((size_t)idx < mod ? 1 : 0);
}

static void load_entry(const ft_config_t *cfg, const char *key, int i, recset_t *out,
		       ds_stats_t *st, const tok_t *tok)
{
	char k[128], where[256];
	prompt_t *pr = prompt_make(cfg, key, i, tok);
	snprintf(k, sizeof k, "%s.%d.path", key, i);
	const char *path = config_str(cfg, k, NULL);
	snprintf(where, sizeof where, "%s: %s", config_where(cfg, k), q(k));
	if (!path)
		ft_die(FT_EXIT_USAGE, "%s: missing", where);

	snprintf(k, sizeof k, "%s.%d.data_files", key, i);
	const cJSON *df = config_get(cfg, k);
	const char **files = NULL;
	size_t nfiles = 0;
	if (cJSON_IsString(df)) {
		files = xmalloc(sizeof *files);
		files[nfiles++] = df->valuestring;
	} else if (cJSON_IsArray(df)) {
		files = xcalloc((size_t)cJSON_GetArraySize(df) + 1, sizeof *files);
		for (const cJSON *e = df->child; e; e = e->next)
			if (cJSON_IsString(e))
				files[nfiles++] = e->valuestring;
	}
	snprintf(k, sizeof k, "%s.%d.split", key, i);
	const char *split = config_str(cfg, k, "train");
	if (strcmp(split, "train"))
		ft_die(FT_EXIT_USAGE, "%s: %s: local json files have only the split 'train', not %s",
		       config_where(cfg, k), q(k), q(split));

	recset_t part;
	recset_init(&part);
	jsonl_t *j = jsonl_open(path, files, nfiles, where);
	jsonbatch_t b = { 0 };
	prompt_out_t *po = xcalloc(BATCH, sizeof *po);
	size_t *cap = xcalloc(BATCH, sizeof *cap);
	char (*err)[200] = xcalloc(BATCH, sizeof *err);
	size_t n;
	while ((n = jsonl_next_batch(j, &b, BATCH)) > 0) {
		int rc_any = 0;
#pragma omp parallel for schedule(dynamic, 16) reduction(| : rc_any)
		for (size_t r = 0; r < n; r++) {
			err[r][0] = '\0';
			prompt_out_reset(&po[r]);
			int rc;
			if (pr) {
				rc = prompt_apply(pr, b.rec[r].v, &po[r], err[r], sizeof err[r]);
			} else {
				uint32_t len = 0;
				rc = dataset_parse_pretokenized(b.rec[r].v, &po[r].tok, &cap[r], &len,
								err[r], sizeof err[r]);
				po[r].cap = cap[r];
				if (!rc) {
					xgrow((void **)&po[r].len, &po[r].caplen, 1, sizeof *po[r].len);
					po[r].len[0] = len;
					po[r].n = len;
					po[r].nrec = 1;
				}
			}
			if (rc)
				rc_any = 1;
		}
		for (size_t r = 0; r < n; r++) {
			if (rc_any && err[r][0])
				ft_die(FT_EXIT_DATA, "%s:%ld: %s", q(b.rec[r].file), b.rec[r].line,
				       err[r]);
			const uint32_t *t = po[r].tok;
			for (size_t m = 0; m < po[r].nrec; m++) {
				recset_add(&part, t, po[r].len[m]);
				t += po[r].len[m];
			}
		}
		st->read += n;
	}
	jsonl_batch_free(&b);
	free(b.rec);
	jsonl_close(j);
	for (size_t r = 0; r < BATCH; r++)
		prompt_out_free(&po[r]);
	free(po);
	free(cap);
	free(err);
	free(files);
	prompt_free(pr);

	snprintf(k, sizeof k, "%s.%d.shards", key, i);
	long shards = config_int(cfg, k, 0);
	size_t lo = 0, hi = part.n;
	if (shards > 1) {
		snprintf(k, sizeof k, "%s.%d.shards_idx", key, i);
		long idx = config_int(cfg, k, 0);
		if (idx < 0 || idx >= shards)
			ft_die(FT_EXIT_USAGE, "%s: %s: %ld is not below shards (%ld)",
			       config_where(cfg, k), q(k), idx, shards);
		shard_range(part.n, shards, idx, &lo, &hi);
	}
	for (size_t r = lo; r < hi; r++)
		recset_add(out, recset_get(&part, r), recset_len(&part, r));
	recset_free(&part);
}

void dataset_load(const ft_config_t *cfg, const char *key, recset_t *out, ds_stats_t *st)
{
	const cJSON *list = config_get(cfg, key);
	int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
	/* The tokenizer only when some entry has a type: pre-tokenized data needs none. */
	tok_t *tok = NULL;
	for (int i = 0; i < n && !tok; i++) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(list, i), "type");
		if (t && !cJSON_IsNull(t) && !(cJSON_IsString(t) && !t->valuestring[0])) {
			const char *dir = config_str(cfg, "tokenizer_config", config_model_dir(cfg));
			if (!dir)
				ft_die(FT_EXIT_USAGE, "%s: 'base_model': dataset types need the model's "
						      "tokenizer, and no model folder was found",
				       config_where(cfg, "base_model"));
			tok = tok_load(dir);
			snprintf(st->tokenizer, sizeof st->tokenizer, "%s", tok_fingerprint(tok));
		}
	}
	for (int i = 0; i < n; i++)
		load_entry(cfg, key, i, out, st, tok);
	if (tok)
		tok_free(tok);
}

/* FNV-1a over a record's tokens (train bits included): equal records hash equal. */
static uint64_t rec_hash(const uint32_t *t, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ull ^ n;
	const unsigned char *p = (const unsigned char *)t;
	for (size_t i = 0; i < (size_t)n * 4; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* Keeps the first of each group of identical records, in order. */
static size_t dedup(const recset_t *s, const uint32_t *idx, size_t n, uint32_t *keep)
{
	size_t cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	uint32_t *table = xmalloc(cap * sizeof *table);
	memset(table, 0xff, cap * sizeof *table);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t r = idx[i], len = recset_len(s, r);
		const uint32_t *t = recset_get(s, r);
		size_t h = (size_t)rec_hash(t, len) & (cap - 1);
		int dup = 0;
		for (; table[h] != UINT32_MAX; h = (h + 1) & (cap - 1)) {
			uint32_t o = table[h];
			if (recset_len(s, o) == len && !memcmp(recset_get(s, o), t, (size_t)len * 4)) {
				dup = 1;
				break;
			}
		}
		if (dup)
			continue;
		table[h] = r;
		keep[k++] = r;
	}
	free(table);
	return k;
}

/* Shuffle (optional), length policy, dedup (optional) over src; result in dst. */
static void prepare(const ft_config_t *cfg, recset_t *src, int shuffle, recset_t *dst,
		    ds_stats_t *st)
{
	size_t n = src->n;
	uint32_t *idx = xmalloc((n ? n : 1) * sizeof *idx);
	for (size_t i = 0; i < n; i++)
		idx[i] = (uint32_t)i;
	if (shuffle) {
		rng_t rng = rng_seed(config_seed(cfg), 1);
		rng_shuffle_u32(&rng, idx, n);
	}
	lenpolicy_t lp;
	lenpolicy_from_config(cfg, &lp);
	recset_t kept;
	recset_init(&kept);
	char what[64];
	for (size_t i = 0; i < n; i++) {
		uint32_t len = recset_len(src, idx[i]);
		snprintf(what, sizeof what, "record %u", idx[i] + 1);
		if (lenpolicy_apply(&lp, &len, st, what))
			recset_add(&kept, recset_get(src, idx[i]), len);
	}
	free(idx);
	recset_free(src);
	if (config_bool(cfg, "dataset_exact_deduplication", 0)) {
		uint32_t *all = xmalloc((kept.n ? kept.n : 1) * sizeof *all);
		uint32_t *keep = xmalloc((kept.n ? kept.n : 1) * sizeof *keep);
		for (size_t i = 0; i < kept.n; i++)
			all[i] = (uint32_t)i;
		size_t k = dedup(&kept, all, kept.n, keep);
		st->duplicates += kept.n - k;
		recset_select(dst, &kept, keep, k);
		recset_free(&kept);
		free(all);
		free(keep);
	} else {
		*dst = kept;
	}
}

void dataset_prepare(const ft_config_t *cfg, recset_t *train, recset_t *val, ds_stats_t *st)
{
	recset_t all, prepared;
	recset_init(&all);
	recset_init(val);
	dataset_load(cfg, "datasets", &all, st);
	int shuffle = config_bool(cfg, "shuffle_merged_datasets", 1) &&
		      !config_bool(cfg, "curriculum_sampling", 0);
	prepare(cfg, &all, shuffle, &prepared, st);

	double vs = config_num(cfg, "val_set_size", 0);
	size_t ntest = 0;
	if (vs > 0) {
		/* datasets' train_test_split: a fraction rounds the test part up; >= 1 is a count. */
		ntest = vs < 1 ? (size_t)ceil(vs * (double)prepared.n) : (size_t)vs;
		if (ntest >= prepared.n)
			ft_die(FT_EXIT_DATA, "%s: 'val_set_size': %g leaves no training records (of %zu)",
			       config_where(cfg, "val_set_size"), vs, prepared.n);
	}
	size_t ntrain = prepared.n - ntest;
	uint32_t *idx = xmalloc((prepared.n ? prepared.n : 1) * sizeof *idx);
	for (size_t i = 0; i < prepared.n; i++)
		idx[i] = (uint32_t)i;
	recset_select(train, &prepared, idx, ntrain);
	if (ntest) {
		recset_free(val);
		recset_select(val, &prepared, idx + ntrain, ntest);
	}
	free(idx);
	recset_free(&prepared);

	if (config_get(cfg, "test_datasets")) {
		recset_t t;
		recset_init(&t);
		dataset_load(cfg, "test_datasets", &t, st);
		recset_free(val);
		prepare(cfg, &t, 0, val, st);
	}
}
