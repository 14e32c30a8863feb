/* prompt: Axolotl's text dataset types, turned into ft's token records.
 *
 * One prompt_t per dataset entry, made from the config once, then applied to each JSON record
 * (on many threads: a prompt_t is read-only). The types and their arithmetic are Axolotl's
 * (prompt_tokenizers.py, prompters.py, prompt_strategies/): which text is built, where BOS and
 * EOS go, what is truncated and which tokens train. Types not listed here are refused by name
 * when the prompt is made, never approximated:
 *   completion                  `field` (default text), BOS+EOS, all tokens train, chunks of
 *                               sequence_len (less `overlap_len`)
 *   input_output                `segments` [{text, label}], no special tokens added
 *   alpaca[:chat|:chatml|:phi]  instruction/input/output; prompt masked unless train_on_inputs
 *   alpaca_chat[.load_qa|.load_camel_ai|.load_concise|.load_no_prompt],
 *   alpaca_instruct[.load_no_prompt], jeopardy, oasst, gpteacher, summarizetldr,
 *   explainchoice, concisechoice       the instruct family with other prompts and field names
 *   a mapping                   user-defined formats (field_*, format, no_input_format,
 *                               system_format, system_prompt)
 *   chat_template               conversations through a Jinja chat template (chat.c)
 * Pre-tokenized records (no type) are dataset.c's. */
#ifndef FT_PROMPT_H
#define FT_PROMPT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "tok/tokenizer.h"

typedef struct prompt prompt_t;

/* The records one input record becomes (completion may give several). */
typedef struct {
	uint32_t *tok;     /* all records back to back: id | TOK_TRAINS */
	size_t n, cap;
	uint32_t *len;     /* (nrec) */
	size_t nrec, caplen;
} prompt_out_t;

/* From datasets.I of the config (key "datasets" or "test_datasets"). Returns NULL when the entry
 * has no type (pre-tokenized). Exits 2 naming the field for a type ft does not support. */
prompt_t *prompt_make(const ft_config_t *cfg, const char *key, int i, const tok_t *tok);
/* Turns one JSON record into records appended to out. Returns 0, or -1 with a message (no
 * position: the caller adds file and line) in err. Thread-safe. */
int prompt_apply(const prompt_t *p, const cJSON *rec, prompt_out_t *out, char *err, size_t errlen);
void prompt_out_reset(prompt_out_t *o);
void prompt_out_free(prompt_out_t *o);
void prompt_free(prompt_t *p);

/* HF's tokenizer(text, truncation=True, max_length=max_len) with add_special_tokens: the text's
 * own tokens are cut so that the result with its special tokens fits max_len. Appends to ids. */
int prompt_tokenize(const tok_t *tok, const char *text, size_t len, int add_special, size_t max_len,
		    tok_ids_t *ids);

#endif
