/* ft-train: fine-tune a model (full or LoRA) on packed rows, on the CPU or CUDA backend.
 *
 * Reads the config (-c), the model of base_model and the training rows (--data: a .ftp as
 * ft-pack wrote it, or a .ftt packed here; without --data the config's datasets are prepared
 * and packed in process, as ft-tokenize | ft-pack would). Writes to output_dir: the adapter
 * (adapter_model.safetensors + adapter_config.json, as PEFT) or the full model as a Hugging
 * Face folder, checkpoint-N/ folders, trainer_state.json and metrics.jsonl. The loop itself
 * is common/train.c. */
#include <string.h>

#include "config.h"
#include "diag.h"
#include "opts.h"
#include "train.h"

static const char *config_file, *data, *val, *device;
static int progress = -1;
static long stop_after;

static const opt_t options[] = {
	{ "config", 'c', OPT_STR, &config_file, "CONFIG", "the Axolotl YAML config (required)", 0, 0 },
	{ "data", 'd', OPT_STR, &data, "FILE", "training rows: .ftp (as ft-pack wrote them) or .ftt (packed here); "
	  "default: prepare the config's datasets", 0, 0 },
	{ "val", 0, OPT_STR, &val, "FILE", "validation rows (.ftp or .ftt) for eval_steps / evals_per_epoch", 0, 0 },
	{ "device", 0, OPT_STR, &device, "DEVICE", "cpu, cuda or auto (default: cuda when a GPU is there; bf16 in "
	  "the config picks bfloat16 there)", 0, 0 },
	{ "stop-after", 0, OPT_INT, &stop_after, "N", "stop after optimizer step N with a checkpoint (resume later)", 1, 1e12 },
	{ "progress", 0, OPT_FLAG, &progress, NULL, "a progress bar on stderr (default: when stderr is a terminal)", 0, 0 },
	{ "no-progress", 0, OPT_NOFLAG, &progress, NULL, "plain progress lines, no bar", 0, 0 },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
};

static const opt_spec_t spec = {
	.name = "ft-train",
	.synopsis = "-c CONFIG [--data FILE] [--val FILE] [--FIELD VALUE ...]",
	.summary = "Fine-tune a model (full or LoRA) as the Hugging Face Trainer would, on the CPU or a GPU.",
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
	if (!config_file)
		ft_die(FT_EXIT_USAGE, "missing -c CONFIG\nusage: ft-train %s", spec.synopsis);
	ft_config_t *cfg = config_load(config_file, res.ov, res.nov, CONFIG_NEEDS_MODEL | (data ? 0 : CONFIG_NEEDS_DATA));
	train_opts_t o = {.data = data, .val = val, .progress = progress, .stop_after = stop_after, .device = device};
	train_run(cfg, &o);
	config_free(cfg);
	opts_result_free(&res);
	diag_close_stdout();
	return 0;
}
