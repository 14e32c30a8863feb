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
	/* BEGIN generated */
	{ "qwen_25",
	  "{%- set sys = messages[0]['content'] if messages[0]['role'] == 'system' else 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' -%}\n"
	  "{%- if tools -%}\n"
	  "{{- '<|im_start|>system\\n' -}}{{- sys -}}\n"
	  "{{- '\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>' -}}\n"
	  "{%- for t in tools -%}{{- '\\n' + t | tojson -}}{%- endfor -%}\n"
	  "{{- '\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\\n</tool_call>' -}}\n"
	  "{%- else -%}\n"
	  "{{- '<|im_start|>system\\n' + sys -}}\n"
	  "{%- endif -%}\n"
	  "{{- '<|im_end|>\\n' -}}\n"
	  "{%- for m in messages -%}\n"
	  "{%- if m.role == 'tool' -%}\n"
	  "{%- if loop.first or messages[loop.index0 - 1].role != 'tool' -%}{{- '<|im_start|>user' -}}{%- endif -%}\n"
	  "{{- '\\n<tool_response>\\n' + m.content + '\\n</tool_response>' -}}\n"
	  "{%- if loop.last or messages[loop.index0 + 1].role != 'tool' -%}{{- '<|im_end|>\\n' -}}{%- endif -%}\n"
	  "{%- elif m.role == 'assistant' and m.tool_calls -%}\n"
	  "{{- '<|im_start|>assistant' -}}\n"
	  "{%- if m.content -%}{{- '\\n' + m.content -}}{%- endif -%}\n"
	  "{%- for call in m.tool_calls -%}\n"
	  "{%- set f = call.function if call.function is defined else call -%}\n"
	  "{{- '\\n<tool_call>\\n{\"name\": \"' -}}{{- f.name -}}{{- '\", \"arguments\": ' -}}{{- f.arguments | tojson -}}{{- '}\\n</tool_call>' -}}\n"
	  "{%- endfor -%}\n"
	  "{{- '<|im_end|>\\n' -}}\n"
	  "{%- elif m.role == 'user' or m.role == 'assistant' or (m.role == 'system' and not loop.first) -%}\n"
	  "{{- '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' -}}\n"
	  "{%- endif -%}\n"
	  "{%- endfor -%}\n"
	  "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}" },
	{ "qwen3",
	  "{%- macro text(c) -%}\n"
	  "{%- if c is string -%}{{- c -}}{%- else -%}{%- for part in c -%}{%- if 'text' in part -%}{{- part['text'] -}}{%- endif -%}{%- endfor -%}{%- endif -%}\n"
	  "{%- endmacro -%}\n"
	  "{%- set has_sys = messages[0].role == 'system' -%}\n"
	  "{%- if tools -%}\n"
	  "{{- '<|im_start|>system\\n' -}}\n"
	  "{%- if has_sys -%}{{- text(messages[0].content) + '\\n\\n' -}}{%- endif -%}\n"
	  "{{- '# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>' -}}\n"
	  "{%- for t in tools -%}{{- '\\n' -}}{{- t | tojson -}}{%- endfor -%}\n"
	  "{{- '\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\\n</tool_call><|im_end|>\\n' -}}\n"
	  "{%- elif has_sys -%}\n"
	  "{{- '<|im_start|>system\\n' + text(messages[0].content) + '<|im_end|>\\n' -}}\n"
	  "{%- endif -%}\n"
	  "{%- set st = namespace(searching=true, last_query=messages|length - 1) -%}\n"
	  "{%- for m in messages | reverse -%}\n"
	  "{%- if st.searching and m.role == 'user' and not (m.content is string and m.content.startswith('<tool_response>') and m.content.endswith('</tool_response>')) -%}\n"
	  "{%- set st.searching = false -%}\n"
	  "{%- set st.last_query = messages|length - loop.index -%}\n"
	  "{%- endif -%}\n"
	  "{%- endfor -%}\n"
	  "{%- set final = real_last_index if real_last_index is defined and real_last_index is not none else messages|length - 1 -%}\n"
	  "{%- for m in messages -%}\n"
	  "{%- if m.role == 'user' or (m.role == 'system' and not loop.first) -%}\n"
	  "{{- '<|im_start|>' + m.role + '\\n' + text(m.content) + '<|im_end|>\\n' -}}\n"
	  "{%- elif m.role == 'assistant' -%}\n"
	  "{%- set content = '' if m.content is none else text(m.content) -%}\n"
	  "{%- if m.reasoning_content is string -%}\n"
	  "{%- set thought = m.reasoning_content -%}\n"
	  "{%- elif '</think>' in content -%}\n"
	  "{%- set thought = content.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') -%}\n"
	  "{%- set content = content.split('</think>')[-1].lstrip('\\n') -%}\n"
	  "{%- else -%}\n"
	  "{%- set thought = '' -%}\n"
	  "{%- endif -%}\n"
	  "{%- if loop.index0 > st.last_query and (loop.index0 == final or thought) -%}\n"
	  "{{- '<|im_start|>assistant\\n<think>\\n' + thought.strip('\\n') + '\\n</think>\\n\\n' + content.lstrip('\\n') -}}\n"
	  "{%- else -%}\n"
	  "{{- '<|im_start|>assistant\\n' + content -}}\n"
	  "{%- endif -%}\n"
	  "{%- for call in m.tool_calls or [] -%}\n"
	  "{%- if content or not loop.first -%}{{- '\\n' -}}{%- endif -%}\n"
	  "{%- set f = call.function if call.function else call -%}\n"
	  "{{- '<tool_call>\\n{\"name\": \"' -}}{{- f.name -}}{{- '\", \"arguments\": ' -}}\n"
	  "{%- if f.arguments is string -%}{{- f.arguments -}}{%- else -%}{{- f.arguments | tojson -}}{%- endif -%}\n"
	  "{{- '}\\n</tool_call>' -}}\n"
	  "{%- endfor -%}\n"
	  "{{- '<|im_end|>\\n' -}}\n"
	  "{%- elif m.role == 'tool' -%}\n"
	  "{%- if loop.first or messages[loop.index0 - 1].role != 'tool' -%}{{- '<|im_start|>user' -}}{%- endif -%}\n"
	  "{{- '\\n<tool_response>\\n' + text(m.content) + '\\n</tool_response>' -}}\n"
	  "{%- if loop.last or messages[loop.index0 + 1].role != 'tool' -%}{{- '<|im_end|>\\n' -}}{%- endif -%}\n"
	  "{%- endif -%}\n"
	  "{%- endfor -%}\n"
	  "{%- if add_generation_prompt -%}\n"
	  "{{- '<|im_start|>assistant\\n' -}}\n"
	  "{{- '<think>\\n\\n</think>\\n\\n' if enable_thinking is defined and enable_thinking is false else '<think>\\n\\n' -}}\n"
	  "{%- endif -%}" },
	{ "gemma",
	  "{{- bos_token -}}\n"
	  "{%- if messages[0]['role'] == 'system' -%}{{- raise_exception('System role not supported') -}}{%- endif -%}\n"
	  "{%- for m in messages -%}\n"
	  "{%- if (m['role'] == 'user') != (loop.index0 is even) -%}{{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') -}}{%- endif -%}\n"
	  "{{- '<start_of_turn>' + ('model' if m['role'] == 'assistant' else m['role']) + '\\n' -}}\n"
	  "{%- if m['content'] is string -%}{{- m['content'] | trim -}}\n"
	  "{%- else -%}{%- for part in m['content'] -%}{%- if 'text' in part -%}{{- part['text'] | trim -}}{%- endif -%}{%- endfor -%}\n"
	  "{%- endif -%}\n"
	  "{{- '<end_of_turn>\\n' -}}\n"
	  "{%- endfor -%}\n"
	  "{%- if add_generation_prompt -%}{{- '<start_of_turn>model\\n' -}}{%- endif -%}" },
	{ "gemma3",
	  "{{- bos_token -}}\n"
	  "{%- if messages[0]['role'] == 'system' -%}\n"
	  "{%- if messages[0]['content'] is string -%}\n"
	  "{%- set prefix = messages[0]['content'] + '\\n\\n' -%}\n"
	  "{%- else -%}\n"
	  "{%- set acc = namespace(s='') -%}\n"
	  "{%- for part in messages[0]['content'] -%}{%- if 'text' in part -%}{%- set acc.s = acc.s + part['text'] -%}{%- endif -%}{%- endfor -%}\n"
	  "{%- set prefix = acc.s + '\\n\\n' -%}\n"
	  "{%- endif -%}\n"
	  "{%- set turns = messages[1:] -%}\n"
	  "{%- else -%}\n"
	  "{%- set prefix = '' -%}\n"
	  "{%- set turns = messages -%}\n"
	  "{%- endif -%}\n"
	  "{%- for m in turns -%}\n"
	  "{%- if (m['role'] == 'user') != (loop.index0 is even) -%}{{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') -}}{%- endif -%}\n"
	  "{{- '<start_of_turn>' + ('model' if m['role'] == 'assistant' else m['role']) + '\\n' + (prefix if loop.first else '') -}}\n"
	  "{%- if m['content'] is string -%}{{- m['content'] | trim -}}\n"
	  "{%- elif m['content'] is iterable -%}\n"
	  "{%- for part in m['content'] -%}\n"
	  "{%- if part['type'] == 'image' -%}{{- '<start_of_image>' -}}{%- elif part['type'] == 'text' -%}{{- part['text'] | trim -}}{%- endif -%}\n"
	  "{%- endfor -%}\n"
	  "{%- else -%}{{- raise_exception('Invalid content type') -}}\n"
	  "{%- endif -%}\n"
	  "{{- '<end_of_turn>\\n' -}}\n"
	  "{%- endfor -%}\n"
	  "{%- if add_generation_prompt -%}{{- '<start_of_turn>model\\n' -}}{%- endif -%}" },

	/* END generated */
};

const char *chat_named_template(const char *name)
{
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (!strcmp(named[i].name, name))
			return named[i].src;
	return NULL;
}

