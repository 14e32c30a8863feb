/* model: the one transformer — parameters, forward to logits and loss, backward to gradients,
 * LoRA — written once against the op table (ops.h) for every architecture modelcfg describes.
 *
 * Input is a packed batch: N tokens of one or more samples back to back (cu_seqlens marks the
 * samples; position ids restart in each; attention never crosses a boundary). The forward
 * keeps what the backward needs (llm.c style, no autograd): per layer the normed inputs, q/k/v
 * after RoPE, the attention output and its log-sum-exp, the MLP gate/up, norm statistics and
 * LoRA's low-rank activations. Loss is transformers' cross-entropy over targets >= 0.
 *
 * Parameters keep their Hugging Face names and shapes, in backend memory of the backend's
 * element type (with exact float32 masters where that is bf16 and they train); with tied
 * embeddings lm_head is the embedding (one parameter, gradients add up). With LoRA attached
 * the base is frozen (no base gradients) unless model_set_train_base() says otherwise. */
#ifndef FT_MODEL_H
#define FT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "modelcfg.h"
#include "ops.h"
#include "safetensors.h"

typedef struct {
	char name[128];      /* HF name, or PEFT's saved name for LoRA parameters */
	int ndim;
	int64_t shape[2];
	size_t numel;
	void *data;          /* backend memory, the backend's element type (ops.h es) */
	float *grad;         /* backend memory, float32; NULL while gradients are off for it, or where
	                      * they are kept in gradh */
	void *gradh;         /* backend memory, the backend's element type: the gradient of a matrix
	                      * under model_set_half_grads(); NULL otherwise */
	uint16_t *lo;        /* backend memory, where es is not 4 and the parameter trains: the low
	                      * halves of its float32 weights, data holding the rounded high halves
	                      * (ops.h split_put, split_join), which the optimizer updates; NULL
	                      * otherwise (data is float32 itself) */
} param_t;

/* The seven linear layers of a block, in PEFT's module names. */
typedef enum { LIN_Q, LIN_K, LIN_V, LIN_O, LIN_GATE, LIN_UP, LIN_DOWN, NLIN } lin_t;
extern const char *const lin_names[NLIN];   /* "q_proj", ... */

/* A batch, in host memory. */
typedef struct {
	int N;                 /* tokens */
	const int *ids;        /* (N) token ids */
	const int *pos;        /* (N) position ids, or NULL: 0, 1, ... restarting in each sample */
	const int *cu_seqlens; /* (nseq + 1), starts at 0, ends at N; NULL: one sample of N tokens */
	int nseq;
	const int *targets;    /* (N) the token each position predicts, < 0 ignored; NULL: no loss */
	int row_len;           /* the longest row of the batch (NEFTune's sequence length); 0: N */
} batch_t;

typedef struct model model_t;

/* targets (N) from labels (N) as transformers' causal-LM loss shifts them: position t predicts
 * labels[t + 1]; the last token of each sample predicts nothing (-100), so no loss crosses a
 * sample boundary (what DataCollatorWithFlattening's -100 at each sample start gives too).
 * cu_seqlens NULL: one sample. */
void model_shift_labels(int *targets, const int *labels, int N, const int *cu_seqlens, int nseq);

/* Load a Hugging Face model folder (config.json + model.safetensors or shards), any float
 * dtype, converted to float32 (bitsandbytes nf4 weights dequantised). Dies (FT_EXIT_DATA)
 * naming what is missing or mis-shaped. */
model_t *model_load(const char *dir, const ops_t *ops);
/* Initialise from a config as transformers does: normal(0, initializer_range) for linear and
 * embedding weights (the padding row zero), ones for norms (zeros for Gemma's (1 + w) norms),
 * zero biases. Seeded: the same seed gives the same weights (not torch's numbers). */
model_t *model_init_random(const modelcfg_t *cfg, uint64_t seed, const ops_t *ops);
void model_free(model_t *m);

const modelcfg_t *model_cfg(const model_t *m);
int model_nparams(const model_t *m);
/* A parameter's weights from or to host float32 (the master copy when there is one, and the
 * compute copy rounded from it). */
void model_param_set(model_t *m, param_t *p, const float *host);
void model_param_get(model_t *m, const param_t *p, float *host);
const ops_t *model_ops(const model_t *m);
param_t *model_param(model_t *m, int i);            /* base parameters in HF order */
param_t *model_param_by_name(model_t *m, const char *name);

