/* cfgrules: Axolotl's cross-field rules (axolotl.md §2), in our words, and the support check.
 *
 * The rules run on the user's values after type coercion and before defaults, as Axolotl's
 * "before" validators see the raw input: a default does not count as set (micro_batch_size's
 * default 1 does not satisfy "at least two of the batch fields"). Each rule names the field it
 * is about; the comment before it names Axolotl's validator so the two can be compared.
 * Rules that depend on a GPU probe, on Python packages being importable, or that only set
 * values for the PyTorch stack are left out (listed in the report and in ft-config(5)).
 *
 * The support check runs after the rules, so a config that breaks a rule gets the rule's
 * message, and a config that is consistent but asks for something ft cannot do yet gets
 * "not supported yet" naming the field. */
/* Paths and dotted names are bounded by fixed buffers; a longer one is cut, which at worst
 * shortens a message or makes a lookup miss (an error, never an overflow). */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "cfgctx.h"
#include "diag.h"
#include "json.h"
#include "schema.h"

#define G(k) cfg_get(c->u, (k))
#define T(k) cfg_truthy(G(k))
#define SET(k) (G(k) != NULL)
#define FAIL(field, ...) cfg_fail(c, (field), __VA_ARGS__)
#define WARN(field, ...) cfg_warn(c, (field), __VA_ARGS__)

static const char *S(const cfgctx_t *c, const char *k)
{
	const char *s = cJSON_GetStringValue(G(k));
	return s;
}

static int EQ(const cfgctx_t *c, const char *k, const char *v)
{
	const char *s = S(c, k);
	return s && !strcmp(s, v);
}

static double N(const cfgctx_t *c, const char *k, double d)
{
	const cJSON *v = G(k);
	return cJSON_IsNumber(v) ? v->valuedouble : d;
}

static int is_true(const cJSON *v) { return cJSON_IsTrue(v); }
static int is_false(const cJSON *v) { return cJSON_IsFalse(v); }

/* fsdp_version as Axolotl settles it: top level, else inside fsdp_config, else 1 when
 * fsdp_config is given; 0 when there is no FSDP. */
static int fsdp_ver(const cfgctx_t *c)
{
	if (SET("fsdp_version"))
		return (int)N(c, "fsdp_version", 1);
	const char *k[] = { "fsdp_config.fsdp_version", "fsdp_config.version" };
	for (int i = 0; i < 2; i++)
		if (cJSON_IsNumber(G(k[i])))
			return (int)G(k[i])->valuedouble;
	return SET("fsdp_config") || T("fsdp") ? 1 : 0;
}

static int has_fsdp(const cfgctx_t *c) { return T("fsdp") || SET("fsdp_config"); }

static int contains_ci(const char *hay, const char *needle)
{
	if (!hay)
		return 0;
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (!strncasecmp(p, needle, n))
			return 1;
	return 0;
}

static const char *const canonical_attn[] = { "eager", "sdpa", "flash_attention_2",
	"flash_attention_3", "flex_attention", "xformers", "sage", "fp8", NULL };
static const char *const legacy_attn[] = { "xformers_attention", "sage_attention",
	"flex_attention", "flash_attention", "sdp_attention", "eager_attention", NULL };

static int attn_packing_capable(const char *a)
{
	static const char *const ok[] = { "flash_attention_2", "flash_attention_3", "flex_attention",
		"xformers", "sage", "kernels-community/flash-attn2", "kernels-community/flash-attn3",
		"kernels-community/sage-attention", NULL };
	for (int i = 0; a && ok[i]; i++)
		if (!strcmp(a, ok[i]))
			return 1;
	return 0;
}

static int attn_is_flash(const char *a)
{
	return a && (!strcmp(a, "flash_attention_2") || !strcmp(a, "flash_attention_3") ||
		     !strcmp(a, "kernels-community/flash-attn2") ||
		     !strcmp(a, "kernels-community/flash-attn3"));
}

/* The attention backend after the legacy flags are folded in (normalize_attn_implementation). */
static const char *attn_impl(const cfgctx_t *c)
{
	static const char *const map[] = { "xformers", "sage", "flex_attention", "flash_attention_2",
		"sdpa", "eager" };
	if (S(c, "attn_implementation"))
		return S(c, "attn_implementation");
	for (int i = 0; legacy_attn[i]; i++)
		if (T(legacy_attn[i]))
			return map[i];
	return NULL;
}

static void check_dataset_list(cfgctx_t *c, const char *list)
{
	const cJSON *ds = G(list);
	int i = 0;
	for (const cJSON *e = cJSON_IsArray(ds) ? ds->child : NULL; e; e = e->next, i++) {
		char f[160];
		const char *ty = cJSON_GetStringValue(cfg_get(e, "type"));
		/* deprecate_sharegpt_datasets */
		if (ty && !strncmp(ty, "sharegpt", 8)) {
			snprintf(f, sizeof f, "%s.%d.type", list, i);
			FAIL(f, "'%s' was removed; use type: chat_template (with field_messages: "
				"conversations and message_property_mappings: {role: from, content: value} "
				"for ShareGPT data)", ty);
		}
		/* SFTDataset.check_chat_template_config */
		const char *ct = cJSON_GetStringValue(cfg_get(e, "chat_template"));
		if (ct && !strcmp(ct, "jinja") && !cfg_truthy(cfg_get(e, "chat_template_jinja"))) {
			snprintf(f, sizeof f, "%s.%d.chat_template", list, i);
			FAIL(f, "jinja needs the template text in chat_template_jinja");
		}
	}
}

/* Value ranges. Axolotl declares few (relora_prune_ratio, fsdp min_num_params); the rest are
 * ft's: values the training tools cannot work with (a micro batch of 0 would divide by zero,
 * a dropout of 1 drops everything), caught here with the field's position rather than deep in
 * a tool. */
