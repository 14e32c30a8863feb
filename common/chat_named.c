/* chat_named: the chat templates ft ships under Axolotl's names (`chat_template: chatml`).
 *
 * Written for ft — not copied — to render the same text as the templates Axolotl ships under
 * these names (src/axolotl/utils/chat_templates/templates/NAME.jinja), which is what an
 * Axolotl user of `chat_template: NAME` trains on. Most are the families' own templates;
 * where Axolotl's differs (qwen3 opens '<think>' after the generation prompt and honours
 * real_last_index; phi_3 keeps system turns; phi_35 has no final eos; gemma starts with
 * bos_token; deepseek_v3 is V3-0324's; mistral_v7_tekken is Mistral Small 3 2501's) ft
 * follows Axolotl. Most also accept list-of-parts contents, as Axolotl's do.
 * tests/unit/test_chat_named.c renders each against the families' fixture renders and
 * (FT_AXOLOTL, an Axolotl checkout) against Axolotl's own; tests/cli/tokenize/chat-golden.sh
 * compares ft-tokenize's ids and labels with Axolotl's ChatTemplateStrategy for each name. */
#include <stdio.h>
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
	/* Qwen2.5-Instruct's: ChatML, a default system prompt, tools in the system turn */
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
	/* Qwen3's with Axolotl's changes: list contents, real_last_index (the turn whose thinking
	 * is kept when a prefix is rendered), and '<think>\n\n' after the generation prompt unless
	 * enable_thinking is false */
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
	/* gemma-7b-it's: no system role, strict alternation, contents trimmed */
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
	/* Gemma 3's: the system text opens the first user turn; images as <start_of_image> */
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
	/* Mistral v1 (7B v0.1/v0.2, Mixtral): ' [INST] ' ... ' [/INST]', system in the first turn */
	{ "mistral_v1",
	  "{%- macro text(c) -%}\n"
	  "{%- if c is string -%}{{- c -}}{%- else -%}{{- c | selectattr('type', 'equalto', 'text') | map(attribute='text') | join('') -}}{%- endif -%}\n"
	  "{%- endmacro -%}\n"
	  "{%- set has_sys = messages[0]['role'] == 'system' -%}\n"
	  "{%- if has_sys -%}{%- set sys = text(messages[0]['content']) -%}{%- endif -%}\n"
	  "{{- bos_token -}}\n"
	  "{%- for m in (messages[1:] if has_sys else messages) -%}\n"
	  "{%- if (m['role'] == 'user') != (loop.index0 is even) -%}{{- raise_exception('After the optional system message, conversation roles must alternate user/assistant/user/assistant/...') -}}{%- endif -%}\n"
	  "{%- if m['role'] == 'user' -%}\n"
	  "{{- ' [INST] ' + (sys + '\\n\\n' if has_sys and loop.first else '') + text(m['content']) + ' [/INST]' -}}\n"
	  "{%- elif m['role'] == 'assistant' -%}\n"
	  "{{- ' ' + text(m['content']) + eos_token -}}\n"
	  "{%- else -%}\n"
	  "{{- raise_exception('Only user and assistant roles are supported, with the exception of an initial optional system message!') -}}\n"
	  "{%- endif -%}\n"
	  "{%- endfor -%}" },
	/* Mistral v3 (7B v0.3, tools): system and tools in the last user turn */
	{ "mistral_v2v3",
	  "{%- macro text(c) -%}\n"
	  "{%- if c is string -%}{{- c -}}{%- else -%}{{- c | selectattr('type', 'equalto', 'text') | map(attribute='text') | join('') -}}{%- endif -%}\n"
	  "{%- endmacro -%}\n"
	  "{%- set has_sys = messages[0]['role'] == 'system' -%}\n"
	  "{%- if has_sys -%}{%- set sys = text(messages[0]['content']) -%}{%- endif -%}\n"
	  "{%- set turns = messages[1:] if has_sys else messages -%}\n"
	  "{%- set tool_list = tools if tools is defined else none -%}\n"
	  "{%- set last_user = (turns | selectattr('role', 'equalto', 'user') | list)[-1] if tool_list is not none else none -%}\n"
	  "{%- set alt = namespace(n=0) -%}\n"
	  "{%- for m in turns -%}\n"
	  "{%- if not (m.role in ['tool', 'tool_results'] or (m.tool_calls is defined and m.tool_calls is not none)) -%}\n"
	  "{%- if (m['role'] == 'user') != (alt.n is even) -%}{{- raise_exception('After the optional system message, conversation roles must alternate user/assistant/user/assistant/...') -}}{%- endif -%}\n"
	  "{%- set alt.n = alt.n + 1 -%}\n"
	  "{%- endif -%}\n"
	  "{%- endfor -%}\n"
	  "{{- bos_token -}}\n"
	  "{%- for m in turns -%}\n"
	  "{%- if m['role'] == 'user' -%}\n"
	  "{%- if tool_list is not none and m == last_user -%}\n"
	  "{{- '[AVAILABLE_TOOLS] [' -}}\n"
	  "{%- for t in tool_list -%}\n"
	  "{%- set fn = t.function -%}\n"
	  "{{- '{\"type\": \"function\", \"function\": {' -}}\n"
	  "{%- for k, v in fn.items() if k != 'return' -%}\n"
	  "{{- '\"' + k + '\": ' + ('\"' + v + '\"' if v is string else v | tojson) -}}\n"
	  "{{- '' if loop.last else ', ' -}}\n"
	  "{%- endfor -%}\n"
	  "{{- '}}' + (']' if loop.last else ', ') -}}\n"
	  "{%- endfor -%}\n"
	  "{{- '[/AVAILABLE_TOOLS]' -}}\n"
	  "{%- endif -%}\n"
	  "{{- '[INST] ' + (sys + '\\n\\n' if has_sys and loop.last else '') + text(m['content']) + '[/INST]' -}}\n"
	  "{%- elif m.tool_calls is defined and m.tool_calls is not none -%}\n"
	  "{{- '[TOOL_CALLS] [' -}}\n"
	  "{%- for call in m.tool_calls -%}\n"
	  "{{- (call.function | tojson)[:-1] -}}\n"
	  "{%- if call.id is not defined or call.id | length != 9 -%}{{- raise_exception('Tool call IDs should be alphanumeric strings with length 9!') -}}{%- endif -%}\n"
	  "{{- ', \"id\": \"' + call.id + '\"}' + (']' + eos_token if loop.last else ', ') -}}\n"
	  "{%- endfor -%}\n"
	  "{%- elif m['role'] == 'assistant' -%}\n"
	  "{{- ' ' + text(m['content']) | trim + eos_token -}}\n"
	  "{%- elif m['role'] in ['tool', 'tool_results'] -%}\n"
	  "{%- set result = m.content.content if m.content is defined and m.content.content is defined else m.content -%}\n"
	  "{{- '[TOOL_RESULTS] {\"content\": ' + result | string + ', ' -}}\n"
	  "{%- if m.tool_call_id is not defined or m.tool_call_id | length != 9 -%}{{- raise_exception('Tool call IDs should be alphanumeric strings with length 9!') -}}{%- endif -%}\n"
	  "{{- '\"call_id\": \"' + m.tool_call_id + '\"}[/TOOL_RESULTS]' -}}\n"
	  "{%- else -%}\n"
	  "{{- raise_exception('Only user and assistant roles are supported, with the exception of an initial optional system message!') -}}\n"
	  "{%- endif -%}\n"
	  "{%- endfor -%}" },
	/* Mistral v3 tekken (Nemo): as v2v3 without the spaces */
	{ "mistral_v3_tekken",
	  "{%- macro text(c) -%}\n"
	  "{%- if c is string -%}{{- c -}}{%- else -%}{{- c | selectattr('type', 'equalto', 'text') | map(attribute='text') | join('') -}}{%- endif -%}\n"
	  "{%- endmacro -%}\n"
	  "{%- set has_sys = messages[0]['role'] == 'system' -%}\n"
	  "{%- if has_sys -%}{%- set sys = text(messages[0]['content']) -%}{%- endif -%}\n"
	  "{%- set turns = messages[1:] if has_sys else messages -%}\n"
	  "{%- set tool_list = tools if tools is defined else none -%}\n"
	  "{%- set last_user = (turns | selectattr('role', 'equalto', 'user') | list)[-1] if tool_list is not none else none -%}\n"
	  "{%- set alt = namespace(n=0) -%}\n"
	  "{%- for m in turns -%}\n"
	  "{%- if not (m.role in ['tool', 'tool_results'] or (m.tool_calls is defined and m.tool_calls is not none)) -%}\n"
	  "{%- if (m['role'] == 'user') != (alt.n is even) -%}{{- raise_exception('After the optional system message, conversation roles must alternate user/assistant/user/assistant/...') -}}{%- endif -%}\n"
	  "{%- set alt.n = alt.n + 1 -%}\n"
	  "{%- endif -%}\n"
	  "{%- endfor -%}\n"
	  "{{- bos_token -}}\n"
	  "{%- for m in turns -%}\n"
	  "{%- if m['role'] == 'user' -%}\n"
	  "{%- if tool_list is not none and m == last_user -%}\n"
	  "{{- '[AVAILABLE_TOOLS][' -}}\n"
	  "{%- for t in tool_list -%}\n"
	  "{%- set fn = t.function -%}\n"
	  "{{- '{\"type\": \"function\", \"function\": {' -}}\n"
	  "{%- for k, v in fn.items() if k != 'return' -%}\n"
	  "{{- '\"' + k + '\": ' + ('\"' + v + '\"' if v is string else v | tojson) -}}\n"
	  "{{- '' if loop.last else ', ' -}}\n"
	  "{%- endfor -%}\n"
	  "{{- '}}' + (']' if loop.last else ', ') -}}\n"
	  "{%- endfor -%}\n"
	  "{{- '[/AVAILABLE_TOOLS]' -}}\n"
	  "{%- endif -%}\n"
	  "{{- '[INST]' + (sys + '\\n\\n' if has_sys and loop.last else '') + text(m['content']) + '[/INST]' -}}\n"
	  "{%- elif m.tool_calls is defined and m.tool_calls is not none -%}\n"
	  "{{- '[TOOL_CALLS][' -}}\n"
	  "{%- for call in m.tool_calls -%}\n"
	  "{{- (call.function | tojson)[:-1] -}}\n"
	  "{%- if call.id is not defined or call.id | length != 9 -%}{{- raise_exception('Tool call IDs should be alphanumeric strings with length 9!') -}}{%- endif -%}\n"
	  "{{- ', \"id\": \"' + call.id + '\"}' + (']' + eos_token if loop.last else ', ') -}}\n"
	  "{%- endfor -%}\n"
	  "{%- elif m['role'] == 'assistant' -%}\n"
	  "{{- text(m['content']) + eos_token -}}\n"
	  "{%- elif m['role'] in ['tool', 'tool_results'] -%}\n"
	  "{%- set result = m.content.content if m.content is defined and m.content.content is defined else m.content -%}\n"
	  "{{- '[TOOL_RESULTS]{\"content\": ' + result | string + ', ' -}}\n"
	  "{%- if m.tool_call_id is not defined or m.tool_call_id | length != 9 -%}{{- raise_exception('Tool call IDs should be alphanumeric strings with length 9!') -}}{%- endif -%}\n"
	  "{{- '\"call_id\": \"' + m.tool_call_id + '\"}[/TOOL_RESULTS]' -}}\n"
	  "{%- else -%}\n"
	  "{{- raise_exception('Only user and assistant roles are supported, with the exception of an initial optional system message!') -}}\n"
	  "{%- endif -%}\n"
	  "{%- endfor -%}" },
	/* Mistral Small 3 (2501): [SYSTEM_PROMPT], a dated default system prompt */
	{ "mistral_v7_tekken",
	  "{%- macro text(c) -%}\n"
	  "{%- if c is string -%}{{- c -}}{%- else -%}{{- c | selectattr('type', 'equalto', 'text') | map(attribute='text') | join('') -}}{%- endif -%}\n"
	  "{%- endmacro -%}\n"
	  "{{- bos_token -}}\n"
	  "{%- if messages[0]['role'] == 'system' -%}\n"
	  "{{- '[SYSTEM_PROMPT]' + text(messages[0]['content']) + '[/SYSTEM_PROMPT]' -}}\n"
	  "{%- else -%}\n"
	  "{{- '[SYSTEM_PROMPT]You are Mistral Small 3, a Large Language Model (LLM) created by Mistral AI, a French startup headquartered in Paris.\\nYour knowledge base was last updated on 2023-10-01. The current date is ' + strftime_now('%Y-%m-%d') + '.\\n\\nWhen you\\'re not sure about some information, you say that you don\\'t have the information and don\\'t make up anything.\\nIf the user\\'s question is not clear, ambiguous, or does not provide enough context for you to accurately answer the question, you do not try to answer it right away and you rather ask the user to clarify their request (e.g. \"What are some good restaurants around me?\" => \"Where are you?\" or \"When is the next flight to Tokyo\" => \"Where do you travel from?\")[/SYSTEM_PROMPT]' -}}\n"
	  "{%- endif -%}\n"
	  "{%- for m in (messages[1:] if messages[0]['role'] == 'system' else messages) -%}\n"
	  "{%- if m['role'] == 'user' -%}\n"
	  "{%- if m['content'] is string -%}{{- '[INST]' + m['content'] + '[/INST]' -}}\n"
	  "{%- else -%}\n"
	  "{{- '[INST]' -}}\n"
	  "{%- for part in m['content'] -%}\n"
	  "{%- if part['type'] == 'text' -%}{{- part['text'] -}}\n"
	  "{%- elif part['type'] in ['image', 'image_url'] -%}{{- '[IMG]' -}}\n"
	  "{%- else -%}{{- raise_exception('Only text and image blocks are supported in message content!') -}}\n"
	  "{%- endif -%}\n"
	  "{%- endfor -%}\n"
	  "{{- '[/INST]' -}}\n"
	  "{%- endif -%}\n"
	  "{%- elif m['role'] == 'system' -%}\n"
	  "{{- '[SYSTEM_PROMPT]' + text(m['content']) + '[/SYSTEM_PROMPT]' -}}\n"
	  "{%- elif m['role'] == 'assistant' -%}\n"
	  "{{- text(m['content']) + eos_token -}}\n"
	  "{%- else -%}\n"
	  "{{- raise_exception('Only user, system and assistant roles are supported!') -}}\n"
	  "{%- endif -%}\n"
	  "{%- endfor -%}" },
	/* Phi-3-mini's, with system turns kept (as Axolotl's) */
	{ "phi_3",
	  "{{- bos_token -}}\n"
	  "{%- for m in messages -%}\n"
	  "{%- if m['role'] == 'system' -%}{{- '<|system|>\\n' + m['content'] + '<|end|>\\n' -}}\n"
	  "{%- elif m['role'] == 'user' -%}{{- '<|user|>\\n' + m['content'] + '<|end|>\\n<|assistant|>\\n' -}}\n"
	  "{%- elif m['role'] == 'assistant' -%}{{- m['content'] + '<|end|>\\n' -}}\n"
	  "{%- endif -%}\n"
	  "{%- endfor -%}" },
	/* Phi-3.5-mini's, without the final eos_token (as Axolotl's) */
	{ "phi_35",
	  "{%- for m in messages -%}\n"
	  "{%- if m['role'] == 'system' and m['content'] -%}{{- '<|system|>\\n' + m['content'] + '<|end|>\\n' -}}\n"
	  "{%- elif m['role'] in ['user', 'assistant'] -%}{{- '<|' + m['role'] + '|>\\n' + m['content'] + '<|end|>\\n' -}}\n"
	  "{%- endif -%}\n"
	  "{%- endfor -%}\n"
	  "{%- if add_generation_prompt -%}{{- '<|assistant|>\\n' -}}{%- endif -%}" },
	/* DeepSeek-V3-0324's: system prompts first, tool calls and outputs, </think> dropped */
	{ "deepseek_v3",
	  "{%- set st = namespace(sys='', sys_seen=false, in_tool=false, first_output=true) -%}\n"
	  "{%- for m in messages if m['role'] == 'system' -%}\n"
	  "{%- set st.sys = st.sys + ('\\n\\n' if st.sys_seen else '') + m['content'] -%}\n"
	  "{%- set st.sys_seen = true -%}\n"
	  "{%- endfor -%}\n"
	  "{{- bos_token -}}{{- st.sys -}}\n"
	  "{%- for m in messages -%}\n"
	  "{%- if m['role'] == 'user' -%}\n"
	  "{%- set st.in_tool = false -%}\n"
	  "{{- '<｜User｜>' + m['content'] -}}\n"
	  "{%- elif m['role'] == 'assistant' and 'tool_calls' in m -%}\n"
	  "{%- if st.in_tool -%}{{- '<｜tool▁outputs▁end｜>' -}}{%- endif -%}\n"
	  "{%- set st.in_tool = false -%}\n"
	  "{%- for call in m['tool_calls'] -%}\n"
	  "{%- if loop.first -%}\n"
	  "{{- '<｜Assistant｜>' + ('' if m['content'] is none else m['content']) + '<｜tool▁calls▁begin｜>' -}}\n"
	  "{%- else -%}\n"
	  "{{- '\\n' -}}\n"
	  "{%- endif -%}\n"
	  "{{- '<｜tool▁call▁begin｜>' + call['type'] + '<｜tool▁sep｜>' + call['function']['name'] + '\\n```json\\n' + call['function']['arguments'] + '\\n```<｜tool▁call▁end｜>' -}}\n"
	  "{%- endfor -%}\n"
	  "{{- '<｜tool▁calls▁end｜><｜end▁of▁sentence｜>' -}}\n"
	  "{%- elif m['role'] == 'assistant' -%}\n"
	  "{%- set content = '' if m['content'] is none else m['content'] -%}\n"
	  "{%- if st.in_tool -%}\n"
	  "{{- '<｜tool▁outputs▁end｜>' + content + '<｜end▁of▁sentence｜>' -}}\n"
	  "{%- set st.in_tool = false -%}\n"
	  "{%- else -%}\n"
	  "{{- '<｜Assistant｜>' + (content.split('</think>')[-1] if '</think>' in content else content) + '<｜end▁of▁sentence｜>' -}}\n"
	  "{%- endif -%}\n"
	  "{%- elif m['role'] == 'tool' -%}\n"
	  "{{- '<｜tool▁output▁begin｜>' + m['content'] + '<｜tool▁output▁end｜>' if st.in_tool else '<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>' + m['content'] + '<｜tool▁output▁end｜>' -}}\n"
	  "{%- set st.in_tool = true -%}\n"
	  "{%- endif -%}\n"
	  "{%- endfor -%}\n"
	  "{%- if st.in_tool -%}{{- '<｜tool▁outputs▁end｜>' -}}\n"
	  "{%- elif add_generation_prompt -%}{{- '<｜Assistant｜>' -}}\n"
	  "{%- endif -%}" },
	/* Alpaca's ### Instruction / ### Response as a chat template */
	{ "alpaca",
	  "{{- bos_token -}}\n"
	  "{%- for m in messages -%}\n"
	  "{%- if m['role'] == 'system' and loop.first -%}{{- m['content'] -}}\n"
	  "{%- elif m['role'] == 'user' -%}{{- '### Instruction:\\n' + m['content'] -}}\n"
	  "{%- elif m['role'] == 'assistant' -%}{{- '### Response:\\n' + m['content'] + eos_token -}}\n"
	  "{%- endif -%}\n"
	  "{%- if not loop.last -%}{{- '\\n\\n' -}}{%- endif -%}\n"
	  "{%- endfor -%}\n"
	  "{%- if add_generation_prompt -%}{{- '\\n\\n### Response:\\n' -}}{%- endif -%}" },

	/* Cohere Command-R's: system turn, roles must alternate, contents stripped */
	{ "cohere",
	  "{{- bos_token -}}\n"
	  "{%- set has_sys = messages[0]['role'] == 'system' -%}\n"
	  "{%- if has_sys -%}{{- '<|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>' + messages[0]['content'] + '<|END_OF_TURN_TOKEN|>' -}}{%- endif -%}\n"
	  "{%- for m in (messages[1:] if has_sys else messages) -%}\n"
	  "{%- if (m['role'] == 'user') != (loop.index0 is even) -%}{{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') -}}{%- endif -%}\n"
	  "{%- if m['role'] == 'user' -%}{{- '<|START_OF_TURN_TOKEN|><|USER_TOKEN|>' + m['content'].strip() + '<|END_OF_TURN_TOKEN|>' -}}\n"
	  "{%- elif m['role'] == 'assistant' -%}{{- '<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>' + m['content'].strip() + '<|END_OF_TURN_TOKEN|>' -}}\n"
	  "{%- endif -%}\n"
	  "{%- endfor -%}\n"
	  "{%- if add_generation_prompt -%}{{- '<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>' -}}{%- endif -%}" },

};

const char *chat_named_template(const char *name)
{
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (!strcmp(named[i].name, name))
			return named[i].src;
	return NULL;
}

const char *chat_named_list(void)
{
	static char list[512];   /* for error messages only, which exit; the table is constant */
	if (!list[0]) {
		size_t k = 0;
		for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
			k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "",
					      named[i].name);
	}
	return list;
}

