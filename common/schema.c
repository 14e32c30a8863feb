/* schema: the field table and its lookups. See schema.h.
 *
 * The rows were first transcribed from the Axolotl reference (axolotl.md §1, generated there
 * from Axolotl's pydantic models); this file is now the source of truth. To change what ft
 * supports, change the support column here and regenerate man/ft-config.5
 * (scripts/gen-config-man.sh); a test fails until you do. */
#include "schema.h"

#include <string.h>

#include "config.h"
#include "diag.h"
#include "opts.h"

static const schema_model_t model_loftq;
static const schema_model_t model_peft;
static const schema_model_t model_trl;
static const schema_model_t model_vllm;
static const schema_model_t model_fsdp;
static const schema_model_t model_qat;
static const schema_model_t model_ptq;
static const schema_model_t model_lr_group;
static const schema_model_t model_selckpt;
static const schema_model_t model_role_boundary;
static const schema_model_t model_dynckpt;
static const schema_model_t model_special_tokens;
static const schema_model_t model_ebft;
static const schema_model_t model_dataset;
static const schema_model_t model_udp;
static const schema_model_t model_pretraining;
static const schema_model_t model_dpo;
static const schema_model_t model_udd;
static const schema_model_t model_kto;
static const schema_model_t model_udk;
static const schema_model_t model_step;
static const schema_model_t model_synth;
static const schema_model_t model_top;

/* LoftQConfig: LoftQ option */
static const schema_field_t fields_loftq[] = {
	{ "loftq_bits", ST_INT, 0, "4", NULL, SUP_NO, NULL, "LoftQ option", NULL },
};
static const schema_model_t model_loftq = { "LoftQConfig", fields_loftq, sizeof fields_loftq / sizeof fields_loftq[0] };

/* PeftConfig: PEFT initialisation option */
static const schema_field_t fields_peft[] = {
	{ "loftq_config", ST_MODEL, 0, NULL, NULL, SUP_NO, NULL, "PEFT initialisation option", &model_loftq },
};
static const schema_model_t model_peft = { "PeftConfig", fields_peft, sizeof fields_peft / sizeof fields_peft[0] };

