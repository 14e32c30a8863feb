/* ft-tokenize: datasets of a config to a .ftt tokens file (and its validation split).
 *
 * Reads every entry of `datasets:` as Axolotl does, prepares them (merge, shuffle, length
 * policy, dedup, split — common/dataset.c) and writes the training records to -o (stdout by
 * default, never to a terminal) and the validation records, when there are any, beside it.
 *
 * Debug modes for people and tests, one JSON value a line from stdin to stdout:
 * --encode (JSON strings in, id arrays out) and --decode (the reverse), with the tokenizer
 * of --tokenizer DIR or of the config's model. */
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "config.h"
#include "dataset.h"
#include "diag.h"
#include "json.h"
#include "opts.h"
#include "tok/tokenizer.h"
#include "tokfile.h"

static const char *config_file, *output, *val_output, *tokenizer_dir;
static const char *template_choice;
static int encode, decode, chat, add_special, skip_special, add_generation_prompt;

static const opt_t options[] = {
	{ "config", 'c', OPT_STR, &config_file, "CONFIG", "the Axolotl YAML config (required)", 0, 0 },
	{ "output", 'o', OPT_STR, &output, "FILE", "write the training records here (default: stdout)", 0, 0 },
	{ "val-output", 0, OPT_STR, &val_output, "FILE",
	  "write the validation records here (default: OUTPUT with .val.ftt)", 0, 0 },
	{ "tokenizer", 't', OPT_STR, &tokenizer_dir, "DIR",
	  "the model folder whose tokenizer.json to use (default: the config's model)", 0, 0 },
	{ "encode", 0, OPT_FLAG, &encode, NULL, "read JSON strings, write their token ids", 0, 0 },
	{ "decode", 0, OPT_FLAG, &decode, NULL, "read JSON arrays of ids, write the text", 0, 0 },
	{ "add-special-tokens", 0, OPT_FLAG, &add_special, NULL,
	  "--encode: apply the post-processor (BOS/EOS) as add_special_tokens=True", 0, 0 },
	{ "skip-special-tokens", 0, OPT_FLAG, &skip_special, NULL,
	  "--decode: leave out special tokens", 0, 0 },
	{ "chat", 0, OPT_FLAG, &chat, NULL,
	  "read {\"messages\": [...], \"tools\": [...]}, write {\"text\", \"ids\"} of the chat template", 0, 0 },
	{ "add-generation-prompt", 0, OPT_FLAG, &add_generation_prompt, NULL,
	  "--chat: end with the template's generation prompt", 0, 0 },
	{ "template", 0, OPT_STR, &template_choice, "NAME|FILE",
	  "--chat: a template ft ships or a file (default: the tokenizer's own)", 0, 0 },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
};

static const opt_spec_t spec = {
	.name = "ft-tokenize",
	.synopsis = "-c CONFIG [-o FILE] [--val-output FILE] [--FIELD VALUE ...]\n"
		    "       ft-tokenize (--tokenizer DIR | -c CONFIG) --encode [--add-special-tokens]\n"
		    "       ft-tokenize (--tokenizer DIR | -c CONFIG) --decode [--skip-special-tokens]\n"
		    "       ft-tokenize (--tokenizer DIR | -c CONFIG) --chat [--add-generation-prompt] "
		    "[--template NAME|FILE]",
	.summary = "Tokenize the datasets of a config into a .ftt file, or encode and decode lines.",
	.opts = options,
	.min_args = 0,
	.max_args = 0,
	.overrides = 1,
};

/* train.ftt -> train.val.ftt; anything else gets .val.ftt appended. */
static char *val_name(const char *out)
{
	size_t n = strlen(out);
	char *s = xmalloc(n + 16);
	if (n > 4 && !strcmp(out + n - 4, ".ftt"))
		snprintf(s, n + 16, "%.*s.val.ftt", (int)(n - 4), out);
	else
		snprintf(s, n + 16, "%s.val.ftt", out);
	return s;
}

