// backend.cu: the CUDA backend as common/ sees it (backend.h) — how many GPUs, which, what
// they can do, and which of ops_cuda's two tables a run gets. Defining ft_gpu_backend here is
// what plugs the backend in: common/ refers to it weakly and never includes kernels/.
// The probe returns non-zero (and no GPU) when there is no driver or no device, which on a
// build machine without a GPU is the normal answer.
#include <cuda_runtime.h>
#include <string.h>

#include "backend.h"
#include "ops_cuda.h"

static int cuda_probe(device_info_t *info)
{
	int n = 0;
	if (cudaGetDeviceCount(&n) != cudaSuccess || n <= 0) {
		cudaGetLastError();  // clear the sticky "no device" error
		return -1;
	}
	cudaDeviceProp p;
	if (cudaGetDeviceProperties(&p, 0) != cudaSuccess)
		return -1;
	info->count = n;
	info->cc_major = p.major;
	info->cc_minor = p.minor;
	strncpy(info->name, p.name, sizeof info->name - 1);
	info->name[sizeof info->name - 1] = '\0';
	return 0;
}

static const ops_t *cuda_open(int bf16, int tf32)
{
	if (bf16)
		return &ops_cuda_bf16;
	ops_cuda_set_matmul(tf32 ? CUDA_MM_TF32 : CUDA_MM_FP32);
	return &ops_cuda;
}

extern "C" const backend_t ft_gpu_backend = {
	"cuda",
	"cuda float32, cuda bf16",
	cuda_probe,
	cuda_open,
};
