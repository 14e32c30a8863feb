/* chat: Axolotl's `type: chat_template` — a conversation rendered by a Jinja chat template,
 * tokenized, and its turns masked by role (prompt_strategies/chat_template.py).
 *
 * The template comes from the config as Axolotl resolves it (`chat_template` of the dataset,
 * else the top-level one, else the tokenizer's own; `jinja` + `chat_template_jinja`;
 * `tokenizer_default_fallback_NAME`; the named templates ft ships). A turn's tokens are found
 * the way Axolotl finds them: the conversation up to the turn is rendered twice, once with
 * the turn's content replaced by a dummy, and the first and last differing token ids bound it.
 * EOS/EOT tokens within 3 tokens after a turn follow `train_on_eos` / `train_on_eot`. */
#ifndef FT_CHAT_H
#define FT_CHAT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "tok/tokenizer.h"

typedef struct chat chat_t;

/* From datasets.I of the config; exits 2 naming the field on a bad or unsupported setting. */
chat_t *chat_make(const ft_config_t *cfg, const char *key, int i, const tok_t *tok,
		  const char *tok_dir);
/* One record to token ids (*ids) and a trains flag per token (*trains), both malloc'd.
 * Returns 0, or -1 with a message in err. Thread-safe. */
int chat_apply(const chat_t *c, const cJSON *rec, int32_t **ids, uint8_t **trains, size_t *n,
	       char *err, size_t errlen);
void chat_free(chat_t *c);

/* The template text for a choice: NULL or "tokenizer_default" = the tokenizer's own (in
 * tok_dir), a name ft ships, or a file holding a template. malloc'd; NULL with err set. */
char *chat_template_source(const char *choice, const char *tok_dir, char *err, size_t errlen);
/* The template text ft ships for an Axolotl template name, or NULL. */
const char *chat_named_template(const char *name);
/* Their names, comma-separated, for messages. */
const char *chat_named_list(void);
/* Renders messages (+ tools, may be NULL) with template text src and the tokenizer's special
 * tokens, as transformers' apply_chat_template(tokenize=False) does; for --chat. */
char *chat_render(const char *src, const tok_t *tok, const cJSON *messages, const cJSON *tools,
		  int add_generation_prompt, char *err, size_t errlen);

#endif
