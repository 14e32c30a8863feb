/* backend_select: the one place a run's op table is chosen, from --device and the config's
 * precision. See backend.h. */
#include <string.h>

#include "backend.h"
#include "config.h"
#include "diag.h"

const ops_t *backend_select(const ft_config_t *cfg, const char *device)
{
	if (!device)
		device = "auto";
	if (strcmp(device, "cpu") && strcmp(device, "cuda") && strcmp(device, "auto"))
		ft_die(FT_EXIT_USAGE, "--device: %s is not cpu, cuda or auto", q(device));
	if (!strcmp(device, "cpu"))
		return &ops_cpu;
	const backend_t *g = backend_gpu();
	if (!g) {
		if (!strcmp(device, "cuda"))
			ft_die(FT_EXIT_USAGE,
			       "--device cuda: this build has no CUDA backend (nvcc was not found when it was built)");
		return &ops_cpu;
	}
	device_info_t dev;
	device_probe(&dev);
	if (dev.count == 0) {
		if (!strcmp(device, "cuda"))
			ft_die(FT_EXIT_GPU, "--device cuda: no CUDA device found");
		return &ops_cpu;
	}
	/* no config (ft-eval --model): bf16 where the GPU has it, as bf16: auto */
	int bf = cfg ? config_bool(cfg, "bf16", 0) : device_has_bf16(&dev);
	int tf = cfg ? config_bool(cfg, "tf32", 0) : 1;
	if (cfg && config_bool(cfg, "fp16", 0))
		ft_die(FT_EXIT_USAGE, "%s: 'fp16': float16 training is not supported on the CUDA backend; use "
		       "bf16: true (or auto)", config_where(cfg, "fp16"));
	if (bf && !device_has_bf16(&dev))
		ft_die(FT_EXIT_GPU, "'bf16': %s has no bfloat16 support (compute capability %d.%d)", dev.name,
		       dev.cc_major, dev.cc_minor);
	const ops_t *ops = g->open(bf, tf);
	if (bf)
		ft_info("backend: %s, bfloat16 weights and activations, float32 master weights (%s)", g->name, dev.name);
	else
		ft_info("backend: %s, float32%s (%s)", g->name, tf ? ", TF32 products" : "", dev.name);
	return ops;
}
