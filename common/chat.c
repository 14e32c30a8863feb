/* chat: the chat_template dataset type. See chat.h; the steps below follow Axolotl's
 * ChatTemplateStrategy (_tokenize_single_prompt, find_turn, get_conversation_thread,
 * transform_message) and transformers' apply_chat_template. */
#include "chat.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "fileio.h"
#include "json.h"
#include "jinja/jinja.h"

#define MAX_EOT 16

struct chat {
	const tok_t *tok;
	jinja_t *tpl;
	char *src;                   /* template text (for the EOT checks and message variables) */
	cJSON *special;              /* bos_token, eos_token, unk_token, pad_token + chat_template_kwargs */
	char *field_messages, *field_system, *field_tools, *field_training;
	char *thinking_key;          /* template_thinking_key */
	cJSON *mappings;             /* message_property_mappings: template key -> record key */
	cJSON *roles;                /* record role -> template role */
	char **roles_to_train;
	int nroles_to_train;
	char train_on_eos[8], train_on_eot[8];   /* "turn" / "all" / "last" / "none" / "" (unset) */
	int32_t eot_ids[MAX_EOT];
	int neot;
	int32_t eos_id;
	int train_on_inputs, drop_system, split_thinking, legacy, is_mistral;
};

/* ---- making ---- */

/* The tokenizer's own template: tokenizer_config.json's chat_template (a string, or a list
 * of named ones, of which "default" is used), or a chat_template.jinja file beside it. */
static char *tokenizer_template(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/chat_template.jinja", dir);
	char *s = file_read(path, NULL, FILE_OPTIONAL);
	if (s)
		return s;
	snprintf(path, sizeof path, "%s/tokenizer_config.json", dir);
	cJSON *c = json_read_file(path, FILE_OPTIONAL);
	if (!c)
		return NULL;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(c, "chat_template");
	char *out = NULL;
	if (cJSON_IsString(t)) {
		out = xstrdup(t->valuestring);
	} else if (cJSON_IsArray(t)) {
		for (const cJSON *e = t->child; e; e = e->next) {
			const cJSON *nm = cJSON_GetObjectItemCaseSensitive(e, "name");
			const cJSON *tp = cJSON_GetObjectItemCaseSensitive(e, "template");
			if (cJSON_IsString(nm) && !strcmp(nm->valuestring, "default") && cJSON_IsString(tp))
				out = xstrdup(tp->valuestring);
		}
	}
	cJSON_Delete(c);
	return out;
}

char *chat_template_source(const char *choice, const char *tok_dir, char *err, size_t errlen)
{
	if (!choice || !strcmp(choice, "tokenizer_default")) {
		char *s = tok_dir ? tokenizer_template(tok_dir) : NULL;
		if (!s)
			snprintf(err, errlen, "the tokenizer in %s has no chat_template", q(tok_dir ? tok_dir : "?"));
		return s;
	}
	const char *named_src = chat_named_template(choice);
	if (named_src)
		return xstrdup(named_src);
	char *s = file_read(choice, NULL, FILE_OPTIONAL);
	if (!s)
		snprintf(err, errlen, "%s is neither a template ft ships (chatml, llama3, ...) nor a "
				      "readable file", q(choice));
	return s;
}

static const char *ds_str(const ft_config_t *cfg, const char *key, int i, const char *f,
			  const char *dflt)
{
	char k[200];
	snprintf(k, sizeof k, "%s.%d.%s", key, i, f);
	return config_str(cfg, k, dflt);
}

static const cJSON *ds_get(const ft_config_t *cfg, const char *key, int i, const char *f)
{
	char k[200];
	snprintf(k, sizeof k, "%s.%d.%s", key, i, f);
	return config_get(cfg, k);
}

static const char *ds_where(const ft_config_t *cfg, const char *key, int i, const char *f,
			    char *buf, size_t n)
{
	char k[200];
	snprintf(k, sizeof k, "%s.%d.%s", key, i, f);
	snprintf(buf, n, "%s: %s", config_where(cfg, k), q(k));
	return buf;
}

/* Axolotl: the dataset's chat_template, else the top-level one (which overwrote the
 * tokenizer's), else the tokenizer's own. */