/* QLoRA's base on the float32 oracle: every linear weight (q, k, v, o, gate, up, down) replaced
 * by its bitsandbytes NF4 quantisation, dequantised (nf4.h). A 4-bit checkpoint (config.json
 * with a bitsandbytes quantization_config) is dequantised the same way by model_load. */
void model_quantize_nf4(model_t *m, int blocksize, int double_quant);

/* Write the base parameters as a Hugging Face model.safetensors (tied: no lm_head; Phi-3's
 * projections fused; a multimodal Gemma 3's vision tower as it was read), dtype ST_F32, ST_BF16
 * or ST_F16. An nf4 base is written dequantised: drop quantization_config from its config.json. */
void model_save_weights(model_t *m, const char *path, st_dtype_t dtype);
/* The same into folder dir, split as save_pretrained does when the tensors exceed
 * max_shard_bytes (0: never): greedy in state-dict order into model-0000i-of-0000n.safetensors
 * plus model.safetensors.index.json (total_size = tensor bytes, keys sorted, indent 2); one
 * shard is written as model.safetensors without an index. Does not write config.json. */
void model_save_dir(model_t *m, const char *dir, st_dtype_t dtype, size_t max_shard_bytes);
/* What a folder saved from a Hugging Face model folder takes from it (model_io.c; they read
 * the folder, not a model_t, but serve model_save_dir's callers): the dtype of its weights
 * (ST_F32 unless they are bf16 or f16) and its largest shard in tensor bytes (0 for a single
 * file), which as max_shard_bytes reproduces save_pretrained's split; and its side files —
 * config.json (with_config), generation_config.json and the tokenizer's — copied into dst
 * (those present). */
st_dtype_t hfdir_dtype(const char *dir);
size_t hfdir_max_shard_bytes(const char *dir);
void hfdir_copy_side_files(const char *src, const char *dst, int with_config);

/* Forward. Returns the mean loss over targets >= 0 (0 if none or no targets). Logits (N, V)
 * stay in model_logits() until the next forward or backward (the backward reuses them). */
float model_forward(model_t *m, const batch_t *b);
const void *model_logits(const model_t *m);          /* backend memory, (N, V), element type es */
int model_ntargets(const model_t *m);                 /* targets >= 0 in the last forward */
double model_loss_sum(const model_t *m);              /* sum of token losses of the last forward */

/* Backward of dloss * (sum of token losses) of the last forward, accumulated into the
 * gradients (call model_zero_grad between steps). For the mean loss pass 1/model_ntargets(). */
void model_backward(model_t *m, float dloss);
/* Gradient checkpointing: keep only each layer's input through the forward and run a layer's
 * forward again just before its backward (one layer's activations in memory instead of all).
 * The same gradients, bit for bit: every op is deterministic and dropout masks are counter-based. */
void model_set_checkpointing(model_t *m, int on);
/* The LM head and loss in blocks of rows: the forward keeps only the per-token losses, the
 * backward recomputes each block's logits (one more head product) so the (N, V) logits never
 * exist at once. Automatic while training when they would pass 1 GiB; rows > 0 forces blocks of
 * that many rows whenever there are targets (tests), 0 returns to automatic. model_logits() is
 * NULL after a chunked forward. */
void model_set_head_rows(model_t *m, int rows);
/* The dloss the next model_backward will be given, told before the forward: when that forward
 * runs the head in blocks, it also runs the head's backward block by block (logits, loss,
 * their gradient, d lnf and d lm_head together), so no block's logits are computed twice.
 * Cleared by each forward; model_backward must then get the same dloss. */
void model_set_dloss(model_t *m, float dloss);
/* Allocate now the activations of training forwards (model_set_dloss told) of up to N tokens,
 * so later ones never grow them: a run that does not fit fails before its first step. */
void model_reserve(model_t *m, int N);
/* Forwards also find each token's most likely next token (the first largest logit), for
 * token accuracy, on the backend; an evaluation forward with targets may then run the head in
 * blocks as training does (model_logits() NULL after it). */
void model_set_predict(model_t *m, int on);
void model_predictions(const model_t *m, int *host);   /* (N) of the last forward */
/* Zero the gradients before a step. Gradients kept in half precision are not written here:
 * the first product of the next backward writes them; model_grads_settle() zeroes those no
 * backward reached (call it before reading gradients after a step that may have had none). */
