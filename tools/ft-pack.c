/* ft-pack: tokenized records (.ftt) to packed rows of sequence_len tokens (.ftp).
 *
 * Axolotl's sample packing done once, ahead of training, so the rows can be inspected
 * (ft-cat) and checksummed: no sample is split, each row records its sample boundaries
 * (positions restart at 0 in each sample; attention stays inside a sample). The rows are
 * made by rowset_from_records, the function ft-train and ft-eval make theirs with from a
 * .ftt: the same length policy, drop of records that train nothing, order and packing.
 * Deterministic: the same input and config give the same bytes, from a file or a pipe. */

#include "config.h"
#include "dataset.h"
#include "diag.h"
#include "json.h"
#include "opts.h"
#include "pack.h"
#include "recset.h"
#include "rowset.h"
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

	int algo = -1;   /* the config's: sequential under sample_packing_sequentially, else auto */
	if (algorithm && (algo = pack_algo_from_name(algorithm)) < 0)
		ft_die(FT_EXIT_USAGE, "'--algorithm': %s is not one of auto, ffd, first-fit, sequential",
		       q(algorithm));

	/* The output first: a bad output path fails before any work, and an interrupted run
	 * leaves nothing behind. Then the rows as ft-train makes them from a .ftt (one road for
	 * both, so a .ftp trains on the rows and order its .ftt would). */
	outfile_t *out = outfile_open(output, 1);
	tokfile_reader_t *r = tokfile_open(in, TOKFILE_FTT);
	dataset_check_tokenizer(cfg, tokfile_meta(r), tokfile_name(r));
	recset_t all;
	recset_init(&all);
	recset_read(&all, r);
	rowset_t rows;
	rowset_made_t made;
	rowset_init(&rows);
	rowset_from_records(&rows, &all, cfg, -1, algo, q(tokfile_name(r)), &made);
	int packing = made.packing;

	cJSON *meta = cJSON_CreateObject();
	cJSON_AddStringToObject(meta, "kind", "packed");
	const cJSON *im = tokfile_meta(r);
	const cJSON *split = cJSON_GetObjectItemCaseSensitive(im, "split");
	const cJSON *tokf = cJSON_GetObjectItemCaseSensitive(im, "tokenizer");
	cJSON_AddItemToObject(meta, "split", split ? cJSON_Duplicate(split, 1) : cJSON_CreateNull());
	cJSON_AddItemToObject(meta, "tokenizer", tokf ? cJSON_Duplicate(tokf, 1) : cJSON_CreateNull());
	cJSON_AddStringToObject(meta, "config", config_fingerprint(cfg));
	cJSON_AddNumberToObject(meta, "sequence_len", made.po.capacity);
	cJSON *pk = cJSON_AddObjectToObject(meta, "packing");
	cJSON_AddBoolToObject(pk, "sample_packing", packing);
	cJSON_AddStringToObject(pk, "algorithm", packing ? pack_algo_name(made.po.algo) : "none");
	cJSON_AddNumberToObject(pk, "max_per_row", made.po.max_per_bin);
	cJSON_AddNumberToObject(pk, "seed", (double)made.po.seed);

	tokfile_writer_t *w = tokfile_create(out, TOKFILE_FTP, meta);
	cJSON_Delete(meta);
	for (size_t k = 0; k < rows.n; k++)
		tokfile_write_row(w, recset_get(&rows.seq, k), recset_len(&rows.seq, k), recset_get(&rows.tok, k),
				  recset_len(&rows.tok, k));
	tokfile_counts_t c;
	tokfile_finish(w, &c);
	tokfile_close(r);

	uint32_t L = made.po.capacity;
	double fill = rows.n ? (double)made.used / ((double)rows.n * L) : 0;
	ft_info("%zu records -> %zu rows of %u tokens; fill %.2f%% (%s)", made.kept, rows.n, L, 100 * fill,
		packing ? pack_algo_name(made.po.algo) : "no packing");
	rowset_free(&rows);
	config_free(cfg);
	opts_result_free(&res);
	diag_close_stdout();
	return 0;
}
