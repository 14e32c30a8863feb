/* prompt: Axolotl's completion, input_output, instruct-family and user-defined dataset types.
 * See prompt.h; the arithmetic below follows axolotl/prompt_tokenizers.py (_tokenize,
 * InstructionPromptTokenizingStrategy), prompters.py (AlpacaPrompter) and
 * prompt_strategies/{completion,input_output,user_defined,alpaca_w_system}.py. */
#include "prompt.h"

#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "diag.h"
#include "tokfile.h"

typedef enum { P_COMPLETION, P_INPUT_OUTPUT, P_INSTRUCT, P_CHAT } pkind_t;

struct prompt {
	pkind_t kind;
	const tok_t *tok;
	int train_on_inputs;
	size_t seq_len;
	/* completion */
	char *field;
	size_t overlap;
	/* instruct family */
	char *f_instruction, *f_input, *f_output, *f_system;  /* f_input, f_system may be NULL */
	char *turn_format, *turn_no_input_format, *system_format;
	char *system_prompt, *system_no_input_prompt;
	int user_defined;   /* system from the record (or system_prompt), formatted only if set */
	const char *output_prefix;   /* jeopardy: "what is " before the answer */
	int choices;        /* explainchoice/concisechoice: input from a list of choices */
	chat_t *chat;       /* chat_template */
};

/* AlpacaPrompter's styles (prompters.py). */
static const struct {
	const char *name, *turn, *turn_no_input, *system;
} styles[] = {
	{ "instruct", "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n",
	  "### Instruction:\n{instruction}\n\n### Response:\n", "{system}\n\n" },
	{ "chat", "USER: {instruction}\n{input}\nASSISTANT:", "USER: {instruction}\nASSISTANT:",
	  "SYSTEM: {system}\n" },
	{ "chatml", "<|im_start|>user\n{instruction}\n{input}<|im_end|>\n<|im_start|>assistant\n",
	  "<|im_start|>user\n{instruction}<|im_end|>\n<|im_start|>assistant\n",
	  "<|im_start|>system\n{system}<|im_end|>\n" },
	{ "phi", "<|user|>\n{instruction}<|end|>{input}<|assistant|>",
	  "<|user|>\n{instruction}<|end|>\n<|assistant|>\n", "<|system|>\n{system}<|end|>\n" },
};

static const char ALPACA_SYSTEM[] =
	"Below is an instruction that describes a task, paired with an input that provides further "
	"context. Write a response that appropriately completes the request.";
static const char ALPACA_SYSTEM_NO_INPUT[] =
	"Below is an instruction that describes a task. Write a response that appropriately "
	"completes the request.";
/* alpaca_chat.py's AlpacaChatPrompter / AlpacaConcisePrompter (their "\n\n" included). */
static const char CHAT_SYSTEM[] =
	"Below is an instruction from a USER that describes a task, paired with an input that "
	"provides further context. The ASSISTANT writes a response that concisely and "
	"appropriately completes the request.\n\n";
static const char CHAT_SYSTEM_NO_INPUT[] =
	"Below is an instruction from a USER that describes a task. The ASSISTANT writes a "
	"response that appropriately and concisely completes the request.\n\n";

static void set_fields(prompt_t *p, const char *instruction, const char *input, const char *output)
{
	free(p->f_instruction);
	free(p->f_input);
	free(p->f_output);
	p->f_instruction = xstrdup(instruction);
	p->f_input = input ? xstrdup(input) : NULL;
	p->f_output = xstrdup(output);
}

static void set_system(prompt_t *p, const char *with_input, const char *no_input)
{
	free(p->system_prompt);
	free(p->system_no_input_prompt);
	p->system_prompt = xstrdup(with_input);
	p->system_no_input_prompt = xstrdup(no_input);
}

static void set_style(prompt_t *p, const char *style, const char *where, const char *type)
{
	for (size_t i = 0; i < sizeof styles / sizeof styles[0]; i++)
		if (!strcmp(styles[i].name, style)) {
			p->turn_format = xstrdup(styles[i].turn);
			p->turn_no_input_format = xstrdup(styles[i].turn_no_input);
			p->system_format = xstrdup(styles[i].system);
			return;
		}
	ft_die(FT_EXIT_USAGE, "%s: dataset type %s: prompt style %s is not one of instruct, chat, "
			      "chatml, phi", where, q(type), q(style));
}

static const char *entry_str(const ft_config_t *cfg, const char *key, int i, const char *field,
			     const char *dflt)
{
	char k[160];
	snprintf(k, sizeof k, "%s.%d.%s", key, i, field);
	return config_str(cfg, k, dflt);
}

