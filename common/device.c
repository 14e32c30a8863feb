/* device: accelerator probe; the CUDA side is kernels/device.cu. See device.h. */
#include "device.h"

#include <string.h>

#ifdef FT_HAVE_CUDA
int ftcuda_probe(int *count, int *major, int *minor, char *name, int namelen);
#endif

void device_probe(device_info_t *info)
{
	static device_info_t cached;
	static int done;
	if (!done) {
		memset(&cached, 0, sizeof cached);
#ifdef FT_HAVE_CUDA
		if (ftcuda_probe(&cached.count, &cached.cc_major, &cached.cc_minor, cached.name,
				 (int)sizeof cached.name) != 0)
			memset(&cached, 0, sizeof cached);
#endif
		done = 1;
	}
	*info = cached;
}

int device_has_bf16(const device_info_t *info)
{
	return info->count > 0 && info->cc_major >= 8;
}
