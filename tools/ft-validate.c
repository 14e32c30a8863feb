/* ft-validate: check an Axolotl YAML config the way every ft tool does before it starts, and
 * optionally print the resolved config (defaults and derived values filled in) as canonical
 * JSON. Exit 0 when valid (warnings on stderr), 2 when not. */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "diag.h"
#include "json.h"
#include "opts.h"
#include "schema.h"

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	int print = 0, strict = 0, gpu = 0, man = 0, list = 0, fingerprint = 0, model_dir = 0;
	const opt_t opts[] = {
		{ "print", 'p', OPT_FLAG, &print, NULL, "print the resolved config as canonical JSON", 0, 0 },
		{ "fingerprint", 0, OPT_FLAG, &fingerprint, NULL, "print the config fingerprint (hex)", 0, 0 },
		{ "model-dir", 0, OPT_FLAG, &model_dir, NULL, "print the model directory base_model resolves to", 0, 0 },
		{ "strict", 0, OPT_FLAG, &strict, NULL, "treat unknown fields as errors (as strict: true)", 0, 0 },
		{ "gpu", 0, OPT_FLAG, &gpu, NULL, "resolve bf16/tf32 auto as on a GPU with bf16 (Ampere or newer)", 0, 0 },
		{ "list-fields", 0, OPT_FLAG, &list, NULL, "list every known field: name, type, default, support", 0, 0 },
		{ "man", 0, OPT_FLAG, &man, NULL, "print the ft-config(5) man page, generated from the schema", 0, 0 },
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	const opt_spec_t spec = {
		.name = "ft-validate",
		.synopsis = "[options] CONFIG [--FIELD VALUE ...]",
		.summary = "Check an Axolotl YAML config; print the resolved config with --print.",
		.opts = opts,
		.min_args = 0,
		.max_args = 1,
		.overrides = 1,
	};
	opt_result_t res;
	opts_parse(&spec, argc, argv, &res);
	if (man || list) {
		if (man)
			schema_write_man(stdout);
		else
			schema_write_list(stdout);
		opts_result_free(&res);
		diag_close_stdout();
		return 0;
	}
	if (res.nargs != 1) {
		fprintf(stderr, "%s: missing operand\nusage: %s %s\ntry '%s --help' for more\n", ft_prog,
			spec.name, spec.synopsis, spec.name);
		opts_result_free(&res);
		return FT_EXIT_USAGE;
	}
	/* --strict is `--strict true` on the config, which also limits overrides to present keys */
	cfg_override_t *ov = calloc((size_t)res.nov + 1, sizeof *ov);
	if (!ov)
		ft_die(FT_EXIT_IO, "out of memory");
	int nov = 0;
	if (strict)
		ov[nov++] = (cfg_override_t){ "strict", "true" };
	for (int i = 0; i < res.nov; i++)
		ov[nov++] = res.ov[i];
	ft_config_t *cfg = config_load(res.args[0], ov, nov,
		CONFIG_FOR_VALIDATE | (gpu ? CONFIG_GPU : 0));
	if (print) {
		if (json_write_canonical(stdout, config_root(cfg)) || putchar('\n') == EOF)
			ft_die(FT_EXIT_IO, "cannot write to standard output");
	}
	if (fingerprint)
		printf("%s\n", config_fingerprint(cfg));
	if (model_dir && config_model_dir(cfg))
		printf("%s\n", config_model_dir(cfg));
	config_free(cfg);
	free(ov);
	opts_result_free(&res);
	diag_close_stdout();
	return 0;
}