static char *resolve_template(const ft_config_t *cfg, const char *key, int i, const char *tok_dir,
			      char *where, size_t wn)
{
	const char *choice = ds_str(cfg, key, i, "chat_template", NULL);
	const char *jinja_src = ds_str(cfg, key, i, "chat_template_jinja", NULL);
	ds_where(cfg, key, i, "chat_template", where, wn);
	if (!choice || !strcmp(choice, "tokenizer_default")) {
		const char *top = config_str(cfg, "chat_template", NULL);
		if (top && strcmp(top, "tokenizer_default")) {
			choice = top;
			jinja_src = config_str(cfg, "chat_template_jinja", jinja_src);
			snprintf(where, wn, "%s: 'chat_template'", config_where(cfg, "chat_template"));
		} else {
			choice = "tokenizer_default";
		}
	}
	if (!strcmp(choice, "jinja")) {
		if (!jinja_src)
			ft_die(FT_EXIT_USAGE, "%s: 'jinja' needs chat_template_jinja (the template, or a "
					      "file holding it)", where);
		/* the name of a file holding the template, else the template itself */
		struct stat st;
		if (stat(jinja_src, &st) == 0 && S_ISREG(st.st_mode))
			return file_read(jinja_src, NULL, 0);
		return xstrdup(jinja_src);
	}
	const char *fallback = NULL;
	if (!strncmp(choice, "tokenizer_default_fallback_", 27)) {
		fallback = choice + 27;
		choice = "tokenizer_default";
	}
	if (!strcmp(choice, "tokenizer_default")) {
		char *s = tok_dir ? tokenizer_template(tok_dir) : NULL;
		if (s)
			return s;
		if (!fallback)
			ft_die(FT_EXIT_USAGE, "%s: the tokenizer in %s has no chat_template; name one "
					      "(chatml, llama3, qwen3, ...: see ft-tokenize(1)) or give "
					      "chat_template: jinja",
			       where, q(tok_dir ? tok_dir : "?"));
		choice = fallback;
	}
	const char *src = chat_named_template(choice);
	if (!src)
		ft_die(FT_EXIT_USAGE, "%s: the template %s is not supported yet (ft ships %s; the model's "
				      "own template is tokenizer_default; any other can be given with "
				      "chat_template: jinja)", where, q(choice), chat_named_list());
	return xstrdup(src);
}

static void add_special(cJSON *o, const char *name, const tok_t *tok, int32_t id)
{
	const char *s = id >= 0 ? tok_id_to_token(tok, id) : NULL;
	if (s)
		cJSON_AddStringToObject(o, name, s);
}

/* A single-token encoding of text, or -1. */
static int32_t single_id(const tok_t *tok, const char *text, int *ntok)
{
	tok_ids_t ids = { 0 };
	int32_t id = -1;
	*ntok = 0;
	if (!tok_encode(tok, text, strlen(text), 0, &ids)) {
		*ntok = (int)ids.n;
		if (ids.n == 1)
			id = ids.ids[0];
	}
	free(ids.ids);
	return id;
}

static void set_opt(char *dst, const cJSON *v, const char *dflt, const char *where)
{
	if (!v) {
		snprintf(dst, 8, "%s", dflt);
		return;
	}
	if (cJSON_IsString(v) && (!strcmp(v->valuestring, "turn") || !strcmp(v->valuestring, "all") ||
				  !strcmp(v->valuestring, "last") || !strcmp(v->valuestring, "none"))) {
		snprintf(dst, 8, "%s", v->valuestring);
		return;
	}
	ft_die(FT_EXIT_USAGE, "%s: must be one of turn, all, last, none", where);
}

