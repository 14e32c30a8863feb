/* ft-eval: loss, perplexity and token accuracy of a model (and adapter) on tokenized data.
 *
 * `ft-eval --model DIR [--adapter DIR] --data FILE`, or `-c CONFIG` for the model (base_model,
 * reinit_weights), the adapter (lora_model_dir), packing and the validation split of the
 * config's datasets. The loss is the mean cross-entropy over every label token, as the
 * Trainer's evaluation (and transformers' loss) computes it; accuracy is the share of label
 * tokens that are the argmax of the logits.
 *
 * `--generate PROMPTS` writes completions instead: one JSON object per prompt on stdout, from
 * a file of JSONL prompts ({"prompt": text}, {"messages": [...]} rendered with the chat
 * template and its generation prompt, or {"input_ids": [...]}) or plain text lines; greedy, or
 * sampled with temperature / top_k / top_p (common/generate.h), stopping at EOS. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <errno.h>

#include "backend.h"
#include "chat.h"
#include "config.h"
#include "dataset.h"
#include "generate.h"
#include "tok/tokenizer.h"
#include "diag.h"
#include "json.h"
#include "opts.h"
#include "rowset.h"
#include "train.h"

static const char *config_file, *model_dir, *adapter, *data, *generate, *device;
static long batch_size, max_new_tokens = 128, top_k, seed = FT_DEFAULT_SEED;
static double temperature, top_p = 1.0;
static int as_json;

static const opt_t options[] = {
	{ "config", 'c', OPT_STR, &config_file, "CONFIG", "take the model, adapter and data from an Axolotl config", 0, 0 },
	{ "model", 'm', OPT_STR, &model_dir, "DIR", "the model folder (default: base_model of the config)", 0, 0 },
	{ "adapter", 'a', OPT_STR, &adapter, "DIR", "a PEFT LoRA adapter folder to apply (default: lora_model_dir)", 0, 0 },
	{ "data", 'd', OPT_STR, &data, "FILE", "rows to evaluate: .ftp or .ftt (default: the config's validation split)", 0, 0 },
	{ "batch-size", 'b', OPT_INT, &batch_size, "N", "rows per forward pass (default: eval_batch_size, else 1)", 1, 1 << 20 },
	{ "json", 'j', OPT_FLAG, &as_json, NULL, "print one JSON object instead of text", 0, 0 },
	{ "device", 0, OPT_STR, &device, "DEVICE", "cpu, cuda or auto (default: cpu, the float32 oracle; cuda runs bf16 "
	  "where the config or GPU says so)", 0, 0 },
	{ "generate", 'g', OPT_STR, &generate, "PROMPTS", "write completions of the prompts of a file (JSONL or text lines) as JSONL", 0, 0 },
	{ "max-new-tokens", 0, OPT_INT, &max_new_tokens, "N", "with --generate: at most N new tokens (default 128)", 1, 1 << 20 },
	{ "temperature", 0, OPT_DBL, &temperature, "T", "with --generate: sampling temperature (default 0: greedy)", 0, 1e6 },
	{ "top-k", 0, OPT_INT, &top_k, "K", "with --generate: sample from the K most probable tokens (default 0: all)", 0, 1 << 30 },
	{ "top-p", 0, OPT_DBL, &top_p, "P", "with --generate: sample from the most probable tokens summing to P (default 1)", 0, 1 },
	{ "seed", 0, OPT_INT, &seed, "N", "with --generate: seed of the sampling (default " FT_STRINGIFY(FT_DEFAULT_SEED) ")", 0, 1e18 },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
};

static const opt_spec_t spec = {
	.name = "ft-eval",
	.synopsis = "--model DIR [--adapter DIR] --data FILE [--json] | -c CONFIG [--data FILE] [--FIELD VALUE ...] | "
		    "--model DIR --generate PROMPTS [--temperature T] [--top-k K] [--top-p P] [--max-new-tokens N]",
	.summary = "Loss, perplexity and token accuracy of a model (and LoRA adapter) on .ftp/.ftt data.",
	.opts = options,
	.min_args = 0,
	.max_args = 0,
	.overrides = 1,
};

/* eos_token_id of generation_config.json, else config.json (a number or a list) */
static int read_eos(const char *dir, int *eos, int max)
{
	static const char *const files[] = {"generation_config.json", "config.json"};
	for (int f = 0; f < 2; f++) {
		char p[4200];
		snprintf(p, sizeof p, "%s/%s", dir, files[f]);
		cJSON *j = json_read_file(p, FILE_OPTIONAL);
		const cJSON *e = j ? cJSON_GetObjectItemCaseSensitive(j, "eos_token_id") : NULL;
		int k = 0;
		if (cJSON_IsNumber(e))
			eos[k++] = e->valueint;
		else if (cJSON_IsArray(e))
			for (const cJSON *x = e->child; x && k < max; x = x->next)
				if (cJSON_IsNumber(x))
					eos[k++] = x->valueint;
		cJSON_Delete(j);
		if (k)
			return k;
	}
	return 0;
}

