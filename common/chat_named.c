/* chat_named: the chat templates ft ships under Axolotl's names (`chat_template: chatml`).
 *
 * Written for ft — not copied — to render the same text as the templates Axolotl ships under
 * these names; tests/cli/tokenize/chat-golden.sh compares the token ids with Axolotl's. */
#include <string.h>

#include "chat.h"


static const struct {
	const char *name, *src;
} named[] = {
	{ "chatml",
	  "{%- for message in messages -%}"
	  "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' -}}"
	  "{%- endfor -%}"
	  "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}" },
	{ "llama3",
	  "{%- for message in messages -%}"
	  "{%- if message['content'] is string -%}{%- set text = message['content'] | trim -%}"
	  "{%- else -%}{%- set text = message['content'] | selectattr('text', 'defined') | "
	  "map(attribute='text') | join('') | trim -%}{%- endif -%}"
	  "{%- if loop.first -%}{{- bos_token -}}{%- endif -%}"
	  "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + text + "
	  "'<|eot_id|>' -}}"
	  "{%- endfor -%}"
	  "{%- if add_generation_prompt -%}"
	  "{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' -}}{%- endif -%}" },
};

const char *chat_named_template(const char *name)
{
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (!strcmp(named[i].name, name))
			return named[i].src;
	return NULL;
}