chat_t *chat_make(const ft_config_t *cfg, const char *key, int i, const tok_t *tok,
		  const char *tok_dir)
{
	char where[400], err[512];
	chat_t *c = xcalloc(1, sizeof *c);
	c->tok = tok;
	c->src = resolve_template(cfg, key, i, tok_dir, where, sizeof where);
	c->tpl = jinja_compile(c->src, "chat_template", err, sizeof err);
	if (!c->tpl)
		ft_die(FT_EXIT_USAGE, "%s: the chat template does not compile: %s", where, err);
	if (tok_dir) {
		char low[4096];
		size_t k = 0;
		for (; tok_dir[k] && k < sizeof low - 1; k++)
			low[k] = (char)tolower((unsigned char)tok_dir[k]);
		low[k] = '\0';
		/* find_turn skips a leading system turn for mistral tokenizers (their templates
		 * do not print a lone system message); Axolotl decides by the tokenizer's name. */
		c->is_mistral = strstr(low, "mistral") != NULL;
	}

	/* special tokens as transformers passes them, then chat_template_kwargs over them */
	c->special = cJSON_CreateObject();
	add_special(c->special, "bos_token", tok, tok_bos_id(tok));
	add_special(c->special, "eos_token", tok, tok_eos_id(tok));
	add_special(c->special, "unk_token", tok, tok_unk_id(tok));
	add_special(c->special, "pad_token", tok, tok_pad_id(tok));
	const cJSON *kw = config_get(cfg, "chat_template_kwargs");
	for (const cJSON *e = cJSON_IsObject(kw) ? kw->child : NULL; e; e = e->next) {
		cJSON_DeleteItemFromObjectCaseSensitive(c->special, e->string);
		cJSON_AddItemToObject(c->special, e->string, cJSON_Duplicate(e, 1));
	}

	c->field_messages = xstrdup(ds_str(cfg, key, i, "field_messages", "messages"));
	c->field_system = xstrdup(ds_str(cfg, key, i, "field_system", "system"));
	c->field_tools = xstrdup(ds_str(cfg, key, i, "field_tools", "tools"));
	const char *ft = ds_str(cfg, key, i, "message_field_training", NULL);
	c->field_training = ft ? xstrdup(ft) : NULL;
	c->thinking_key = xstrdup(ds_str(cfg, key, i, "template_thinking_key", "reasoning_content"));
	if (ds_get(cfg, key, i, "message_field_training_detail"))
		ft_die(FT_EXIT_USAGE, "%s: not supported yet",
		       ds_where(cfg, key, i, "message_field_training_detail", where, sizeof where));

	/* message_property_mappings: default role/content (+ the thinking field) */
	const cJSON *mp = ds_get(cfg, key, i, "message_property_mappings");
	c->mappings = cJSON_CreateObject();
	if (cJSON_IsObject(mp) && mp->child) {
		for (const cJSON *e = mp->child; e; e = e->next)
			if (cJSON_IsString(e))
				cJSON_AddStringToObject(c->mappings, e->string, e->valuestring);
	} else {
		cJSON_AddStringToObject(c->mappings, "role", "role");
		cJSON_AddStringToObject(c->mappings, "content", "content");
		cJSON_AddStringToObject(c->mappings, c->thinking_key,
					ds_str(cfg, key, i, "field_thinking", "reasoning_content"));
	}
	/* roles: {template role: [record roles]}, else Axolotl's default map */
	c->roles = cJSON_CreateObject();
	const cJSON *rl = ds_get(cfg, key, i, "roles");
	if (cJSON_IsObject(rl)) {
		for (const cJSON *t = rl->child; t; t = t->next)
			for (const cJSON *s = cJSON_IsArray(t) ? t->child : NULL; s; s = s->next)
				if (cJSON_IsString(s))
					cJSON_AddStringToObject(c->roles, s->valuestring, t->string);
	} else {
		const char *def[][2] = { { "human", "user" }, { "user", "user" },
					 { "assistant", "assistant" }, { "gpt", "assistant" },
					 { "system", "system" }, { "tool", "tool" } };
		for (size_t k = 0; k < 6; k++)
			cJSON_AddStringToObject(c->roles, def[k][0], def[k][1]);
	}
	const cJSON *rt = ds_get(cfg, key, i, "roles_to_train");
	if (!rt) {
		c->roles_to_train = xcalloc(1, sizeof *c->roles_to_train);
		c->roles_to_train[c->nroles_to_train++] = xstrdup("assistant");
	} else {
		c->roles_to_train = xcalloc((size_t)cJSON_GetArraySize(rt) + 1, sizeof(char *));
		for (const cJSON *e = rt->child; e; e = e->next)
			if (cJSON_IsString(e)) {
				const cJSON *m = cJSON_GetObjectItemCaseSensitive(c->roles, e->valuestring);
				c->roles_to_train[c->nroles_to_train++] =
					xstrdup(cJSON_IsString(m) ? m->valuestring : e->valuestring);
			}
	}
	set_opt(c->train_on_eos, ds_get(cfg, key, i, "train_on_eos"), "turn",
		ds_where(cfg, key, i, "train_on_eos", where, sizeof where));
	const cJSON *eot = ds_get(cfg, key, i, "train_on_eot");
	if (eot)
		set_opt(c->train_on_eot, eot, "", ds_where(cfg, key, i, "train_on_eot", where, sizeof where));
	else
		memcpy(c->train_on_eot, c->train_on_eos, sizeof c->train_on_eot);
	c->train_on_inputs = config_bool(cfg, "train_on_inputs", 0);
	{
		char k[200];
		snprintf(k, sizeof k, "%s.%d.drop_system_message", key, i);
		c->drop_system = config_bool(cfg, k, 0);
		snprintf(k, sizeof k, "%s.%d.split_thinking", key, i);
		c->split_thinking = config_bool(cfg, k, 0);
	}
	/* Axolotl's legacy path: nothing to train by role and no EOS/EOT option: only the last
	 * turn trains. ("none" is a truthy string in Python, so it does not count as unset.) */
	c->legacy = c->nroles_to_train == 0 && !c->train_on_eos[0] && !c->train_on_eot[0] &&
		    !c->field_training;

	/* EOT tokens: eot_tokens of the config, else the EOS token (_validate_eot_and_eos_tokens) */
	c->eos_id = tok_eos_id(tok);
	const char *eos_s = c->eos_id >= 0 ? tok_id_to_token(tok, c->eos_id) : NULL;
	const cJSON *et = config_get(cfg, "eot_tokens");
	snprintf(where, sizeof where, "%s: 'eot_tokens'", config_where(cfg, "eot_tokens"));
	int eos_only = !et || (cJSON_GetArraySize(et) == 1 && eos_s &&
			       cJSON_IsString(et->child) && !strcmp(et->child->valuestring, eos_s));
	if (eos_only) {
		if (eos_s && !strstr(c->src, eos_s) && !strstr(c->src, "eos_token"))
			ft_warn("%s: the EOS token %s is not in the chat template, so no turn ends with "
				"it and it is never trained; set eot_tokens to the template's turn end",
				where, q(eos_s));
		int nt;
		int32_t id = eos_s ? single_id(tok, eos_s, &nt) : -1;
		if (id >= 0)
			c->eot_ids[c->neot++] = id;
	} else {
		int has_eos = 0;
		for (const cJSON *e = et->child; e; e = e->next) {
			if (!cJSON_IsString(e))
				continue;
			if (!strstr(c->src, e->valuestring)) {
				ft_warn("%s: %s is not in the chat template; left out", where,
					q(e->valuestring));
				continue;
			}
			int nt;
			int32_t id = single_id(tok, e->valuestring, &nt);
			if (nt == 0)
				ft_die(FT_EXIT_USAGE, "%s: %s encodes to nothing", where, q(e->valuestring));
			if (nt > 1)
				ft_die(FT_EXIT_USAGE, "%s: %s is encoded as %d tokens; add it under 'tokens:' or "
						      "override an unused added token", where,
				       q(e->valuestring), nt);
			if (c->neot < MAX_EOT)
				c->eot_ids[c->neot++] = id;
			has_eos |= eos_s && !strcmp(e->valuestring, eos_s);
		}
		if (has_eos && strcmp(c->train_on_eos, c->train_on_eot))
			ft_die(FT_EXIT_USAGE, "%s: holds the EOS token, so train_on_eos (%s) and "
					      "train_on_eot (%s) must agree", where, c->train_on_eos,
			       c->train_on_eot);
	}
	return c;
}

