/* modelcfg: a Hugging Face config.json turned into the description that drives the one model.
 *
 * Architectures differ in data, not code paths: everything the forward and backward need to
 * know about llama, mistral, qwen2, qwen3, gemma, gemma2, gemma3_text (and the text tower of a
 * multimodal gemma3 checkpoint) and phi3 is a field here (norm style, activation, head dims,
 * tied embeddings, soft-capping, sliding-window layers, q/k norm, biases, RoPE and its
 * scaling). Anything we would have to guess at is refused by name (FT_EXIT_DATA) rather than
 * silently run differently. */
#ifndef FT_MODELCFG_H
#define FT_MODELCFG_H

#include <cjson/cJSON.h>

#define MODELCFG_MAX_LAYERS 512

typedef enum { ACT_SILU, ACT_GELU_TANH } act_t;
typedef enum { ROPE_DEFAULT, ROPE_LINEAR, ROPE_DYNAMIC, ROPE_LLAMA3, ROPE_YARN, ROPE_LONGROPE } rope_type_t;

#define ROPE_MAX_HALF 512   /* longest short/long factor list: head_dim / 2 */

typedef struct {
	rope_type_t type;
	float theta;
	float factor;                 /* linear, dynamic, llama3, yarn, longrope */
	float low_freq_factor, high_freq_factor;     /* llama3 */
	int original_max_pos;         /* llama3, yarn, longrope (resolved as transformers 5 does) */
	float beta_fast, beta_slow;   /* yarn */
	float attention_factor;       /* yarn, longrope; 0 = derived from factor */
	float short_factor[ROPE_MAX_HALF], long_factor[ROPE_MAX_HALF];   /* longrope */
	float mscale, mscale_all_dim; /* yarn */
	int truncate;                 /* yarn */
	float partial_rotary_factor;  /* fraction of head_dim rotated (1 = all) */
} rope_cfg_t;

typedef struct {
	char model_type[32];
	char arch[64];               /* architectures[0] */
	int V, C, I, L, NH, NKV, HD; /* vocab, hidden, intermediate, layers, heads, kv heads, head dim */
	int max_pos;
	float eps;
	float init_range;            /* initializer_range */
	int tied;                    /* lm_head is embed_tokens */
	act_t act;
	int norm_plus_one;           /* gemma: scale by (1 + w), weights stored as offsets from 1 */
	float embed_scale;           /* 1, or sqrt(C) (gemma); HF rounds it to the activation dtype
	                              * (bf16: sqrt(3072) = 55.43 -> 55.5), float32 here */
	float attn_scale;            /* 1/sqrt(HD) or query_pre_attn_scalar^-0.5 */
	float attn_softcap;          /* 0 = none */
	float final_softcap;         /* 0 = none */
	int sandwich_norm;           /* gemma2/3: post-attention and pre/post-feedforward norms */
	int qk_norm;                 /* qwen3, gemma3: RMSNorm over each head of q and k */
	int qkv_bias, o_bias, mlp_bias;
	int fused_qkv;               /* phi3: qkv_proj and gate_up_proj in the checkpoint */
	int nf4;                     /* linear weights stored 4-bit by bitsandbytes (QLoRA base) */
	int pad_token_id;            /* -1 if none */
	int sliding_window;          /* 0 = none */
	unsigned char layer_sliding[MODELCFG_MAX_LAYERS];   /* 1 = this layer attends within the window */
	/* where the text model lives: "" and "model" for a causal LM; "language_model." and
	 * "model.language_model" for Gemma 3's multimodal checkpoints (model_type gemma3) */
	char ckpt_prefix[32];        /* before a parameter's name in the checkpoint file */
	char module_prefix[32];      /* the module path of the text model in memory (PEFT names) */
	rope_cfg_t rope;             /* global layers */
	rope_cfg_t rope_local;       /* sliding layers (gemma3: rope_local_base_freq); else = rope */
} modelcfg_t;

/* Parse config.json at path (or a folder holding it). Dies on anything unsupported. */
void modelcfg_load(modelcfg_t *c, const char *path);
/* Same from parsed JSON; where names the source for messages. */
void modelcfg_from_json(modelcfg_t *c, const cJSON *j, const char *where);

/* inv_freq for RoPE: dim/2 floats where dim = rotated dims (HD * partial_rotary_factor);
 * *attn_scaling gets the factor cos and sin are multiplied by (yarn), 1 otherwise.
 * seq_len (the longest position + 1 of the batch) matters for dynamic and longrope. Returns dim. */
int rope_inv_freq(const rope_cfg_t *r, int HD, int max_pos, int seq_len, float *inv_freq, float *attn_scaling);

#endif