prompt_t *prompt_make(const ft_config_t *cfg, const char *key, int i, const tok_t *tok)
{
	char k[160], where[300];
	snprintf(k, sizeof k, "%s.%d.type", key, i);
	const cJSON *type = config_get(cfg, k);
	if (!type || (cJSON_IsString(type) && !type->valuestring[0]))
		return NULL;
	snprintf(where, sizeof where, "%s: %s", config_where(cfg, k), q(k));
	prompt_t *p = xcalloc(1, sizeof *p);
	p->tok = tok;
	p->train_on_inputs = config_bool(cfg, "train_on_inputs", 0);
	p->seq_len = (size_t)config_int(cfg, "sequence_len", 2048);

	if (cJSON_IsObject(type)) {
		/* user_defined.py: UserDefinedDatasetConfig's defaults */
		snprintf(k, sizeof k, "%s.%d.type", key, i);
		char sub[200];
#define UD(f, d) (snprintf(sub, sizeof sub, "%s.%s", k, f), config_str(cfg, sub, d))
		p->kind = P_INSTRUCT;
		p->user_defined = 1;
		p->f_instruction = xstrdup(UD("field_instruction", "instruction"));
		p->f_input = xstrdup(UD("field_input", "input"));
		p->f_output = xstrdup(UD("field_output", "output"));
		p->f_system = xstrdup(UD("field_system", "system"));
		p->turn_format = xstrdup(UD("format", "{instruction} {input} "));
		p->turn_no_input_format = xstrdup(UD("no_input_format", "{instruction} "));
		p->system_format = xstrdup(UD("system_format", "{system}"));
		p->system_prompt = xstrdup(UD("system_prompt", ""));
#undef UD
		return p;
	}
	if (!cJSON_IsString(type))
		ft_die(FT_EXIT_USAGE, "%s: must be a type name or a mapping", where);
	const char *t = type->valuestring;
	char base[128];
	const char *colon = strchr(t, ':');
	snprintf(base, sizeof base, "%.*s", colon ? (int)(colon - t) : (int)strlen(t), t);

	if (!strcmp(t, "completion")) {
		p->kind = P_COMPLETION;
		p->field = xstrdup(entry_str(cfg, key, i, "field", "text"));
		snprintf(k, sizeof k, "%s.%d.overlap_len", key, i);
		long ov = config_int(cfg, k, 0);
		if (ov < 0 || (size_t)ov >= p->seq_len)
			ft_die(FT_EXIT_USAGE, "%s: overlap_len %ld must be below sequence_len %zu", where,
			       ov, p->seq_len);
		p->overlap = (size_t)ov;
		return p;
	}
	if (!strcmp(t, "input_output")) {
		p->kind = P_INPUT_OUTPUT;
		return p;
	}
	if (!strcmp(t, "chat_template")) {
		p->kind = P_CHAT;
		p->chat = chat_make(cfg, key, i, tok,
				    config_str(cfg, "tokenizer_config", config_model_dir(cfg)));
		return p;
	}
	p->kind = P_INSTRUCT;
	p->f_instruction = xstrdup("instruction");
	p->f_input = xstrdup("input");
	p->f_output = xstrdup("output");
	p->system_prompt = xstrdup(ALPACA_SYSTEM);
	p->system_no_input_prompt = xstrdup(ALPACA_SYSTEM_NO_INPUT);
	const char *style = colon ? colon + 1 : "instruct";
	if (!strcmp(base, "alpaca")) {
		set_style(p, style, where, t);
	} else if (!strcmp(base, "jeopardy")) {          /* the instruct family of wrappers.py */
		set_style(p, style, where, t);
		set_fields(p, "question", "category", "answer");
		p->output_prefix = "what is ";
	} else if (!strcmp(base, "oasst")) {
		set_style(p, style, where, t);
		set_fields(p, "INSTRUCTION", NULL, "RESPONSE");
	} else if (!strcmp(base, "gpteacher")) {
		set_style(p, style, where, t);
		set_fields(p, "instruction", "input", "response");
	} else if (!strcmp(base, "summarizetldr")) {
		/* SummarizeTLDRPrompter: its own turns whatever the style, no system text */
		set_style(p, "instruct", where, t);
		free(p->turn_format);
		free(p->turn_no_input_format);
		free(p->system_format);
		p->turn_format = xstrdup("USER: Summarize the following article as a TL;DR.\n"
					 "{instruction}\n{input}\nASSISTANT:");
		p->turn_no_input_format = xstrdup("USER: Summarize the following article as a TL;DR.\n"
						  "{instruction}\nASSISTANT:");
		p->system_format = xstrdup("{system}");
		set_fields(p, "article", NULL, "summary");
		set_system(p, "", "");
	} else if (!strcmp(base, "explainchoice")) {
		set_style(p, style, where, t);
		set_fields(p, "question", NULL, "solution");
		p->choices = 1;
		set_system(p, "Choose the answer that best answers the question. Explain your reasoning.\n",
			   "Choose the answer that best answers the question. Explain your reasoning.\n");
	} else if (!strcmp(base, "concisechoice")) {
		/* MultipleChoiceConcisePrompter: chat turns whatever the style, plain {system} */
		set_style(p, "chat", where, t);
		free(p->system_format);
		p->system_format = xstrdup("{system}");
		set_fields(p, "question", NULL, "solution");
		p->choices = 1;
		set_system(p, "Choose the answer that best answers the question. Be concise in your "
			      "response.\n\n",
			   "Choose the answer that best answers the question. Be concise in your "
			   "response.\n\n");
	} else if (colon) {
		ft_die(FT_EXIT_USAGE, "%s: prompt styles (%s) go with 'alpaca' only", where, q(t));
	} else if (!strcmp(t, "alpaca_chat")) {
		/* the style may be changed with the entry's `conversation` */
		set_style(p, entry_str(cfg, key, i, "conversation", "chat"), where, t);
	} else if (!strcmp(t, "alpaca_chat.load_qa")) {
		set_style(p, "chat", where, t);
		set_fields(p, "question", NULL, "answer");
		set_system(p, CHAT_SYSTEM, CHAT_SYSTEM_NO_INPUT);
	} else if (!strcmp(t, "alpaca_chat.load_camel_ai")) {
		set_style(p, "chat", where, t);
		set_fields(p, "message_1", NULL, "message_2");
		set_system(p, CHAT_SYSTEM, CHAT_SYSTEM_NO_INPUT);
	} else if (!strcmp(t, "alpaca_chat.load_concise")) {
		set_style(p, "chat", where, t);
		set_system(p, CHAT_SYSTEM, CHAT_SYSTEM_NO_INPUT);
	} else if (!strcmp(t, "alpaca_chat.load_no_prompt")) {
		set_style(p, "chat", where, t);
		set_system(p, "", "");
	} else if (0) {
	} else if (!strcmp(t, "alpaca_instruct")) {
		set_style(p, "instruct", where, t);
	} else if (!strcmp(t, "alpaca_instruct.load_no_prompt")) {
		set_style(p, "instruct", where, t);
		p->system_prompt[0] = p->system_no_input_prompt[0] = '\0';
	} else {
		ft_die(FT_EXIT_USAGE, "%s: dataset type %s is not supported yet (supported: "
				      "completion, input_output, alpaca[:chat|:chatml|:phi], alpaca_chat[.load_qa|"
				      ".load_camel_ai|.load_concise|.load_no_prompt], alpaca_instruct["
				      ".load_no_prompt], jeopardy, oasst, gpteacher, summarizetldr, "
				      "explainchoice, concisechoice, "
				      "a user-defined mapping, or no type for pre-tokenized records)",
		       where, q(t));
	}
	return p;
}