void chat_free(chat_t *c)
{
	if (!c)
		return;
	jinja_free(c->tpl);
	free(c->src);
	cJSON_Delete(c->special);
	cJSON_Delete(c->mappings);
	cJSON_Delete(c->roles);
	free(c->field_messages);
	free(c->field_system);
	free(c->field_tools);
	free(c->field_training);
	free(c->thinking_key);
	for (int k = 0; k < c->nroles_to_train; k++)
		free(c->roles_to_train[k]);
	free(c->roles_to_train);
	free(c);
}

/* ---- applying ---- */

/* utils/dict.py remove_none_values: nulls dropped from objects at every depth. */
static void remove_nulls(cJSON *v)
{
	if (cJSON_IsObject(v)) {
		cJSON *e = v->child;
		while (e) {
			cJSON *next = e->next;
			if (cJSON_IsNull(e))
				cJSON_Delete(cJSON_DetachItemViaPointer(v, e));
			else
				remove_nulls(e);
			e = next;
		}
	} else if (cJSON_IsArray(v)) {
		for (cJSON *e = v->child; e; e = e->next)
			remove_nulls(e);
	}
}

/* Does the template read this message key? (Axolotl asks Jinja's AST; a key named in the
 * source as .key or ['key'] is what matters, and passing one more unread key changes nothing.) */
static int template_reads(const chat_t *c, const char *k)
{
	char a[256], b[256], d[256];
	snprintf(a, sizeof a, ".%s", k);
	snprintf(b, sizeof b, "['%s']", k);
	snprintf(d, sizeof d, "[\"%s\"]", k);
	return strstr(c->src, a) || strstr(c->src, b) || strstr(c->src, d);
}