static const struct {
	const char *name;
	double lo, hi;      /* bounds */
	int lo_open, hi_open; /* 1: the bound itself is excluded */
} ranges[] = {
	{ "micro_batch_size", 1, 1e9, 0, 0 },
	{ "gradient_accumulation_steps", 1, 1e9, 0, 0 },
	{ "batch_size", 1, 1e12, 0, 0 },
	{ "eval_batch_size", 1, 1e9, 0, 0 },
	{ "sequence_len", 1, 1e9, 0, 0 },
	{ "num_epochs", 0, 1e9, 1, 0 },
	{ "max_steps", 1, 1e15, 0, 0 },
	{ "learning_rate", 0, 1e9, 0, 0 },
	{ "weight_decay", 0, 1e9, 0, 0 },
	{ "max_grad_norm", 0, 1e30, 0, 0 },
	{ "adam_beta1", 0, 1, 0, 1 },
	{ "adam_beta2", 0, 1, 0, 1 },
	{ "adam_epsilon", 0, 1, 0, 0 },
	{ "warmup_steps", 0, 1e15, 0, 0 },
	{ "warmup_ratio", 0, 1, 0, 0 },
	{ "cosine_min_lr_ratio", 0, 1, 0, 0 },
	{ "val_set_size", 0, 1e15, 0, 0 },
	{ "eval_steps", 0, 1e15, 1, 0 },
	{ "save_steps", 0, 1e15, 1, 0 },
	{ "evals_per_epoch", 1, 1e9, 0, 0 },
	{ "saves_per_epoch", 1, 1e9, 0, 0 },
	{ "logging_steps", 1, 1e15, 0, 0 },
	{ "save_total_limit", 0, 1e9, 0, 0 },
	{ "lora_r", 1, 1e6, 0, 0 },
	{ "lora_alpha", 0, 1e9, 1, 0 },
	{ "lora_dropout", 0, 1, 0, 1 },
	{ "min_sample_len", 0, 1e9, 0, 0 },
	{ "sample_packing_group_size", 1, 1e12, 0, 0 },
	{ "sample_packing_bin_size", 1, 1e9, 0, 0 },
	{ "dataset_num_proc", 1, 1e6, 0, 0 },
	{ "dataset_processes", 1, 1e6, 0, 0 },
	{ "loss_watchdog_patience", 1, 1e9, 0, 0 },
	{ "relora_prune_ratio", 0, 1, 0, 0 },
	{ "fsdp_config.min_num_params", 1, 1e18, 0, 0 },
	{ "dynamic_checkpoint.check_interval", 1, 1e18, 0, 0 },
};

static void check_ranges(cfgctx_t *c)
{
	char r[64], lo[32], hi[32];
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
		const cJSON *v = G(ranges[i].name);
		if (!cJSON_IsNumber(v))
			continue;
		double x = v->valuedouble;
		int below = ranges[i].lo_open ? x <= ranges[i].lo : x < ranges[i].lo;
		int above = ranges[i].hi_open ? x >= ranges[i].hi : x > ranges[i].hi;
		if (!below && !above)
			continue;
		json_format_number(x, r, sizeof r);
		json_format_number(ranges[i].lo, lo, sizeof lo);
		json_format_number(ranges[i].hi, hi, sizeof hi);
		if (ranges[i].hi >= 1e6 && below)
			FAIL(ranges[i].name, "must be %s %s, got %s",
				ranges[i].lo_open ? "greater than" : "at least", lo, r);
		FAIL(ranges[i].name, "must be in %s%s, %s%s, got %s", ranges[i].lo_open ? "(" : "[", lo,
			hi, ranges[i].hi_open ? ")" : "]", r);
	}
}

