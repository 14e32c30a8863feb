/* bench_cuda: a first timing of the model on ops_cuda — forward + backward of a random-init
 * model from a config.json (Llama-3.2-1B-shaped in scripts/gpu-check.sh) on one sample of N
 * tokens, full fine-tuning (every base parameter gets a gradient; no optimizer step), for each
 * matmul precision asked. Prints step time, tokens/s, model TFLOP/s and, from one profiled
 * step (every op synchronised and timed with CUDA events), where the time goes per op family.
 *
 * usage: bench_cuda CONFIG_DIR N MODE... (MODE: fp32, tf32 — ops_cuda with float32 or TF32
 * products — or bf16, the ops_cuda_bf16 backend). LORA=R in the environment attaches LoRA of
 * rank R to every linear (base frozen) instead of full fine-tuning. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "model.h"
#include "ops_cuda.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static void step(model_t *m, const batch_t *b)
{
	model_zero_grad(m);
	model_forward(m, b);
	model_backward(m, 1.0f / model_ntargets(m));
}

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	if (argc < 4) {
		fprintf(stderr, "usage: bench_cuda CONFIG_DIR N MODE...\n");
		return 2;
	}
	char path[4200];
	snprintf(path, sizeof path, "%s/config.json", argv[1]);
	modelcfg_t cfg;
	modelcfg_load(&cfg, path);
	int N = atoi(argv[2]);
	int lora_r = getenv("LORA") ? atoi(getenv("LORA")) : 0;
	model_t *m = NULL;
	int *ids = malloc(N * sizeof *ids), *tg = malloc(N * sizeof *tg);
	uint64_t s = 7;
	for (int i = 0; i < N; i++) {   /* splitmix64 */
		uint64_t z = (s += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		ids[i] = (int)((z ^ (z >> 31)) % (uint64_t)cfg.V);
	}
	model_shift_labels(tg, ids, N, NULL, 1);
	batch_t b = {.N = N, .ids = ids, .targets = tg};
	/* model FLOPs: 2 per multiply-add of every linear (lm_head included), x3 for forward and
	 * the two backward products; causal attention 2 N^2/2 NH HD x2 products forward, x2.5 back */
	double lin = (double)cfg.L * ((double)cfg.C * (2.0 * cfg.NH * cfg.HD + 2.0 * cfg.NKV * cfg.HD) + 3.0 * cfg.C * cfg.I)
		   + (double)cfg.V * cfg.C;
	double att = (double)cfg.L * 2.0 * N * (double)N * cfg.NH * cfg.HD;   /* forward */
	/* LoRA: no weight gradients for the base, 4 instead of 6 FLOPs per parameter and token */
	double flops = (lora_r ? 4.0 : 6.0) * N * lin + 3.5 * att;
	printf("model: L %d C %d NH %d NKV %d HD %d I %d V %d, %.3g linear params, N %d, %.1f TFLOP per step\n", cfg.L,
	       cfg.C, cfg.NH, cfg.NKV, cfg.HD, cfg.I, cfg.V, lin, N, flops / 1e12);
	for (int a = 3; a < argc; a++) {
		int bf = !strcmp(argv[a], "bf16");
		ops_cuda_set_matmul(!strcmp(argv[a], "tf32") ? CUDA_MM_TF32 : CUDA_MM_FP32);
		model_free(m);
		double t0 = now();
		m = model_init_random(&cfg, 1, bf ? &ops_cuda_bf16 : &ops_cuda);
		if (lora_r) {
			lora_cfg_t lc = {.r = lora_r, .alpha = 2.0f * lora_r};
			for (int t = 0; t < NLIN; t++)
				lc.target[t] = 1;
			model_lora_add(m, &lc, 3);
		}
		ops_cuda_sync();
		fprintf(stderr, "[%s] init %.1f s%s\n", argv[a], now() - t0, lora_r ? ", LoRA on every linear" : "");
		step(m, &b);   /* warm-up: activations, cuBLAS handles and heuristics */
		ops_cuda_sync();
		int reps = 3;
		double best = 1e30, fwd = 1e30;
		for (int r = 0; r < reps; r++) {
			double t = now();
			step(m, &b);
			ops_cuda_sync();
			t = now() - t;
			best = t < best ? t : best;
			t = now();
			float loss = model_forward(m, &b);
			ops_cuda_sync();
			t = now() - t;
			fwd = t < fwd ? t : fwd;
			if (r == 0)
				printf("[%s] loss %.4f (ln V = %.4f)\n", argv[a], loss, log((double)cfg.V));
		}
		printf("[%s] fwd+bwd %.1f ms (best of %d), forward alone %.1f ms, %.0f tokens/s, %.1f TFLOP/s, GPU memory %.1f GiB\n",
		       argv[a], best * 1e3, reps, fwd * 1e3, N / best, flops / best / 1e12, ops_cuda_mem_used() / 1073741824.0);
		ops_cuda_profile_reset();
		ops_cuda_profile(1);
		double tp = now();
		step(m, &b);
		tp = now() - tp;
		ops_cuda_profile(0);
		double ms[PROF_NFAM], tot = 0;
		long calls[PROF_NFAM];
		ops_cuda_profile_get(ms, calls);
		for (int f = 0; f < PROF_NFAM; f++)
			tot += ms[f];
		printf("[%s] profiled step %.1f ms (ops %.1f ms):\n", argv[a], tp * 1e3, tot);
		printf("  %-14s %10s %7s %7s\n", "op family", "ms", "%", "calls");
		for (int f = 0; f < PROF_NFAM; f++)
			if (calls[f])
				printf("  %-14s %10.2f %6.1f%% %7ld\n", ops_cuda_prof_names[f], ms[f], 100 * ms[f] / tot, calls[f]);
	}
	model_free(m);
	free(ids);
	free(tg);
	return 0;
}