static char *strip_dup(const char *s, size_t n, int left_only)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (!left_only && n && isspace((unsigned char)s[n - 1]))
		n--;
	char *o = xmalloc(n + 1);
	memcpy(o, s, n);
	o[n] = '\0';
	return o;
}

/* transform_message: mapped properties, role remap, thinking split, template-read extras,
 * tool call arguments parsed from JSON strings. */
static int transform_message(const chat_t *c, const cJSON *m, cJSON **out, char *err, size_t en)
{
	cJSON *t = cJSON_CreateObject();
	for (const cJSON *e = c->mappings->child; e; e = e->next) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, e->valuestring);
		if (v && !cJSON_IsNull(v))
			cJSON_AddItemToObject(t, e->string, cJSON_Duplicate(v, 1));
	}
	cJSON *role = cJSON_GetObjectItemCaseSensitive(t, "role");
	if (cJSON_IsString(role)) {
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(c->roles, role->valuestring);
		if (cJSON_IsString(r))
			cJSON_SetValuestring(role, r->valuestring);
	}
	cJSON *content = cJSON_GetObjectItemCaseSensitive(t, "content");
	if (c->split_thinking && cJSON_IsString(role) && !strcmp(role->valuestring, "assistant") &&
	    cJSON_IsString(content)) {
		static const char *tp[][2] = { { "<think>", "</think>" }, { "<reasoning>", "</reasoning>" },
					       { "<|begin_of_thought|>", "<|end_of_thought|>" } };
		const char *s = content->valuestring;
		for (int k = 0; k < 3; k++) {
			const char *a = strstr(s, tp[k][0]), *b = strstr(s, tp[k][1]);
			if (!a || !b)
				continue;
			const char *ts = a + strlen(tp[k][0]);
			char *thinking = strip_dup(ts, b > ts ? (size_t)(b - ts) : 0, 0);
			cJSON_DeleteItemFromObjectCaseSensitive(t, c->thinking_key);
			cJSON_AddStringToObject(t, c->thinking_key, thinking);
			free(thinking);
			const char *rest = b + strlen(tp[k][1]);
			char *rem = strip_dup(rest, strlen(rest), 1);
			const char *cs = strstr(rem, "<|begin_of_solution|>");
			const char *ce = strstr(rem, "<|end_of_solution|>");
			char *nc;
			if (cs && ce) {
				cs += strlen("<|begin_of_solution|>");
				nc = strip_dup(cs, ce > cs ? (size_t)(ce - cs) : 0, 0);
			} else {
				nc = xstrdup(rem);
			}
			cJSON_SetValuestring(content, nc);
			free(nc);
			free(rem);
			break;
		}
	}
	for (const cJSON *e = m->child; e; e = e->next) {
		int mapped = 0;
		for (const cJSON *p = c->mappings->child; p; p = p->next)
			mapped |= !strcmp(p->valuestring, e->string);
		if (mapped || cJSON_IsNull(e) || cJSON_GetObjectItemCaseSensitive(t, e->string) ||
		    !template_reads(c, e->string))
			continue;
		cJSON_AddItemToObject(t, e->string, cJSON_Duplicate(e, 1));
	}
	cJSON *calls = cJSON_GetObjectItemCaseSensitive(t, "tool_calls");
	for (cJSON *tc = cJSON_IsArray(calls) ? calls->child : NULL; tc; tc = tc->next) {
		cJSON *fn = cJSON_GetObjectItemCaseSensitive(tc, "function");
		cJSON *args = cJSON_GetObjectItemCaseSensitive(fn, "arguments");
		if (cJSON_IsString(args)) {
			cJSON *parsed = cJSON_Parse(args->valuestring);
			if (!parsed) {
				snprintf(err, en, "tool call arguments are not valid JSON");
				cJSON_Delete(t);
				return -1;
			}
			cJSON_ReplaceItemInObjectCaseSensitive(fn, "arguments", parsed);
		}
	}
	if (content && !cJSON_IsString(content)) {
		snprintf(err, en, "message content that is not a string (a list of parts) is not "
				  "supported yet");
		cJSON_Delete(t);
		return -1;
	}
	*out = t;
	return 0;
}

