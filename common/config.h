/* config: Axolotl's YAML, read, checked and resolved the way Axolotl does it.
 *
 * config_load() reads the YAML with libyaml (keeping line and column of every value), applies
 * dotted command-line overrides, validates every field against the one schema table
 * (schema.c), applies the cross-field rules, fills defaults and derived values, and returns
 * the resolved config as a cJSON object (the same object `ft-validate --print` prints). An
 * invalid config exits with status 2 and `prog: 'cfg.yml':12:3: 'field': what is wrong`;
 * warnings go to stderr and do not stop the tool. */
#ifndef FT_CONFIG_H
#define FT_CONFIG_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "opts.h"

typedef struct ft_config ft_config_t;

/* Axolotl's seed when the config gives none: for shuffling, splitting, initialisation, and
 * ft-eval's sampling. */
#define FT_DEFAULT_SEED 42

enum {
	CONFIG_FOR_VALIDATE = 1,  /* missing model/data files are warnings, not errors */
	CONFIG_GPU = 2,           /* resolve bf16/tf32 "auto" as on a GPU with both (Ampere or newer) */
	CONFIG_NEEDS_MODEL = 4,   /* the tool reads base_model: missing is an error */
	CONFIG_NEEDS_DATA = 8,    /* the tool reads the datasets: a missing path is an error */
};

/* Load, override, validate and resolve. Never returns on an invalid config (exit 2). */
ft_config_t *config_load(const char *path, const cfg_override_t *ov, int nov, int flags);
void config_free(ft_config_t *cfg);

/* The resolved config: every known field with its value or default, derived values filled.
 * Fields whose value and default are both unset are left out (as Axolotl's
 * model_dump(exclude_none=True) does), so config_get() returns NULL for them. Unknown keys are
 * dropped. One derived key is not an Axolotl field: "torch_dtype" (bfloat16, float16 or
 * float32, from bf16/bfloat16/fp16/float16/load_in_8bit). bf16/tf32 "auto" are resolved to
 * booleans (false unless CONFIG_GPU). The path "-" reads the config from standard input. */
const cJSON *config_root(const ft_config_t *cfg);
/* A value by dotted path ("sequence_len", "datasets.0.path"); NULL if absent or null. */
const cJSON *config_get(const ft_config_t *cfg, const char *dotted);
long config_int(const ft_config_t *cfg, const char *dotted, long dflt);
double config_num(const ft_config_t *cfg, const char *dotted, double dflt);
int config_bool(const ft_config_t *cfg, const char *dotted, int dflt);
const char *config_str(const ft_config_t *cfg, const char *dotted, const char *dflt);
/* seed, else FT_DEFAULT_SEED. */
uint64_t config_seed(const ft_config_t *cfg);
/* Where a field was written, for messages: "'cfg.yml':12:3" or "'cfg.yml'" if not in the file. */
const char *config_where(const ft_config_t *cfg, const char *dotted);
const char *config_path(const ft_config_t *cfg);
/* Hex digest of the canonical resolved config (stable across runs and machines). */
const char *config_fingerprint(const ft_config_t *cfg);
/* The model directory: base_model itself when it is a directory, else its snapshot in the
 * Hugging Face cache; NULL when neither exists (an error only under CONFIG_NEEDS_MODEL). */
const char *config_model_dir(const ft_config_t *cfg);
/* Entries of a list (or keys of a mapping) at a dotted path; 0 when absent ("datasets"). */
int config_count(const ft_config_t *cfg, const char *dotted);
/* Warm-up steps for a run of total_steps optimizer steps, as Axolotl's trainer builder
 * computes them: warmup_steps, else int(warmup_ratio * total), else min(int(0.03 * total), 100);
 * a result of 1 becomes 2. */
long config_warmup_steps(const ft_config_t *cfg, long total_steps);
/* logging_steps, else max(min(int(0.005 * total), 10), 1). */
long config_logging_steps(const ft_config_t *cfg, long total_steps);
/* Resolves a Hugging Face id ("org/name") to its snapshot directory in the local cache
 * (HF_HUB_CACHE, else HF_HOME/hub, else $XDG_CACHE_HOME or ~/.cache, /huggingface/hub);
 * kind is "models" or "datasets". Returns a malloc'd path, or NULL. */
char *config_hf_snapshot(const char *id, const char *kind);

#endif
