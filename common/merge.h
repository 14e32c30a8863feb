/* merge: a LoRA adapter merged into its base, written as a Hugging Face folder — what PEFT's
 * merge_and_unload() followed by save_pretrained() produces (ft-merge, Axolotl's merge-lora).
 *
 * W += scale * B @ A in float32, then saved in the base's dtype and sharded as the base is
 * (the largest base shard as the limit reproduces save_pretrained's greedy split), with
 * config.json, generation_config.json and the tokenizer files copied. The folder appears whole
 * or not at all (temporary sibling, renamed; removed on error or SIGINT). */
#ifndef FT_MERGE_H
#define FT_MERGE_H

#include <stddef.h>

void merge_lora(const char *base, const char *adapter, const char *out);

#endif
