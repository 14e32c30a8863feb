/* rng: the one seeded random generator of the data tools (shuffles, packing order).
 *
 * SplitMix64 — small, fast, and its whole state is one u64, so a run is reproducible from
 * the config's `seed` alone and checkpoints can store it. Bounded draws use Lemire's
 * multiply-shift with rejection, so shuffles are unbiased. This does not reproduce numpy's
 * PCG64 permutation that Hugging Face datasets uses: the same seed gives a different (but
 * equally random and equally fixed) order than Axolotl. */
#ifndef FT_RNG_H
#define FT_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct { uint64_t s; } rng_t;

static inline rng_t rng_seed(uint64_t seed, uint64_t stream)
{
	/* Distinct streams (shuffle vs packing) from one seed. */
	return (rng_t){ seed * 0x9e3779b97f4a7c15ull ^ (stream + 0x632be59bd9b4e019ull) };
}

static inline uint64_t rng_next(rng_t *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0. */
static inline uint64_t rng_below(rng_t *r, uint64_t n)
{
	unsigned __int128 m = (unsigned __int128)rng_next(r) * n;
	uint64_t lo = (uint64_t)m;
	if (lo < n) {
		uint64_t t = -n % n;
		while (lo < t) {
			m = (unsigned __int128)rng_next(r) * n;
			lo = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

/* Fisher-Yates over an index array. */
static inline void rng_shuffle_u32(rng_t *r, uint32_t *a, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)rng_below(r, i);
		uint32_t t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

#endif