void cfgrules_check(cfgctx_t *c)
{
	char buf[512];

	check_ranges(c);

	/* --- DeprecatedParameters: removed fields --- */
	if (T("max_packed_sequence_len"))
		FAIL("max_packed_sequence_len", "no longer supported; use sample_packing");
	if (T("rope_scaling"))
		FAIL("rope_scaling", "no longer supported here; put it under model_config");
	if (SET("dpo_use_logits_to_keep"))
		FAIL("dpo_use_logits_to_keep", "no longer supported (removed in TRL 0.29)");
	if (SET("dpo_generate_during_eval"))
		FAIL("dpo_generate_during_eval", "no longer supported (removed in TRL 0.29)");
	if (SET("dpo_norm_loss"))
		FAIL("dpo_norm_loss", "no longer supported (TRL 0.29 changed it incompatibly)");
	if (SET("rpo_alpha"))
		FAIL("rpo_alpha", "no longer supported; RPO now needs several loss types, which "
			"Axolotl does not pass yet");
	if (T("s2_attention"))
		FAIL("s2_attention", "shifted-sparse attention is no longer supported");
	if (T("flash_attn_rms_norm"))
		FAIL("flash_attn_rms_norm", "no longer supported");
	if (SET("noisy_embedding_alpha"))
		WARN("noisy_embedding_alpha", "deprecated; use neftune_noise_alpha");
	if (SET("dpo_beta"))
		WARN("dpo_beta", "deprecated; use rl_beta");
	if (SET("evaluation_strategy"))
		WARN("evaluation_strategy", "deprecated; use eval_strategy");
	if (SET("eval_table_size"))
		WARN("eval_table_size", "deprecated; use generate_samples and num_generation_samples");
	if (SET("eval_max_new_tokens"))
		WARN("eval_max_new_tokens", "deprecated; use generation_max_new_tokens");
	/* Axolotl's multipack sampler says the same when it packs (utils/samplers/multipack.py) */
	if (T("sample_packing") && T("sample_packing_sequentially") && !T("curriculum_sampling"))
		WARN("sample_packing_sequentially", "packs the shuffled samples one after another; set "
		     "curriculum_sampling: true to pack them in dataset order");

	/* --- AxolotlConfigWCapabilities (the rules that need no GPU probe).
	 * Axolotl runs these "before" validators first of all, so they come first here too. */
	if (T("quantize_moe_experts")) {
		if (T("lora_target_linear"))
			FAIL("lora_target_linear", "does not work with quantize_moe_experts; target expert "
				"weights with lora_target_parameters");
		if (!EQ(c, "adapter", "lora") && !EQ(c, "adapter", "qlora"))
			FAIL("quantize_moe_experts", "needs adapter: lora or qlora");
		if (!T("load_in_4bit") && !T("load_in_8bit"))
			FAIL("quantize_moe_experts", "needs load_in_4bit or load_in_8bit");
	}
	if (T("qat")) {
		if (T("adapter") || T("peft"))
			FAIL("qat", "quantization-aware training does not work with an adapter");
		if (T("load_in_8bit"))
			FAIL("qat", "does not work with load_in_8bit");
		if (T("load_in_4bit"))
			FAIL("qat", "does not work with load_in_4bit");
	}
	if (SET("dataset_processes"))
		WARN("dataset_processes", SET("dataset_num_proc")
				? "ignored: dataset_num_proc is set too"
				: "deprecated; use dataset_num_proc");
	if (T("dataset_exact_deduplication") && (T("streaming") || T("pretraining_dataset")))
		FAIL("dataset_exact_deduplication", "not available for streamed datasets");
	if (T("dataset_exact_deduplication") && T("skip_prepare_dataset"))
		FAIL("dataset_exact_deduplication", "has no effect with skip_prepare_dataset: true; "
			"turn one of them off");

	/* --- DatasetValidationMixin --- */
	check_dataset_list(c, "datasets");
	check_dataset_list(c, "test_datasets");
	/* check_dataset_or_pretraining_dataset */
	if (!SET("datasets") && !SET("pretraining_dataset"))
		FAIL("datasets", "required (or pretraining_dataset)");
	/* check_pretraining_streaming_deprecation */
	if (T("pretraining_dataset") && !T("streaming"))
		WARN("pretraining_dataset", "without streaming: true is deprecated; set streaming: true");
	/* check_push_ds_auth */
	if (T("push_dataset_to_hub") && !is_true(G("hf_use_auth_token")))
		FAIL("push_dataset_to_hub", "needs hf_use_auth_token: true");
	/* check_val_w_test_datasets */
	if (T("test_datasets") && T("val_set_size"))
		FAIL("val_set_size", "cannot be used with test_datasets; evaluate on one or the other");
	/* check_eval_packing */
	if (T("sample_packing") && T("eval_table_size") && !is_false(G("eval_sample_packing")))
		FAIL("eval_table_size", "does not work with packed evaluation; set eval_sample_packing: false");

	/* --- AttentionValidationMixin --- */
	/* check_scaling_softmax_requires_flex */
	if (T("scaling_softmax") && !EQ(c, "attn_implementation", "flex_attention"))
		FAIL("scaling_softmax", "needs attn_implementation: flex_attention");

	/* --- TrainingValidationMixin --- */
	/* check_batch_size_fields: defaults do not count */
	{
		const char *bf[] = { "micro_batch_size", "gradient_accumulation_steps", "batch_size" };
		int n = 0;
		const char *missing = NULL;
		for (int i = 0; i < 3; i++) {
			if (T(bf[i]))
				n++;
			else if (!missing)
				missing = bf[i];
		}
		if (n < 2)
			FAIL(n ? missing : NULL, "%sset at least two of micro_batch_size, "
				"gradient_accumulation_steps and batch_size", n ? "missing; " : "");
	}
	/* check_gas_bsz */
	if (T("gradient_accumulation_steps") && T("batch_size"))
		FAIL("batch_size", "set only one of batch_size and gradient_accumulation_steps");
	/* hint_batch_size_set */
	if (T("batch_size"))
		WARN("batch_size", "prefer gradient_accumulation_steps (= batch_size / "
			"micro_batch_size / number of GPUs)");
	/* hint_sample_packing_padding (the true-when-unset half is a derived value) */
	if (T("sample_packing") && is_false(G("pad_to_sequence_len")))
		WARN("pad_to_sequence_len", "true is recommended with sample_packing");
	/* hint_eval_train_mbsz */
	if (T("eval_batch_size") && T("micro_batch_size") &&
	    N(c, "eval_batch_size", 0) != N(c, "micro_batch_size", 0))
		WARN("eval_batch_size", "differs from micro_batch_size; GPU memory use will vary");
	/* check_warmup */
	if (T("warmup_steps") && T("warmup_ratio"))
		FAIL("warmup_ratio", "cannot be used with warmup_steps; set one of them");
	/* check_saves */
	if (T("save_strategy") && T("save_steps") && !EQ(c, "save_strategy", "steps"))
		FAIL("save_strategy", "must be steps (or unset) when save_steps is set");
	if (T("saves_per_epoch") && T("save_steps"))
		FAIL("saves_per_epoch", "cannot be used with save_steps; set one of them");
	/* check_push_save */
	if (T("hub_model_id") && S(c, "save_strategy") && !EQ(c, "save_strategy", "steps") &&
	    !EQ(c, "save_strategy", "epoch"))
		WARN("hub_model_id", "is set but save_strategy saves nothing to upload");
	/* check_evals */
	if (T("eval_strategy") && T("eval_steps") && !EQ(c, "eval_strategy", "steps"))
		FAIL("eval_strategy", "must be steps (or unset) when eval_steps is set");
	if (cJSON_IsNumber(G("val_set_size")) && N(c, "val_set_size", 0) == 0 &&
	    (T("eval_steps") || T("eval_strategy")) && !T("test_datasets") && !EQ(c, "eval_strategy", "no"))
		FAIL(T("eval_steps") ? "eval_steps" : "eval_strategy",
			"there is nothing to evaluate: val_set_size is 0 and there are no test_datasets");
	if (T("evals_per_epoch") && T("eval_steps"))
		FAIL("evals_per_epoch", "cannot be used with eval_steps; set one of them");
	if (T("evals_per_epoch") && T("eval_strategy") && !EQ(c, "eval_strategy", "steps"))
		FAIL("eval_strategy", "must be steps (or unset) when evals_per_epoch is set");
	if (T("do_bench_eval") && !(T("evals_per_epoch") || T("eval_steps")))
		FAIL("do_bench_eval", "needs evals_per_epoch or eval_steps");
	/* check_neftune */
	if (T("noisy_embedding_alpha") && T("neftune_noise_alpha"))
		FAIL("noisy_embedding_alpha", "is the deprecated name of neftune_noise_alpha; remove it");
	/* ComplexValidationMixin.validate_neftune_noise_alpha */
	if (SET("neftune_noise_alpha") && N(c, "neftune_noise_alpha", 1) <= 0)
		FAIL("neftune_noise_alpha", "must be greater than 0");
	/* check_multipack_buffer_size */
	if (T("pretrain_multipack_buffer_size") && T("streaming_multipack_buffer_size"))
		FAIL("pretrain_multipack_buffer_size", "is the deprecated name of "
			"streaming_multipack_buffer_size; remove it");
	/* check_fp8_config */
	if (T("fp8_enable_fsdp_float8_all_gather") && fsdp_ver(c) != 2)
		FAIL("fp8_enable_fsdp_float8_all_gather", "needs FSDP2 (fsdp_version: 2)");
	/* check_use_reentrant_mismatch */
	if (T("unfrozen_parameters") && is_true(G("gradient_checkpointing_kwargs.use_reentrant")))
		FAIL("gradient_checkpointing_kwargs.use_reentrant",
			"must be false when only some parameters are trained (unfrozen_parameters)");
	/* check_causal_lm_evals */
	if (T("do_causal_lm_eval") && T("eval_sample_packing"))
		FAIL("eval_sample_packing", "must be false with do_causal_lm_eval");
	{
		const cJSON *m = G("eval_causal_lm_metrics");
		int i = 0;
		for (const cJSON *e = cJSON_IsArray(m) ? m->child : NULL; e; e = e->next, i++) {
			static const char ok[] = "sacrebleu,comet,ter,chrf,perplexity";
			if (!schema_list_has(ok, e->valuestring)) {
				snprintf(buf, sizeof buf, "eval_causal_lm_metrics.%d", i);
				FAIL(buf, "'%s' is not one of sacrebleu, comet, ter, chrf, perplexity", e->valuestring);
			}
		}
	}
	/* check_tokenizer_use_mistral_common: Magistral models need the mistral-common tokenizer */
	if (!SET("tokenizer_use_mistral_common")) {
		const char *k[] = { "base_model", "base_model_config", "tokenizer_config", NULL };
		for (int i = 0; k[i]; i++)
			if (contains_ci(S(c, k[i]), "magistral")) {
				WARN(k[i], "a Magistral model: tokenizer_use_mistral_common is taken as true");
				cJSON_AddItemToObject(c->u, "tokenizer_use_mistral_common", cJSON_CreateTrue());
				break;
			}
	}
	/* check_mistral_common_incompatible_options */
	if (T("tokenizer_use_mistral_common")) {
		const char *k[] = { "added_tokens_overrides", "special_tokens", "tokens", "chat_template",
			"processor_kwargs", NULL };
		for (int i = 0; k[i]; i++)
			if (T(k[i]))
				FAIL(k[i], "cannot be used with tokenizer_use_mistral_common");
	}
	/* pretrain_with_tps */
	if (T("pretraining_dataset") && T("include_tokens_per_second"))
		FAIL("include_tokens_per_second", "cannot be used with pretraining_dataset");

	/* --- LoRAValidationMixin --- */
	if (T("lr_groups") && T("loraplus_lr_ratio"))
		FAIL("lr_groups", "cannot be used with loraplus_lr_ratio");
	if (T("adapter") && T("peft_layers_to_transform") && T("unfrozen_parameters"))
		FAIL("unfrozen_parameters", "cannot be combined with peft_layers_to_transform");
	if (T("peft_layers_pattern") && !T("peft_layers_to_transform"))
		FAIL("peft_layers_pattern", "needs peft_layers_to_transform");
	int lora_like = EQ(c, "adapter", "lora") || EQ(c, "adapter", "qlora");
	if (lora_like && T("flash_attn_fuse_mlp"))
		FAIL("flash_attn_fuse_mlp", "fused modules do not work with LoRA or QLoRA");
	if (lora_like && T("use_onebitllms"))
		FAIL("use_onebitllms", "does not work with LoRA or QLoRA");
	/* warn_qlora_zero3_w_use_reentrant */
	if (EQ(c, "adapter", "qlora") && is_false(G("gradient_checkpointing_kwargs.use_reentrant")) &&
	    S(c, "deepspeed") && strstr(S(c, "deepspeed"), "zero3"))
		WARN("gradient_checkpointing_kwargs.use_reentrant", "false with qlora and DeepSpeed "
			"ZeRO-3 may fail with a CheckpointError about recomputed values");
	int lora_kernels = T("lora_mlp_kernel") || T("lora_qkv_kernel") || T("lora_o_kernel");
	if (lora_kernels && EQ(c, "adapter", "lora") && T("load_in_8bit"))
		FAIL("load_in_8bit", "the LoRA kernels (lora_mlp/qkv/o_kernel) do not work with 8-bit LoRA");
	if (lora_kernels && T("trust_remote_code"))
		FAIL("trust_remote_code", "the LoRA kernels (lora_mlp/qkv/o_kernel) do not work with "
			"remote model code; disable one of them");

	/* --- LoraConfig.validate_adapter / validate_qlora --- */
	if (!T("adapter") && (T("load_in_8bit") || T("load_in_4bit")))
		FAIL(T("load_in_8bit") ? "load_in_8bit" : "load_in_4bit",
			"quantized loading needs an adapter (lora or qlora); for full fine-tuning "
			"turn load_in_8bit and load_in_4bit off");
	if (T("adapter") && S(c, "adapter") && !EQ(c, "adapter", "lora") && !EQ(c, "adapter", "qlora") &&
	    !EQ(c, "adapter", "llama-adapter"))
		FAIL("adapter", "'%s' is not an adapter; use lora or qlora", S(c, "adapter"));
	if (EQ(c, "adapter", "qlora")) {
		if (T("merge_lora")) {
			if (T("load_in_8bit"))
				FAIL("load_in_8bit", "cannot merge a qlora adapter into an 8-bit model");
			if (T("gptq"))
				FAIL("gptq", "cannot merge a qlora adapter into a GPTQ model");
			if (T("load_in_4bit"))
				FAIL("load_in_4bit", "cannot merge a qlora adapter into a 4-bit model; "
					"turn load_in_4bit off to merge");
		} else {
			if (T("load_in_8bit"))
				FAIL("load_in_8bit", "qlora loads the model in 4 bits, not 8");
			if (T("gptq"))
				FAIL("gptq", "qlora does not work with GPTQ models");
			if (!T("load_in_4bit"))
				FAIL("adapter", "qlora needs load_in_4bit: true");
		}
	}
	/* validate_lora_target_parameters_dropout */
	if (T("lora_target_parameters") && T("lora_dropout"))
		FAIL("lora_dropout", "must be 0 when lora_target_parameters is set");
	/* ft: a LoRA adapter needs a rank and somewhere to go (PEFT would fail later) */
	if (lora_like) {
		if (!T("lora_r"))
			FAIL("lora_r", "required with adapter: %s", S(c, "adapter"));
		if (!T("lora_target_modules") && !T("lora_target_linear") && !T("lora_target_parameters"))
			FAIL("lora_target_modules", "adapter: %s needs lora_target_modules or "
				"lora_target_linear: true", S(c, "adapter"));
	}
	/* check_lora_target_modules_regex */
	{
		const cJSON *m = G("lora_target_modules");
		int i = 0;
		for (const cJSON *e = cJSON_IsArray(m) ? m->child : NULL; e; e = e->next, i++) {
			int err;
			PCRE2_SIZE off;
			pcre2_code *re = pcre2_compile((PCRE2_SPTR)e->valuestring, PCRE2_ZERO_TERMINATED, 0,
				&err, &off, NULL);
			if (!re) {
				PCRE2_UCHAR msg[256];
				pcre2_get_error_message(err, msg, sizeof msg);
				snprintf(buf, sizeof buf, "lora_target_modules.%d", i);
				FAIL(buf, "'%s' is not a valid regular expression: %s", e->valuestring, (char *)msg);
			}
			pcre2_code_free(re);
		}
	}

	/* --- RLValidationMixin --- */
	const char *rl = S(c, "rl");
	if (T("sample_packing") && rl)
		FAIL("sample_packing", "does not work with rl (preference training)");
	if (rl && !strcmp(rl, "kto")) {
		if (T("sample_packing") || T("eval_sample_packing"))
			FAIL("eval_sample_packing", "packing does not work with rl: kto");
		if (!is_false(G("remove_unused_columns")))
			FAIL("remove_unused_columns", "must be false with rl: kto");
	}
	if (rl && !strcmp(rl, "grpo") && T("trl.use_liger_loss") && N(c, "context_parallel_size", 1) > 1)
		FAIL("trl.use_liger_loss", "GRPO with context parallelism and the Liger loss does not work");
	if (rl && !strcmp(rl, "gdpo") && EQ(c, "trl.multi_objective_aggregation", "sum_then_normalize"))
		FAIL("trl.multi_objective_aggregation", "sum_then_normalize is GRPO; GDPO uses "
			"normalize_then_sum");
	if (rl && !strcmp(rl, "ipo"))
		WARN("rl", "ipo will be deprecated; use rl: dpo with dpo_loss_type: [ipo]");
	if (rl && !strcmp(rl, "dpo")) {
		if (SET("dpo_loss_weights") && !SET("dpo_loss_type"))
			FAIL("dpo_loss_weights", "needs dpo_loss_type");
		if (SET("dpo_loss_weights") && SET("dpo_loss_type") &&
		    cJSON_GetArraySize(G("dpo_loss_weights")) != cJSON_GetArraySize(G("dpo_loss_type")))
			FAIL("dpo_loss_weights", "needs one weight per dpo_loss_type entry (%d types, %d weights)",
				cJSON_GetArraySize(G("dpo_loss_type")), cJSON_GetArraySize(G("dpo_loss_weights")));
	} else if (SET("dpo_loss_type") || SET("dpo_loss_weights")) {
		FAIL(SET("dpo_loss_type") ? "dpo_loss_type" : "dpo_loss_weights", "only for rl: dpo");
	}
	if (rl && !strcmp(rl, "grpo") && SET("trl.num_generations")) {
		double ng = N(c, "trl.num_generations", 2);
		if (ng < 2)
			FAIL("trl.num_generations", "GRPO needs at least 2 generations per prompt");
		double gbs = SET("trl.generation_batch_size")
				     ? N(c, "trl.generation_batch_size", 1)
				     : N(c, "micro_batch_size", 1) * N(c, "gradient_accumulation_steps", 1);
		if (fmod(gbs, ng) != 0)
			FAIL("trl.num_generations", "the generation batch size (%g) must be a multiple of "
				"num_generations (%g)", gbs, ng);
	}
	/* ComplexValidationMixin.check_simpo_warmup */
	if (rl && !strcmp(rl, "simpo") && T("warmup_ratio"))
		FAIL("warmup_ratio", "not available with rl: simpo; use warmup_steps");
	/* EBFTValidationMixin */
	if (rl && !strcmp(rl, "ebft")) {
		if (!T("ebft"))
			FAIL("rl", "ebft needs an ebft: section (at least mode: structured or strided)");
		int strided = EQ(c, "ebft.mode", "strided");
		if (strided && is_true(G("torch_compile")) && T("gradient_checkpointing"))
			FAIL("torch_compile", "EBFT strided mode fails with torch_compile and "
				"gradient_checkpointing together; remove torch_compile");
		if (strided && is_true(G("activation_offloading")) &&
		    EQ(c, "attn_implementation", "flex_attention"))
			FAIL("activation_offloading", "EBFT strided mode with flex_attention does not work "
				"with activation offloading");
	}

	/* --- OptimizationValidationMixin --- */
	const char *opt = S(c, "optimizer") ? S(c, "optimizer") : "adamw_torch_fused";
	if ((T("adam_beta1") || T("adam_beta2") || T("adam_epsilon")) && !strstr(opt, "adamw"))
		WARN("optimizer", "adam_beta1/adam_beta2/adam_epsilon are set but '%s' is not AdamW", opt);
	if (!strcmp(opt, "muon")) {
		if (T("deepspeed"))
			FAIL("optimizer", "muon does not work with DeepSpeed");
		if (has_fsdp(c) && fsdp_ver(c) != 2)
			FAIL("optimizer", "muon needs FSDP2 (fsdp_version: 2)");
	}
	if (!strcmp(opt, "q_galore_adamw8bit")) {
		if (T("adapter"))
			FAIL("optimizer", "q_galore_adamw8bit trains full parameters; it does not work with "
				"adapter: %s", S(c, "adapter"));
		if (T("deepspeed"))
			FAIL("optimizer", "q_galore_adamw8bit is not validated with DeepSpeed");
		if (has_fsdp(c) && fsdp_ver(c) != 2)
			FAIL("optimizer", "q_galore_adamw8bit needs FSDP2 (fsdp_version: 2)");
		if (has_fsdp(c) && !is_true(G("fsdp_config.use_orig_params")))
			FAIL("optimizer", "q_galore_adamw8bit needs fsdp_config.use_orig_params: true");
	}
	if (!strncmp(opt, "flash_", 6)) {
		if (T("deepspeed"))
			FAIL("optimizer", "%s does not work with DeepSpeed", opt);
		if (has_fsdp(c) && fsdp_ver(c) != 2)
			FAIL("optimizer", "%s needs FSDP2 (fsdp_version: 2)", opt);
	}
	/* check_batch_flattening_fa */
	if (is_true(G("batch_flattening"))) {
		if (!attn_packing_capable(attn_impl(c)))
			FAIL("batch_flattening", "needs a variable-length attention backend "
				"(attn_implementation: flash_attention_2, for example)");
		if (T("sample_packing"))
			FAIL("batch_flattening", "cannot be used with sample_packing");
	}
	/* check_cross_entropy_conflicts */
	{
		const char *ce[] = { "cut_cross_entropy", "chunked_cross_entropy", "liger_cross_entropy",
			"liger_fused_linear_cross_entropy", NULL };
		int n = 0;
		const char *first = NULL, *second = NULL;
		for (int i = 0; ce[i]; i++)
			if (T(ce[i])) {
				n++;
				if (!first)
					first = ce[i];
				else if (!second)
					second = ce[i];
			}
		if (n > 1)
			FAIL(second, "only one cross-entropy optimization at a time (%s is also on)", first);
	}
	/* check_fsdp_version */
	if (SET("fsdp_config") && fsdp_ver(c) != 2)
		WARN("fsdp_config", "FSDP1 is deprecated; use fsdp_version: 2");
	/* check_fsdp2_cpu_offload_pin_memory */
	if (is_false(G("fsdp_config.cpu_offload_pin_memory"))) {
		if (fsdp_ver(c) != 2)
			FAIL("fsdp_config.cpu_offload_pin_memory", "can only be turned off with fsdp_version: 2");
		if (!T("fsdp_config.offload_params"))
			FAIL("fsdp_config.cpu_offload_pin_memory", "turning it off needs offload_params: true");
	}
	/* check_fsdp2_base_model_quant_rl */
	if (fsdp_ver(c) == 2 && SET("fsdp_version") && rl &&
	    (!strcmp(rl, "dpo") || !strcmp(rl, "kto") || !strcmp(rl, "orpo") || !strcmp(rl, "ipo")) &&
	    (T("load_in_8bit") || T("load_in_4bit")))
		FAIL("fsdp_version", "FSDP2 does not support load_in_8bit/load_in_4bit with rl: %s", rl);
	/* check_fsdp_offload_w_8bit_optimizer / check_fsdp2_w_8bit_optimizer */
	if (SET("fsdp_config") && strstr(opt, "8bit")) {
		if (T("fsdp_config.offload_params") && fsdp_ver(c) != 2)
			FAIL("optimizer", "FSDP offload does not work with %s", opt);
		if (fsdp_ver(c) == 2 && (!strcmp(opt, "adamw_8bit") || !strcmp(opt, "adamw_bnb_8bit")))
			FAIL("optimizer", "FSDP2 does not work with %s; use adamw_torch_8bit", opt);
	}
	/* check_deepcompile */
	if (T("deepcompile") && !T("deepspeed"))
		FAIL("deepcompile", "only works with deepspeed");

	/* --- SystemValidationMixin --- */
	if (SET("max_memory") && SET("gpu_memory_limit"))
		FAIL("gpu_memory_limit", "cannot be used with max_memory; set one of them");
	/* check_fsdp_deepspeed (Axolotl checks the legacy fsdp list; fsdp_config conflicts too) */
	if (T("deepspeed") && (T("fsdp") || SET("fsdp_config")))
		FAIL("deepspeed", "cannot be used with FSDP (fsdp/fsdp_config); choose one");
	if (T("model_quantization_config") && (T("load_in_8bit") || T("load_in_4bit")))
		FAIL("model_quantization_config", "cannot be used with load_in_8bit or load_in_4bit");

	/* --- ChatTemplateValidationMixin --- */
	if (EQ(c, "chat_template", "jinja") && !T("chat_template_jinja"))
		FAIL("chat_template", "jinja needs the template text in chat_template_jinja");

	/* --- PretrainingValidationMixin --- */
	if (T("pretraining_dataset")) {
		if (!T("max_steps"))
			FAIL("max_steps", "required with pretraining_dataset (a streamed dataset has no length)");
		if (T("group_by_length"))
			WARN("group_by_length", "with pretraining_dataset this downloads the whole stream");
		if (T("val_set_size"))
			FAIL("val_set_size", "not available with pretraining_dataset; use test_datasets");
	}
	if (T("streaming")) {
		if (T("val_set_size"))
			FAIL("val_set_size", "not available with streaming; use test_datasets");
		if (!T("max_steps"))
			FAIL("max_steps", "required with streaming (a streamed dataset has no length)");
		if (T("sample_packing") && cJSON_GetArraySize(G("datasets")) > 1)
			FAIL("sample_packing", "packing several streamed datasets is not supported");
	}

	/* --- ModelCompatibilityValidationMixin --- */
	const char *bm = S(c, "base_model");
	if (contains_ci(bm, "falcon") && T("fsdp"))
		FAIL("fsdp", "FSDP does not work with Falcon models");
	if (contains_ci(bm, "mpt") && T("gradient_checkpointing"))
		FAIL("gradient_checkpointing", "does not work with MPT models");
	if (contains_ci(bm, "nemotron-h") && T("gradient_checkpointing") && !T("sample_packing"))
		FAIL("gradient_checkpointing", "for Nemotron-H needs sample_packing: true");
	{
		const char *gcs = S(c, "gradient_checkpointing");
		if (gcs)
			WARN("gradient_checkpointing", "'%s' is deprecated; use gradient_checkpointing: true "
				"with activation_offloading: %s", gcs,
				!strcmp(gcs, "offload_disk") ? "disk" : "true");
		int gc_on = T("gradient_checkpointing");
		if (T("activation_offloading") && !gc_on)
			FAIL("activation_offloading", "needs gradient_checkpointing");
		const cJSON *sc = G("selective_checkpointing");
		if (cfg_truthy(sc)) {
			if (!gc_on)
				FAIL("selective_checkpointing", "needs gradient_checkpointing");
			if (T("gradient_checkpointing_kwargs.use_reentrant"))
				FAIL("selective_checkpointing", "needs non-reentrant checkpointing "
					"(gradient_checkpointing_kwargs.use_reentrant: false)");
			const cJSON *ao = G("activation_offloading");
			if (cfg_truthy(ao) && !(cJSON_IsString(ao) && !strcmp(ao->valuestring, "hidden_states")))
				FAIL("selective_checkpointing", "only works with activation_offloading: "
					"hidden_states (or false)");
		}
		if (EQ(c, "activation_offloading", "hidden_states") &&
		    is_true(G("gradient_checkpointing_kwargs.use_reentrant")) && T("unfrozen_parameters"))
			FAIL("activation_offloading", "hidden_states with reentrant checkpointing does not "
				"work with unfrozen_parameters");
	}
	if (is_true(G("flash_optimum")) && (T("fp16") || T("bf16")))
		FAIL("flash_optimum", "BetterTransformer does not work with mixed precision (fp16/bf16)");
	if (T("gptq") && T("model_revision"))
		FAIL("model_revision", "not available for GPTQ models; download the revision and point "
			"base_model at it");
	if (EQ(c, "model_quantization_config", "Mxfp4Config") &&
	    is_true(G("fsdp_config.cpu_ram_efficient_loading")))
		FAIL("fsdp_config.cpu_ram_efficient_loading", "does not work with Mxfp4Config");

	/* --- ComplexValidationMixin --- */
	if (T("relora")) {
		if (!T("jagged_restart_steps"))
			FAIL("relora", "needs jagged_restart_steps");
		if (!lora_like)
			FAIL("relora", "needs adapter: lora or qlora");
		if (has_fsdp(c))
			FAIL("relora", "does not work with FSDP");
		if (T("deepspeed"))
			FAIL("relora", "does not work with DeepSpeed");
		if (EQ(c, "lr_scheduler", "one_cycle"))
			FAIL("relora", "does not work with lr_scheduler: one_cycle");
		if (T("flash_attn_fuse_mlp"))
			FAIL("relora", "does not work with fused modules (flash_attn_fuse_mlp)");
	}
	if (T("early_stopping_patience")) {
		if (!T("save_steps") || !T("eval_steps"))
			FAIL("early_stopping_patience", "needs save_steps and eval_steps, with eval_steps "
				"dividing save_steps");
		if (fmod(N(c, "save_steps", 1), N(c, "eval_steps", 1)) != 0)
			FAIL("early_stopping_patience", "needs eval_steps to divide save_steps evenly");
	}
	{
		double cp = N(c, "context_parallel_size", 0);
		if (!cp && T("sequence_parallel_degree")) {
			WARN("sequence_parallel_degree", "deprecated; use context_parallel_size");
			cp = N(c, "sequence_parallel_degree", 1);
		}
		if (cp > 1) {
			if (!attn_is_flash(attn_impl(c)))
				FAIL("context_parallel_size", "greater than 1 needs flash attention "
					"(attn_implementation: flash_attention_2 or flash_attention_3)");
			if (T("sample_packing") && N(c, "micro_batch_size", 1) > 1)
				FAIL("micro_batch_size", "must be 1 with sample_packing and context_parallel_size > 1");
		}
	}

	/* --- AxolotlInputConfig --- */
	{
		const char *a = S(c, "attn_implementation");
		if (T("gemma4_hybrid_attn_impl") && a && strcmp(a, "flash_attention_2"))
			FAIL("gemma4_hybrid_attn_impl", "needs attn_implementation: flash_attention_2");
		if (a) {
			for (int i = 0; legacy_attn[i]; i++)
				if (T(legacy_attn[i]))
					FAIL(legacy_attn[i], "cannot be combined with attn_implementation; the "
						"*_attention flags are deprecated, keep only attn_implementation");
			int ok = strchr(a, '/') != NULL;
			for (int i = 0; canonical_attn[i] && !ok; i++)
				ok = !strcmp(a, canonical_attn[i]);
			if (!ok) {
				const char *canon = !strcmp(a, "flash") ? "flash_attention_2"
						    : !strcmp(a, "flex")    ? "flex_attention"
						    : !strcmp(a, "sdp")     ? "sdpa"
									    : NULL;
				if (canon)
					FAIL("attn_implementation", "'%s' is a short form; write '%s'", a, canon);
				FAIL("attn_implementation", "'%s' is not a known backend (eager, sdpa, "
					"flash_attention_2, flash_attention_3, flex_attention, xformers, sage, fp8, "
					"or a hub kernel path with '/')", a);
			}
		}
	}
	{
		const cJSON *o = G("torch_compile_options");
		static const char allow[] = "coordinate_descent_tuning,coordinate_descent_check_all_directions,"
			"shape_padding,epilogue_fusion,max_autotune_gemm,fx_graph_cache,assume_aligned_inputs,"
			"comprehensive_padding,decompose_mem_bound_mm,triton.cudagraphs";
		for (const cJSON *e = cJSON_IsObject(o) ? o->child : NULL; e; e = e->next)
			if (!schema_list_has(allow, e->string)) {
				snprintf(buf, sizeof buf, "torch_compile_options.%s", e->string);
				FAIL(buf, "not an allowed inductor option");
			}
		if (o && !T("torch_compile"))
			FAIL("torch_compile_options", "set but torch_compile is off; set torch_compile: true");
	}
	if (T("fp32_norms")) {
		if (!SET("fsdp_config"))
			FAIL("fp32_norms", "needs FSDP (an fsdp_config block)");
		if (fsdp_ver(c) != 2)
			FAIL("fp32_norms", "needs fsdp_version: 2");
	}
	if (T("fp32_norm_classes") && !T("fp32_norms"))
		WARN("fp32_norm_classes", "ignored without fp32_norms: true");
	if (EQ(c, "save_strategy", "best") && !T("metric_for_best_model"))
		FAIL("save_strategy", "best needs metric_for_best_model (eval_loss, for example)");

	/* --- ModelInputConfig / ModelOutputConfig / FSDPConfig --- */
	if (T("trust_remote_code"))
		WARN("trust_remote_code", "ignored: ft never runs code shipped with a model");
	{
		const cJSON *pk = G("processor_kwargs");
		for (const cJSON *e = cJSON_IsObject(pk) ? pk->child : NULL; e; e = e->next)
			if (!strcmp(e->string, "revision") || !strcmp(e->string, "trust_remote_code")) {
				snprintf(buf, sizeof buf, "processor_kwargs.%s", e->string);
				FAIL(buf, "reserved; use the top-level %s instead",
					!strcmp(e->string, "revision") ? "model_revision" : "trust_remote_code");
			}
	}
	if (is_false(G("save_safetensors")))
		FAIL("save_safetensors", "false is not available: weights are always written as safetensors");
	if (EQ(c, "fsdp_config.auto_wrap_policy", "SIZE_BASED_WRAP") && !SET("fsdp_config.min_num_params"))
		FAIL("fsdp_config.auto_wrap_policy", "SIZE_BASED_WRAP needs fsdp_config.min_num_params");
}