static tok_t *need_tok(tok_t **tok, const char *dir, const char *where)
{
	if (*tok)
		return *tok;
	char p[4200], pz[4200];
	snprintf(p, sizeof p, "%s/tokenizer.json", dir);
	snprintf(pz, sizeof pz, "%s/tokenizer.json.zst", dir);
	if (access(p, R_OK) != 0 && access(pz, R_OK) != 0)
		ft_die(FT_EXIT_DATA, "%s: a text prompt needs the model's tokenizer, and %s has no tokenizer.json "
		       "(give token ids as {\"input_ids\": [...]})", where, q(dir));
	*tok = tok_load(dir);
	return *tok;
}

/* --generate: every prompt of the file to one JSON line on stdout */
static void run_generate(model_t *m, const ft_config_t *cfg, const char *dir)
{
	FILE *in = strcmp(generate, "-") ? fopen(generate, "rb") : stdin;
	if (!in)
		ft_die(FT_EXIT_IO, "%s: cannot open: %s", q(generate), strerror(errno));
	int eos[16];
	gen_opts_t g = {.max_new_tokens = (int)max_new_tokens, .temperature = temperature, .top_k = (int)top_k,
			.top_p = top_p, .seed = (uint64_t)seed, .eos = eos, .neos = read_eos(dir, eos, 16)};
	tok_t *tok = NULL;
	char *chat_src = NULL;
	kvcache_t *kv = NULL;
	int kvcap = 0;
	char *line = NULL, where[4300];
	size_t lcap = 0;
	ssize_t len;
	long lineno = 0, done = 0;
	tok_ids_t ti = {0};
	while ((len = getline(&line, &lcap, in)) > 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (!len)
			continue;
		snprintf(where, sizeof where, "%s:%ld", q(strcmp(generate, "-") ? generate : "<stdin>"), lineno);
		cJSON *rec = NULL, *shown;
		int *ids = NULL, n = 0;
		if (line[0] == '{') {
			rec = cJSON_Parse(line);
			if (!cJSON_IsObject(rec))
				ft_die(FT_EXIT_DATA, "%s: not a JSON object", where);
			const cJSON *pr = cJSON_GetObjectItemCaseSensitive(rec, "prompt");
			const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(rec, "messages");
			const cJSON *ii = cJSON_GetObjectItemCaseSensitive(rec, "input_ids");
			if (cJSON_IsString(pr)) {
				need_tok(&tok, dir, where);
				tok_encode(tok, pr->valuestring, strlen(pr->valuestring), 1, &ti);
			} else if (cJSON_IsArray(msgs)) {
				need_tok(&tok, dir, where);
				char err[512];
				if (!chat_src && !(chat_src = chat_template_source(cfg ? config_str(cfg, "chat_template", NULL) : NULL,
										    dir, err, sizeof err)))
					ft_die(FT_EXIT_DATA, "%s: %s", where, err);
				char *text = chat_render(chat_src, tok, msgs, NULL, 1, err, sizeof err);
				if (!text)
					ft_die(FT_EXIT_DATA, "%s: 'messages': %s", where, err);
				tok_encode(tok, text, strlen(text), 0, &ti);
				free(text);
			} else if (cJSON_IsArray(ii)) {
				ti.n = 0;
				for (const cJSON *x = ii->child; x; x = x->next) {
					if (!cJSON_IsNumber(x))
						ft_die(FT_EXIT_DATA, "%s: 'input_ids' must be a list of token ids", where);
					xgrow((void **)&ti.ids, &ti.cap, ti.n + 1, sizeof *ti.ids);
					ti.ids[ti.n++] = (int32_t)x->valueint;
				}
			} else {
				ft_die(FT_EXIT_DATA, "%s: a prompt needs 'prompt' (text), 'messages' (chat) or 'input_ids'", where);
			}
			shown = cJSON_Duplicate(cJSON_IsString(pr) ? pr : cJSON_IsArray(msgs) ? msgs : ii, 1);
		} else {
			need_tok(&tok, dir, where);
			tok_encode(tok, line, (size_t)len, 1, &ti);
			shown = cJSON_CreateString(line);
		}
		n = (int)ti.n;
		if (!n)
			ft_die(FT_EXIT_DATA, "%s: an empty prompt", where);
		for (int i = 0; i < n; i++)
			if (ti.ids[i] < 0 || ti.ids[i] >= model_cfg(m)->V)
				ft_die(FT_EXIT_DATA, "%s: token id %d is outside the vocabulary of %d", where, ti.ids[i],
				       model_cfg(m)->V);
		ids = xmalloc((size_t)n * sizeof *ids);
		for (int i = 0; i < n; i++)
			ids[i] = ti.ids[i];
		if (n + g.max_new_tokens > kvcap) {
			model_kv_free(m, kv);
			kvcap = n + g.max_new_tokens;
			kv = model_kv_new(m, kvcap);
		}
		int *outi, nout;
		int stopped = generate_ids(m, kv, ids, n, &g, (uint64_t)done, &outi, &nout);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "prompt", shown);
		if (tok) {
			int32_t *o32 = xmalloc((size_t)(nout ? nout : 1) * sizeof *o32);
			for (int i = 0; i < nout; i++)
				o32[i] = outi[i];
			size_t tl;
			char *text = tok_decode(tok, o32, (size_t)nout, 1, &tl);
			cJSON_AddStringToObject(o, "completion", text ? text : "");
			free(text);
			free(o32);
		}
		cJSON_AddItemToObject(o, "completion_ids", cJSON_CreateIntArray(outi, nout));
		cJSON_AddStringToObject(o, "finish_reason", stopped ? "stop" : "length");
		char *s = json_canonical(o);
		printf("%s\n", s);
		free(s);
		cJSON_Delete(o);
		cJSON_Delete(rec);
		free(ids);
		free(outi);
		done++;
	}
	if (ferror(in))
		ft_die(FT_EXIT_IO, "%s: cannot read: %s", q(generate), strerror(errno));
	if (in != stdin)
		fclose(in);
	ft_info("%ld completions", done);
	free(line);
	free(ti.ids);
	free(chat_src);
	model_kv_free(m, kv);
	if (tok)
		tok_free(tok);
}

