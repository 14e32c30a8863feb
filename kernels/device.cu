// device.cu: the CUDA side of common/device.c — how many GPUs, which, what they can do.
// Kept apart from the kernels so that a tool which only asks "is there a GPU?" needs nothing
// but the runtime. Returns non-zero (and no GPU) when there is no driver or no device, which
// on a build machine without a GPU is the normal answer.
#include <cuda_runtime.h>
#include <string.h>

extern "C" int ftcuda_probe(int *count, int *major, int *minor, char *name, int namelen)
{
	int n = 0;
	if (cudaGetDeviceCount(&n) != cudaSuccess || n <= 0) {
		cudaGetLastError();  // clear the sticky "no device" error
		return -1;
	}
	cudaDeviceProp p;
	if (cudaGetDeviceProperties(&p, 0) != cudaSuccess)
		return -1;
	*count = n;
	*major = p.major;
	*minor = p.minor;
	strncpy(name, p.name, (size_t)namelen - 1);
	name[namelen - 1] = '\0';
	return 0;
}