void prompt_free(prompt_t *p)
{
	if (!p)
		return;
	free(p->field);
	free(p->f_instruction);
	free(p->f_input);
	free(p->f_output);
	free(p->f_system);
	free(p->turn_format);
	free(p->turn_no_input_format);
	free(p->system_format);
	free(p->system_prompt);
	free(p->system_no_input_prompt);
	chat_free(p->chat);
	free(p);
}

/* ---- output ---- */

void prompt_out_reset(prompt_out_t *o)
{
	o->n = 0;
	o->nrec = 0;
}

void prompt_out_free(prompt_out_t *o)
{
	free(o->tok);
	free(o->len);
	memset(o, 0, sizeof *o);
}

static void out_add(prompt_out_t *o, const int32_t *ids, size_t n, const uint8_t *trains)
{
	xgrow((void **)&o->tok, &o->cap, o->n + n, sizeof *o->tok);
	for (size_t i = 0; i < n; i++)
		o->tok[o->n + i] = (uint32_t)ids[i] | (trains[i] ? TOK_TRAINS : 0);
	o->n += n;
	xgrow((void **)&o->len, &o->caplen, o->nrec + 1, sizeof *o->len);
	o->len[o->nrec++] = (uint32_t)n;
}

/* ---- tokenizing as transformers' tokenizer(text, truncation=True, max_length=M) ---- */