/* TRLConfig: TRL trainer option (rl) */
static const schema_field_t fields_trl[] = {
	{ "beta", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "max_completion_length", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "use_vllm", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "vllm_mode", ST_ENUM, 0, NULL, "server,colocate", SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "vllm_server_host", ST_STR, 0, "\"0.0.0.0\"", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "vllm_server_port", ST_INT, 0, "8000", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "vllm_server_timeout", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "vllm_guided_decoding_regex", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "reward_funcs", ST_STRLIST, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "reward_weights", ST_FLOATLIST, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "generation_batch_size", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "num_generations", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "log_completions", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "num_completions_to_print", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "importance_sampling_level", ST_ENUM, 0, NULL, "sequence,token", SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "sync_ref_model", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "ref_model_mixup_alpha", ST_FLOAT, 0, "0.9", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "ref_model_sync_steps", ST_INT, 0, "64", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "scale_rewards", ST_BOOL, 0, "true", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "temperature", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "top_p", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "top_k", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "min_p", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "repetition_penalty", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "generation_kwargs", ST_MAP, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "chat_template_kwargs", ST_MAP, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "num_iterations", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "epsilon", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "epsilon_high", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "use_liger_loss", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "loss_type", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "mask_truncated_completions", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "vllm_enable_sleep_mode", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "rollout_func", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "multi_objective_aggregation", ST_ENUM, 0, NULL, "sum_then_normalize,normalize_then_sum", SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "use_data_producer", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "async_prefetch", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "prefetch_depth", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "vllm_sync_interval", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "streaming_partial_batch", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "streaming_min_groups", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "vllm_importance_sampling_correction", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "vllm_importance_sampling_mode", ST_ENUM, 0, NULL, "token_truncate,token_mask,sequence_truncate,sequence_mask", SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "vllm_importance_sampling_cap", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "off_policy_mask_threshold", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "use_bias_correction_kl", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "reward_num_workers", ST_INT, 0, "1", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "replay_buffer_size", ST_INT, 0, "0", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "replay_recompute_logps", ST_BOOL, 0, "true", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "reroll_start_fraction", ST_FLOAT, 0, "1.0", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "reroll_max_groups", ST_INT, 0, "1", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "skip_zero_advantage_batches", ST_BOOL, 0, "true", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
	{ "vllm_lora_sync", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "TRL trainer option (rl)", NULL },
};
static const schema_model_t model_trl = { "TRLConfig", fields_trl, sizeof fields_trl / sizeof fields_trl[0] };

/* VllmConfig: vLLM server option (GRPO) */
static const schema_field_t fields_vllm[] = {
	{ "device", ST_STR, 0, "\"auto\"", NULL, SUP_NO, NULL, "vLLM server option (GRPO)", NULL },
	{ "tensor_parallel_size", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "vLLM server option (GRPO)", NULL },
	{ "data_parallel_size", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "vLLM server option (GRPO)", NULL },
	{ "gpu_memory_utilization", ST_FLOAT, 0, "0.9", NULL, SUP_NO, NULL, "vLLM server option (GRPO)", NULL },
	{ "dtype", ST_STR, 0, "\"auto\"", NULL, SUP_NO, NULL, "vLLM server option (GRPO)", NULL },
	{ "max_model_len", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "vLLM server option (GRPO)", NULL },
	{ "enable_prefix_caching", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "vLLM server option (GRPO)", NULL },
	{ "host", ST_STR, 0, "\"0.0.0.0\"", NULL, SUP_NO, NULL, "vLLM server option (GRPO)", NULL },
	{ "port", ST_INT, 0, "8000", NULL, SUP_NO, NULL, "vLLM server option (GRPO)", NULL },
	{ "enable_reasoning", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "vLLM server option (GRPO)", NULL },
	{ "reasoning_parser", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "vLLM server option (GRPO)", NULL },
	{ "enforce_eager", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "vLLM server option (GRPO)", NULL },
	{ "serve_module", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "vLLM server option (GRPO)", NULL },
	{ "worker_extension_cls", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "vLLM server option (GRPO)", NULL },
};
static const schema_model_t model_vllm = { "VllmConfig", fields_vllm, sizeof fields_vllm / sizeof fields_vllm[0] };

/* FSDPConfig: FSDP option */
static const schema_field_t fields_fsdp[] = {
	{ "fsdp_version", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "FSDP option", NULL },
	{ "activation_checkpointing", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "FSDP option", NULL },
	{ "offload_params", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "FSDP option", NULL },
	{ "sync_module_states", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "FSDP option", NULL },
	{ "cpu_ram_efficient_loading", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "FSDP option", NULL },
	{ "cpu_offload_pin_memory", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "FSDP option", NULL },
	{ "use_orig_params", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "FSDP option", NULL },
	{ "state_dict_type", ST_ENUM, 0, NULL, "FULL_STATE_DICT,LOCAL_STATE_DICT,SHARDED_STATE_DICT", SUP_NO, NULL, "FSDP option", NULL },
	{ "final_state_dict_type", ST_ENUM, 0, NULL, "FULL_STATE_DICT,LOCAL_STATE_DICT,SHARDED_STATE_DICT", SUP_NO, NULL, "FSDP option", NULL },
	{ "auto_wrap_policy", ST_ENUM, 0, NULL, "TRANSFORMER_BASED_WRAP,SIZE_BASED_WRAP", SUP_NO, NULL, "FSDP option", NULL },
	{ "transformer_layer_cls_to_wrap", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "FSDP option", NULL },
	{ "min_num_params", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "FSDP option", NULL },
	{ "reshard_after_forward", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "FSDP option", NULL },
	{ "mixed_precision_policy", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "FSDP option", NULL },
};
static const schema_model_t model_fsdp = { "FSDPConfig", fields_fsdp, sizeof fields_fsdp / sizeof fields_fsdp[0] };

/* QATConfig: quantization-aware training option */
static const schema_field_t fields_qat[] = {
	{ "activation_dtype", ST_ENUM, 0, NULL, "int4,int8,float8_e4m3fn,fp8,float8,nvfp4,mxfp4", SUP_NO, NULL, "quantization-aware training option", NULL },
	{ "weight_dtype", ST_ENUM, 0, "\"int8\"", "int4,int8,float8_e4m3fn,fp8,float8,nvfp4,mxfp4", SUP_NO, NULL, "quantization-aware training option", NULL },
	{ "quantize_embedding", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "quantization-aware training option", NULL },
	{ "group_size", ST_INT, 0, "32", NULL, SUP_NO, NULL, "quantization-aware training option", NULL },
	{ "fake_quant_after_n_steps", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "quantization-aware training option", NULL },
};
static const schema_model_t model_qat = { "QATConfig", fields_qat, sizeof fields_qat / sizeof fields_qat[0] };

/* PTQConfig: post-training quantization option */
static const schema_field_t fields_ptq[] = {
	{ "weight_dtype", ST_ENUM, 0, "\"int8\"", "int4,int8,float8_e4m3fn,fp8,float8,nvfp4,mxfp4", SUP_NO, NULL, "post-training quantization option", NULL },
	{ "activation_dtype", ST_ENUM, 0, NULL, "int4,int8,float8_e4m3fn,fp8,float8,nvfp4,mxfp4", SUP_NO, NULL, "post-training quantization option", NULL },
	{ "quantize_embedding", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "post-training quantization option", NULL },
	{ "group_size", ST_INT, 0, "32", NULL, SUP_NO, NULL, "post-training quantization option", NULL },
};
static const schema_model_t model_ptq = { "PTQConfig", fields_ptq, sizeof fields_ptq / sizeof fields_ptq[0] };

/* LrGroup: learning-rate group */
static const schema_field_t fields_lr_group[] = {
	{ "name", ST_STR, SF_REQUIRED, NULL, NULL, SUP_NO, NULL, "learning-rate group", NULL },
	{ "modules", ST_STRLIST, SF_REQUIRED, NULL, NULL, SUP_NO, NULL, "learning-rate group", NULL },
	{ "lr", ST_FLOAT, SF_REQUIRED, NULL, NULL, SUP_NO, NULL, "learning-rate group", NULL },
};
static const schema_model_t model_lr_group = { "LrGroup", fields_lr_group, sizeof fields_lr_group / sizeof fields_lr_group[0] };

/* SelectiveCheckpointingConfig: selective checkpointing option */
static const schema_field_t fields_selckpt[] = {
	{ "save", ST_STRLIST, 0, "[\"attention\"]", NULL, SUP_NO, NULL, "selective checkpointing option", NULL },
	{ "save_sliding_window", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "selective checkpointing option", NULL },
	{ "recompute_layer_types", ST_STRLIST, 0, NULL, NULL, SUP_NO, NULL, "selective checkpointing option", NULL },
	{ "offload", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "selective checkpointing option", NULL },
};
static const schema_model_t model_selckpt = { "SelectiveCheckpointingConfig", fields_selckpt, sizeof fields_selckpt / sizeof fields_selckpt[0] };

/* RoleBoundarySpec: multimodal role boundary */
static const schema_field_t fields_role_boundary[] = {
	{ "role", ST_STR, SF_REQUIRED, NULL, NULL, SUP_NO, NULL, "multimodal role boundary", NULL },
	{ "start", ST_STR, SF_REQUIRED, NULL, NULL, SUP_NO, NULL, "multimodal role boundary", NULL },
	{ "end", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "multimodal role boundary", NULL },
	{ "include_start", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "multimodal role boundary", NULL },
	{ "include_end", ST_BOOL, 0, "true", NULL, SUP_NO, NULL, "multimodal role boundary", NULL },
};
static const schema_model_t model_role_boundary = { "RoleBoundarySpec", fields_role_boundary, sizeof fields_role_boundary / sizeof fields_role_boundary[0] };

/* DynamicCheckpointConfig: dynamic checkpoint trigger option */
static const schema_field_t fields_dynckpt[] = {
	{ "enabled", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "dynamic checkpoint trigger option", NULL },
	{ "check_interval", ST_INT, 0, "10", NULL, SUP_NO, NULL, "dynamic checkpoint trigger option", NULL },
	{ "trigger_file_path", ST_STR, 0, "\"\"", NULL, SUP_NO, NULL, "dynamic checkpoint trigger option", NULL },
};
static const schema_model_t model_dynckpt = { "DynamicCheckpointConfig", fields_dynckpt, sizeof fields_dynckpt / sizeof fields_dynckpt[0] };

/* SpecialTokensConfig: special token */
static const schema_field_t fields_special_tokens[] = {
	{ "bos_token", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "beginning-of-sequence token", NULL },
	{ "eos_token", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "end-of-sequence token", NULL },
	{ "pad_token", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "padding token", NULL },
	{ "unk_token", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "unknown token", NULL },
	{ "additional_special_tokens", ST_STRLIST, 0, NULL, NULL, SUP_YES, NULL, "more special tokens to add", NULL },
};
static const schema_model_t model_special_tokens = { "SpecialTokensConfig", fields_special_tokens, sizeof fields_special_tokens / sizeof fields_special_tokens[0] };

/* EBFTConfig: EBFT option */
static const schema_field_t fields_ebft[] = {
	{ "feature_layers", ST_FLOATLIST, 0, "[0.25, 0.5, 0.75]", NULL, SUP_NO, NULL, "EBFT option", NULL },
	{ "embed_method", ST_ENUM, 0, "\"last_token\"", "last_token,mean_pooling,completion_mean,concat", SUP_NO, NULL, "EBFT option", NULL },
	{ "use_whitening", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "EBFT option", NULL },
	{ "alignment_coef", ST_FLOAT, 0, "1.0", NULL, SUP_NO, NULL, "EBFT option", NULL },
	{ "diversity_coef", ST_FLOAT, 0, "1.0", NULL, SUP_NO, NULL, "EBFT option", NULL },
	{ "ce_coef", ST_FLOAT, 0, "0.0", NULL, SUP_NO, NULL, "EBFT option", NULL },
	{ "adaptive_max_tokens", ST_BOOL, 0, "true", NULL, SUP_NO, NULL, "EBFT option", NULL },
	{ "gt_length_multiplier", ST_FLOAT, 0, "1.5", NULL, SUP_NO, NULL, "EBFT option", NULL },
	{ "mode", ST_ENUM, 0, "\"structured\"", "structured,strided", SUP_NO, NULL, "EBFT option", NULL },
	{ "stride", ST_INT, 0, "8", NULL, SUP_NO, NULL, "EBFT option", NULL },
	{ "context_length", ST_INT, 0, "8", NULL, SUP_NO, NULL, "EBFT option", NULL },
	{ "generate_max_len", ST_INT, 0, "8", NULL, SUP_NO, NULL, "EBFT option", NULL },
	{ "n_samples_per_prompt", ST_INT, 0, "4", NULL, SUP_NO, NULL, "EBFT option", NULL },
	{ "temperature", ST_FLOAT, 0, "0.6", NULL, SUP_NO, NULL, "EBFT option", NULL },
	{ "top_p", ST_FLOAT, 0, "1.0", NULL, SUP_NO, NULL, "EBFT option", NULL },
	{ "rl_coef", ST_FLOAT, 0, "1.0", NULL, SUP_NO, NULL, "EBFT option", NULL },
	{ "advantage_estimator", ST_ENUM, 0, "\"rloo\"", "rloo,group_norm,reinforce", SUP_NO, NULL, "EBFT option", NULL },
	{ "min_completion_prefix", ST_INT, 0, "0", NULL, SUP_NO, NULL, "EBFT option", NULL },
};
static const schema_model_t model_ebft = { "EBFTConfig", fields_ebft, sizeof fields_ebft / sizeof fields_ebft[0] };

/* SFTDataset: dataset entry field */
static const schema_field_t fields_dataset[] = {
	{ "path", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "local file or directory (relative to the current directory), or a Hugging Face dataset id in the local cache", NULL },
	{ "split", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "split to read (train when unset)", NULL },
	{ "type", ST_STR, SF_OR_MAP, NULL, NULL, SUP_YES, NULL, "format: unset (pre-tokenized), chat_template, alpaca[:chat|:chatml|:phi], alpaca_chat[.load_*], alpaca_instruct, completion, input_output, or a mapping (user-defined)", &model_udp },
	{ "input_transform", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "transform applied to rows before formatting", NULL },
	{ "shards", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "split the dataset into this many shards", NULL },
	{ "shards_idx", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "use this shard", NULL },
	{ "preprocess_shards", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "process in this many shards", NULL },
	{ "conversation", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "legacy FastChat conversation style (sharegpt)", NULL },
	{ "chat_template", ST_ENUM, SF_OPEN, NULL, "alpaca,chatml,mistral_v1,mistral_v2v3,mistral_v3_tekken,mistral_v7_tekken,gemma,cohere,llama3,llama3_2_vision,llama4,phi_3,phi_35,deepseek_v2,deepseek_v3,jamba,jinja,qwen_25,qwen3,qwen3_5,falcon_h1,nemotron_h,tokenizer_default,exaone,exaone4,metharme,pixtral,llava,qwen2_vl,gemma3,gemma3n,gemma4,gemma4_unified,command_a,command_a_tool_use,command_a_rag,aya", SUP_YES, NULL, "chat template for this dataset (defaults to the top-level chat_template)", NULL },
	{ "chat_template_jinja", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "Jinja template for this dataset", NULL },
	{ "data_files", ST_STRLIST, SF_OR_STR, NULL, NULL, SUP_YES, NULL, "file(s) to read inside path", NULL },
	{ "input_format", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "legacy input format string", NULL },
	{ "name", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "dataset configuration name on the Hugging Face hub", NULL },
	{ "ds_type", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "file format: json, parquet, csv, arrow, text", NULL },
	{ "field", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "text field for completion datasets (text)", NULL },
	{ "field_human", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "legacy human field", NULL },
	{ "field_model", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "legacy model field", NULL },
	{ "field_messages", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "field holding the conversation (messages)", NULL },
	{ "field_tools", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "field holding tool definitions (tools)", NULL },
	{ "field_thinking", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "message field holding reasoning content", NULL },
	{ "template_thinking_key", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "template variable for reasoning content", NULL },
	{ "message_field_role", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "deprecated: role key (use message_property_mappings)", NULL },
	{ "message_field_content", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "deprecated: content key (use message_property_mappings)", NULL },
	{ "message_property_mappings", ST_MAP, 0, NULL, NULL, SUP_YES, NULL, "message keys to template keys, e.g. {role: from, content: value}", NULL },
	{ "message_field_training", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "per-message boolean: train on this turn", NULL },
	{ "message_field_training_detail", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "per-message character spans to train on", NULL },
	{ "split_thinking", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "move <think> blocks into reasoning content", NULL },
	{ "logprobs_field", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "teacher logprobs for distillation", NULL },
	{ "temperature", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "distillation temperature", NULL },
	{ "roles_to_train", ST_STRLIST, 0, NULL, NULL, SUP_YES, NULL, "roles whose turns are trained (assistant)", NULL },
	{ "train_on_eos", ST_ENUM, 0, NULL, "all,turn,last,none", SUP_YES, NULL, "train on EOS: all, turn (default), last, none", NULL },
	{ "train_on_eot", ST_ENUM, 0, NULL, "all,turn,last,none", SUP_YES, NULL, "train on end-of-turn tokens: all, turn, last, none (defaults to train_on_eos)", NULL },
	{ "roles", ST_MAP, 0, NULL, NULL, SUP_YES, NULL, "role name remapping, e.g. {user: [human], assistant: [gpt]}", NULL },
	{ "drop_system_message", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "drop system turns", NULL },
	{ "trust_remote_code", ST_BOOL, 0, "false", NULL, SUP_IGNORED, NULL, "run dataset loading code (ignored)", NULL },
	{ "revision", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "dataset revision on the Hugging Face hub", NULL },
};
static const schema_model_t model_dataset = { "SFTDataset", fields_dataset, sizeof fields_dataset / sizeof fields_dataset[0] };

/* UserDefinedPrompterType: user-defined prompt format field */
static const schema_field_t fields_udp[] = {
	{ "system_prompt", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "user-defined prompt format: system prompt", NULL },
	{ "system_format", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "user-defined prompt format: system format", NULL },
	{ "field_system", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "user-defined prompt format: field system", NULL },
	{ "field_instruction", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "user-defined prompt format: field instruction", NULL },
	{ "field_input", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "user-defined prompt format: field input", NULL },
	{ "field_output", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "user-defined prompt format: field output", NULL },
	{ "format", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "user-defined prompt format: format", NULL },
	{ "no_input_format", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "user-defined prompt format: no input format", NULL },
};
static const schema_model_t model_udp = { "UserDefinedPrompterType", fields_udp, sizeof fields_udp / sizeof fields_udp[0] };

/* PretrainingDataset: pretraining dataset field */
static const schema_field_t fields_pretraining[] = {
	{ "name", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "pretraining dataset field", NULL },
	{ "path", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "pretraining dataset field", NULL },
	{ "split", ST_STR, 0, "\"train\"", NULL, SUP_NO, NULL, "pretraining dataset field", NULL },
	{ "text_column", ST_STR, 0, "\"text\"", NULL, SUP_NO, NULL, "pretraining dataset field", NULL },
	{ "type", ST_STR, 0, "\"pretrain\"", NULL, SUP_NO, NULL, "pretraining dataset field", NULL },
	{ "trust_remote_code", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "pretraining dataset field", NULL },
	{ "data_files", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "pretraining dataset field", NULL },
	{ "skip", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "pretraining dataset field", NULL },
};
static const schema_model_t model_pretraining = { "PretrainingDataset", fields_pretraining, sizeof fields_pretraining / sizeof fields_pretraining[0] };

/* DPODataset: DPO dataset field */
static const schema_field_t fields_dpo[] = {
	{ "path", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "DPO dataset field", NULL },
	{ "split", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "DPO dataset field", NULL },
	{ "type", ST_STR, SF_OR_MAP, NULL, NULL, SUP_NO, NULL, "DPO dataset field", &model_udd },
	{ "data_files", ST_STRLIST, 0, NULL, NULL, SUP_NO, NULL, "DPO dataset field", NULL },
	{ "revision", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "DPO dataset field", NULL },
	{ "field_messages", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "DPO dataset field", NULL },
	{ "field_chosen", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "DPO dataset field", NULL },
	{ "field_rejected", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "DPO dataset field", NULL },
};
static const schema_model_t model_dpo = { "DPODataset", fields_dpo, sizeof fields_dpo / sizeof fields_dpo[0] };

/* UserDefinedDPOType: user-defined DPO format field */
static const schema_field_t fields_udd[] = {
	{ "field_system", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "user-defined DPO format field", NULL },
	{ "field_prompt", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "user-defined DPO format field", NULL },
	{ "field_chosen", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "user-defined DPO format field", NULL },
	{ "field_rejected", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "user-defined DPO format field", NULL },
	{ "prompt_format", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "user-defined DPO format field", NULL },
	{ "chosen_format", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "user-defined DPO format field", NULL },
	{ "rejected_format", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "user-defined DPO format field", NULL },
};
static const schema_model_t model_udd = { "UserDefinedDPOType", fields_udd, sizeof fields_udd / sizeof fields_udd[0] };

/* KTODataset: KTO dataset field */
static const schema_field_t fields_kto[] = {
	{ "path", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "KTO dataset field", NULL },
	{ "split", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "KTO dataset field", NULL },
	{ "type", ST_STR, SF_OR_MAP, NULL, NULL, SUP_NO, NULL, "KTO dataset field", &model_udk },
	{ "data_files", ST_STRLIST, 0, NULL, NULL, SUP_NO, NULL, "KTO dataset field", NULL },
	{ "trust_remote_code", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "KTO dataset field", NULL },
	{ "revision", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "KTO dataset field", NULL },
};
static const schema_model_t model_kto = { "KTODataset", fields_kto, sizeof fields_kto / sizeof fields_kto[0] };

/* UserDefinedKTOType: user-defined KTO format field */
static const schema_field_t fields_udk[] = {
	{ "field_system", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "user-defined KTO format field", NULL },
	{ "field_prompt", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "user-defined KTO format field", NULL },
	{ "field_completion", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "user-defined KTO format field", NULL },
	{ "field_label", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "user-defined KTO format field", NULL },
	{ "prompt_format", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "user-defined KTO format field", NULL },
	{ "completion_format", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "user-defined KTO format field", NULL },
};
static const schema_model_t model_udk = { "UserDefinedKTOType", fields_udk, sizeof fields_udk / sizeof fields_udk[0] };

/* StepwiseSupervisedDataset: stepwise-supervised dataset field */
static const schema_field_t fields_step[] = {
	{ "path", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "stepwise-supervised dataset field", NULL },
	{ "split", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "stepwise-supervised dataset field", NULL },
	{ "data_files", ST_STRLIST, 0, NULL, NULL, SUP_NO, NULL, "stepwise-supervised dataset field", NULL },
	{ "revision", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "stepwise-supervised dataset field", NULL },
	{ "step_separator", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "stepwise-supervised dataset field", NULL },
	{ "max_completion_length", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "stepwise-supervised dataset field", NULL },
	{ "train_on_last_step_only", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "stepwise-supervised dataset field", NULL },
};
static const schema_model_t model_step = { "StepwiseSupervisedDataset", fields_step, sizeof fields_step / sizeof fields_step[0] };

/* SyntheticDataset: synthetic dataset field */
static const schema_field_t fields_synth[] = {
	{ "path", ST_ENUM, 0, "\"synthetic\"", "synthetic", SUP_NO, NULL, "synthetic dataset field", NULL },
	{ "type", ST_ENUM, 0, "\"_synthetic\"", "_synthetic", SUP_NO, NULL, "synthetic dataset field", NULL },
	{ "length", ST_INT, 0, "1000", NULL, SUP_NO, NULL, "synthetic dataset field", NULL },
	{ "sequence_length", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "synthetic dataset field", NULL },
	{ "min_input_id", ST_INT, 0, "100", NULL, SUP_NO, NULL, "synthetic dataset field", NULL },
	{ "max_input_id", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "synthetic dataset field", NULL },
	{ "seed", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "synthetic dataset field", NULL },
};
static const schema_model_t model_synth = { "SyntheticDataset", fields_synth, sizeof fields_synth / sizeof fields_synth[0] };

/* Top level: every field of Axolotl's AxolotlInputConfig (and its mixins), in its order. */
static const schema_field_t fields_top[] = {
	/* Run control / model init */
	{ "strict", ST_BOOL, 0, "false", NULL, SUP_YES, NULL, "only keys already in the YAML may be overridden on the command line; unknown keys become errors", NULL },
	{ "resume_from_checkpoint", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "checkpoint directory to resume training from", NULL },
	{ "auto_resume_from_checkpoints", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "resume from the newest output_dir/checkpoint-N when one exists", NULL },
	{ "resize_token_embeddings_to_32x", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "model initialisation option", NULL },
	{ "mean_resizing_embeddings", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "model initialisation option", NULL },
	{ "shrink_embeddings", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "model initialisation option", NULL },
	{ "embeddings_skip_upcast", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "model initialisation option", NULL },
	{ "reinit_weights", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "initialise the model from config.json with seeded random weights instead of loading them", NULL },
	{ "trainer_cls", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "model initialisation option", NULL },
	/* Trainer mode: RL, reward models, QAT/PTQ, EBFT, DPO knobs */
	{ "rl", ST_ENUM, 0, NULL, "dpo,gdpo,grpo,ipo,orpo,kto,simpo,ebft", SUP_NO, NULL, "preference / reinforcement learning method", NULL },
	{ "trl", ST_MODEL, 0, NULL, NULL, SUP_NO, NULL, "preference/RL/reward-model training option", &model_trl },
	{ "vllm", ST_MODEL, 0, NULL, NULL, SUP_NO, NULL, "preference/RL/reward-model training option", &model_vllm },
	{ "ebft", ST_MODEL, 0, NULL, NULL, SUP_NO, NULL, "preference/RL/reward-model training option", &model_ebft },
	{ "qat", ST_MODEL, 0, NULL, NULL, SUP_NO, NULL, "preference/RL/reward-model training option", &model_qat },
	{ "quantization", ST_MODEL, 0, NULL, NULL, SUP_NO, NULL, "preference/RL/reward-model training option", &model_ptq },
	{ "reward_model", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "preference/RL/reward-model training option", NULL },
	{ "dynamic_checkpoint", ST_MODEL, 0, NULL, NULL, SUP_NO, NULL, "preference/RL/reward-model training option", &model_dynckpt },
	{ "process_reward_model", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "preference/RL/reward-model training option", NULL },
	{ "center_rewards_coefficient", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "preference/RL/reward-model training option", NULL },
	{ "num_labels", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "preference/RL/reward-model training option", NULL },
	{ "dpo_use_weighting", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "preference/RL/reward-model training option", NULL },
	{ "dpo_label_smoothing", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "preference/RL/reward-model training option", NULL },
	{ "precompute_ref_log_probs", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "preference/RL/reward-model training option", NULL },
	{ "dpo_use_liger_kernel", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "preference/RL/reward-model training option", NULL },
	{ "dpo_padding_free", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "preference/RL/reward-model training option", NULL },
	{ "dpo_loss_type", ST_STRLIST, 0, NULL, NULL, SUP_NO, NULL, "preference/RL/reward-model training option", NULL },
	{ "dpo_loss_weights", ST_FLOATLIST, 0, NULL, NULL, SUP_NO, NULL, "preference/RL/reward-model training option", NULL },
	/* Datasets & preprocessing cache */
	{ "datasets", ST_DATASETS, 0, NULL, NULL, SUP_YES, NULL, "training datasets: a list of dataset entries (path, type, ...)", &model_dataset },
	{ "test_datasets", ST_DATASETS, 0, NULL, NULL, SUP_YES, NULL, "evaluation datasets, instead of splitting val_set_size off the training data", &model_dataset },
	{ "shuffle_merged_datasets", ST_BOOL, 0, "true", NULL, SUP_YES, NULL, "shuffle the merged training data (seeded)", NULL },
	{ "shuffle_before_merging_datasets", ST_BOOL, 0, "false", NULL, SUP_YES, NULL, "shuffle each dataset before merging them", NULL },
	{ "dataset_prepared_path", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "directory where tokenized and packed data are cached", NULL },
	{ "dataset_shard_num", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "dataset loading option", NULL },
	{ "dataset_shard_idx", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "dataset loading option", NULL },
	{ "skip_prepare_dataset", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "dataset loading option", NULL },
	{ "num_dataset_shards_to_save", ST_INT, 0, NULL, NULL, SUP_IGNORED, NULL, "dataset loading option", NULL },
	{ "pretraining_dataset", ST_DATASETS, 0, NULL, NULL, SUP_NO, NULL, "dataset loading option", &model_pretraining },
	{ "dataset_processes", ST_INT, SF_DEPRECATED, NULL, NULL, SUP_YES, NULL, "deprecated name of dataset_num_proc", NULL },
	{ "dataset_num_proc", ST_INT, 0, NULL, NULL, SUP_YES, NULL, "worker processes for tokenization", NULL },
	{ "dataset_exact_deduplication", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "drop rows that are exact duplicates after tokenization", NULL },
	{ "dataset_keep_in_memory", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "dataset loading option", NULL },
	{ "dataloader_pin_memory", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "dataset loading option", NULL },
	{ "dataloader_num_workers", ST_INT, 0, NULL, NULL, SUP_IGNORED, NULL, "dataset loading option", NULL },
	{ "dataloader_prefetch_factor", ST_INT, 0, NULL, NULL, SUP_IGNORED, NULL, "dataset loading option", NULL },
	{ "dataloader_drop_last", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "dataset loading option", NULL },
	{ "accelerator_config", ST_MAP, 0, NULL, NULL, SUP_IGNORED, NULL, "dataset loading option", NULL },
	{ "remove_unused_columns", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "dataset loading option", NULL },
	{ "push_dataset_to_hub", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "dataset loading option", NULL },
	{ "hf_use_auth_token", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "dataset loading option", NULL },
	/* Device / distributed (mostly derived at runtime) */
	{ "device", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "device placement / distributed option", NULL },
	{ "device_map", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "device placement / distributed option", NULL },
	{ "world_size", ST_INT, 0, NULL, NULL, SUP_IGNORED, NULL, "device placement / distributed option", NULL },
	{ "local_rank", ST_INT, 0, NULL, NULL, SUP_IGNORED, NULL, "device placement / distributed option", NULL },
	{ "ddp", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "device placement / distributed option", NULL },
	{ "seed", ST_INT, 0, NULL, NULL, SUP_YES, NULL, "random seed for shuffling, splitting and initialisation (" FT_STRINGIFY(FT_DEFAULT_SEED) " when unset)", NULL },
	{ "ddp_timeout", ST_INT, 0, NULL, NULL, SUP_IGNORED, NULL, "device placement / distributed option", NULL },
	{ "ddp_bucket_cap_mb", ST_INT, 0, NULL, NULL, SUP_IGNORED, NULL, "device placement / distributed option", NULL },
	{ "ddp_broadcast_buffers", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "device placement / distributed option", NULL },
	{ "ddp_find_unused_parameters", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "device placement / distributed option", NULL },
	/* Extra evals, loss watchdog, GC */
	{ "do_causal_lm_eval", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "extra evaluation / housekeeping option", NULL },
	{ "eval_causal_lm_metrics", ST_STRLIST, 0, NULL, NULL, SUP_NO, NULL, "extra evaluation / housekeeping option", NULL },
	{ "do_bench_eval", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "extra evaluation / housekeeping option", NULL },
	{ "bench_dataset", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "extra evaluation / housekeeping option", NULL },
	{ "bench_split", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "extra evaluation / housekeeping option", NULL },
	{ "metric_for_best_model", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "extra evaluation / housekeeping option", NULL },
	{ "greater_is_better", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "extra evaluation / housekeeping option", NULL },
	{ "loss_watchdog_threshold", ST_FLOAT, 0, NULL, NULL, SUP_YES, NULL, "stop training when the loss stays above this value", NULL },
	{ "loss_watchdog_patience", ST_INT, 0, NULL, NULL, SUP_YES, NULL, "steps above loss_watchdog_threshold before stopping", NULL },
	{ "gc_steps", ST_INT, SF_DEPRECATED, NULL, NULL, SUP_IGNORED, NULL, "extra evaluation / housekeeping option", NULL },
	{ "torch_empty_cache_steps", ST_INT, 0, NULL, NULL, SUP_IGNORED, NULL, "extra evaluation / housekeeping option", NULL },
	{ "gc_collect_steps", ST_INT, 0, NULL, NULL, SUP_IGNORED, NULL, "extra evaluation / housekeeping option", NULL },
	/* Precision */
	{ "bf16", ST_BOOL, SF_AUTO, "\"auto\"", NULL, SUP_YES, NULL, "train in bfloat16 mixed precision; auto: when the machine's GPU supports it (false without one)", NULL },
	{ "fp16", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "float16 mixed precision", NULL },
	{ "fp8", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "numeric precision option", NULL },
	{ "fp8_enable_fsdp_float8_all_gather", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "numeric precision option", NULL },
	{ "bfloat16", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "load the model weights in bfloat16 (no mixed precision)", NULL },
	{ "float16", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "load the model weights in float16", NULL },
	{ "tf32", ST_BOOL, SF_AUTO, "\"auto\"", NULL, SUP_YES, NULL, "allow TF32 matrix products on the GPU; auto: when the GPU supports it", NULL },
	{ "float32", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "load the model weights in float32", NULL },
	/* Checkpointing / offload / freezing */
	{ "gradient_checkpointing", ST_ENUM, SF_OR_BOOL, "false", "offload,offload_disk", SUP_YES, "true,false", "recompute activations in the backward pass to save memory (offload variants: not yet)", NULL },
	{ "gradient_checkpointing_kwargs", ST_MAP, 0, NULL, NULL, SUP_IGNORED, NULL, "activation checkpointing / offloading / freezing option", NULL },
	{ "selective_checkpointing", ST_MODEL, SF_OR_BOOL, NULL, NULL, SUP_NO, NULL, "activation checkpointing / offloading / freezing option", &model_selckpt },
	{ "activation_offloading", ST_ENUM, SF_OR_BOOL, "false", "legacy,disk,hidden_states", SUP_NO, NULL, "activation checkpointing / offloading / freezing option", NULL },
	{ "layer_offloading", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "activation checkpointing / offloading / freezing option", NULL },
	{ "freeze_mm_modules", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "activation checkpointing / offloading / freezing option", NULL },
	{ "unfrozen_parameters", ST_STRLIST, 0, NULL, NULL, SUP_NO, NULL, "activation checkpointing / offloading / freezing option", NULL },
	/* Sequence length, packing, streaming */
	{ "sequence_len", ST_INT, 0, "512", NULL, SUP_YES, NULL, "maximum tokens per training sample (and per packed row)", NULL },
	{ "excess_length_strategy", ST_ENUM, 0, NULL, "drop,truncate,raise", SUP_YES, NULL, "what to do with samples longer than sequence_len: drop (default), truncate or raise", NULL },
	{ "eval_sequence_len", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "sequence length / packing / streaming option", NULL },
	{ "min_sample_len", ST_INT, 0, NULL, NULL, SUP_YES, NULL, "drop samples shorter than this many tokens (2 when unset)", NULL },
	{ "max_prompt_len", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "sequence length / packing / streaming option", NULL },
	{ "sample_packing", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "pack several samples into each sequence_len row (attention does not cross samples)", NULL },
	{ "sample_packing_group_size", ST_INT, 0, "100000", NULL, SUP_YES, NULL, "samples considered together when packing", NULL },
	{ "sample_packing_bin_size", ST_INT, 0, "200", NULL, SUP_YES, NULL, "maximum samples per packed row", NULL },
	{ "sample_packing_sequentially", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "pack samples one after another in the sampler's order (dataset order under curriculum_sampling, else shuffled) instead of first-fit", NULL },
	{ "sample_packing_mp_start_method", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "sequence length / packing / streaming option", NULL },
	{ "eval_sample_packing", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "pack the evaluation data too (defaults to sample_packing)", NULL },
	{ "pad_to_sequence_len", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "pad every batch to sequence_len (true by default with sample_packing)", NULL },
	{ "pad_to_multiple_of", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "sequence length / packing / streaming option", NULL },
	{ "curriculum_sampling", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "keep the dataset order (no shuffling) for curriculum learning", NULL },
	{ "multipack_real_batches", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "sequence length / packing / streaming option", NULL },
	{ "batch_flattening", ST_BOOL, SF_AUTO, NULL, NULL, SUP_NO, NULL, "sequence length / packing / streaming option", NULL },
	{ "use_pose", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "sequence length / packing / streaming option", NULL },
	{ "pose_split_on_token_ids", ST_INTLIST, 0, NULL, NULL, SUP_NO, NULL, "sequence length / packing / streaming option", NULL },
	{ "pose_max_context_len", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "sequence length / packing / streaming option", NULL },
	{ "pose_num_chunks", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "sequence length / packing / streaming option", NULL },
	{ "pretrain_multipack_buffer_size", ST_INT, SF_DEPRECATED, NULL, NULL, SUP_NO, NULL, "sequence length / packing / streaming option", NULL },
	{ "pretrain_multipack_attn", ST_BOOL, 0, "true", NULL, SUP_NO, NULL, "sequence length / packing / streaming option", NULL },
	{ "pretraining_sample_concatenation", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "sequence length / packing / streaming option", NULL },
	{ "streaming", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "sequence length / packing / streaming option", NULL },
	{ "streaming_multipack_buffer_size", ST_INT, 0, "10000", NULL, SUP_NO, NULL, "sequence length / packing / streaming option", NULL },
	/* Attention backends & kernels */
	{ "xformers_attention", ST_BOOL, SF_DEPRECATED, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "sdp_attention", ST_BOOL, SF_DEPRECATED, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "flex_attention", ST_BOOL, SF_DEPRECATED, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "flex_attn_compile_kwargs", ST_MAP, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "flash_attention", ST_BOOL, SF_DEPRECATED, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "flash_attn_cross_entropy", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "flash_attn_fuse_mlp", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "flash_optimum", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "sage_attention", ST_BOOL, SF_DEPRECATED, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "eager_attention", ST_BOOL, SF_DEPRECATED, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "attn_implementation", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend of the PyTorch stack (ft uses its own attention; still checked)", NULL },
	{ "gemma4_hybrid_attn_impl", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "large_head_attention", ST_ENUM, 0, NULL, "auto,sdpa,triton_flash", SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "flash_attn_d512", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "sdpa_varlen", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "fused_attn_kernel", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "experts_implementation", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "quantize_moe_experts", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "scaling_softmax", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "scaling_softmax_factor", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "scaling_softmax_bias", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "lora_mlp_kernel", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "lora_qkv_kernel", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "lora_o_kernel", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "lora_embedding_kernel", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "chunked_cross_entropy", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "chunked_cross_entropy_num_chunks", ST_INT, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "use_eaft", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "eaft_alpha", ST_FLOAT, 0, "1.0", NULL, SUP_NO, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "eaft_k", ST_INT, 0, "20", NULL, SUP_NO, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "tiled_mlp", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "tiled_mlp_num_shards", ST_INT, 0, NULL, NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "tiled_mlp_use_original_mlp", ST_BOOL, 0, "true", NULL, SUP_IGNORED, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	{ "llama4_linearized_experts", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "attention backend or kernel switch of the PyTorch stack", NULL },
	/* DeepSpeed / FSDP / parallelism (+ val_set_size) */
	{ "deepspeed", ST_STR, SF_OR_MAP, NULL, NULL, SUP_NO, NULL, "DeepSpeed config (a JSON file or mapping)", NULL },
	{ "deepcompile", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "multi-GPU sharding / parallelism option", NULL },
	{ "fsdp", ST_STRLIST, SF_DEPRECATED, NULL, NULL, SUP_NO, NULL, "FSDP options (deprecated form)", NULL },
	{ "fsdp_config", ST_MODEL, 0, NULL, NULL, SUP_NO, NULL, "Fully Sharded Data Parallel settings", &model_fsdp },
	{ "fsdp_version", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "multi-GPU sharding / parallelism option", NULL },
	{ "fp32_norms", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "multi-GPU sharding / parallelism option", NULL },
	{ "fp32_norm_classes", ST_STRLIST, 0, NULL, NULL, SUP_NO, NULL, "multi-GPU sharding / parallelism option", NULL },
	{ "fsdp_final_state_dict_type", ST_ENUM, SF_DEPRECATED, NULL, "FULL_STATE_DICT,LOCAL_STATE_DICT,SHARDED_STATE_DICT", SUP_NO, NULL, "multi-GPU sharding / parallelism option", NULL },
	{ "val_set_size", ST_FLOAT, 0, "0.0", NULL, SUP_YES, NULL, "fraction (<1) or number (>=1) of training rows held out for evaluation", NULL },
	{ "dp_shard_size", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "multi-GPU sharding / parallelism option", NULL },
	{ "dp_replicate_size", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "multi-GPU sharding / parallelism option", NULL },
	{ "sequence_parallel_degree", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "multi-GPU sharding / parallelism option", NULL },
	{ "context_parallel_size", ST_INT, 0, NULL, NULL, SUP_YES, "1", "GPUs that split one sequence (context parallelism)", NULL },
	{ "heads_k_stride", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "multi-GPU sharding / parallelism option", NULL },
	{ "ring_attn_func", ST_ENUM, 0, NULL, "varlen_llama3,batch_ring", SUP_NO, NULL, "multi-GPU sharding / parallelism option", NULL },
	{ "tensor_parallel_size", ST_INT, 0, NULL, NULL, SUP_YES, "1", "GPUs that split each layer (tensor parallelism)", NULL },
	/* Tokens */
	{ "special_tokens", ST_MODEL, 0, NULL, NULL, SUP_YES, NULL, "bos/eos/pad/unk tokens to set on the tokenizer", &model_special_tokens },
	{ "tokens", ST_STRLIST, 0, NULL, NULL, SUP_YES, NULL, "tokens to add to the vocabulary", NULL },
	{ "added_tokens_overrides", ST_MAP, 0, NULL, NULL, SUP_NO, NULL, "tokenizer vocabulary option", NULL },
	/* torch.compile */
	{ "torch_compile", ST_BOOL, SF_AUTO, NULL, NULL, SUP_IGNORED, NULL, "torch.compile option", NULL },
	{ "torch_compile_backend", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "torch.compile option", NULL },
	{ "torch_compile_mode", ST_ENUM, 0, NULL, "default,reduce-overhead,max-autotune", SUP_IGNORED, NULL, "torch.compile option", NULL },
	{ "torch_compile_options", ST_MAP, 0, NULL, NULL, SUP_IGNORED, NULL, "torch.compile option", NULL },
	/* Schedule, eval, save, logging */
	{ "max_steps", ST_INT, 0, NULL, NULL, SUP_YES, NULL, "stop after this many optimizer steps (overrides num_epochs)", NULL },
	{ "warmup_steps", ST_INT, 0, NULL, NULL, SUP_YES, NULL, "learning-rate warm-up steps", NULL },
	{ "warmup_ratio", ST_FLOAT, 0, NULL, NULL, SUP_YES, NULL, "learning-rate warm-up as a fraction of the total steps", NULL },
	{ "eval_steps", ST_NUMBER, 0, NULL, NULL, SUP_YES, NULL, "evaluate every N steps (a fraction < 1: of the total steps)", NULL },
	{ "evals_per_epoch", ST_INT, 0, NULL, NULL, SUP_YES, NULL, "evaluations per epoch (sets eval_steps)", NULL },
	{ "eval_strategy", ST_ENUM, 0, NULL, "no,steps,epoch", SUP_YES, NULL, "when to evaluate: no, steps or epoch", NULL },
	{ "save_steps", ST_NUMBER, 0, NULL, NULL, SUP_YES, NULL, "save a checkpoint every N steps (a fraction < 1: of the total steps)", NULL },
	{ "saves_per_epoch", ST_INT, 0, NULL, NULL, SUP_YES, NULL, "checkpoints per epoch (sets save_steps)", NULL },
	{ "save_strategy", ST_ENUM, 0, NULL, "no,steps,epoch,best", SUP_YES, "no,steps,epoch", "when to save checkpoints: no, steps or epoch (best: not yet)", NULL },
	{ "save_total_limit", ST_INT, 0, NULL, NULL, SUP_YES, NULL, "keep at most this many checkpoints (4 when unset)", NULL },
	{ "save_first_step", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "also save a checkpoint after the first step", NULL },
	{ "logging_steps", ST_INT, 0, NULL, NULL, SUP_YES, NULL, "log metrics every N steps (derived from the total steps when unset)", NULL },
	{ "early_stopping_patience", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "schedule / evaluation / checkpoint option", NULL },
	{ "load_best_model_at_end", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "schedule / evaluation / checkpoint option", NULL },
	{ "save_only_model", ST_BOOL, 0, "false", NULL, SUP_YES, NULL, "checkpoints hold the weights only, without optimizer state (no exact resume)", NULL },
	{ "use_tensorboard", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "schedule / evaluation / checkpoint option", NULL },
	{ "profiler_steps", ST_INT, 0, NULL, NULL, SUP_IGNORED, NULL, "schedule / evaluation / checkpoint option", NULL },
	{ "profiler_steps_start", ST_INT, 0, "0", NULL, SUP_IGNORED, NULL, "schedule / evaluation / checkpoint option", NULL },
	{ "include_tokens_per_second", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "schedule / evaluation / checkpoint option", NULL },
	{ "include_tkps", ST_BOOL, 0, "true", NULL, SUP_IGNORED, NULL, "schedule / evaluation / checkpoint option", NULL },
	/* NEFTune & preference-loss hyperparameters */
	{ "neftune_noise_alpha", ST_FLOAT, 0, NULL, NULL, SUP_YES, NULL, "NEFTune: scale of uniform noise added to embeddings while training (> 0)", NULL },
	{ "orpo_alpha", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "preference-loss hyperparameter", NULL },
	{ "simpo_gamma", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "preference-loss hyperparameter", NULL },
	{ "cpo_alpha", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "preference-loss hyperparameter", NULL },
	{ "kto_desirable_weight", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "preference-loss hyperparameter", NULL },
	{ "kto_undesirable_weight", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "preference-loss hyperparameter", NULL },
	{ "rl_beta", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "preference-loss hyperparameter", NULL },
	/* Memory / device map */
	{ "max_memory", ST_MAP, 0, NULL, NULL, SUP_IGNORED, NULL, "memory placement option", NULL },
	{ "gpu_memory_limit", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "memory placement option", NULL },
	{ "low_cpu_mem_usage", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "memory placement option", NULL },
	/* Chat template */
	{ "chat_template", ST_ENUM, 0, NULL, "alpaca,chatml,mistral_v1,mistral_v2v3,mistral_v3_tekken,mistral_v7_tekken,gemma,cohere,llama3,llama3_2_vision,llama4,phi_3,phi_35,deepseek_v2,deepseek_v3,jamba,jinja,qwen_25,qwen3,qwen3_5,falcon_h1,nemotron_h,tokenizer_default,exaone,exaone4,metharme,pixtral,llava,qwen2_vl,gemma3,gemma3n,gemma4,gemma4_unified,command_a,command_a_tool_use,command_a_rag,aya", SUP_YES, NULL, "chat template for chat_template datasets: a built-in name, jinja, or tokenizer_default", NULL },
	{ "chat_template_jinja", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "Jinja chat template text (implies chat_template: jinja)", NULL },
	{ "chat_template_kwargs", ST_MAP, 0, NULL, NULL, SUP_YES, NULL, "extra variables passed to the chat template", NULL },
	{ "eot_tokens", ST_STRLIST, 0, NULL, NULL, SUP_YES, NULL, "tokens that end a turn (default: the EOS token)", NULL },
	{ "default_system_message", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "system message used when a conversation has none", NULL },
	{ "fix_untrained_tokens", ST_INTLIST, SF_OR_INT, NULL, NULL, SUP_NO, NULL, "chat template option", NULL },
	/* Internal / derived (set by axolotl, not by users) */
	{ "is_preprocess", ST_BOOL, SF_INTERNAL, NULL, NULL, SUP_IGNORED, NULL, "set by Axolotl itself, not by users", NULL },
	{ "preprocess_iterable", ST_BOOL, SF_INTERNAL, NULL, NULL, SUP_IGNORED, NULL, "set by Axolotl itself, not by users", NULL },
	{ "total_num_tokens", ST_INT, SF_INTERNAL, NULL, NULL, SUP_IGNORED, NULL, "set by Axolotl itself, not by users", NULL },
	{ "total_supervised_tokens", ST_INT, SF_INTERNAL, NULL, NULL, SUP_IGNORED, NULL, "set by Axolotl itself, not by users", NULL },
	{ "sample_packing_eff_est", ST_FLOAT, SF_INTERNAL, NULL, NULL, SUP_IGNORED, NULL, "set by Axolotl itself, not by users", NULL },
	{ "axolotl_config_path", ST_STR, SF_INTERNAL, NULL, NULL, SUP_IGNORED, NULL, "set by Axolotl itself, not by users", NULL },
	{ "is_falcon_derived_model", ST_BOOL, SF_INTERNAL, NULL, NULL, SUP_IGNORED, NULL, "set by Axolotl itself, not by users", NULL },
	{ "is_llama_derived_model", ST_BOOL, SF_INTERNAL, NULL, NULL, SUP_IGNORED, NULL, "set by Axolotl itself, not by users", NULL },
	{ "is_mistral_derived_model", ST_BOOL, SF_INTERNAL, NULL, NULL, SUP_IGNORED, NULL, "set by Axolotl itself, not by users", NULL },
	{ "is_qwen_derived_model", ST_BOOL, SF_INTERNAL, NULL, NULL, SUP_IGNORED, NULL, "set by Axolotl itself, not by users", NULL },
	/* Plugins & in-training sample generation */
	{ "plugins", ST_STRLIST, 0, NULL, NULL, SUP_IGNORED, NULL, "Axolotl plugins (Python classes); speed-only plugins (cut_cross_entropy, liger) are ignored", NULL },
	{ "generate_samples", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "sample generation during training", NULL },
	{ "num_generation_samples", ST_INT, 0, "3", NULL, SUP_NO, NULL, "sample generation during training", NULL },
	{ "generation_max_new_tokens", ST_INT, 0, "50", NULL, SUP_NO, NULL, "sample generation during training", NULL },
	{ "generation_temperature", ST_FLOAT, 0, "0.7", NULL, SUP_NO, NULL, "sample generation during training", NULL },
	{ "generation_top_p", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "sample generation during training", NULL },
	{ "generation_top_k", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "sample generation during training", NULL },
	{ "generation_prompt_ratio", ST_FLOAT, 0, "0.5", NULL, SUP_NO, NULL, "sample generation during training", NULL },
	{ "generation_do_sample", ST_BOOL, 0, "true", NULL, SUP_NO, NULL, "sample generation during training", NULL },
	/* ModelInputConfig */
	{ "base_model", ST_STR, SF_REQUIRED, NULL, NULL, SUP_YES, NULL, "model to fine-tune: a local directory or a Hugging Face id found in the local HF cache", NULL },
	{ "base_model_config", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "where config.json is read from (defaults to base_model)", NULL },
	{ "cls_model_config", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "model / tokenizer loading option", NULL },
	{ "tokenizer_config", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "where the tokenizer is read from (defaults to base_model_config)", NULL },
	{ "tokenizer_use_fast", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "model / tokenizer loading option", NULL },
	{ "tokenizer_legacy", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "model / tokenizer loading option", NULL },
	{ "tokenizer_use_mistral_common", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "model / tokenizer loading option", NULL },
	{ "tokenizer_type", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "Hugging Face tokenizer class name (informational: ft reads tokenizer.json)", NULL },
	{ "processor_type", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "model / tokenizer loading option", NULL },
	{ "processor_kwargs", ST_MAP, 0, NULL, NULL, SUP_NO, NULL, "model / tokenizer loading option", NULL },
	{ "tokenizer_save_jinja_files", ST_BOOL, 0, "true", NULL, SUP_IGNORED, NULL, "model / tokenizer loading option", NULL },
	{ "trust_remote_code", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "run model code shipped with the checkpoint (ft never runs Python; ignored)", NULL },
	{ "experimental_skip_move_to_device", ST_BOOL, 0, "true", NULL, SUP_IGNORED, NULL, "model / tokenizer loading option", NULL },
	{ "use_kernels", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "model / tokenizer loading option", NULL },
	{ "model_quantization_config", ST_ENUM, 0, NULL, "Mxfp4Config,FineGrainedFP8Config", SUP_NO, NULL, "model / tokenizer loading option", NULL },
	{ "model_quantization_config_kwargs", ST_MAP, 0, NULL, NULL, SUP_NO, NULL, "model / tokenizer loading option", NULL },
	{ "use_onebitllms", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "model / tokenizer loading option", NULL },
	/* ModelOutputConfig */
	{ "output_dir", ST_STR, 0, "\"./model-out\"", NULL, SUP_YES, NULL, "directory for checkpoints, the adapter or weights, and metrics", NULL },
	{ "hub_model_id", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "output / Hugging Face Hub option", NULL },
	{ "hub_strategy", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "output / Hugging Face Hub option", NULL },
	{ "hub_revision", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "output / Hugging Face Hub option", NULL },
	{ "save_safetensors", ST_BOOL, 0, "true", NULL, SUP_YES, NULL, "write weights as safetensors (the only format ft writes; false is an error)", NULL },
	/* LoraConfig */
	{ "load_in_8bit", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "load the base model quantized to 8 bits", NULL },
	{ "load_in_4bit", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "load the base model quantized to 4 bits (QLoRA)", NULL },
	{ "adapter", ST_STR, 0, NULL, NULL, SUP_YES, "lora", "parameter-efficient method: lora (qlora and llama-adapter: not yet); unset: full fine-tuning", NULL },
	{ "lora_model_dir", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "existing LoRA adapter to load and continue training", NULL },
	{ "lora_r", ST_INT, 0, NULL, NULL, SUP_YES, NULL, "LoRA rank", NULL },
	{ "lora_alpha", ST_INT, 0, NULL, NULL, SUP_YES, NULL, "LoRA scaling numerator (scale = lora_alpha / lora_r, or / sqrt(lora_r) with rsLoRA)", NULL },
	{ "lora_fan_in_fan_out", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	{ "lora_target_modules", ST_STRLIST, SF_OR_STR, NULL, NULL, SUP_YES, NULL, "module names (or regexes) that get LoRA weights", NULL },
	{ "lora_target_parameters", ST_STRLIST, SF_OR_STR, NULL, NULL, SUP_NO, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	{ "lora_target_linear", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "put LoRA on every linear layer except the output head", NULL },
	{ "lora_modules_to_save", ST_STRLIST, 0, NULL, NULL, SUP_YES, NULL, "modules trained in full and saved with the adapter (e.g. embed_tokens, lm_head)", NULL },
	{ "lora_rank_pattern", ST_MAP, 0, NULL, NULL, SUP_NO, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	{ "lora_alpha_pattern", ST_MAP, 0, NULL, NULL, SUP_NO, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	{ "lora_dropout", ST_FLOAT, 0, "0.0", NULL, SUP_YES, NULL, "dropout on the LoRA input", NULL },
	{ "peft_layers_to_transform", ST_INTLIST, 0, NULL, NULL, SUP_NO, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	{ "peft_layers_pattern", ST_STRLIST, 0, NULL, NULL, SUP_NO, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	{ "peft", ST_MODEL, 0, NULL, NULL, SUP_NO, NULL, "LoRA / PEFT / quantized-loading option", &model_peft },
	{ "peft_use_dora", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "weight-decomposed LoRA (DoRA): a trained magnitude per output row, as PEFT's use_dora", NULL },
	{ "peft_use_rslora", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "rank-stabilised LoRA scaling (lora_alpha / sqrt(lora_r))", NULL },
	{ "peft_layer_replication", ST_LIST, 0, NULL, NULL, SUP_NO, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	{ "peft_init_lora_weights", ST_BOOL, SF_OR_ANYSTR, NULL, NULL, SUP_NO, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	{ "peft_trainable_token_indices", ST_LIST, 0, NULL, NULL, SUP_NO, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	{ "peft_ensure_weight_tying", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	{ "peft_autocast_adapter_dtype", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	{ "qlora_sharded_model_loading", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	{ "lora_on_cpu", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	{ "gptq", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	{ "bnb_config_kwargs", ST_MAP, 0, NULL, NULL, SUP_NO, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	{ "loraplus_lr_ratio", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	{ "loraplus_lr_embedding", ST_FLOAT, 0, "1e-06", NULL, SUP_NO, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	{ "merge_lora", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "merge the adapter into the base weights (ft-merge)", NULL },
	{ "merge_method", ST_ENUM, 0, "\"memory_efficient\"", "legacy,memory_efficient", SUP_IGNORED, NULL, "LoRA / PEFT / quantized-loading option", NULL },
	/* ReLoRAConfig */
	{ "relora", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "ReLoRA (periodic adapter merging) option", NULL },
	{ "relora_prune_ratio", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "ReLoRA (periodic adapter merging) option", NULL },
	{ "relora_prune_method", ST_ENUM, 0, "\"magnitude\"", "magnitude,random,reset", SUP_NO, NULL, "ReLoRA (periodic adapter merging) option", NULL },
	{ "relora_cpu_offload", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "ReLoRA (periodic adapter merging) option", NULL },
	/* JaggedLRConfig */
	{ "jagged_restart_steps", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "jagged learning-rate restarts (ReLoRA)", NULL },
	{ "jagged_restart_warmup_steps", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "jagged learning-rate restarts (ReLoRA)", NULL },
	{ "jagged_restart_anneal_steps", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "jagged learning-rate restarts (ReLoRA)", NULL },
	/* HyperparametersConfig */
	{ "gradient_accumulation_steps", ST_INT, 0, "1", NULL, SUP_YES, NULL, "micro-batches accumulated per optimizer step", NULL },
	{ "micro_batch_size", ST_INT, 0, "1", NULL, SUP_YES, NULL, "samples (or packed rows) per forward pass", NULL },
	{ "batch_size", ST_INT, 0, NULL, NULL, SUP_YES, NULL, "samples per optimizer step (derived: micro_batch_size x gradient_accumulation_steps)", NULL },
	{ "eval_batch_size", ST_INT, 0, NULL, NULL, SUP_YES, NULL, "samples per evaluation forward pass (defaults to micro_batch_size)", NULL },
	{ "auto_find_batch_size", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "train_on_inputs", ST_BOOL, 0, "false", NULL, SUP_YES, NULL, "also train on prompt tokens, not only on responses", NULL },
	{ "group_by_length", ST_BOOL, 0, NULL, NULL, SUP_YES, NULL, "batch samples of similar length together", NULL },
	{ "learning_rate", ST_FLOAT, SF_REQUIRED, NULL, NULL, SUP_YES, NULL, "peak learning rate (a number; \"2e-4\" strings are accepted)", NULL },
	{ "embedding_lr", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "embedding_lr_scale", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "weight_decay", ST_FLOAT, 0, "0.0", NULL, SUP_YES, NULL, "AdamW decoupled weight decay", NULL },
	{ "optimizer", ST_ENUM, 0, "\"adamw_torch_fused\"", "adamw_torch,adamw_torch_fused,adamw_torch_xla,adamw_torch_npu_fused,adamw_apex_fused,adafactor,adamw_anyprecision,adamw_torch_4bit,adamw_torch_8bit,ademamix,sgd,adagrad,adamw_bnb_8bit,adamw_8bit,ademamix_8bit,lion_8bit,lion_32bit,paged_adamw_32bit,paged_adamw_8bit,paged_ademamix_32bit,paged_ademamix_8bit,paged_lion_32bit,paged_lion_8bit,rmsprop,rmsprop_bnb,rmsprop_bnb_8bit,rmsprop_bnb_32bit,galore_adamw,galore_adamw_8bit,galore_adafactor,galore_adamw_layerwise,galore_adamw_8bit_layerwise,galore_adafactor_layerwise,lomo,adalomo,grokadamw,schedule_free_radam,schedule_free_adamw,schedule_free_sgd,apollo_adamw,apollo_adamw_layerwise,stable_adamw,adamw_hf,optimi_adamw,ao_adamw_4bit,ao_adamw_8bit,ao_adamw_fp8,adopt_adamw,came_pytorch,muon,dion,sinkgd,flash_adamw,flash_adam,flash_sgd,flash_sgdw,flash_lion,q_galore_adamw8bit", SUP_YES, "adamw_torch,adamw_torch_fused,adamw_8bit,adamw_bnb_8bit,paged_adamw_8bit", "optimizer: adamw_torch, adamw_torch_fused, or an 8-bit AdamW (adamw_8bit, adamw_bnb_8bit, paged_adamw_8bit)", NULL },
	{ "optim_args", ST_STR, SF_OR_MAP, NULL, NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "optim_target_modules", ST_STRLIST, SF_OR_STR, NULL, NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "torchdistx_path", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "training hyperparameter", NULL },
	{ "lr_scheduler", ST_ENUM, 0, "\"cosine\"", "linear,cosine,cosine_with_restarts,polynomial,constant,constant_with_warmup,inverse_sqrt,reduce_lr_on_plateau,cosine_with_min_lr,cosine_warmup_with_min_lr,warmup_stable_decay,greedy,one_cycle,rex", SUP_YES, "cosine,linear,constant,constant_with_warmup", "learning-rate schedule: cosine, linear, constant, constant_with_warmup", NULL },
	{ "lr_scheduler_kwargs", ST_MAP, 0, NULL, NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "lr_quadratic_warmup", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "cosine_min_lr_ratio", ST_FLOAT, 0, NULL, NULL, SUP_YES, NULL, "cosine schedule floor as a fraction of learning_rate", NULL },
	{ "cosine_constant_lr_ratio", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "lr_div_factor", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "lr_groups", ST_LIST, 0, NULL, NULL, SUP_NO, NULL, "training hyperparameter", &model_lr_group },
	{ "adam_epsilon", ST_FLOAT, 0, NULL, NULL, SUP_YES, NULL, "AdamW epsilon (1e-8 when unset)", NULL },
	{ "adam_epsilon2", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "adam_beta1", ST_FLOAT, 0, NULL, NULL, SUP_YES, NULL, "AdamW beta1 (0.9 when unset)", NULL },
	{ "adam_beta2", ST_FLOAT, 0, NULL, NULL, SUP_YES, NULL, "AdamW beta2 (0.999 when unset)", NULL },
	{ "adam_beta3", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "dion_lr", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "dion_momentum", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "dion_rank_fraction", ST_FLOAT, 0, "1.0", NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "dion_rank_multiple_of", ST_INT, 0, "1", NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "qgalore_rank", ST_INT, 0, "256", NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "qgalore_update_proj_gap", ST_INT, 0, "200", NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "qgalore_scale", ST_FLOAT, 0, "0.25", NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "qgalore_proj_type", ST_STR, 0, "\"std\"", NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "qgalore_proj_quant", ST_BOOL, 0, "true", NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "qgalore_proj_bits", ST_INT, 0, "4", NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "qgalore_proj_group_size", ST_INT, 0, "256", NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "qgalore_cos_threshold", ST_FLOAT, 0, "0.4", NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "qgalore_gamma_proj", ST_INT, 0, "2", NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "qgalore_queue_size", ST_INT, 0, "5", NULL, SUP_NO, NULL, "training hyperparameter", NULL },
	{ "max_grad_norm", ST_FLOAT, 0, NULL, NULL, SUP_YES, NULL, "clip the global gradient norm to this value (1.0 when unset)", NULL },
	{ "num_epochs", ST_FLOAT, 0, "1.0", NULL, SUP_YES, NULL, "passes over the training data", NULL },
	/* WandbConfig */
	{ "use_wandb", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "Weights & Biases logging", NULL },
	{ "wandb_name", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Weights & Biases logging", NULL },
	{ "wandb_run_id", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Weights & Biases logging", NULL },
	{ "wandb_mode", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Weights & Biases logging", NULL },
	{ "wandb_project", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Weights & Biases logging", NULL },
	{ "wandb_entity", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Weights & Biases logging", NULL },
	{ "wandb_watch", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Weights & Biases logging", NULL },
	{ "wandb_log_model", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Weights & Biases logging", NULL },
	/* MLFlowConfig */
	{ "use_mlflow", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "MLflow logging", NULL },
	{ "mlflow_tracking_uri", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "MLflow logging", NULL },
	{ "mlflow_experiment_name", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "MLflow logging", NULL },
	{ "mlflow_run_name", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "MLflow logging", NULL },
	{ "hf_mlflow_log_artifacts", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "MLflow logging", NULL },
	/* CometConfig */
	{ "use_comet", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "Comet logging", NULL },
	{ "comet_api_key", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Comet logging", NULL },
	{ "comet_workspace", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Comet logging", NULL },
	{ "comet_project_name", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Comet logging", NULL },
	{ "comet_experiment_key", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Comet logging", NULL },
	{ "comet_mode", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Comet logging", NULL },
	{ "comet_online", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "Comet logging", NULL },
	{ "comet_experiment_config", ST_MAP, 0, NULL, NULL, SUP_IGNORED, NULL, "Comet logging", NULL },
	/* TrackioConfig */
	{ "use_trackio", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "Trackio logging", NULL },
	{ "trackio_project_name", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Trackio logging", NULL },
	{ "trackio_run_name", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Trackio logging", NULL },
	{ "trackio_space_id", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Trackio logging", NULL },
	/* OpenTelemetryConfig */
	{ "use_otel_metrics", ST_BOOL, 0, "false", NULL, SUP_IGNORED, NULL, "OpenTelemetry metrics export", NULL },
	{ "otel_metrics_host", ST_STR, 0, "\"localhost\"", NULL, SUP_IGNORED, NULL, "OpenTelemetry metrics export", NULL },
	{ "otel_metrics_port", ST_INT, 0, "8000", NULL, SUP_IGNORED, NULL, "OpenTelemetry metrics export", NULL },
	/* LISAConfig */
	{ "lisa_n_layers", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "LISA layer-wise sampling", NULL },
	{ "lisa_step_interval", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "LISA layer-wise sampling", NULL },
	{ "lisa_layers_attribute", ST_STR, 0, "\"model.layers\"", NULL, SUP_NO, NULL, "LISA layer-wise sampling", NULL },
	/* GradioConfig */
	{ "gradio_title", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Gradio inference UI", NULL },
	{ "gradio_share", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "Gradio inference UI", NULL },
	{ "gradio_server_name", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Gradio inference UI", NULL },
	{ "gradio_server_port", ST_INT, 0, NULL, NULL, SUP_IGNORED, NULL, "Gradio inference UI", NULL },
	{ "gradio_max_new_tokens", ST_INT, 0, NULL, NULL, SUP_IGNORED, NULL, "Gradio inference UI", NULL },
	{ "gradio_temperature", ST_FLOAT, 0, NULL, NULL, SUP_IGNORED, NULL, "Gradio inference UI", NULL },
	/* RayConfig */
	{ "use_ray", ST_BOOL, 0, "false", NULL, SUP_NO, NULL, "Ray distributed launch", NULL },
	{ "ray_run_name", ST_STR, 0, NULL, NULL, SUP_IGNORED, NULL, "Ray distributed launch", NULL },
	{ "ray_num_workers", ST_INT, 0, "1", NULL, SUP_NO, NULL, "Ray distributed launch", NULL },
	{ "resources_per_worker", ST_MAP, 0, "{\"GPU\":1}", NULL, SUP_NO, NULL, "Ray distributed launch", NULL },
	/* MultiModalConfig */
	{ "image_size", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "multimodal (vision) option", NULL },
	{ "image_resize_algorithm", ST_ENUM, 0, NULL, "bilinear,bicubic,lanczos", SUP_NO, NULL, "multimodal (vision) option", NULL },
	{ "role_boundaries", ST_LIST, 0, NULL, NULL, SUP_NO, NULL, "multimodal (vision) option", &model_role_boundary },
	/* RemappedParameters */
	{ "model_config", ST_MAP, 0, NULL, NULL, SUP_NO, NULL, "model loading override", NULL },
	{ "model_kwargs", ST_MAP, 0, NULL, NULL, SUP_NO, NULL, "model loading override", NULL },
	{ "model_type", ST_STR, 0, NULL, NULL, SUP_YES, NULL, "Hugging Face model class: a *ForCausalLM class (others: not yet)", NULL },
	{ "model_revision", ST_STR, 0, NULL, NULL, SUP_NO, NULL, "model loading override", NULL },
	/* DeprecatedParameters */
	{ "max_packed_sequence_len", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "deprecated option", NULL },
	{ "rope_scaling", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "deprecated option", NULL },
	{ "noisy_embedding_alpha", ST_FLOAT, 0, NULL, NULL, SUP_YES, NULL, "deprecated name of neftune_noise_alpha", NULL },
	{ "dpo_beta", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "deprecated option", NULL },
	{ "evaluation_strategy", ST_ENUM, 0, NULL, "no,steps,epoch", SUP_YES, NULL, "deprecated name of eval_strategy", NULL },
	{ "eval_table_size", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "deprecated option", NULL },
	{ "eval_max_new_tokens", ST_INT, 0, NULL, NULL, SUP_NO, NULL, "deprecated option", NULL },
	{ "dpo_use_logits_to_keep", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "deprecated option", NULL },
	{ "dpo_generate_during_eval", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "deprecated option", NULL },
	{ "dpo_norm_loss", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "deprecated option", NULL },
	{ "rpo_alpha", ST_FLOAT, 0, NULL, NULL, SUP_NO, NULL, "deprecated option", NULL },
	{ "s2_attention", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "deprecated option", NULL },
	{ "flash_attn_rms_norm", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "deprecated option", NULL },
	/* AxolotlConfigWCapabilities */
	{ "capabilities", ST_MAP, SF_REQUIRED|SF_INTERNAL, NULL, NULL, SUP_IGNORED, NULL, "GPU capabilities probed at start (internal)", NULL },
	{ "env_capabilities", ST_MAP, SF_REQUIRED|SF_INTERNAL, NULL, NULL, SUP_IGNORED, NULL, "GPU capabilities probed at start (internal)", NULL },
	/* Plugin fields (Axolotl validates them only when the plugin is listed) */
	{ "dense_mixer", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "DenseMixer plugin option", NULL },
	{ "expert_parallel_size", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "ExpertParallel plugin option", NULL },
	{ "expert_parallel_backend", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "ExpertParallel plugin option", NULL },
	{ "expert_parallel_num_nvl_bytes", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "ExpertParallel plugin option", NULL },
	{ "expert_parallel_num_rdma_bytes", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "ExpertParallel plugin option", NULL },
	{ "expert_parallel_token_capacity", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "ExpertParallel plugin option", NULL },
	{ "expert_parallel_fallback_on_unsupported", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "ExpertParallel plugin option", NULL },
	{ "grokfast_alpha", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Grokfast plugin option", NULL },
	{ "grokfast_lamb", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Grokfast plugin option", NULL },
	{ "hatchery", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Hatchery plugin option", NULL },
	{ "kd_trainer", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "KD plugin option", NULL },
	{ "kd_ce_alpha", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "KD plugin option", NULL },
	{ "kd_alpha", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "KD plugin option", NULL },
	{ "kd_temperature", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "KD plugin option", NULL },
	{ "kd_beta", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "KD plugin option", NULL },
	{ "kd_normalize_topk", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "KD plugin option", NULL },
	{ "kd_online_server_base_url", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "KD plugin option", NULL },
	{ "kd_online_topk", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "KD plugin option", NULL },
	{ "kd_online_server", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "KD plugin option", NULL },
	{ "kd_online_timeout", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "KD plugin option", NULL },
	{ "kd_temperature_min", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "KD plugin option", NULL },
	{ "expert_backend", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "nonexpert_quantization", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "moe_grouped_backend", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "moe_dequant_chunk_size", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "moe_bnb_fast", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "use_scattermoe", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "use_sonicmoe", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "use_dsv4_kernels", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "use_glm_dsa_kernels", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "dsv4_fp8_nonexpert_mode", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "dsv4_fp8_lora_kernel", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "dsv4_shared_mlp_lora_kernel", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "dsv4_bf16_all", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "dsv4_fp4_grouped_mode", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "gemma4_fp8_nonexpert", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "gemma4_nf4_nonexpert", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "nvfp4_merge_aware", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "nvfp4_merge_aware_start_step", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Kernels plugin option", NULL },
	{ "liger_rope", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "Liger kernel switch (plugin; ft has its own kernels)", NULL },
	{ "liger_rms_norm", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "Liger kernel switch (plugin; ft has its own kernels)", NULL },
	{ "liger_rms_norm_gated", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "Liger kernel switch (plugin; ft has its own kernels)", NULL },
	{ "liger_layer_norm", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "Liger kernel switch (plugin; ft has its own kernels)", NULL },
	{ "liger_swiglu", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "Liger kernel switch (plugin; ft has its own kernels)", NULL },
	{ "liger_glu_activation", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "Liger kernel switch (plugin; ft has its own kernels)", NULL },
	{ "liger_cross_entropy", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "Liger kernel switch (plugin; ft has its own kernels)", NULL },
	{ "liger_fused_linear_cross_entropy", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "Liger kernel switch (plugin; ft has its own kernels)", NULL },
	{ "liger_use_token_scaling", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "Liger kernel switch (plugin; ft has its own kernels)", NULL },
	{ "llmcompressor", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "LLMCompressor plugin option", NULL },
	{ "lm_eval_tasks", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "lm-eval harness after training (plugin)", NULL },
	{ "lm_eval_batch_size", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "lm-eval harness after training (plugin)", NULL },
	{ "lm_eval_post_train", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "lm-eval harness after training (plugin)", NULL },
	{ "lm_eval_model", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "lm-eval harness after training (plugin)", NULL },
	{ "mora", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Mora plugin option", NULL },
	{ "nemo_gym_enabled", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "NemoGym plugin option", NULL },
	{ "nemo_gym_dir", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "NemoGym plugin option", NULL },
	{ "nemo_gym_auto_clone", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "NemoGym plugin option", NULL },
	{ "nemo_gym_config_paths", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "NemoGym plugin option", NULL },
	{ "nemo_gym_head_port", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "NemoGym plugin option", NULL },
	{ "nemo_gym_server_timeout", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "NemoGym plugin option", NULL },
	{ "nemo_gym_verify_timeout", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "NemoGym plugin option", NULL },
	{ "nemo_gym_run_timeout", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "NemoGym plugin option", NULL },
	{ "nemo_gym_datasets", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "NemoGym plugin option", NULL },
	{ "nemo_gym_auto_start", ST_BOOL, 0, NULL, NULL, SUP_NO, NULL, "NemoGym plugin option", NULL },
	{ "nemo_gym_model_name", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "NemoGym plugin option", NULL },
	{ "nemo_gym_multi_turn", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "NemoGym plugin option", NULL },
	{ "nemo_gym_max_turns", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "NemoGym plugin option", NULL },
	{ "spectrum_top_fraction", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Spectrum plugin option", NULL },
	{ "spectrum_model_name", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Spectrum plugin option", NULL },
	{ "use_swanlab", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "SwanLab logging (plugin)", NULL },
	{ "swanlab_project", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "SwanLab logging (plugin)", NULL },
	{ "swanlab_experiment_name", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "SwanLab logging (plugin)", NULL },
	{ "swanlab_description", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "SwanLab logging (plugin)", NULL },
	{ "swanlab_mode", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "SwanLab logging (plugin)", NULL },
	{ "swanlab_workspace", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "SwanLab logging (plugin)", NULL },
	{ "swanlab_api_key", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "SwanLab logging (plugin)", NULL },
	{ "swanlab_log_model", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "SwanLab logging (plugin)", NULL },
	{ "swanlab_web_host", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "SwanLab logging (plugin)", NULL },
	{ "swanlab_api_host", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "SwanLab logging (plugin)", NULL },
	{ "swanlab_lark_webhook_url", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "SwanLab logging (plugin)", NULL },
	{ "swanlab_lark_secret", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "SwanLab logging (plugin)", NULL },
	{ "swanlab_log_completions", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "SwanLab logging (plugin)", NULL },
	{ "swanlab_completion_log_interval", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "SwanLab logging (plugin)", NULL },
	{ "swanlab_completion_max_buffer", ST_ANY, 0, NULL, NULL, SUP_IGNORED, NULL, "SwanLab logging (plugin)", NULL },
	{ "cut_cross_entropy", ST_BOOL, 0, NULL, NULL, SUP_IGNORED, NULL, "cut cross-entropy (plugin; ft computes the loss in chunks anyway)", NULL },
	{ "diffusion", ST_ANY, 0, NULL, NULL, SUP_NO, NULL, "Diffusion plugin option", NULL },
};
static const schema_model_t model_top = { "AxolotlInputConfig", fields_top, sizeof fields_top / sizeof fields_top[0] };

/* ---- lookups ---- */

const schema_model_t *schema_top(void) { return &model_top; }

static const schema_model_t *const dataset_models[] = {
	&model_dataset, &model_dpo, &model_kto, &model_step, &model_synth, &model_pretraining,
	&model_udp, &model_udd, &model_udk, NULL,
};

const schema_model_t *const *schema_dataset_models(void) { return dataset_models; }

const schema_model_t *schema_model_named(const char *name)
{
	for (const schema_model_t *const *m = dataset_models; *m; m++)
		if (!strcmp((*m)->name, name))
			return *m;
	return NULL;
}

const schema_field_t *schema_find(const schema_model_t *m, const char *name)
{
	if (!m || !name)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->fields[i].name, name))
			return &m->fields[i];
	return NULL;
}

int schema_list_has(const char *list, const char *v)
{
	if (!list || !v)
		return 0;
	size_t n = strlen(v);
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && !strncmp(p, v, n))
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

const char *schema_support_name(support_t s)
{
	switch (s) {
	case SUP_YES: return "supported";
	case SUP_IGNORED: return "ignored";
	default: return "not supported yet";
	}
}

const char *schema_type_name(const schema_field_t *f, char *buf, size_t n)
{
	const char *base;
	switch (f->type) {
	case ST_BOOL: base = "bool"; break;
	case ST_INT: base = "integer"; break;
	case ST_FLOAT: base = "number"; break;
	case ST_NUMBER: base = "integer or number"; break;
	case ST_STR: base = "string"; break;
	case ST_ENUM: base = "enum"; break;
	case ST_STRLIST: base = "list of strings"; break;
	case ST_INTLIST: base = "list of integers"; break;
	case ST_FLOATLIST: base = "list of numbers"; break;
	case ST_LIST: base = "list"; break;
	case ST_MAP: base = "mapping"; break;
	case ST_MODEL: base = "mapping"; break;
	case ST_DATASETS: base = "list of dataset entries"; break;
	default: base = "any"; break;
	}
	snprintf(buf, n, "%s%s%s%s%s%s%s", base, f->flags & SF_AUTO ? " or auto" : "",
		f->flags & SF_OR_BOOL ? " or bool" : "", f->flags & SF_OR_STR ? " or string" : "",
		f->flags & SF_OR_MAP ? " or mapping" : "", f->flags & SF_OR_ANYSTR ? " or string" : "",
		f->flags & SF_OR_INT ? " or integer" : "");
	return buf;
}

/* ---- generated documentation ---- */

/* roff-escape: backslashes, and a leading dot or quote would start a request. */
static void roff(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

static void comma_list(FILE *f, const char *list)
{
	for (const char *p = list; *p; p++) {
		if (*p == ',')
			fputs(", ", f);
		else if (*p == '-')
			fputs("\\-", f);
		else
			fputc(*p, f);
	}
}

static void man_fields(FILE *f, const schema_model_t *m, const char *prefix)
{
	char tb[96];
	for (size_t i = 0; i < m->n; i++) {
		const schema_field_t *fd = &m->fields[i];
		fputs(".TP\n.B ", f);
		roff(f, prefix);
		roff(f, fd->name);
		fputc('\n', f);
		roff(f, fd->doc);
		fputs(".\n.br\n", f);
		fprintf(f, "Type: %s", schema_type_name(fd, tb, sizeof tb));
		if (fd->values) {
			fputs(" (", f);
			comma_list(f, fd->values);
			fputs(")", f);
		}
		fputs(". Default: ", f);
		roff(f, fd->dflt ? fd->dflt : "unset");
		fputs(". ", f);
		if (fd->support == SUP_YES && fd->sup_values) {
			fputs("Supported values: ", f);
			comma_list(f, fd->sup_values);
			fputs("; others not yet", f);
		} else {
			fputs(schema_support_name(fd->support), f);
		}
		if (fd->flags & SF_REQUIRED)
			fputs("; required", f);
		if (fd->flags & SF_DEPRECATED)
			fputs("; deprecated in Axolotl", f);
		if (fd->flags & SF_INTERNAL)
			fputs("; set by Axolotl, not by users", f);
		fputs(".\n", f);
	}
}

void schema_write_man(FILE *f)
{
	fputs(".\\\" Generated by `ft-validate --man` from common/schema.c; do not edit.\n"
	      ".\\\" Regenerate with scripts/gen-config-man.sh.\n"
	      ".TH FT-CONFIG 5 \"\" \"ft\" \"ft manual\"\n"
	      ".SH NAME\n"
	      "ft-config \\- the YAML configuration every ft tool reads\n"
	      ".SH DESCRIPTION\n"
	      "ft reads the YAML configuration that Axolotl reads, with the same field names and\n"
	      "meanings, parsed the way PyYAML's safe_load parses it (so\n"
	      ".B 2e\\-4\n"
	      "unquoted is a string, which a number field then accepts).\n"
	      "Every field Axolotl knows is listed below with its type, default and whether ft\n"
	      "supports it:\n"
	      ".TP\n.B supported\n"
	      "validated and used by ft.\n"
	      ".TP\n.B ignored\n"
	      "harmless to ignore (logging integrations, Hugging Face Hub upload, PyTorch attention,\n"
	      "kernel and compile switches: ft has its own kernels); a config that sets any of them\n"
	      "draws one warning naming them.\n"
	      ".TP\n.B not supported yet\n"
	      "setting it to anything but its default or null is an error naming the field.\n"
	      ".PP\n"
	      "Keys ft does not know draw a warning with the nearest known name (an error under\n"
	      ".BR \"strict: true\" ).\n"
	      "Cross-field rules (for example: qlora needs load_in_4bit; warmup_steps and warmup_ratio\n"
	      "exclude each other) are checked before support, so a config gets the rule's message\n"
	      "first. Command-line overrides\n"
	      ".RB ( \\-\\-learning_rate\\ 1e\\-4 ,\n"
	      ".BR \\-\\-datasets.0.path\\ x.jsonl )\n"
	      "are applied before validation. See\n"
	      ".BR ft\\-validate (1).\n"
	      ".SH DERIVED VALUES\n"
	      "After validation ft fills, as Axolotl does: gradient_accumulation_steps from batch_size /\n"
	      "micro_batch_size; batch_size = micro_batch_size \\(mu gradient_accumulation_steps;\n"
	      "eval_batch_size = micro_batch_size; bf16: auto and tf32: auto resolve to true when the\n"
	      "machine has a GPU with bf16 (Ampere or newer) or one is declared (ft\\-validate \\-\\-gpu),\n"
	      "else false (the CPU backend is float32); torch_dtype (bfloat16, float16\n"
	      "or float32); base_model_config = base_model; tokenizer_config = base_model_config;\n"
	      "save_steps = 1/(saves_per_epoch \\(mu num_epochs) and eval_steps = 1/(evals_per_epoch \\(mu\n"
	      "num_epochs) when below 1 (a fraction of the total steps); save_strategy (steps when\n"
	      "save_steps, else epoch); eval_strategy (steps when eval_steps, else no);\n"
	      "save_total_limit 4; lr_scheduler cosine; optimizer adamw_torch_fused; seed " FT_STRINGIFY(FT_DEFAULT_SEED) ";\n"
	      "eval_sample_packing = sample_packing; pad_to_sequence_len true with sample_packing;\n"
	      "the top\\-level chat_template copied into chat_template datasets that set none\n"
	      "(tokenizer_default when neither is set); attn_implementation from the deprecated\n"
	      "*_attention flags. Warm\\-up steps (warmup_steps, else warmup_ratio \\(mu total, else\n"
	      "min(3% of total, 100), 1 becoming 2) and logging_steps (else max(min(0.5% of total,\n"
	      "10), 1)) depend on the data and are computed by ft\\-train.\n"
	      ".SH FIELDS\n", f);
	man_fields(f, &model_top, "");
	fputs(".SH NESTED FIELDS\n", f);
	const schema_model_t *nested[] = { &model_special_tokens, &model_trl, &model_vllm, &model_fsdp,
		&model_qat, &model_ptq, &model_peft, &model_loftq, &model_selckpt, &model_lr_group,
		&model_role_boundary, &model_dynckpt, &model_ebft, NULL };
	const char *prefixes[] = { "special_tokens.", "trl.", "vllm.", "fsdp_config.", "qat.",
		"quantization.", "peft.", "peft.loftq_config.", "selective_checkpointing.",
		"lr_groups[].", "role_boundaries[].", "dynamic_checkpoint.", "ebft.", NULL };
	for (int i = 0; nested[i]; i++)
		man_fields(f, nested[i], prefixes[i]);
	fputs(".SH DATASET ENTRIES\n"
	      "Entries of datasets and test_datasets. Without rl they are read as SFT entries;\n"
	      "fields of the other entry kinds (DPO, KTO, stepwise, synthetic) are known but not\n"
	      "supported yet. A type given as a mapping is a user\\-defined prompt format.\n", f);
	for (const schema_model_t *const *m = dataset_models; *m; m++) {
		fprintf(f, ".SS %s\n", (*m)->name);
		man_fields(f, *m, "");
	}
	fputs(".SH EXAMPLES\n"
	      ".nf\n"
	      "base_model: ./models/llama\n"
	      "datasets:\n"
	      "  \\- path: train.jsonl\n"
	      "    type: chat_template\n"
	      "chat_template: llama3\n"
	      "adapter: lora\n"
	      "lora_r: 16\n"
	      "lora_alpha: 32\n"
	      "lora_target_linear: true\n"
	      "micro_batch_size: 2\n"
	      "gradient_accumulation_steps: 4\n"
	      "learning_rate: 2e\\-4\n"
	      "sequence_len: 2048\n"
	      "sample_packing: true\n"
	      ".fi\n"
	      ".SH SEE ALSO\n"
	      ".BR ft\\-validate (1),\n"
	      ".BR ft (7)\n", f);
}

static void list_fields(FILE *f, const schema_model_t *m, const char *prefix)
{
	char tb[96];
	for (size_t i = 0; i < m->n; i++) {
		const schema_field_t *fd = &m->fields[i];
		fprintf(f, "%s%s\t%s\t%s\t%s\n", prefix, fd->name, schema_type_name(fd, tb, sizeof tb),
			fd->dflt ? fd->dflt : "-", schema_support_name(fd->support));
	}
}

void schema_write_list(FILE *f)
{
	list_fields(f, &model_top, "");
	list_fields(f, &model_special_tokens, "special_tokens.");
	list_fields(f, &model_dataset, "datasets[].");
}
