/* device: what accelerators this machine has, for the choices that depend on it (`bf16:
 * auto`, `--device`, `--version`). Built with CUDA (nvcc found at build time), it asks the
 * CUDA runtime; built without, or on a machine without a driver, it reports no GPU. */
#ifndef FT_DEVICE_H
#define FT_DEVICE_H

typedef struct {
	int count;            /* CUDA devices visible; 0 when none or no CUDA backend */
	int cc_major, cc_minor; /* compute capability of device 0 */
	char name[128];       /* device 0 */
} device_info_t;

/* Fills info; never fails (no GPU is an answer, not an error). Cached after the first call. */
void device_probe(device_info_t *info);
/* bf16 arithmetic at full speed: compute capability 8.0 or newer, as torch decides. */
int device_has_bf16(const device_info_t *info);

#endif
