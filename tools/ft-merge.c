/* ft-merge: merge a LoRA adapter into its base model and write a Hugging Face folder.
 *
 * `ft-merge --base DIR --adapter DIR -o OUT`, or `-c CONFIG` as Axolotl's merge-lora: the
 * base is base_model, the adapter lora_model_dir (else output_dir, where ft-train put it), the
 * output output_dir/merged. The work is common/merge.c. */
#include <stdio.h>

#include "config.h"
#include "diag.h"
#include "merge.h"
#include "opts.h"

static const char *config_file, *base, *adapter, *output;

static const opt_t options[] = {
	{ "config", 'c', OPT_STR, &config_file, "CONFIG", "the Axolotl YAML config: base_model, lora_model_dir or output_dir", 0, 0 },
	{ "base", 'b', OPT_STR, &base, "DIR", "the base model folder (default: base_model of the config)", 0, 0 },
	{ "adapter", 'a', OPT_STR, &adapter, "DIR", "the PEFT adapter folder (default: lora_model_dir, else output_dir)", 0, 0 },
	{ "output", 'o', OPT_STR, &output, "DIR", "the merged model folder (default: output_dir/merged)", 0, 0 },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
};

static const opt_spec_t spec = {
	.name = "ft-merge",
	.synopsis = "--base DIR --adapter DIR -o OUT | -c CONFIG [-o OUT] [--FIELD VALUE ...]",
	.summary = "Merge a LoRA adapter into its base model (PEFT's merge_and_unload) as a Hugging Face folder.",
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
	ft_config_t *cfg = NULL;
	char merged[4200];
	if (config_file) {
		cfg = config_load(config_file, res.ov, res.nov, base ? 0 : CONFIG_NEEDS_MODEL);
		if (!base)
			base = config_model_dir(cfg);
		if (!adapter)
			adapter = config_str(cfg, "lora_model_dir", NULL);
		if (!adapter)
			adapter = config_str(cfg, "output_dir", "./model-out");
		if (!output) {
			snprintf(merged, sizeof merged, "%s/merged", config_str(cfg, "output_dir", "./model-out"));
			output = merged;
		}
	} else if (res.nov) {
		ft_die(FT_EXIT_USAGE, "config overrides (--%s) need -c CONFIG", res.ov[0].key);
	}
	if (!base || !adapter || !output)
		ft_die(FT_EXIT_USAGE, "need --base, --adapter and -o (or -c CONFIG)\nusage: ft-merge %s", spec.synopsis);
	merge_lora(base, adapter, output);
	ft_info("merged %s into %s: %s", q(adapter), q(base), q(output));
	if (cfg)
		config_free(cfg);
	opts_result_free(&res);
	diag_close_stdout();
	return 0;
}
