/* ft-eval: loss, perplexity and token accuracy of a model (and adapter) on tokenized data.
 *
 * `ft-eval --model DIR [--adapter DIR] --data FILE`, or `-c CONFIG` for the model (base_model,
 * reinit_weights), the adapter (lora_model_dir), packing and the validation split of the
 * config's datasets. The loss is the mean cross-entropy over every label token, as the
 * Trainer's evaluation (and transformers' loss) computes it; accuracy is the share of label
 * tokens that are the argmax of the logits. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "dataset.h"
#include "diag.h"
#include "json.h"
#include "opts.h"
#include "rowset.h"
#include "train.h"

static const char *config_file, *model_dir, *adapter, *data;
static long batch_size;
static int as_json, generate;

static const opt_t options[] = {
	{ "config", 'c', OPT_STR, &config_file, "CONFIG", "take the model, adapter and data from an Axolotl config", 0, 0 },
	{ "model", 'm', OPT_STR, &model_dir, "DIR", "the model folder (default: base_model of the config)", 0, 0 },
	{ "adapter", 'a', OPT_STR, &adapter, "DIR", "a PEFT LoRA adapter folder to apply (default: lora_model_dir)", 0, 0 },
	{ "data", 'd', OPT_STR, &data, "FILE", "rows to evaluate: .ftp or .ftt (default: the config's validation split)", 0, 0 },
	{ "batch-size", 'b', OPT_INT, &batch_size, "N", "rows per forward pass (default: eval_batch_size, else 1)", 1, 1 << 20 },
	{ "json", 'j', OPT_FLAG, &as_json, NULL, "print one JSON object instead of text", 0, 0 },
	{ "generate", 0, OPT_FLAG, &generate, NULL, "sample completions (not supported yet: refused)", 0, 0 },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
};

static const opt_spec_t spec = {
	.name = "ft-eval",
	.synopsis = "--model DIR [--adapter DIR] --data FILE [--json] | -c CONFIG [--data FILE] [--FIELD VALUE ...]",
	.summary = "Loss, perplexity and token accuracy of a model (and LoRA adapter) on .ftp/.ftt data.",
	.opts = options,
	.min_args = 0,
	.max_args = 0,
	.overrides = 1,
};

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	opt_result_t res;
	opts_parse(&spec, argc, argv, &res);
	if (generate)
		ft_die(FT_EXIT_USAGE, "'--generate': not supported yet (the engine has no KV cache); loss, perplexity "
		       "and accuracy only");
	if (!config_file && res.nov)
		ft_die(FT_EXIT_USAGE, "config overrides (--%s) need -c CONFIG", res.ov[0].key);
	if (!config_file && (!model_dir || !data))
		ft_die(FT_EXIT_USAGE, "need --model and --data (or -c CONFIG)\nusage: ft-eval %s", spec.synopsis);
	ft_config_t *cfg = NULL;
	model_t *m;
	if (config_file) {
		cfg = config_load(config_file, res.ov, res.nov, (model_dir ? 0 : CONFIG_NEEDS_MODEL) | (data ? 0 : CONFIG_NEEDS_DATA));
		if (!batch_size)
			batch_size = config_int(cfg, "eval_batch_size", config_int(cfg, "micro_batch_size", 1));
	}
	if (!batch_size)
		batch_size = 1;
	struct stat sb;
	if (model_dir && (stat(model_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)))
		ft_die(FT_EXIT_DATA, "%s: no such model folder", q(model_dir));
	if (adapter && (stat(adapter, &sb) != 0 || !S_ISDIR(sb.st_mode)))
		ft_die(FT_EXIT_DATA, "%s: no such adapter folder", q(adapter));
	if (model_dir) {
		m = model_load(model_dir, &ops_cpu);
	} else {
		st_dtype_t dt;
		m = train_load_model(cfg, &ops_cpu, &dt, 0);
	}
	if (!adapter && cfg)
		adapter = config_str(cfg, "lora_model_dir", NULL);
	if (adapter)
		model_lora_load(m, adapter);

	rowset_t rs;
	rowset_init(&rs);
	int packing = cfg ? config_bool(cfg, "eval_sample_packing", config_bool(cfg, "sample_packing", 0)) : 0;
	if (data) {
		rowset_load(&rs, data, cfg, packing);
	} else {
		recset_t tr, va;   /* dataset_prepare initialises both */
		ds_stats_t st;
		memset(&st, 0, sizeof st);
		dataset_prepare(cfg, &tr, &va, &st);
		recset_free(&tr);
		if (!va.n)
			ft_die(FT_EXIT_USAGE, "%s: no validation split (val_set_size or test_datasets): give --data",
			       q(config_file));
		rowset_from_records(&rs, &va, cfg, packing, "validation");
	}
	if (!rs.n)
		ft_die(FT_EXIT_DATA, "%s: no rows with label tokens to evaluate", data ? q(data) : "validation split");
	rowset_check_vocab(&rs, model_cfg(m)->V, data ? q(data) : "validation split");
	eval_result_t er;
	train_evaluate(m, &rs, (int)batch_size, &er);
	double loss = er.ntok ? er.loss_sum / (double)er.ntok : 0, acc = er.ntok ? (double)er.ncorrect / (double)er.ntok : 0;
	if (as_json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "loss", loss);
		cJSON_AddNumberToObject(o, "perplexity", exp(loss));
		cJSON_AddNumberToObject(o, "accuracy", acc);
		cJSON_AddNumberToObject(o, "tokens", (double)er.ntok);
		cJSON_AddNumberToObject(o, "correct", (double)er.ncorrect);
		cJSON_AddNumberToObject(o, "rows", (double)er.nrows);
		char *s = json_canonical(o);
		printf("%s\n", s);
		free(s);
		cJSON_Delete(o);
	} else {
		printf("loss %.6f\nperplexity %.4f\naccuracy %.6f\ntokens %ld\nrows %ld\n", loss, exp(loss), acc, er.ntok,
		       er.nrows);
	}
	rowset_free(&rs);
	model_free(m);
	if (cfg)
		config_free(cfg);
	opts_result_free(&res);
	diag_close_stdout();
	return 0;
}