void model_zero_grad(model_t *m);
void model_grads_settle(model_t *m);
/* Keep the gradients of the layers' linear weights in the backend's element type instead of
 * float32, on backends where it is not float32: half their memory,
 * each element rounded once from its product's float32 sum. For steps of one backward; with
 * several (gradient accumulation) each would round again. Off by default. */
void model_set_half_grads(model_t *m, int on);
/* A parameter's gradient as host float32 (zeros where it has none). */
void model_param_grad(model_t *m, const param_t *p, float *host);
/* Whether base parameters get gradients: on by default, off once LoRA is attached. */
void model_set_train_base(model_t *m, int on);
/* The same for one base parameter by HF name (a tied model's "lm_head.weight" is the
 * embedding); dies on an unknown name. A frozen parameter's grad is NULL. */
void model_set_trainable(model_t *m, const char *name, int on);

/* ---- generation (decode.c) ---- */
/* A K/V cache of one sequence of up to cap tokens (every layer's keys and values). */
typedef struct kvcache kvcache_t;
kvcache_t *model_kv_new(model_t *m, int cap);
void model_kv_free(model_t *m, kvcache_t *kv);
void model_kv_reset(kvcache_t *kv);        /* empty it for a new sequence */
int model_kv_len(const kvcache_t *kv);     /* tokens in it */
/* Runs n more tokens of the cached sequence (a prompt, then each new token) in eval mode and
 * writes the logits of the last one to logits (V floats, host memory). Dies when the cache
 * would overflow or on dynamic/longrope RoPE (not supported yet). */
void model_decode(model_t *m, kvcache_t *kv, const int *ids, int n, float *logits);

/* ---- LoRA ---- */
typedef struct {
	int r;
	float alpha;
	int use_rslora;               /* scale alpha / sqrt(r) instead of alpha / r */
	int use_dora;                 /* DoRA: a trained magnitude per output channel */
	float dropout;                /* lora_dropout: applied to the adapter's input while training */
	unsigned char target[NLIN];   /* which linears of each layer */
	unsigned char *layers;        /* NULL: all layers; else L flags */
	/* modules_to_save: fully trained copies saved in the adapter (untied models only) */
	int save_embed_tokens, save_lm_head;
} lora_cfg_t;

/* Training mode: LoRA dropout active (when lora_dropout > 0), its masks drawn from seed (pass a
 * new seed every step; the backward reuses the forward's masks). Off by default (eval). */
void model_set_training(model_t *m, int on, uint64_t seed);
/* NEFTune (transformers' neftune_post_forward_hook): while training, uniform noise in
 * [-mag, mag], mag = alpha / sqrt(L * C) with L the batch's row_len, added to the output of the
 * embedding module (before Gemma 1/2's sqrt(C) scaling, which scales it too; Gemma 3's scaled
 * embedding module includes it); drawn from the training seed (ops.h uniform_noise), so every
 * backend and a resumed run add the same noise. 0 turns it off; evaluation never has it. */
void model_set_neftune(model_t *m, float alpha);

/* Attach fresh adapters as PEFT initialises them: A Kaiming-uniform (U(+-1/sqrt(in))), B zero;
 * lc's modules_to_save become trainable. */
void model_lora_add(model_t *m, const lora_cfg_t *lc, uint64_t seed);
/* Attach a PEFT adapter folder (adapter_config.json + adapter_model.safetensors); its
 * modules_to_save (embed_tokens, lm_head) replace the base weights and are trainable; a string
 * target_modules is a regular expression matched against whole module names, as PEFT does.
 * Refuses by name what it cannot honour (rank/alpha patterns, other modules_to_save, LoRA on
 * lm_head or embeddings, biases). */
void model_lora_load(model_t *m, const char *dir);
/* Write the adapter as PEFT does (same key names and adapter_config.json fields, modules_to_save
 * under base_model.model.<module>.weight). */
void model_lora_save(model_t *m, const char *dir, const char *base_model_name_or_path);
/* W += scale * B @ A for every adapter (DoRA: W = M / |W + s B A| * (W + s B A) per row), then
 * detach them (merge_and_unload). */
void model_lora_merge(model_t *m);
int model_lora_nparams(const model_t *m);
param_t *model_lora_param(model_t *m, int i);        /* A, B (and DoRA's magnitude) of each adapted linear */
param_t *model_lora_param_by_name(model_t *m, const char *name);
const lora_cfg_t *model_lora_cfg(const model_t *m);  /* NULL when none attached */

#endif