/* ---- support ---- */

typedef struct {
	char *names;
	size_t len, cap;
} namelist_t;

static void names_add(namelist_t *l, const char *name)
{
	size_t n = strlen(name);
	xgrow((void **)&l->names, &l->cap, l->len + n + 3, 1);
	if (l->len) {
		memcpy(l->names + l->len, ", ", 2);
		l->len += 2;
	}
	memcpy(l->names + l->len, name, n + 1);
	l->len += n;
}

/* Is v its field's default (or an "off" value: false, 0, "", empty)? */
static int is_off_or_default(const schema_field_t *f, const cJSON *v)
{
	if (!cfg_truthy(v))
		return 1;
	if (!f->dflt)
		return 0;
	cJSON *d = cJSON_Parse(f->dflt);
	int same = d && cJSON_Compare(v, d, 1);
	cJSON_Delete(d);
	return same;
}

static const char *value_word(const cJSON *v, char *buf, size_t n)
{
	if (cJSON_IsBool(v))
		snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
	else if (cJSON_IsString(v))
		snprintf(buf, n, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
		json_format_number(v->valuedouble, buf, n);
	else
		snprintf(buf, n, "?");
	return buf;
}

/* The SFT dataset types ft-tokenize implements (prompt.c, chat templates). */
static const char *const sft_types =
	"chat_template,alpaca,alpaca:chat,alpaca:chatml,alpaca:phi,alpaca_chat,alpaca_chat.load_qa,"
	"alpaca_chat.load_camel_ai,alpaca_chat.load_concise,alpaca_chat.load_no_prompt,"
	"alpaca_instruct,alpaca_instruct.load_no_prompt,completion,input_output,"
	"jeopardy,oasst,gpteacher,summarizetldr,explainchoice,concisechoice";

static void check_entry_support(cfgctx_t *c, const cJSON *e, const char *path, namelist_t *ign)
{
	char f[256];
	const schema_model_t *sft = schema_model_named("SFTDataset");
	for (const cJSON *k = e->child; k; k = k->next) {
		snprintf(f, sizeof f, "%s.%s", path, k->string);
		const schema_field_t *fd = schema_find(sft, k->string);
		if (!strcmp(k->string, "type")) {
			if (cJSON_IsNull(k) || cJSON_IsObject(k))
				continue; /* pre-tokenized data, or a user-defined format */
			if (!schema_list_has(sft_types, k->valuestring))
				FAIL(f, "'%s' is not supported yet (supported: chat_template, alpaca, "
					"alpaca:chat, alpaca:chatml, alpaca:phi, alpaca_chat[.load_qa|.load_camel_ai|"
					".load_concise|.load_no_prompt], alpaca_instruct[.load_no_prompt], jeopardy, oasst, "
					"gpteacher, summarizetldr, explainchoice, concisechoice, completion, "
					"input_output, a user-defined mapping, or no type for pre-tokenized data)",
					k->valuestring);
			continue;
		}
		if (!fd) { /* a field of the DPO/KTO/stepwise/synthetic entry kinds */
			if (cfg_truthy(k))
				FAIL(f, "not supported yet (it belongs to preference, reward or synthetic datasets)");
			continue;
		}
		if (fd->support == SUP_NO && !is_off_or_default(fd, k))
			FAIL(f, "not supported yet");
		if (fd->support == SUP_IGNORED && cfg_truthy(k))
			names_add(ign, f);
	}
}

/* What to do instead, for the unsupported fields users meet most. */
static const char *const hints[][2] = {
	{ "load_in_8bit", "train LoRA on the bf16 weights instead" },
	{ "load_in_4bit", "train LoRA on the bf16 weights instead" },
	{ "deepspeed", "ft trains on one GPU or data-parallel without DeepSpeed" },
	{ "fsdp", "ft trains on one GPU or data-parallel without FSDP" },
	{ "fsdp_config", "ft trains on one GPU or data-parallel without FSDP" },
	{ "fp16", "use bf16" },
	{ "float16", "use bfloat16" },
	{ "unfrozen_parameters", "use full fine-tuning or LoRA" },
	{ "pretraining_dataset", "use datasets with type: completion" },
	{ "streaming", "use local datasets" },
	{ NULL, NULL },
};

static const char *hint_for(const char *name)
{
	for (int i = 0; hints[i][0]; i++)
		if (!strcmp(hints[i][0], name))
			return hints[i][1];
	return NULL;
}

void cfgrules_check_support(cfgctx_t *c)
{
	char r[256], b[300];
	const schema_model_t *top = schema_top();
	namelist_t ign = { 0 };
	/* The fields that decide what kind of training this is come first: their message says
	 * the most (an rl config would otherwise stop at some DPO knob). */
	static const char *const first[] = { "rl", "reward_model", "process_reward_model", "adapter",
		"load_in_4bit", "load_in_8bit", "deepspeed", "fsdp", "fsdp_config", "pretraining_dataset",
		"streaming", NULL };
	size_t nfirst = sizeof first / sizeof first[0] - 1;
	for (size_t i = 0; i < nfirst + top->n; i++) {
		const schema_field_t *f;
		if (i < nfirst) {
			f = schema_find(top, first[i]);
		} else {
			f = &top->fields[i - nfirst];
			int is_first = 0;
			for (size_t j = 0; j < nfirst; j++)
				is_first |= !strcmp(first[j], f->name);
			if (is_first)
				continue;
		}
		{
			const cJSON *v = G(f->name);
			if (!v)
				continue;
			if (f->support == SUP_NO) {
				if (!is_off_or_default(f, v)) {
					const char *h = hint_for(f->name);
					FAIL(f->name, f->type == ST_ENUM && cJSON_IsString(v)
							? "'%s' is not supported yet%s%s%s" : "%snot supported yet%s%s%s",
						f->type == ST_ENUM && cJSON_IsString(v) ? v->valuestring : "",
						h ? " (" : "", h ? h : "", h ? ")" : "");
				}
				continue;
			}
			if (f->support == SUP_IGNORED) {
				if (!strcmp(f->name, "plugins")) {
					int k = 0;
					for (const cJSON *e = cJSON_IsArray(v) ? v->child : NULL; e; e = e->next, k++) {
						if (strstr(e->valuestring, "cut_cross_entropy") ||
						    strstr(e->valuestring, "liger")) {
							snprintf(b, sizeof b, "plugins.%d", k);
							names_add(&ign, b);
							continue;
						}
						snprintf(b, sizeof b, "plugins.%d", k);
						FAIL(b, "'%s' is not supported yet (ft runs no Python plugins; "
							"Liger and cut-cross-entropy are ignored, ft has its own kernels)",
							e->valuestring);
					}
					continue;
				}
				/* trust_remote_code has its own warning (a rule), saying why */
				if (cfg_truthy(v) && !is_off_or_default(f, v) && strcmp(f->name, "trust_remote_code"))
					names_add(&ign, f->name);
				continue;
			}
			/* supported field, maybe not every value */
			if (f->sup_values && !schema_list_has(f->sup_values, value_word(v, r, sizeof r))) {
				char sp[512];
				size_t o = 0;
				for (const char *p = f->sup_values; *p && o + 3 < sizeof sp; p++) {
					sp[o++] = *p;
					if (*p == ',')
						sp[o++] = ' ';
				}
				sp[o] = '\0';
				FAIL(f->name, "'%s' is not supported yet (supported: %s)", r, sp);
			}
			if (!strcmp(f->name, "model_type")) {
				const char *mt = v->valuestring;
				size_t n = strlen(mt);
				if (n < 11 || strcmp(mt + n - 11, "ForCausalLM"))
					FAIL(f->name, "'%s' is not supported yet (only causal language models: "
						"AutoModelForCausalLM or a *ForCausalLM class)", mt);
			}
			if (f->type == ST_DATASETS && cJSON_IsArray(v)) {
				int k = 0;
				for (const cJSON *e = v->child; e; e = e->next, k++) {
					snprintf(b, sizeof b, "%s.%d", f->name, k);
					check_entry_support(c, e, b, &ign);
				}
			}
		}
	}
	if (ign.len)
		ft_warn("%s: ignored, ft does not need them: %s", q(c->file), ign.names);
	free(ign.names);
}