static cJSON *metadata(const ft_config_t *cfg, const char *split, const char *tokenizer)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "kind", "sft");
	cJSON_AddStringToObject(m, "split", split);
	if (tokenizer[0])
		cJSON_AddStringToObject(m, "tokenizer", tokenizer);
	else
		cJSON_AddNullToObject(m, "tokenizer");   /* pre-tokenized: made by no tokenizer of ours */
	cJSON_AddStringToObject(m, "config", config_fingerprint(cfg));
	cJSON_AddNumberToObject(m, "sequence_len", (double)config_int(cfg, "sequence_len", 2048));
	cJSON *ds = cJSON_AddArrayToObject(m, "datasets");
	const cJSON *list = config_get(cfg, strcmp(split, "val") || !config_get(cfg, "test_datasets")
						    ? "datasets" : "test_datasets");
	for (const cJSON *e = list ? list->child : NULL; e; e = e->next) {
		cJSON *d = cJSON_CreateObject();
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "path");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "type");
		cJSON_AddItemToObject(d, "path", p ? cJSON_Duplicate(p, 1) : cJSON_CreateNull());
		cJSON_AddItemToObject(d, "type", t ? cJSON_Duplicate(t, 1) : cJSON_CreateNull());
		cJSON_AddItemToArray(ds, d);
	}
	return m;
}

static void write_set(const ft_config_t *cfg, const recset_t *s, outfile_t *out,
		      const char *split, const char *tokenizer)
{
	cJSON *meta = metadata(cfg, split, tokenizer);
	tokfile_writer_t *w = tokfile_create(out, TOKFILE_FTT, meta);
	cJSON_Delete(meta);
	for (size_t i = 0; i < s->n; i++)
		tokfile_write_record(w, recset_get(s, i), recset_len(s, i));
	tokfile_finish(w, NULL);
}

/* --chat: conversations through the chat template, as apply_chat_template(tokenize=False)
 * then the tokenizer without added special tokens. */
static void chat_mode(const tok_t *tok, const char *tok_dir)
{
	char err[1024];
	char *src = chat_template_source(template_choice, tok_dir, err, sizeof err);
	if (!src)
		ft_die(FT_EXIT_USAGE, "--template: %s", err);
	char *line = NULL;
	size_t cap = 0;
	long nline = 0;
	ssize_t len;
	tok_ids_t ids = { 0 };
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		nline++;
		cJSON *v = cJSON_ParseWithLength(line, (size_t)len);
		const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(v, "messages");
		if (!cJSON_IsArray(msgs))
			ft_die(FT_EXIT_DATA, "'<stdin>':%ld: expected {\"messages\": [...]}", nline);
		const cJSON *tools = cJSON_GetObjectItemCaseSensitive(v, "tools");
		char *text = chat_render(src, tok, msgs, cJSON_IsNull(tools) ? NULL : tools,
					 add_generation_prompt, err, sizeof err);
		if (!text)
			ft_die(FT_EXIT_DATA, "'<stdin>':%ld: %s", nline, err);
		if (tok_encode(tok, text, strlen(text), 0, &ids))
			ft_die(FT_EXIT_DATA, "'<stdin>':%ld: the render is not valid UTF-8", nline);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "text", text);
		cJSON *a = cJSON_AddArrayToObject(o, "ids");
		for (size_t i = 0; i < ids.n; i++)
			cJSON_AddItemToArray(a, cJSON_CreateNumber(ids.ids[i]));
		json_write_canonical(stdout, o);
		putchar('\n');
		cJSON_Delete(o);
		cJSON_Delete(v);
		free(text);
	}
	free(ids.ids);
	free(line);
	free(src);
}