int prompt_tokenize(const tok_t *tok, const char *text, size_t len, int add_special, size_t max_len,
		    tok_ids_t *ids)
{
	tok_ids_t full = { 0 }, bare = { 0 };
	int rc = -1;
	if (tok_encode(tok, text, len, add_special, &full))
		goto out;
	if (full.n > max_len) {
		/* Cut the text's own tokens, keeping the special ones the post-processor added
		 * around them (HF truncates before it post-processes). */
		size_t pre = 0, post = 0;
		if (add_special) {
			if (tok_encode(tok, text, len, 0, &bare))
				goto out;
			for (pre = 0; pre + bare.n <= full.n; pre++)
				if (!memcmp(full.ids + pre, bare.ids, bare.n * sizeof *bare.ids))
					break;
			if (pre + bare.n > full.n)
				pre = 0;   /* not a plain wrap: cut from the end */
			else
				post = full.n - pre - bare.n;
		}
		size_t keep = max_len > pre + post ? max_len - pre - post : 0;
		if (pre + post && pre + bare.n <= full.n) {
			memmove(full.ids + pre + keep, full.ids + pre + bare.n, post * sizeof *full.ids);
			full.n = pre + keep + post;
		}
		if (full.n > max_len)
			full.n = max_len;
	}
	xgrow((void **)&ids->ids, &ids->cap, ids->n + full.n, sizeof *ids->ids);
	if (full.n)
		memcpy(ids->ids + ids->n, full.ids, full.n * sizeof *full.ids);
	ids->n += full.n;
	rc = 0;
out:
	free(full.ids);
	free(bare.ids);
	return rc;
}

/* PromptTokenizingStrategy._tokenize: empty text gives nothing (not even BOS); EOS is
 * appended when missing and there is room; a leading BOS is dropped on request. */
static int axo_tokenize(const prompt_t *p, const char *text, size_t max_len, int add_eos,
			int strip_bos, tok_ids_t *ids, char *err, size_t errlen)
{
	ids->n = 0;
	if (!text[0])
		return 0;
	if (prompt_tokenize(p->tok, text, strlen(text), 1, max_len, ids)) {
		snprintf(err, errlen, "text is not valid UTF-8");
		return -1;
	}
	if (!ids->n)
		return 0;
	int32_t eos = tok_eos_id(p->tok), bos = tok_bos_id(p->tok);
	if (add_eos && ids->ids[ids->n - 1] != eos && ids->n < max_len) {
		if (eos < 0) {
			snprintf(err, errlen, "the tokenizer has no eos_token to end the response with");
			return -1;
		}
		xgrow((void **)&ids->ids, &ids->cap, ids->n + 1, sizeof *ids->ids);
		ids->ids[ids->n++] = eos;
	}
	if (strip_bos && bos >= 0 && ids->ids[0] == bos) {
		memmove(ids->ids, ids->ids + 1, (ids->n - 1) * sizeof *ids->ids);
		ids->n--;
	}
	return 0;
}

/* Python's str.format with named fields only: {name} replaced, {{ and }} literal braces. */
static int pyformat(const char *fmt, const char *const *names, const char *const *vals, int nv,
		    char **out, char *err, size_t errlen)
{
	size_t cap = strlen(fmt) + 64, n = 0;
	char *s = xmalloc(cap);
	for (const char *c = fmt; *c;) {
		const char *piece = c;
		size_t plen = 1;
		if (c[0] == '{' && c[1] == '{') {
			c += 2;
		} else if (c[0] == '}' && c[1] == '}') {
			piece = "}";
			c += 2;
		} else if (c[0] == '{') {
			const char *e = strchr(c, '}');
			int k = -1;
			for (int j = 0; e && j < nv; j++)
				if ((size_t)(e - c - 1) == strlen(names[j]) &&
				    !strncmp(c + 1, names[j], (size_t)(e - c - 1)))
					k = j;
			if (k < 0) {
				snprintf(err, errlen, "format %s has a field other than {instruction}, "
						      "{input}, {system}", q(fmt));
				free(s);
				return -1;
			}
			piece = vals[k];
			plen = strlen(vals[k]);
			c = e + 1;
		} else {
			c++;
		}
		xgrow((void **)&s, &cap, n + plen + 1, 1);
		memcpy(s + n, piece, plen);
		n += plen;
	}
	s[n] = '\0';
	*out = s;
	return 0;
}