/* get_conversation_thread */
static cJSON *conversation(const chat_t *c, const cJSON *rec, char *err, size_t en)
{
	const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(rec, c->field_messages);
	cJSON *parsed = NULL;
	if (cJSON_IsString(msgs)) {
		parsed = cJSON_Parse(msgs->valuestring);
		msgs = parsed;
	}
	if (!cJSON_IsArray(msgs) || !msgs->child) {
		snprintf(err, en, !msgs ? "missing field '%s'" : "'%s' is not a non-empty list of messages",
			 c->field_messages);
		cJSON_Delete(parsed);
		return NULL;
	}
	cJSON *turns = cJSON_CreateArray();
	cJSON *first = NULL;
	if (transform_message(c, msgs->child, &first, err, en))
		goto fail;
	const cJSON *r0 = cJSON_GetObjectItemCaseSensitive(first, "role");
	int first_is_system = cJSON_IsString(r0) && !strcmp(r0->valuestring, "system");
	cJSON_Delete(first);
	const cJSON *sys = cJSON_GetObjectItemCaseSensitive(rec, c->field_system);
	if (sys && !first_is_system) {
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "role", "system");
		cJSON_AddItemToObject(t, "content", cJSON_Duplicate(sys, 1));
		cJSON_AddItemToArray(turns, t);
	}
	for (const cJSON *m = msgs->child; m; m = m->next) {
		if (!cJSON_IsObject(m)) {
			snprintf(err, en, "a message is not an object");
			goto fail;
		}
		cJSON *t;
		if (transform_message(c, m, &t, err, en))
			goto fail;
		const cJSON *tr = c->field_training ?
			cJSON_GetObjectItemCaseSensitive(m, c->field_training) : NULL;
		if (tr && !cJSON_IsNull(tr))
			cJSON_AddItemToObject(t, "training", cJSON_Duplicate(tr, 1));
		cJSON_AddItemToArray(turns, t);
	}
	if (c->drop_system) {
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(turns->child, "role");
		if (cJSON_IsString(r) && !strcmp(r->valuestring, "system"))
			cJSON_Delete(cJSON_DetachItemFromArray(turns, 0));
	}
	cJSON_Delete(parsed);
	return turns;
fail:
	cJSON_Delete(turns);
	cJSON_Delete(parsed);
	return NULL;
}

/* apply_chat_template(tokenize=True): render, then encode without special tokens. */
static int render_ids(const chat_t *c, const cJSON *turns, int nturns, const cJSON *tools,
		      int add_gen, int real_last, tok_ids_t *ids, char *err, size_t en)
{
	cJSON *vars = cJSON_Duplicate(c->special, 1);
	cJSON *msgs = cJSON_AddArrayToObject(vars, "messages");
	int k = 0;
	for (const cJSON *t = turns->child; t && k < nturns; t = t->next, k++) {
		cJSON *d = cJSON_Duplicate(t, 1);
		/* training flags are Axolotl's own keys, not the template's */
		cJSON_DeleteItemFromObjectCaseSensitive(d, "training");
		cJSON_AddItemToArray(msgs, d);
	}
	cJSON_AddItemToObject(vars, "tools", tools ? cJSON_Duplicate(tools, 1) : cJSON_CreateNull());
	cJSON_AddNullToObject(vars, "documents");
	cJSON_AddBoolToObject(vars, "add_generation_prompt", add_gen);
	if (real_last)   /* Axolotl passes it only when truthy */
		cJSON_AddNumberToObject(vars, "real_last_index", real_last);
	char *text = NULL;
	size_t len = 0;
	int rc = jinja_render(c->tpl, vars, &text, &len, NULL, NULL, err, en);
	cJSON_Delete(vars);
	if (rc)
		return -1;
	ids->n = 0;
	rc = tok_encode(c->tok, text, len, 0, ids);
	free(text);
	if (rc)
		snprintf(err, en, "the rendered conversation is not valid UTF-8");
	return rc;
}