/* --encode / --decode: one JSON value a line, in batches encoded on all cores. */
static void debug_mode(const tok_t *tok)
{
	enum { BATCH = 4096 };
	char **texts = xcalloc(BATCH, sizeof *texts);
	size_t *lens = xcalloc(BATCH, sizeof *lens);
	long *lineno = xcalloc(BATCH, sizeof *lineno);
	tok_ids_t *outs = xcalloc(BATCH, sizeof *outs);
	char *line = NULL;
	size_t cap = 0;
	long nline = 0;
	int more = 1;
	while (more) {
		size_t n = 0;
		ssize_t len;
		while (n < BATCH && (more = (len = getline(&line, &cap, stdin)) >= 0)) {
			nline++;
			cJSON *v = cJSON_ParseWithLength(line, (size_t)len);
			if (decode) {
				if (!cJSON_IsArray(v))
					ft_die(FT_EXIT_DATA, "'<stdin>':%ld: expected a JSON array of token ids",
					       nline);
				size_t k = 0, m = (size_t)cJSON_GetArraySize(v);
				int32_t *ids = xmalloc((m ? m : 1) * sizeof *ids);
				for (const cJSON *e = v->child; e; e = e->next) {
					if (!cJSON_IsNumber(e) || e->valuedouble < 0 || e->valuedouble > 0x7fffffff)
						ft_die(FT_EXIT_DATA, "'<stdin>':%ld: %s is not a token id", nline,
						       cJSON_PrintUnformatted(e));
					ids[k++] = (int32_t)e->valuedouble;
				}
				size_t tlen;
				char *text = tok_decode(tok, ids, k, skip_special, &tlen);
				cJSON *js = cJSON_CreateString(text);
				json_write_canonical(stdout, js);
				putchar('\n');
				cJSON_Delete(js);
				free(text);
				free(ids);
				cJSON_Delete(v);
				continue;
			}
			if (!cJSON_IsString(v))
				ft_die(FT_EXIT_DATA, "'<stdin>':%ld: expected a JSON string", nline);
			texts[n] = xstrdup(v->valuestring);
			lens[n] = strlen(v->valuestring);
			lineno[n] = nline;
			n++;
			cJSON_Delete(v);
		}
		if (decode || n == 0)
			continue;
		long bad = tok_encode_batch(tok, (const char *const *)texts, lens, n, add_special, outs);
		if (bad >= 0)
			ft_die(FT_EXIT_DATA, "'<stdin>':%ld: the string is not valid UTF-8", lineno[bad]);
		for (size_t i = 0; i < n; i++) {
			putchar('[');
			for (size_t k = 0; k < outs[i].n; k++)
				printf(k ? ",%d" : "%d", outs[i].ids[k]);
			fputs("]\n", stdout);
			free(texts[i]);
		}
	}
	for (size_t i = 0; i < BATCH; i++)
		free(outs[i].ids);
	free(outs);
	free(texts);
	free(lens);
	free(lineno);
	free(line);
}

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	opt_result_t res;
	opts_parse(&spec, argc, argv, &res);
	if (encode + decode + chat > 1)
		ft_die(FT_EXIT_USAGE, "--encode, --decode and --chat exclude each other");
	if ((add_special && !encode) || (skip_special && !decode) ||
	    ((add_generation_prompt || template_choice) && !chat))
		ft_die(FT_EXIT_USAGE, "--add-special-tokens goes with --encode, --skip-special-tokens "
				      "with --decode, --add-generation-prompt and --template with --chat");
	if (encode || decode || chat) {
		ft_config_t *c = NULL;
		if (!tokenizer_dir) {
			if (!config_file)
				ft_die(FT_EXIT_USAGE, "--%s needs --tokenizer DIR or -c CONFIG",
				       encode ? "encode" : decode ? "decode" : "chat");
			c = config_load(config_file, res.ov, res.nov, CONFIG_NEEDS_MODEL);
			tokenizer_dir = config_str(c, "tokenizer_config", config_model_dir(c));
		}
		tok_t *tok = tok_load(tokenizer_dir);
		if (chat)
			chat_mode(tok, tokenizer_dir);
		else
			debug_mode(tok);
		tok_free(tok);
		if (c)
			config_free(c);
		opts_result_free(&res);
		diag_close_stdout();
		return 0;
	}
	if (tokenizer_dir)
		ft_die(FT_EXIT_USAGE, "--tokenizer goes with --encode, --decode or --chat; the "
				      "datasets use the config's tokenizer");
	if (!config_file)
		ft_die(FT_EXIT_USAGE, "missing -c CONFIG\nusage: ft-tokenize %s", spec.synopsis);
	ft_config_t *cfg = config_load(config_file, res.ov, res.nov, CONFIG_NEEDS_DATA);

	/* The output first: a bad path fails before any work; an interrupted run leaves none. */
	outfile_t *out = outfile_open(output, 1);
	recset_t train, val;
	ds_stats_t st = { 0 };
	dataset_prepare(cfg, &train, &val, &st);

	char *vname = NULL;
	if (val.n) {
		if (!val_output && (!output || !strcmp(output, "-")))
			ft_die(FT_EXIT_USAGE, "%zu validation records need a file: give -o FILE or "
					      "--val-output FILE", val.n);
		vname = val_output ? xstrdup(val_output) : val_name(output);
	}
	write_set(cfg, &train, out, "train", st.tokenizer);
	if (vname)
		write_set(cfg, &val, outfile_open(vname, 1), "val", st.tokenizer);

	ft_info("%zu records read; %zu train, %zu validation", st.read, train.n, val.n);
	if (st.too_long || st.too_short || st.truncated || st.duplicates)
		ft_info("dropped %zu longer than sequence_len, %zu shorter than min_sample_len, "
			"%zu duplicates; truncated %zu",
			st.too_long, st.too_short, st.duplicates, st.truncated);
	recset_free(&train);
	recset_free(&val);
	free(vname);
	config_free(cfg);
	opts_result_free(&res);
	diag_close_stdout();
	return 0;
}
