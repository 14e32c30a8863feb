/* backend: the one door between the tools and the compute backends — which ones this program
 * has, whether a GPU is there to run one, and which op table a run uses.
 *
 * common/ never includes kernels/ (the Makefile gives it no -Ikernels, so the compiler holds
 * the rule). A GPU backend plugs in from the other side: kernels/backend.cu defines
 * ft_gpu_backend, a backend_t, and the Makefile links the backend's objects into every tool
 * directly. common/ refers to it only weakly, so a build without nvcc (or a fuzz target) has
 * none and everything here answers "CPU only". The CPU backend, ops_cpu, is always there.
 *
 * Run-time hooks that only a device has (memory in use, waiting for queued work, per-op
 * timing) are optional members of the op table itself (ops.h), NULL on the CPU. The NCCL
 * communication table of a later backend comes through the same door. */
#ifndef FT_BACKEND_H
#define FT_BACKEND_H

#include "ops.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ft_config;

typedef struct {
	int count;            /* GPUs visible; 0 when none or no GPU backend linked */
	int cc_major, cc_minor; /* compute capability of device 0 */
	char name[128];       /* device 0 */
} device_info_t;

/* A GPU backend: what it is called, how it finds its device and the op tables it offers. */
typedef struct backend {
	const char *name;       /* "cuda", as --device names it */
	const char *tables;     /* for --version: "cuda float32, cuda bf16" */
	/* fills info and returns 0 when a device is there; non-zero (no driver, no GPU) otherwise */
	int (*probe)(device_info_t *info);
	/* the op table for bfloat16 activations and compute weights (bf16), or float32 tensors with
	 * TF32 products (tf32) or exact float32 ones; NULL when it has no such table */
	const ops_t *(*open)(int bf16, int tf32);
} backend_t;

/* The GPU backend linked into this program, or NULL: a backend plugs in by defining
 * `const backend_t ft_gpu_backend` (kernels/backend.cu does, when built with nvcc), which
 * backend.c refers to weakly. */
const backend_t *backend_gpu(void);

/* Fills info; never fails (no GPU is an answer, not an error). Cached after the first call. */
void device_probe(device_info_t *info);
/* bf16 arithmetic at full speed: compute capability 8.0 or newer, as torch decides. */
int device_has_bf16(const device_info_t *info);

/* The op table for device "cpu", "cuda" or "auto" (NULL: auto, a GPU when there is one). On a
 * GPU: bf16 on -> bfloat16 weights and activations (float32 masters, gradients and optimizer
 * state); off -> float32 (tf32: true -> TF32 products); fp16 is refused. cfg NULL (a model
 * folder without a config): bf16 where the GPU supports it. Dies when cuda is asked for and
 * there is none. The one place a backend is chosen. */
const ops_t *backend_select(const struct ft_config *cfg, const char *device);

/* "cpu, cuda float32, cuda bf16": the backends this program has, for --version. */
const char *backend_names(void);

#ifdef __cplusplus
}
#endif

#endif
