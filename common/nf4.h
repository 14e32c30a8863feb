/* nf4: bitsandbytes' 4-bit NormalFloat, the storage of a QLoRA base (codebases.md 4e).
 *
 * Dequantising follows bitsandbytes bit for bit (float32 products, the double-quantised absmax
 * as code * nested_absmax then + offset), so a 4-bit checkpoint reads back to exactly the
 * weights transformers computes with. Quantising follows bitsandbytes' default (torch) backend:
 * absmax per block, x * (1 / absmax), the code below the midpoint on a tie; double
 * quantisation takes the mean of the absmax blocks as its offset and quantises the rest 8-bit
 * with the signed dynamic map, 256 per block. */
#ifndef FT_NF4_H
#define FT_NF4_H

#include <stddef.h>
#include <stdint.h>

extern const float nf4_code[16];        /* get_4bit_type("nf4") */
void bnb_dynamic_map(float code[256]);   /* create_dynamic_map(signed=True) */

/* packed: (n + 1) / 2 bytes, element 2k in the high nibble of byte k; absmax: ceil(n / bs). */
void nf4_quantize(const float *w, size_t n, int blocksize, uint8_t *packed, float *absmax);
void nf4_dequantize(const uint8_t *packed, const float *absmax, const float *code, size_t n, int blocksize,
		    float *out);

/* 8-bit blockwise (the absmax of double quantisation): q (n), absmax2 ceil(n / bs). */
void bnb_quantize_blockwise(const float *x, size_t n, int blocksize, const float *code, uint8_t *q,
			    float *absmax2);
/* absmax[b] = code[q[b]] * absmax2[b / bs] + offset, the multiply and the add rounded apart. */
void bnb_dequantize_absmax(const uint8_t *q, const float *absmax2, const float *code, float offset, size_t n,
			   int blocksize, float *absmax);

/* Quantise and dequantise w in place as a QLoRA base is: NF4 blocks of blocksize, the absmax
 * double-quantised (256 per block) when double_quant. */
void nf4_roundtrip(float *w, size_t n, int blocksize, int double_quant);

#endif