int main(int argc, char **argv)
{
	diag_init(argv[0]);
	opt_result_t res;
	opts_parse(&spec, argc, argv, &res);
	if (!config_file && res.nov)
		ft_die(FT_EXIT_USAGE, "config overrides (--%s) need -c CONFIG", res.ov[0].key);
	if (!config_file && (!model_dir || (!data && !generate)))
		ft_die(FT_EXIT_USAGE, "need --model and --data (or -c CONFIG)\nusage: ft-eval %s", spec.synopsis);
	ft_config_t *cfg = NULL;
	model_t *m;
	if (config_file) {
		cfg = config_load(config_file, res.ov, res.nov, (model_dir ? 0 : CONFIG_NEEDS_MODEL) | (data ? 0 : CONFIG_NEEDS_DATA));
		if (!batch_size)
			batch_size = config_int(cfg, "eval_batch_size", config_int(cfg, "micro_batch_size", 1));
	}
	if (!batch_size)
		batch_size = 1;
	struct stat sb;
	if (model_dir && (stat(model_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)))
		ft_die(FT_EXIT_DATA, "%s: no such model folder", q(model_dir));
	if (adapter && (stat(adapter, &sb) != 0 || !S_ISDIR(sb.st_mode)))
		ft_die(FT_EXIT_DATA, "%s: no such adapter folder", q(adapter));
	if (generate && data)
		ft_die(FT_EXIT_USAGE, "--generate and --data: give one (completions or loss)");
	/* the CPU by default (the float32 oracle), not ft-train's auto; with --device cuda the loss
	 * and generation both run on the GPU, generation bringing back only each new token's
	 * logits to sample them on the host (decode.c) */
	const ops_t *ops = backend_select(cfg, device ? device : "cpu");
	if (model_dir) {
		m = model_load(model_dir, ops);
	} else {
		st_dtype_t dt;
		m = train_load_model(cfg, ops, &dt, 0);
	}
	if (!adapter && cfg)
		adapter = config_str(cfg, "lora_model_dir", NULL);
	if (adapter)
		model_lora_load(m, adapter);

	if (generate) {
		run_generate(m, cfg, model_dir ? model_dir : config_model_dir(cfg));
		model_free(m);
		if (cfg)
			config_free(cfg);
		opts_result_free(&res);
		diag_close_stdout();
		return 0;
	}

	rowset_t rs;
	rowset_init(&rs);
	int packing = cfg ? config_bool(cfg, "eval_sample_packing", config_bool(cfg, "sample_packing", 0)) : 0;
	if (data) {
		rowset_load(&rs, data, cfg, packing);
	} else {
		recset_t tr, va;   /* dataset_prepare initialises both */
		ds_stats_t st;
		memset(&st, 0, sizeof st);
		dataset_prepare(cfg, &tr, &va, &st);
		recset_free(&tr);
		if (!va.n)
			ft_die(FT_EXIT_USAGE, "%s: no validation split (val_set_size or test_datasets): give --data",
			       q(config_file));
		rowset_from_records(&rs, &va, cfg, packing, -1, "validation", NULL);
	}
	if (!rs.n)
		ft_die(FT_EXIT_DATA, "%s: no rows with label tokens to evaluate", data ? q(data) : "validation split");
	rowset_check_vocab(&rs, model_cfg(m)->V, data ? q(data) : "validation split");
	eval_result_t er;
	train_evaluate(m, &rs, (int)batch_size, &er);
	double loss = er.ntok ? er.loss_sum / (double)er.ntok : 0, acc = er.ntok ? (double)er.ncorrect / (double)er.ntok : 0;
	if (as_json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "loss", loss);
		cJSON_AddNumberToObject(o, "perplexity", exp(loss));
		cJSON_AddNumberToObject(o, "accuracy", acc);
		cJSON_AddNumberToObject(o, "tokens", (double)er.ntok);
		cJSON_AddNumberToObject(o, "correct", (double)er.ncorrect);
		cJSON_AddNumberToObject(o, "rows", (double)er.nrows);
		char *s = json_canonical(o);
		printf("%s\n", s);
		free(s);
		cJSON_Delete(o);
	} else {
		printf("loss %.6f\nperplexity %.4f\naccuracy %.6f\ntokens %ld\nrows %ld\n", loss, exp(loss), acc, er.ntok,
		       er.nrows);
	}
	rowset_free(&rs);
	model_free(m);
	if (cfg)
		config_free(cfg);
	opts_result_free(&res);
	diag_close_stdout();
	return 0;
}
