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

#include "opts.h"

typedef struct ft_config ft_config_t;

enum {
	CONFIG_FOR_VALIDATE = 1,  /* missing model/data files are warnings, not errors */
};

/* Load, override, validate and resolve. Never returns on an invalid config (exit 2). */
ft_config_t *config_load(const char *path, const cfg_override_t *ov, int nov, int flags);
void config_free(ft_config_t *cfg);

/* The resolved config: every known field with its value or default, derived values filled. */
const cJSON *config_root(const ft_config_t *cfg);
/* A value by dotted path ("sequence_len", "datasets.0.path"); NULL if absent or null. */
const cJSON *config_get(const ft_config_t *cfg, const char *dotted);
long config_int(const ft_config_t *cfg, const char *dotted, long dflt);
double config_num(const ft_config_t *cfg, const char *dotted, double dflt);
int config_bool(const ft_config_t *cfg, const char *dotted, int dflt);
const char *config_str(const ft_config_t *cfg, const char *dotted, const char *dflt);
/* Where a field was written, for messages: "'cfg.yml':12:3" or "'cfg.yml'" if not in the file. */
const char *config_where(const ft_config_t *cfg, const char *dotted);
const char *config_path(const ft_config_t *cfg);
/* Hex digest of the canonical resolved config (stable across runs and machines). */
const char *config_fingerprint(const ft_config_t *cfg);

#endif
