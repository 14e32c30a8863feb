/* ft-pack: tokenized records (.ftt) to packed rows of sequence_len tokens (.ftp).
 *
 * Axolotl's sample packing done once, ahead of training, so the rows can be inspected
 * (ft-cat) and checksummed: no sample is split, each row records its sample boundaries
 * (positions restart at 0 in each sample; attention stays inside a sample). Before packing,
 * the length policy is applied and records with no trained token are dropped — both counted.
 * Deterministic: the same input and config give the same bytes, from a file or a pipe. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dataset.h"
#include "diag.h"
#include "json.h"
#include "opts.h"
#include "pack.h"
#include "recset.h"
#include "rng.h"
#include "tokfile.h"

static const char *config_file, *output, *algorithm;

static const opt_t options[] = {
	{ "config", 'c', OPT_STR, &config_file, "CONFIG", "the Axolotl YAML config (required)", 0, 0 },
	{ "output", 'o', OPT_STR, &output, "FILE", "write the packed rows here (default: stdout)", 0, 0 },
	{ "algorithm", 'a', OPT_STR, &algorithm, "NAME",
	  "auto (default: the tighter of ffd and first-fit), ffd, first-fit (Axolotl's), sequential", 0, 0 },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
};

static const opt_spec_t spec = {
	.name = "ft-pack",
	.synopsis = "-c CONFIG [IN] [-o OUT] [-a auto|ffd|first-fit|sequential] [--FIELD VALUE ...]",
	.summary = "Pack the records of a .ftt file into rows of sequence_len tokens (.ftp).",
	.opts = options,
	.min_args = 0,
	.max_args = 1,
	.overrides = 1,
};

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	opt_result_t res;
	opts_parse(&spec, argc, argv, &res);
	if (!config_file)
		ft_die(FT_EXIT_USAGE, "missing -c CONFIG\nusage: ft-pack %s", spec.synopsis);
	ft_config_t *cfg = config_load(config_file, res.ov, res.nov, 0);
	const char *in = res.nargs ? res.args[0] : NULL;

	int packing = config_bool(cfg, "sample_packing", 0);
	pack_opts_t po = {
		.algo = config_bool(cfg, "sample_packing_sequentially", 0) ? PACK_SEQUENTIAL : PACK_AUTO,
		.max_per_bin = (uint32_t)config_int(cfg, "sample_packing_bin_size", 200),
		.group_size = (size_t)config_int(cfg, "sample_packing_group_size", 100000),
		.seed = (uint64_t)config_int(cfg, "seed", 42),
	};
	if (algorithm) {
		int a = pack_algo_from_name(algorithm);
		if (a < 0)
			ft_die(FT_EXIT_USAGE, "'--algorithm': %s is not one of auto, ffd, first-fit, sequential",
			       q(algorithm));
		po.algo = (pack_algo_t)a;
	}
	lenpolicy_t lp;
	lenpolicy_from_config(cfg, &lp);
	po.capacity = lp.seq_len;

	/* The output first: a bad output path fails before any work, and an interrupted run
	 * leaves nothing behind. Then read, apply the length policy and drop records that
	 * train nothing. */
	outfile_t *out = outfile_open(output, 1);
	tokfile_reader_t *r = tokfile_open(in, TOKFILE_FTT);
	dataset_check_tokenizer(cfg, tokfile_meta(r), tokfile_name(r));
	recset_t all, kept;
	recset_init(&all);
	recset_init(&kept);
	recset_read(&all, r);
	ds_stats_t st = { .read = all.n };
	char what[300];
	for (size_t i = 0; i < all.n; i++) {
		uint32_t n = recset_len(&all, i);
		snprintf(what, sizeof what, "%s: record %zu", q(tokfile_name(r)), i + 1);
		if (!lenpolicy_apply(&lp, &n, &st, what))
			continue;
		uint32_t trained = 0;
		const uint32_t *t = recset_get(&all, i);
		for (uint32_t j = 0; j < n; j++)
			trained += t[j] >> 31;
		if (!trained) {
			st.no_trained++;
			continue;
		}
		recset_add(&kept, t, n);
	}
	recset_free(&all);

	/* Axolotl's order is a seeded shuffle (unless curriculum_sampling) packed first-fit;
	 * FFD sorts by length, so its input order only breaks ties. */
	uint32_t *order = xmalloc((kept.n ? kept.n : 1) * sizeof *order);
	for (size_t i = 0; i < kept.n; i++)
		order[i] = (uint32_t)i;
	if ((po.algo == PACK_FIRST_FIT || po.algo == PACK_AUTO) &&
	    !config_bool(cfg, "curriculum_sampling", 0)) {
		rng_t rng = rng_seed(po.seed, 3);
		rng_shuffle_u32(&rng, order, kept.n);
	}
	uint32_t *len = xmalloc((kept.n ? kept.n : 1) * sizeof *len);
	for (size_t i = 0; i < kept.n; i++)
		len[i] = recset_len(&kept, order[i]);

	pack_result_t pr;
	if (packing) {
		pack_bins(len, kept.n, &po, &pr);
	} else {
		/* Without sample_packing each record is a row of its own, in order. */
		memset(&pr, 0, sizeof pr);
		pr.items = xmalloc((kept.n ? kept.n : 1) * sizeof *pr.items);
		pr.row_off = xmalloc((kept.n + 1) * sizeof *pr.row_off);
		for (size_t i = 0; i <= kept.n; i++)
			pr.row_off[i] = i;
		for (size_t i = 0; i < kept.n; i++) {
			pr.items[i] = (uint32_t)i;
			pr.used += len[i];
		}
		pr.nrows = kept.n;
	}

	cJSON *meta = cJSON_CreateObject();
	cJSON_AddStringToObject(meta, "kind", "packed");
	const cJSON *im = tokfile_meta(r);
	const cJSON *split = cJSON_GetObjectItemCaseSensitive(im, "split");
	const cJSON *tokf = cJSON_GetObjectItemCaseSensitive(im, "tokenizer");
	cJSON_AddItemToObject(meta, "split", split ? cJSON_Duplicate(split, 1) : cJSON_CreateNull());
	cJSON_AddItemToObject(meta, "tokenizer", tokf ? cJSON_Duplicate(tokf, 1) : cJSON_CreateNull());
	cJSON_AddStringToObject(meta, "config", config_fingerprint(cfg));
	cJSON_AddNumberToObject(meta, "sequence_len", lp.seq_len);
	cJSON *pk = cJSON_AddObjectToObject(meta, "packing");
	cJSON_AddBoolToObject(pk, "sample_packing", packing);
	cJSON_AddStringToObject(pk, "algorithm", packing ? pack_algo_name(pr.algo) : "none");
	cJSON_AddNumberToObject(pk, "max_per_row", po.max_per_bin);
	cJSON_AddNumberToObject(pk, "seed", (double)po.seed);

	tokfile_writer_t *w = tokfile_create(out, TOKFILE_FTP, meta);
	cJSON_Delete(meta);
	uint32_t *rowtok = xmalloc(((size_t)lp.seq_len + 1) * sizeof *rowtok);
	uint32_t *seqs = NULL;
	size_t cseqs = 0;
	for (size_t b = 0; b < pr.nrows; b++) {
		size_t ns = pr.row_off[b + 1] - pr.row_off[b];
		xgrow((void **)&seqs, &cseqs, ns, sizeof *seqs);
		uint32_t n = 0;
		for (size_t k = 0; k < ns; k++) {
			uint32_t s = pr.items[pr.row_off[b] + k];
			memcpy(rowtok + n, recset_get(&kept, order[s]), (size_t)len[s] * 4);
			seqs[k] = len[s];
			n += len[s];
		}
		tokfile_write_row(w, seqs, (uint32_t)ns, rowtok, n);
	}
	tokfile_counts_t c;
	tokfile_finish(w, &c);
	tokfile_close(r);

	double fill = pr.nrows ? (double)pr.used / ((double)pr.nrows * lp.seq_len) : 0;
	ft_info("%zu records -> %zu rows of %u tokens; fill %.2f%% (%s)", kept.n, pr.nrows,
		lp.seq_len, 100 * fill, packing ? pack_algo_name(pr.algo) : "no packing");
	if (st.no_trained || st.too_long || st.too_short || st.truncated)
		ft_info("dropped %zu with no trained token, %zu longer than sequence_len, %zu shorter "
			"than min_sample_len; truncated %zu",
			st.no_trained, st.too_long, st.too_short, st.truncated);
	free(rowtok);
	free(seqs);
	free(order);
	free(len);
	pack_result_free(&pr);
	recset_free(&kept);
	config_free(cfg);
	opts_result_free(&res);
	diag_close_stdout();
	return 0;
}
