/* merge: see merge.h. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "merge.h"
#include "model.h"
#include "outfile.h"

void merge_lora(const char *base, const char *adapter, const char *out)
{
	char p[4200];
	struct stat st;
	if (stat(base, &st) != 0 || !S_ISDIR(st.st_mode))
		ft_die(FT_EXIT_DATA, "%s: no such model folder", q(base));
	if (stat(adapter, &st) != 0 || !S_ISDIR(st.st_mode))
		ft_die(FT_EXIT_DATA, "%s: no such adapter folder", q(adapter));
	snprintf(p, sizeof p, "%s/adapter_config.json", adapter);
	if (access(p, R_OK) != 0)
		ft_die(FT_EXIT_DATA, "%s: not a PEFT adapter folder (no adapter_config.json)", q(adapter));
	outdir_t d;
	outdir_open(&d, out);
	st_dtype_t dtype = hfdir_dtype(base);
	size_t shard = hfdir_max_shard_bytes(base);
	model_t *m = model_load(base, &ops_cpu);
	model_lora_load(m, adapter);
	model_lora_merge(m);
	model_save_dir(m, d.tmp, dtype, shard);
	hfdir_copy_side_files(base, d.tmp, 1);
	model_free(m);
	outdir_commit(&d);
}