/* find_turn: [start, end) of turn idx's content, or -1s. */
static int find_turn(const chat_t *c, const cJSON *turns, int nturns, int idx, const cJSON *tools,
		     int *start, int *end, char *err, size_t en)
{
	*start = *end = -1;
	const cJSON *turn = cJSON_GetArrayItem(turns, idx);
	const cJSON *role = cJSON_GetObjectItemCaseSensitive(turn, "role");
	if (idx == 0 && cJSON_IsString(role) && !strcmp(role->valuestring, "system") && c->is_mistral)
		return 0;
	cJSON *with_empty = cJSON_CreateArray();
	int k = 0;
	for (const cJSON *t = turns->child; t && k < idx; t = t->next, k++)
		cJSON_AddItemToArray(with_empty, cJSON_Duplicate(t, 1));
	cJSON *dummy = cJSON_CreateObject();
	if (role)
		cJSON_AddItemToObject(dummy, "role", cJSON_Duplicate(role, 1));
	cJSON_AddStringToObject(dummy, "content", "[[dummy_message]]");
	cJSON_AddItemToArray(with_empty, dummy);
	tok_ids_t a = { 0 }, b = { 0 };
	int rc = -1;
	if (render_ids(c, with_empty, idx + 1, tools, 0, nturns - 1, &a, err, en) ||
	    render_ids(c, turns, idx + 1, tools, 0, nturns - 1, &b, err, en))
		goto out;
	rc = 0;
	if (!a.n || !b.n)
		goto out;
	size_t m = a.n < b.n ? a.n : b.n, s = 0, e = 0;
	int fs = 0, fe = 0;
	for (s = 0; s < m; s++)
		if (a.ids[s] != b.ids[s]) {
			fs = 1;
			break;
		}
	for (size_t i = 0; i < m; i++)
		if (a.ids[a.n - 1 - i] != b.ids[b.n - 1 - i]) {
			e = b.n - i;
			fe = 1;
			break;
		}
	if (fs && fe && e > s) {
		*start = (int)s;
		*end = (int)e;
	}
out:
	cJSON_Delete(with_empty);
	free(a.ids);
	free(b.ids);
	return rc;
}

static int first_of(const int32_t *ids, size_t n, size_t from, const int32_t *set, int nset)
{
	for (size_t i = from; i < n; i++)
		for (int k = 0; k < nset; k++)
			if (ids[i] == set[k])
				return (int)i;
	return -1;
}

/* Python truthiness of a JSON value, for the per-message training flag. */
static int truthy(const cJSON *v)
{
	return cJSON_IsTrue(v) || (cJSON_IsNumber(v) && v->valuedouble != 0) ||
	       (cJSON_IsString(v) && v->valuestring[0]) || (cJSON_IsArray(v) && v->child) ||
	       (cJSON_IsObject(v) && v->child);
}