/* A record's text field: missing -> NULL (and an error when required), non-string -> error. */
static int get_text(const cJSON *rec, const char *field, int required, const char **out, char *err,
		    size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, field);
	if (!v || cJSON_IsNull(v)) {
		*out = NULL;
		if (required) {
			snprintf(err, errlen, "missing field '%s'", field);
			return -1;
		}
		return 0;
	}
	if (!cJSON_IsString(v)) {
		snprintf(err, errlen, "field '%s' is not a string", field);
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

static int apply_instruct(const prompt_t *p, const cJSON *rec, prompt_out_t *out, char *err,
			  size_t errlen)
{
	const char *instruction, *input = NULL, *output = NULL, *system = NULL;
	char *choices = NULL, *prefixed = NULL;
	if (get_text(rec, p->f_instruction, 1, &instruction, err, errlen))
		return -1;
	if (p->f_input && get_text(rec, p->f_input, 0, &input, err, errlen))
		return -1;
	if (p->choices) {
		/* AlpacaMultipleChoice: '\n'.join(f'- "{choice}"'), solution else explanation */
		const cJSON *ch = cJSON_GetObjectItemCaseSensitive(rec, "choices");
		if (!cJSON_IsArray(ch)) {
			snprintf(err, errlen, "missing field 'choices' (a list)");
			return -1;
		}
		size_t cap = 16, n = 0;
		choices = xmalloc(cap);
		choices[0] = '\0';
		for (const cJSON *e = ch->child; e; e = e->next) {
			if (!cJSON_IsString(e)) {
				free(choices);
				snprintf(err, errlen, "'choices' holds a value that is not a string");
				return -1;
			}
			size_t k = strlen(e->valuestring) + 6;
			xgrow((void **)&choices, &cap, n + k + 1, 1);
			n += (size_t)sprintf(choices + n, "%s- \"%s\"", n ? "\n" : "", e->valuestring);
		}
		input = choices;
		const cJSON *sol = cJSON_GetObjectItemCaseSensitive(rec, "solution");
		if (get_text(rec, sol ? "solution" : "explanation", 1, &output, err, errlen)) {
			free(choices);
			return -1;
		}
	} else if (get_text(rec, p->f_output, !p->user_defined, &output, err, errlen)) {
		return -1;
	}
	if (p->output_prefix && output) {
		size_t k = strlen(p->output_prefix) + strlen(output) + 1;
		prefixed = xmalloc(k);
		snprintf(prefixed, k, "%s%s", p->output_prefix, output);
		output = prefixed;
	}
	if (p->user_defined && get_text(rec, p->f_system, 0, &system, err, errlen))
		return -1;
	if (!input)
		input = "";
	if (!output)
		output = "";

	/* The prompt text: AlpacaPrompter._build_result, or SystemDataPrompter for mappings. */
	const char *names[] = { "instruction", "input", "system" };
	char *sys = NULL, *turn = NULL;
	int rc = -1;
	if (p->user_defined) {
		if (!system)
			system = p->system_prompt;
		const char *vals[] = { instruction, input, system };
		if (system[0] && p->system_format[0]) {
			if (pyformat(p->system_format, names, vals, 3, &sys, err, errlen))
				goto out;
		}
	} else {
		const char *sp = input[0] ? p->system_prompt : p->system_no_input_prompt;
		const char *vals[] = { instruction, input, sp };
		if (sp[0] && pyformat(p->system_format, names, vals, 3, &sys, err, errlen))
			goto out;
	}
	{
		const char *vals[] = { instruction, input, "" };
		if (pyformat(input[0] ? p->turn_format : p->turn_no_input_format, names, vals, 2, &turn,
			     err, errlen))
			goto out;
	}
	size_t n = (sys ? strlen(sys) : 0) + strlen(turn);
	char *user = xmalloc(n + 1);
	snprintf(user, n + 1, "%s%s", sys ? sys : "", turn);

	tok_ids_t a = { 0 }, b = { 0 };
	if (!axo_tokenize(p, user, p->seq_len, 0, 0, &a, err, errlen) &&
	    !axo_tokenize(p, output, p->seq_len, 1, 1, &b, err, errlen)) {
		size_t total = a.n + b.n;
		int32_t *ids = xmalloc((total ? total : 1) * sizeof *ids);
		uint8_t *tr = xmalloc(total ? total : 1);
		/* (memcpy from a NULL buffer is undefined even for 0 bytes) */
		if (a.n)
			memcpy(ids, a.ids, a.n * sizeof *ids);
		if (b.n)
			memcpy(ids + a.n, b.ids, b.n * sizeof *ids);
		memset(tr, p->train_on_inputs, a.n);
		memset(tr + a.n, 1, b.n);
		out_add(out, ids, total, tr);
		free(ids);
		free(tr);
		rc = 0;
	}
	free(a.ids);
	free(b.ids);
	free(user);
out:
	free(sys);
	free(turn);
	free(choices);
	free(prefixed);
	return rc;
}

static int apply_completion(const prompt_t *p, const cJSON *rec, prompt_out_t *out, char *err,
			    size_t errlen)
{
	const char *text;
	if (get_text(rec, p->field, 1, &text, err, errlen))
		return -1;
	tok_ids_t ids = { 0 };
	/* completion.py tokenizes up to 64 sequences' worth, then cuts it into sequence_len
	 * chunks that advance by sequence_len - overlap_len; every token trains. */
	if (axo_tokenize(p, text, 64 * p->seq_len, 1, 0, &ids, err, errlen)) {
		free(ids.ids);
		return -1;
	}
	size_t step = p->seq_len - p->overlap;
	uint8_t *tr = xmalloc(p->seq_len);
	memset(tr, 1, p->seq_len);
	for (size_t i = 0; i < ids.n; i += step) {
		size_t k = ids.n - i < p->seq_len ? ids.n - i : p->seq_len;
		out_add(out, ids.ids + i, k, tr);
	}
	free(tr);
	free(ids.ids);
	return 0;
}

static int apply_input_output(const prompt_t *p, const cJSON *rec, prompt_out_t *out, char *err,
			      size_t errlen)
{
	const cJSON *segs = cJSON_GetObjectItemCaseSensitive(rec, "segments");
	if (!cJSON_IsArray(segs)) {
		snprintf(err, errlen, segs ? "'segments' is not a list" : "missing field 'segments'");
		return -1;
	}
	tok_ids_t all = { 0 }, one = { 0 };
	uint8_t *tr = NULL;
	size_t ctr = 0;
	int k = 0;
	for (const cJSON *s = segs->child; s; s = s->next, k++) {
		const cJSON *text = cJSON_GetObjectItemCaseSensitive(s, "text");
		const cJSON *label = cJSON_GetObjectItemCaseSensitive(s, "label");
		if (!cJSON_IsString(text)) {
			snprintf(err, errlen, "'segments'[%d].text is missing or not a string", k);
			goto fail;
		}
		if (tok_encode(p->tok, text->valuestring, strlen(text->valuestring), 0, &one)) {
			snprintf(err, errlen, "'segments'[%d].text is not valid UTF-8", k);
			goto fail;
		}
		/* Python truthiness of the label, as `if label or train_on_inputs` reads it */
		int on = cJSON_IsTrue(label) || (cJSON_IsNumber(label) && label->valuedouble != 0) ||
			 (cJSON_IsString(label) && label->valuestring[0]);
		xgrow((void **)&all.ids, &all.cap, all.n + one.n, sizeof *all.ids);
		xgrow((void **)&tr, &ctr, all.n + one.n, 1);
		if (one.n)
			memcpy(all.ids + all.n, one.ids, one.n * sizeof *one.ids);
		memset(tr + all.n, on || p->train_on_inputs, one.n);
		all.n += one.n;
	}
	out_add(out, all.ids, all.n, tr);
	free(all.ids);
	free(one.ids);
	free(tr);
	return 0;
fail:
	free(all.ids);
	free(one.ids);
	free(tr);
	return -1;
}

int prompt_apply(const prompt_t *p, const cJSON *rec, prompt_out_t *out, char *err, size_t errlen)
{
	if (!cJSON_IsObject(rec)) {
		snprintf(err, errlen, "record is not a JSON object");
		return -1;
	}
	switch (p->kind) {
	case P_COMPLETION: return apply_completion(p, rec, out, err, errlen);
	case P_INPUT_OUTPUT: return apply_input_output(p, rec, out, err, errlen);
	case P_INSTRUCT: return apply_instruct(p, rec, out, err, errlen);
	case P_CHAT: {
		int32_t *ids;
		uint8_t *tr;
		size_t n;
		if (chat_apply(p->chat, rec, &ids, &tr, &n, err, errlen))
			return -1;
		out_add(out, ids, n, tr);
		free(ids);
		free(tr);
		return 0;
	}
	}
	return -1;
}
