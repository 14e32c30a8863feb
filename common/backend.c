/* backend: which backends this program has and whether a GPU is there. See backend.h; the
 * choice of one for a run is backend_select.c (it reads the config, which reads the probe). */
#include "backend.h"

#include <stdio.h>
#include <string.h>


/* Weak: a program linked without a GPU backend (no nvcc, the fuzz targets, the unit tests)
 * has no definition and the address is NULL; no archive member is pulled in for it. */
extern const backend_t ft_gpu_backend __attribute__((weak));

const backend_t *backend_gpu(void)
{
	return &ft_gpu_backend ? &ft_gpu_backend : NULL;
}

void device_probe(device_info_t *info)
{
	static device_info_t cached;
	static int done;
	if (!done) {
		memset(&cached, 0, sizeof cached);
		const backend_t *g = backend_gpu();
		if (g && g->probe(&cached) != 0)
			memset(&cached, 0, sizeof cached);
		done = 1;
	}
	*info = cached;
}

int device_has_bf16(const device_info_t *info)
{
	return info->count > 0 && info->cc_major >= 8;
}

const char *backend_names(void)
{
	static char buf[128];
	const backend_t *g = backend_gpu();
	snprintf(buf, sizeof buf, "cpu%s%s", g ? ", " : "", g ? g->tables : "");
	return buf;
}