int chat_apply(const chat_t *c, const cJSON *rec0, int32_t **ids_out, uint8_t **tr_out, size_t *n_out,
	       char *err, size_t en)
{
	cJSON *rec = cJSON_Duplicate(rec0, 1);
	remove_nulls(rec);
	tok_ids_t full = { 0 }, pr = { 0 };
	uint8_t *tr = NULL;
	int rc = -1;
	cJSON *tools = NULL;
	cJSON *turns = conversation(c, rec, err, en);
	if (!turns)
		goto out;
	int nturns = cJSON_GetArraySize(turns);

	const cJSON *tl = cJSON_GetObjectItemCaseSensitive(rec, c->field_tools);
	if (cJSON_IsString(tl)) {
		tools = cJSON_Parse(tl->valuestring);
		if (!tools) {
			snprintf(err, en, "'%s' is a string that is not JSON", c->field_tools);
			goto out;
		}
	} else if (tl) {
		tools = cJSON_Duplicate(tl, 1);
	}
	if (tools && !cJSON_IsArray(tools)) {
		snprintf(err, en, "'%s' must be a list of tools", c->field_tools);
		goto out;
	}
	for (cJSON *t = tools ? tools->child : NULL; t; t = t->next) {
		cJSON *fn = cJSON_GetObjectItemCaseSensitive(t, "function");
		cJSON *params = cJSON_GetObjectItemCaseSensitive(fn, "parameters");
		if (cJSON_IsString(params)) {
			cJSON *p = cJSON_Parse(params->valuestring);
			if (!p) {
				snprintf(err, en, "tool parameters are a string that is not JSON");
				goto out;
			}
			cJSON_ReplaceItemInObjectCaseSensitive(fn, "parameters", p);
		}
	}

	if (c->legacy) {
		/* prompt = all turns but the last with a generation prompt; the rest trains */
		if (render_ids(c, turns, nturns - 1, NULL, 1, 0, &pr, err, en) ||
		    render_ids(c, turns, nturns, NULL, 0, 0, &full, err, en))
			goto out;
		size_t np = pr.n < full.n ? pr.n : full.n;
		size_t n = np + (full.n > pr.n ? full.n - pr.n : 0);
		int32_t *ids = xmalloc((n ? n : 1) * sizeof *ids);
		if (np)
			memcpy(ids, pr.ids, np * sizeof *ids);
		if (full.n > pr.n)
			memcpy(ids + np, full.ids + pr.n, (full.n - pr.n) * sizeof *ids);
		tr = xmalloc(n ? n : 1);
		memset(tr, c->train_on_inputs, np);
		memset(tr + np, 1, n - np);
		*ids_out = ids;
		*tr_out = tr;
		*n_out = n;
		tr = NULL;
		rc = 0;
		goto out;
	}

	if (render_ids(c, turns, nturns, tools, 0, 0, &full, err, en))
		goto out;
	tr = xcalloc(full.n ? full.n : 1, 1);
	int last_eos = -1, last_eot = -1, idx = 0;
	for (const cJSON *t = turns->child; t; t = t->next, idx++) {
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(t, "role");
		const cJSON *flag = cJSON_GetObjectItemCaseSensitive(t, "training");
		int train;
		if (flag)
			train = truthy(flag);
		else {
			train = c->train_on_inputs;
			for (int k = 0; k < c->nroles_to_train && !train; k++)
				train = cJSON_IsString(role) && !strcmp(role->valuestring, c->roles_to_train[k]);
		}
		if (!train && strcmp(c->train_on_eos, "all") && strcmp(c->train_on_eot, "all"))
			continue;
		int s, e;
		if (find_turn(c, turns, nturns, idx, tools, &s, &e, err, en))
			goto out;
		if (train && s >= 0 && e >= 0)
			memset(tr + s, 1, (size_t)(e - s));
		/* EOT then EOS: the first at or after the turn's end, if within 3 tokens of it.
		 * When the turn was not found (e = -1), Axolotl's search is range(-1, n): it
		 * looks at ids[-1] first, and a match there returns -1, read as "none"; else
		 * it goes on from 0 and accepts a match only within 3 of -1. */
		for (int pass = 0; pass < 2; pass++) {
			const char *opt = pass == 0 ? c->train_on_eot : c->train_on_eos;
			const int32_t *set = pass == 0 ? c->eot_ids : &c->eos_id;
			int nset = pass == 0 ? c->neot : 1, k;
			if (e < 0) {
				if (full.n && first_of(full.ids, full.n, full.n - 1, set, nset) >= 0)
					continue;
				k = first_of(full.ids, full.n, 0, set, nset);
			} else {
				k = first_of(full.ids, full.n, (size_t)e, set, nset);
			}
			if (k < 0 || abs(k - e) > 3)
				continue;
			if (pass == 0)
				last_eot = k;
			else
				last_eos = k;
			if (!strcmp(opt, "all") || (!strcmp(opt, "turn") && train))
				tr[k] = 1;
		}
	}
	if (!strcmp(c->train_on_eot, "last") && last_eot >= 0)
		tr[last_eot] = 1;
	if (!strcmp(c->train_on_eos, "last") && last_eos >= 0)
		tr[last_eos] = 1;
	*ids_out = full.ids;
	full.ids = NULL;
	*tr_out = tr;
	*n_out = full.n;
	tr = NULL;
	rc = 0;
out:
	cJSON_Delete(turns);
	cJSON_Delete(tools);
	cJSON_Delete(rec);
	free(full.ids);
	free(pr.ids);
	free(tr);
	return rc;
}

char *chat_render(const char *src, const tok_t *tok, const cJSON *messages, const cJSON *tools,
		  int add_generation_prompt, char *err, size_t errlen)
{
	jinja_t *t = jinja_compile(src, "chat_template", err, errlen);
	if (!t)
		return NULL;
	cJSON *vars = cJSON_CreateObject();
	add_special(vars, "bos_token", tok, tok_bos_id(tok));
	add_special(vars, "eos_token", tok, tok_eos_id(tok));
	add_special(vars, "unk_token", tok, tok_unk_id(tok));
	add_special(vars, "pad_token", tok, tok_pad_id(tok));
	cJSON_AddItemToObject(vars, "messages", cJSON_Duplicate(messages, 1));
	cJSON_AddItemToObject(vars, "tools", tools ? cJSON_Duplicate(tools, 1) : cJSON_CreateNull());
	cJSON_AddNullToObject(vars, "documents");
	cJSON_AddBoolToObject(vars, "add_generation_prompt", add_generation_prompt);
	char *out = NULL;
	size_t len;
	if (jinja_render(t, vars, &out, &len, NULL, NULL, err, errlen))
		out = NULL;
	cJSON_Delete(vars);
	jinja_free(t);
	return out;
}
