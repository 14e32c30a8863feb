/* train: the training loop (see train.h), its checkpoints and outputs, and evaluation. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dataset.h"
#include "backend.h"
#include "diag.h"
#include "fileio.h"
#include "json.h"
#include "optim.h"
#include "outfile.h"
#include "rng.h"
#include "lrsched.h"
#include "train.h"

/* ---- JSON ---- */

/* trainer_state.json as the Trainer writes it (TrainerState.save_to_json); ft_state.json the same way */
static void write_json_file(const char *path, const cJSON *v)
{
	size_t n;
	char *s = json_dumps(v, &json_style_hf, &n);
	file_write_atomic(path, s, n);
	free(s);
}

/* exact doubles through JSON text: C99 hex floats */
static void add_hex(cJSON *o, const char *k, double d)
{
	char b[64];
	snprintf(b, sizeof b, "%a", d);
	cJSON_AddStringToObject(o, k, b);
}

static double get_hex(const cJSON *o, const char *k, const char *path)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!cJSON_IsString(v))
		ft_die(FT_EXIT_DATA, "%s: missing '%s'", q(path), k);
	return strtod(v->valuestring, NULL);
}

static double get_num(const cJSON *o, const char *k, const char *path)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!cJSON_IsNumber(v))
		ft_die(FT_EXIT_DATA, "%s: missing '%s'", q(path), k);
	return v->valuedouble;
}

/* ---- model ---- */

void train_lora_cfg(const ft_config_t *cfg, lora_cfg_t *lc)
{
	memset(lc, 0, sizeof *lc);
	lc->r = (int)config_int(cfg, "lora_r", 0);
	if (lc->r < 1)
		ft_die(FT_EXIT_USAGE, "%s: 'lora_r': a positive rank is required with adapter: lora",
		       config_where(cfg, "lora_r"));
	lc->alpha = (float)config_num(cfg, "lora_alpha", 8);   /* PEFT's default */
	lc->dropout = (float)config_num(cfg, "lora_dropout", 0);
	lc->use_rslora = config_bool(cfg, "peft_use_rslora", 0);
	lc->use_dora = config_bool(cfg, "peft_use_dora", 0);
	/* modules_to_save: PEFT matches a name against the end of each module path, so
	 * "model.embed_tokens" and "embed_tokens" mean the same module */
	const cJSON *mts = config_get(cfg, "lora_modules_to_save");
	for (const cJSON *e = cJSON_IsArray(mts) ? mts->child : NULL; e; e = e->next) {
		const char *nm = cJSON_IsString(e) ? e->valuestring : "";
		const char *dot = strrchr(nm, '.'), *leaf = dot ? dot + 1 : nm;
		if (!strcmp(leaf, "embed_tokens"))
			lc->save_embed_tokens = 1;
		else if (!strcmp(leaf, "lm_head"))
			lc->save_lm_head = 1;
		else
			ft_die(FT_EXIT_USAGE, "%s: 'lora_modules_to_save': %s is not supported (embed_tokens and "
			       "lm_head are)", config_where(cfg, "lora_modules_to_save"), q(nm));
	}
	if (config_bool(cfg, "lora_target_linear", 0)) {
		for (int i = 0; i < NLIN; i++)
			lc->target[i] = 1;
	}
	const cJSON *tm = config_get(cfg, "lora_target_modules");
	int any = 0;
	for (int i = 0; i < NLIN; i++)
		any |= lc->target[i];
	if (tm) {
		const cJSON *e;
		cJSON one = {0};
		if (cJSON_IsString(tm)) {
			one = *tm;
			one.next = one.prev = NULL;
			e = &one;
		} else {
			e = tm->child;
		}
		for (; e; e = e->next) {
			if (!cJSON_IsString(e))
				continue;
			const char *nm = e->valuestring, *dot = strrchr(nm, '.');
			const char *leaf = dot ? dot + 1 : nm;
			int found = -1;
			for (int i = 0; i < NLIN; i++)
				if (!strcmp(leaf, lin_names[i]))
					found = i;
			if (found < 0)
				ft_die(FT_EXIT_USAGE, "%s: 'lora_target_modules': %s is not supported (LoRA goes on "
				       "q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)",
				       config_where(cfg, "lora_target_modules"), q(nm));
			lc->target[found] = 1;
			any = 1;
		}
	}
	if (!any) {
		/* PEFT's default targets for these architectures */
		lc->target[LIN_Q] = lc->target[LIN_V] = 1;
		ft_info("no lora_target_modules or lora_target_linear: LoRA on q_proj and v_proj (PEFT's default)");
	}
}

/* Device memory in use (total - free) on a GPU backend, 0 on the CPU. */
static size_t gpu_mem_used(const ops_t *ops)
{
	return ops->mem_used ? ops->mem_used() : 0;
}

model_t *train_load_model(const ft_config_t *cfg, const ops_t *ops, st_dtype_t *dtype, int with_adapter)
{
	const char *dir = config_model_dir(cfg);
	if (!dir)
		ft_die(FT_EXIT_DATA, "%s: 'base_model': %s is neither a folder nor in the Hugging Face cache",
		       config_where(cfg, "base_model"), q(config_str(cfg, "base_model", "")));
	model_t *m;
	uint64_t seed = config_seed(cfg);
	if (config_bool(cfg, "reinit_weights", 0)) {
		modelcfg_t mc;
		modelcfg_load(&mc, dir);
		m = model_init_random(&mc, seed, ops);
		*dtype = ST_F32;
	} else {
		char p1[4200], p2[4200];
		snprintf(p1, sizeof p1, "%s/model.safetensors", dir);
		snprintf(p2, sizeof p2, "%s/model.safetensors.index.json", dir);
		if (access(p1, R_OK) != 0 && access(p2, R_OK) != 0) {
			snprintf(p1, sizeof p1, "%s/config.json", dir);
			if (access(p1, R_OK) == 0)
				ft_die(FT_EXIT_DATA, "%s: config.json but no weights (model.safetensors); set reinit_weights: "
				       "true to start from seeded random weights", q(dir));
		}
		*dtype = hfdir_dtype(dir);
		m = model_load(dir, ops);
	}
	const char *ad = config_str(cfg, "adapter", NULL);
	if (with_adapter && ad && !strcmp(ad, "lora")) {
		const char *lmd = config_str(cfg, "lora_model_dir", NULL);
		if (lmd) {
			model_lora_load(m, lmd);
		} else {
			lora_cfg_t lc;
			train_lora_cfg(cfg, &lc);
			if ((lc.save_embed_tokens || lc.save_lm_head) && model_cfg(m)->tied)
				ft_die(FT_EXIT_USAGE, "%s: 'lora_modules_to_save': %s ties its input and output embeddings "
				       "(tie_word_embeddings), which PEFT would untie into two trained copies; not supported",
				       config_where(cfg, "lora_modules_to_save"), q(dir));
			model_lora_add(m, &lc, seed);
		}
	}
	return m;
}

/* ---- evaluation ---- */

void train_evaluate(model_t *m, const rowset_t *rs, int mbs, eval_result_t *er)
{
	memset(er, 0, sizeof *er);
	model_set_training(m, 0, 0);
	mbatch_t mb = {0};
	model_set_predict(m, 1);
	uint32_t *idx = xmalloc((size_t)(mbs > 0 ? mbs : 1) * sizeof *idx);
	int *pred = NULL;
	size_t pcap = 0;
	for (size_t r = 0; r < rs->n; r += (size_t)mbs) {
		int k = 0;
		for (; k < mbs && r + (size_t)k < rs->n; k++)
			idx[k] = (uint32_t)(r + (size_t)k);
		mbatch_build(&mb, rs, idx, k);
		model_forward(m, &mb.b);
		er->loss_sum += model_loss_sum(m);
		er->ntok += model_ntargets(m);
		er->nrows += k;
		er->ntokens_in += mb.b.N;
		/* token accuracy: each row's argmax, found by the backend */
		if ((size_t)mb.b.N > pcap) {
			free(pred);
			pcap = (size_t)mb.b.N;
			pred = xmalloc(pcap * sizeof *pred);
		}
		model_predictions(m, pred);
		for (int t = 0; t < mb.b.N; t++)
			er->ncorrect += mb.targets[t] >= 0 && pred[t] == mb.targets[t];
	}
	free(idx);
	free(pred);
	model_set_predict(m, 0);
	mbatch_free(&mb);
}

/* Tokens in the largest batch of mbs rows of rs: its mbs longest rows. */
static long longest_batch(const rowset_t *rs, int mbs)
{
	size_t k = (size_t)mbs < rs->n ? (size_t)mbs : rs->n;
	uint32_t *top = xcalloc(k ? k : 1, sizeof *top);   /* the k longest lengths, descending */
	for (size_t i = 0; i < rs->n; i++) {
		uint32_t len = recset_len(&rs->tok, i);
		for (size_t j = 0; j < k; j++)
			if (len > top[j]) {
				uint32_t t = top[j];
				top[j] = len;
				len = t;
			}
	}
	long n = 0;
	for (size_t j = 0; j < k; j++)
		n += top[j];
	free(top);
	return n;
}

/* ---- the run ---- */

typedef struct {
	const ft_config_t *cfg;
	const train_opts_t *o;
	model_t *m;
	st_dtype_t dtype;
	int lora;
	char *outdir, *base_dir;
	int np;
	param_t **params;
	adamw_t opt;
	sched_t sched;
	double lr0, max_grad_norm;
	int mbs, gas, eval_mbs;
	long total, spe, nmb, logging_steps, eval_steps, save_steps, save_limit;
	int save_epoch, eval_epoch, save_first;
	uint64_t seed;
	int curriculum;
	rowset_t train, val;
	int have_val;
	/* state (what a checkpoint carries) */
	long step, epoch, mbpos;    /* global step; epoch index and next micro batch of it */
	double tr_loss;             /* sum of step losses since the last log */
	long last_logged;
	double loss_total;          /* sum of all step losses, for train_loss */
	long tokens_seen;
	/* not checkpointed: timing */
	double t_log, t_start;
	/* the trainable gradients as runs of adjacent memory, for the norm and clipping */
	struct grun { void *g; size_t n; int half; } *gruns;   /* half: the backend's type, else float32 */
	int ngr;
	size_t mem_base, mem_peak;   /* GPU memory in use before the model, and the most since */
	long tok_since_log;
	FILE *metrics;
	cJSON *log_history;
	int bar;
	uint32_t *order;
	long order_epoch;
} run_t;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void epoch_order(run_t *r, long epoch)
{
	if (r->order_epoch == epoch)
		return;
	for (size_t i = 0; i < r->train.n; i++)
		r->order[i] = (uint32_t)i;
	if (!r->curriculum) {
		rng_t g = rng_seed(r->seed, 0x7261696eull + (uint64_t)epoch);   /* one stream per epoch */
		rng_shuffle_u32(&g, r->order, r->train.n);
	}
	r->order_epoch = epoch;
}

static double frac_or_int(const ft_config_t *cfg, const char *k, long total)
{
	double v = config_num(cfg, k, 0);
	if (v > 0 && v < 1)
		return ceil(v * (double)total);   /* the Trainer: a fraction of max_steps */
	return v;
}

static void log_entry(run_t *r, cJSON *e)
{
	char *s = json_canonical(e);
	fprintf(r->metrics, "%s\n", s);
	fflush(r->metrics);
	free(s);
	cJSON_AddItemToArray(r->log_history, e);
}

/* trainer_state.json's values with the types the Trainer's have (json.h: which numbers Python
 * holds as floats is marked): the epoch, total_flos and every logged value is a float but a
 * log entry's step and our eval_tokens count. The log history is marked here, not as it is
 * logged, because a resumed run reads it back from metrics.jsonl, whose text cannot say. */
static cJSON *trainer_state(run_t *r)
{
	cJSON *s = cJSON_CreateObject();
	cJSON_AddNullToObject(s, "best_global_step");
	cJSON_AddNullToObject(s, "best_metric");
	cJSON_AddNullToObject(s, "best_model_checkpoint");
	json_add_float(s, "epoch", (double)r->epoch + (double)r->mbpos / (double)r->nmb);
	cJSON_AddNumberToObject(s, "eval_steps", (double)r->eval_steps);
	cJSON_AddNumberToObject(s, "global_step", (double)r->step);
	cJSON_AddBoolToObject(s, "is_hyper_param_search", 0);
	cJSON_AddBoolToObject(s, "is_local_process_zero", 1);
	cJSON_AddBoolToObject(s, "is_world_process_zero", 1);
	cJSON *hist = cJSON_AddArrayToObject(s, "log_history");
	for (const cJSON *e = r->log_history->child; e; e = e->next) {
		cJSON *c = cJSON_Duplicate(e, 1);
		for (cJSON *v = c->child; v; v = v->next)
			if (cJSON_IsNumber(v) && strcmp(v->string, "step") && strcmp(v->string, "eval_tokens"))
				json_mark_float(v);
		cJSON_AddItemToArray(hist, c);
	}
	cJSON_AddNumberToObject(s, "logging_steps", (double)r->logging_steps);
	cJSON_AddNumberToObject(s, "max_steps", (double)r->total);
	cJSON_AddNumberToObject(s, "num_input_tokens_seen", (double)r->tokens_seen);
	cJSON_AddNumberToObject(s, "num_train_epochs", ceil((double)r->total / (double)r->spe));
	cJSON_AddNumberToObject(s, "save_steps", (double)r->save_steps);
	cJSON *sc = cJSON_AddObjectToObject(s, "stateful_callbacks");
	cJSON *tc = cJSON_AddObjectToObject(sc, "TrainerControl");
	cJSON *args = cJSON_AddObjectToObject(tc, "args");
	cJSON_AddBoolToObject(args, "should_epoch_stop", 0);
	cJSON_AddBoolToObject(args, "should_evaluate", 0);
	cJSON_AddBoolToObject(args, "should_log", 0);
	cJSON_AddBoolToObject(args, "should_save", 1);
	cJSON_AddBoolToObject(args, "should_training_stop", r->step >= r->total);
	cJSON_AddObjectToObject(tc, "attributes");
	json_add_float(s, "total_flos", 0);
	cJSON_AddNumberToObject(s, "train_batch_size", r->mbs);
	cJSON_AddNullToObject(s, "trial_name");
	cJSON_AddNullToObject(s, "trial_params");
	return s;
}

static void save_weights(run_t *r, const char *dir, st_dtype_t dtype)
{
	if (r->lora) {
		/* base_model_name_or_path as the config names it, as Axolotl's PEFT save does */
		model_lora_save(r->m, dir, config_str(r->cfg, "base_model", r->base_dir));
		if (strcmp(dir, r->outdir) == 0)
			hfdir_copy_side_files(r->base_dir, dir, 1);   /* Axolotl saves the model config and tokenizer beside it */
	} else {
		model_save_dir(r->m, dir, dtype, (size_t)5 << 30);
		hfdir_copy_side_files(r->base_dir, dir, 1);
	}
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

/* Steps of the checkpoint-N folders in dir, ascending; returns the count. */
static int list_checkpoints(const char *dir, long **steps)
{
	DIR *d = opendir(dir);
	*steps = NULL;
	if (!d)
		return 0;
	int n = 0;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		if (strncmp(e->d_name, "checkpoint-", 11))
			continue;
		long s = strtol(e->d_name + 11, &end, 10);
		if (*end || end == e->d_name + 11)
			continue;
		xgrow((void **)steps, &cap, (size_t)n + 1, sizeof **steps);
		(*steps)[n++] = s;
	}
	closedir(d);
	if (n)
		qsort(*steps, (size_t)n, sizeof **steps, cmp_long);
	return n;
}

static void save_checkpoint(run_t *r)
{
	char final[4200], p[4400];
	snprintf(final, sizeof final, "%s/checkpoint-%ld", r->outdir, r->step);
	outdir_t d;
	outdir_open(&d, final);
	save_weights(r, d.tmp, ST_F32);   /* float32: resuming must be exact */
	/* AdamW moments under the parameter names */
	st_writer_t *w = st_writer_new();
	/* 8-bit state as it is: codes (state1, state2) and block maxima (absmax1, absmax2) */
	adamw8_to_host(&r->opt);
	char (*names)[160] = xmalloc((size_t)(r->np ? r->np : 1) * 4 * sizeof *names);
	int64_t *nblocks = xmalloc((size_t)(r->np ? r->np : 1) * sizeof *nblocks);
	float **hs = xcalloc((size_t)(r->np ? r->np : 1) * 2, sizeof *hs);
	for (int i = 0; i < r->np; i++) {
		param_t *pp = r->params[i];
		if (r->opt.bits8 && r->opt.c1[i]) {
			static const char *const sfx[4] = {"state1", "state2", "absmax1", "absmax2"};
			for (int k = 0; k < 4; k++)
				snprintf(names[4 * i + k], sizeof names[0], "%s.%s", pp->name, sfx[k]);
			nblocks[i] = (int64_t)((pp->numel + OPTIM_8BIT_BLOCK - 1) / OPTIM_8BIT_BLOCK);
			st_writer_add(w, names[4 * i], ST_U8, pp->ndim, pp->shape, r->opt.c1[i]);
			st_writer_add(w, names[4 * i + 1], ST_U8, pp->ndim, pp->shape, r->opt.c2[i]);
			st_writer_add(w, names[4 * i + 2], ST_F32, 1, &nblocks[i], r->opt.absmax1[i]);
			st_writer_add(w, names[4 * i + 3], ST_F32, 1, &nblocks[i], r->opt.absmax2[i]);
			continue;
		}
		snprintf(names[4 * i], sizeof names[0], "%s.exp_avg", pp->name);
		snprintf(names[4 * i + 1], sizeof names[0], "%s.exp_avg_sq", pp->name);
		hs[2 * i] = xmalloc(pp->numel * sizeof(float));
		hs[2 * i + 1] = xmalloc(pp->numel * sizeof(float));
		adamw_state_get(&r->opt, i, hs[2 * i], hs[2 * i + 1]);
		st_writer_add(w, names[4 * i], ST_F32, pp->ndim, pp->shape, hs[2 * i]);
		st_writer_add(w, names[4 * i + 1], ST_F32, pp->ndim, pp->shape, hs[2 * i + 1]);
	}
	snprintf(p, sizeof p, "%s/optimizer.safetensors", d.tmp);
	st_writer_write(w, p);
	st_writer_free(w);
	for (int i = 0; i < 2 * r->np; i++)
		free(hs[i]);
	free(hs);
	free(names);
	free(nblocks);
	cJSON *st = cJSON_CreateObject();
	cJSON_AddNumberToObject(st, "format", 1);
	cJSON_AddNumberToObject(st, "global_step", (double)r->step);
	cJSON_AddNumberToObject(st, "optimizer_step", (double)r->opt.step);
	cJSON_AddNumberToObject(st, "epoch", (double)r->epoch);
	cJSON_AddNumberToObject(st, "micro_batch", (double)r->mbpos);
	cJSON_AddNumberToObject(st, "max_steps", (double)r->total);
	cJSON_AddNumberToObject(st, "train_rows", (double)r->train.n);
	cJSON_AddNumberToObject(st, "seed", (double)r->seed);
	cJSON_AddNumberToObject(st, "last_logged", (double)r->last_logged);
	cJSON_AddNumberToObject(st, "tokens_seen", (double)r->tokens_seen);
	add_hex(st, "tr_loss", r->tr_loss);
	add_hex(st, "loss_total", r->loss_total);
	cJSON_AddStringToObject(st, "rng", "counter-based: shuffles and dropout masks derive from seed, epoch and step");
	snprintf(p, sizeof p, "%s/ft_state.json", d.tmp);
	write_json_file(p, st);
	cJSON_Delete(st);
	cJSON *ts = trainer_state(r);
	snprintf(p, sizeof p, "%s/trainer_state.json", d.tmp);
	write_json_file(p, ts);
	cJSON_Delete(ts);
	/* the metrics so far, so a resumed run's metrics.jsonl equals an uninterrupted one's */
	fflush(r->metrics);
	char src[4200];
	snprintf(src, sizeof src, "%s/metrics.jsonl", r->outdir);
	snprintf(p, sizeof p, "%s/metrics.jsonl", d.tmp);
	copy_file(src, p);
	outdir_commit(&d);
	ft_debug("saved %s", q(final));
	/* save_total_limit: the oldest go first */
	if (r->save_limit > 0) {
		long *steps;
		int n = list_checkpoints(r->outdir, &steps);
		for (int i = 0; i + r->save_limit < n; i++) {
			/* renamed away first, so an interrupt never leaves half a checkpoint-N */
			snprintf(p, sizeof p, "%s/checkpoint-%ld", r->outdir, steps[i]);
			outdir_remove(p);
		}
		free(steps);
	}
}

static void load_checkpoint(run_t *r, const char *ck)
{
	char p[4400];
	snprintf(p, sizeof p, "%s/ft_state.json", ck);
	cJSON *st = json_read_file(p, 0);
	long total = (long)get_num(st, "max_steps", p), rows = (long)get_num(st, "train_rows", p);
	if (total != r->total || rows != (long)r->train.n || (uint64_t)get_num(st, "seed", p) != r->seed)
		ft_die(FT_EXIT_USAGE, "%s: the checkpoint is of another run (%ld steps over %ld rows, seed %.0f; "
		       "this run: %ld steps over %zu rows, seed %llu)", q(ck), total, rows, get_num(st, "seed", p),
		       r->total, r->train.n, (unsigned long long)r->seed);
	r->step = (long)get_num(st, "global_step", p);
	r->opt.step = (long)get_num(st, "optimizer_step", p);
	r->epoch = (long)get_num(st, "epoch", p);
	r->mbpos = (long)get_num(st, "micro_batch", p);
	r->last_logged = (long)get_num(st, "last_logged", p);
	r->tokens_seen = (long)get_num(st, "tokens_seen", p);
	r->tr_loss = get_hex(st, "tr_loss", p);
	r->loss_total = get_hex(st, "loss_total", p);
	cJSON_Delete(st);
	/* weights */
	if (r->lora) {
		snprintf(p, sizeof p, "%s/adapter_model.safetensors", ck);
		st_file_t *f = st_open(p);
		char nm[200];
		for (int i = 0; i < r->np; i++) {
			/* a modules_to_save weight is stored under PEFT's name */
			snprintf(nm, sizeof nm, "base_model.model.%s", r->params[i]->name);
			const char *name = st_find(f, r->params[i]->name) ? r->params[i]->name : nm;
			const st_tensor_t *t = st_need(f, name, r->params[i]->ndim, r->params[i]->shape);
			float *h = st_load_f32(t);
			model_param_set(r->m, r->params[i], h);
			free(h);
		}
		st_close(f);
	} else {
		stdir_t *sd = stdir_open(ck);
		for (int i = 0; i < r->np; i++) {
			const st_tensor_t *t = stdir_find(sd, r->params[i]->name);
			if (!t)
				ft_die(FT_EXIT_DATA, "%s: checkpoint lacks %s", q(ck), q(r->params[i]->name));
			if (t->numel != (int64_t)r->params[i]->numel)
				ft_die(FT_EXIT_DATA, "%s: %s has the wrong shape", q(ck), q(r->params[i]->name));
			float *h = st_load_f32(t);
			model_param_set(r->m, r->params[i], h);
			free(h);
		}
		stdir_close(sd);
	}
	snprintf(p, sizeof p, "%s/optimizer.safetensors", ck);
	st_file_t *f = st_open(p);
	char nm[200];
	for (int i = 0; i < r->np; i++) {
		if (r->opt.bits8 && r->opt.c1[i]) {
			param_t *pp = r->params[i];
			int64_t nb = (int64_t)((pp->numel + OPTIM_8BIT_BLOCK - 1) / OPTIM_8BIT_BLOCK);
			const st_tensor_t *t;
			snprintf(nm, sizeof nm, "%s.state1", pp->name);
			t = st_need(f, nm, pp->ndim, pp->shape);
			if (t->dtype != ST_U8)
				ft_die(FT_EXIT_DATA, "%s: %s is not U8 (was the checkpoint written with another optimizer?)", q(p), q(nm));
			memcpy(r->opt.c1[i], t->data, pp->numel);
			snprintf(nm, sizeof nm, "%s.state2", pp->name);
			t = st_need(f, nm, pp->ndim, pp->shape);
			if (t->dtype != ST_U8)
				ft_die(FT_EXIT_DATA, "%s: %s is not U8", q(p), q(nm));
			memcpy(r->opt.c2[i], t->data, pp->numel);
			snprintf(nm, sizeof nm, "%s.absmax1", pp->name);
			st_read_f32(st_need(f, nm, 1, &nb), r->opt.absmax1[i]);
			snprintf(nm, sizeof nm, "%s.absmax2", pp->name);
			st_read_f32(st_need(f, nm, 1, &nb), r->opt.absmax2[i]);
			continue;
		}
		snprintf(nm, sizeof nm, "%s.exp_avg", r->params[i]->name);
		float *hm = st_load_f32(st_need(f, nm, r->params[i]->ndim, r->params[i]->shape));
		snprintf(nm, sizeof nm, "%s.exp_avg_sq", r->params[i]->name);
		float *hv = st_load_f32(st_need(f, nm, r->params[i]->ndim, r->params[i]->shape));
		adamw_state_set(&r->opt, i, hm, hv);
		free(hm);
		free(hv);
	}
	adamw8_to_device(&r->opt);
	st_close(f);
	/* metrics and log history up to the checkpoint */
	char dst[4200];
	snprintf(p, sizeof p, "%s/metrics.jsonl", ck);
	snprintf(dst, sizeof dst, "%s/metrics.jsonl", r->outdir);
	size_t n;
	char *txt = file_read(p, &n, 0);
	if (strcmp(p, dst))
		file_write_atomic(dst, txt, n);
	for (char *line = strtok(txt, "\n"); line; line = strtok(NULL, "\n")) {
		cJSON *e = cJSON_Parse(line);
		if (e)
			cJSON_AddItemToArray(r->log_history, e);
	}
	free(txt);
	ft_info("resuming from %s at step %ld of %ld", q(ck), r->step, r->total);
}

static void progress(run_t *r, double loss, double lr)
{
	if (ft_verbosity < 1)
		return;
	if (r->bar) {
		int w = 30, done = (int)((double)w * (double)r->step / (double)r->total);
		fprintf(stderr, "\r[%.*s%*s] %ld/%ld loss %.4f lr %.3g", done, "##############################",
			w - done, "", r->step, r->total, loss, lr);
		if (r->step == r->total)
			fputc('\n', stderr);
		fflush(stderr);
	}
}

static void run_eval(run_t *r)
{
	if (!r->have_val)
		return;
	eval_result_t er;
	train_evaluate(r->m, &r->val, r->eval_mbs, &er);
	double loss = er.ntok ? er.loss_sum / (double)er.ntok : 0;
	cJSON *e = cJSON_CreateObject();
	cJSON_AddNumberToObject(e, "step", (double)r->step);
	cJSON_AddNumberToObject(e, "epoch", (double)r->epoch + (double)r->mbpos / (double)r->nmb);
	cJSON_AddNumberToObject(e, "eval_loss", loss);
	cJSON_AddNumberToObject(e, "eval_perplexity", exp(loss));
	cJSON_AddNumberToObject(e, "eval_tokens", (double)er.ntok);
	if (r->bar)
		fputc('\n', stderr);
	if (ft_verbosity >= 1)
		fprintf(stderr, "%s: step %ld/%ld eval_loss %.6f eval_perplexity %.4f\n", ft_prog, r->step, r->total, loss,
			exp(loss));
	log_entry(r, e);
}

/* Gradients as runs: on the CPU one per parameter (the oracle's summation order); on a GPU
 * adjacent gradients merged, so the norm is a few reductions instead of one per tensor. */
static void grad_runs(run_t *r)
{
	int merge = model_ops(r->m) != &ops_cpu;
	r->gruns = xcalloc((size_t)(r->np ? r->np : 1), sizeof *r->gruns);
	r->ngr = 0;
	for (int i = 0; i < r->np; i++) {
		param_t *p = r->params[i];
		struct grun *last = r->ngr ? &r->gruns[r->ngr - 1] : NULL;
		int half = p->gradh != NULL;
		void *g = half ? p->gradh : (void *)p->grad;
		size_t es = half ? model_ops(r->m)->es : sizeof(float);
		if (merge && last && last->half == half && (char *)last->g + last->n * es == (char *)g)
			last->n += p->numel;
		else
			r->gruns[r->ngr++] = (struct grun){g, p->numel, half};
	}
}

/* FT_PROFILE=N: on a GPU, time optimizer step N op by op (every op synchronised) and print
 * where it went, per op family, on stderr. */
static void prof_step(run_t *r, int begin)
{
	const ops_t *ops = model_ops(r->m);
	const char *e = getenv("FT_PROFILE");
	if (!e || !ops->profile || atol(e) != r->step + 1)
		return;
	static double t0;
	if (begin) {
		ops->sync();
		ops->profile_reset();
		ops->profile(1);
		t0 = now();
		return;
	}
	ops->sync();
	double t = now() - t0;
	ops->profile(0);
	double ms[32] = {0}, tot = 0;
	long calls[32] = {0};
	FT_CHECK(ops->nprof <= 32, FT_EXIT_GPU, "%s: %d op families to profile, at most 32", ops->name, ops->nprof);
	ops->profile_get(ms, calls);
	for (int f = 0; f < ops->nprof; f++)
		tot += ms[f];
	fprintf(stderr, "%s: profiled step %ld: %.1f ms (ops %.1f ms, each synchronised)\n", ft_prog, r->step + 1,
		t * 1e3, tot);
	for (int f = 0; f < ops->nprof; f++)
		if (calls[f])
			fprintf(stderr, "  %-14s %9.2f ms %6.1f%% %6ld calls\n", ops->prof_names[f], ms[f],
				100 * ms[f] / tot, calls[f]);
}

void train_run(const ft_config_t *cfg, const train_opts_t *o)
{
	/* static: what a fatal error leaves allocated stays reachable (no leak reports on exit) */
	static run_t R;
	memset(&R, 0, sizeof R);
	run_t *r = &R;
	r->cfg = cfg;
	r->o = o;
	r->order_epoch = -1;
	const char *where = config_path(cfg);
	int bits8 = optim_check_name(config_str(cfg, "optimizer", "adamw_torch_fused"), config_where(cfg, "optimizer"));
	int sk = sched_from_name(config_str(cfg, "lr_scheduler", "cosine"));
	if (sk < 0)
		ft_die(FT_EXIT_USAGE, "%s: 'lr_scheduler': %s is not supported yet (cosine, linear, constant, "
		       "constant_with_warmup)", config_where(cfg, "lr_scheduler"), q(config_str(cfg, "lr_scheduler", "")));
	double neft = config_num(cfg, "neftune_noise_alpha", 0);
	if (neft == 0)
		neft = config_num(cfg, "noisy_embedding_alpha", 0);
	const char *ad = config_str(cfg, "adapter", NULL);
	r->lora = ad && !strcmp(ad, "lora");
	r->seed = config_seed(cfg);
	r->curriculum = config_bool(cfg, "curriculum_sampling", 0);
	r->mbs = (int)config_int(cfg, "micro_batch_size", 1);
	r->gas = (int)config_int(cfg, "gradient_accumulation_steps", 1);
	r->eval_mbs = (int)config_int(cfg, "eval_batch_size", r->mbs);
	if (r->mbs < 1 || r->gas < 1 || r->eval_mbs < 1)
		ft_die(FT_EXIT_USAGE, "%s: micro_batch_size, gradient_accumulation_steps and eval_batch_size must be "
		       "positive", q(where));
	r->lr0 = config_num(cfg, "learning_rate", 0);
	r->max_grad_norm = config_num(cfg, "max_grad_norm", 1.0);

	/* the model first: a bad base_model fails before the data is read */
	const ops_t *backend = backend_select(cfg, o->device);
	r->mem_base = r->mem_peak = gpu_mem_used(backend);
	r->m = train_load_model(cfg, backend, &r->dtype, 1);
	/* keep each layer's input only and recompute the layer in the backward */
	model_set_checkpointing(r->m, config_bool(cfg, "gradient_checkpointing", 0));
	r->base_dir = xstrdup(config_model_dir(cfg));
	model_set_neftune(r->m, (float)neft);
	int V = model_cfg(r->m)->V;

	/* data */
	rowset_init(&r->train);
	rowset_init(&r->val);
	if (o->data) {
		rowset_load(&r->train, o->data, cfg, -1);
	} else {
		recset_t tr, va;   /* dataset_prepare initialises both */
		ds_stats_t st;
		memset(&st, 0, sizeof st);
		dataset_prepare(cfg, &tr, &va, &st);
		rowset_from_records(&r->train, &tr, cfg, -1, -1, "train", NULL);
		if (!o->val && va.n) {
			rowset_from_records(&r->val, &va, cfg, config_bool(cfg, "eval_sample_packing",
									   config_bool(cfg, "sample_packing", 0)), -1, "validation", NULL);
			r->have_val = 1;
		} else {
			recset_free(&va);
		}
	}
	if (o->val) {
		rowset_load(&r->val, o->val, cfg, config_bool(cfg, "eval_sample_packing", config_bool(cfg, "sample_packing", 0)));
		r->have_val = r->val.n > 0;
	}
	rowset_check_vocab(&r->train, V, o->data ? q(o->data) : "training data");
	if (r->have_val)
		rowset_check_vocab(&r->val, V, o->val ? q(o->val) : "validation data");
	r->nmb = (long)(r->train.n / (size_t)r->mbs);
	if (r->nmb < 1)
		ft_die(FT_EXIT_DATA, "%s: %zu training rows, fewer than micro_batch_size %d", o->data ? q(o->data) : "training data",
		       r->train.n, r->mbs);
	r->spe = (r->nmb + r->gas - 1) / r->gas;
	long max_steps = config_int(cfg, "max_steps", 0);
	r->total = max_steps > 0 ? max_steps : (long)ceil(config_num(cfg, "num_epochs", 1) * (double)r->spe);
	if (r->total < 1)
		r->total = 1;
	r->sched = (sched_t){.kind = (sched_kind_t)sk, .warmup = config_warmup_steps(cfg, r->total), .total = r->total,
			     .min_ratio = config_get(cfg, "cosine_min_lr_ratio") ? config_num(cfg, "cosine_min_lr_ratio", 0) : -1};
	if (sk != SCHED_COSINE)
		r->sched.min_ratio = -1;
	r->logging_steps = config_logging_steps(cfg, r->total);
	const char *ss = config_str(cfg, "save_strategy", "epoch");
	r->save_steps = (long)frac_or_int(cfg, "save_steps", r->total);
	if (!strcmp(ss, "no"))
		r->save_steps = 0;
	r->save_epoch = !strcmp(ss, "epoch") && r->save_steps <= 0;
	r->save_first = config_bool(cfg, "save_first_step", 0);
	r->save_limit = config_int(cfg, "save_total_limit", 4);
	const char *es = config_str(cfg, "eval_strategy", config_str(cfg, "evaluation_strategy", "no"));
	r->eval_steps = (long)frac_or_int(cfg, "eval_steps", r->total);
	if (r->eval_steps <= 0 && config_int(cfg, "evals_per_epoch", 0) > 0) {
		r->eval_steps = r->spe / config_int(cfg, "evals_per_epoch", 1);
		if (r->eval_steps < 1)
			r->eval_steps = 1;
	}
	r->eval_epoch = !strcmp(es, "epoch");
	if (!strcmp(es, "steps") && r->eval_steps <= 0)
		r->eval_steps = r->logging_steps;   /* TrainingArguments: eval_steps defaults to logging_steps */

	/* trainable parameters; the gradients of the matrices in bf16 where one micro batch makes
	 * a step (each element rounded once from its product's float32 sum), float32 where micro
	 * batches accumulate (model_set_half_grads; float32 backends ignore it) */
	model_set_half_grads(r->m, r->gas == 1);
	if (r->lora) {
		/* the adapter's A and B, then the base weights it trains in full (modules_to_save) */
		model_zero_grad(r->m);   /* allocates the gradients of trainable base weights */
		int nl = model_lora_nparams(r->m), nb = model_nparams(r->m);
		r->params = xmalloc((size_t)(nl + nb) * sizeof *r->params);
		for (int i = 0; i < nl; i++)
			r->params[r->np++] = model_lora_param(r->m, i);
		for (int i = 0; i < nb; i++)
			if (model_param(r->m, i)->grad || model_param(r->m, i)->gradh)
				r->params[r->np++] = model_param(r->m, i);
	} else {
		model_set_train_base(r->m, 1);
		model_zero_grad(r->m);
		r->np = model_nparams(r->m);
		r->params = xmalloc((size_t)r->np * sizeof *r->params);
		for (int i = 0; i < r->np; i++)
			r->params[i] = model_param(r->m, i);
	}
	adamw_init(&r->opt, model_ops(r->m), r->params, r->np, config_num(cfg, "adam_beta1", 0.9), config_num(cfg, "adam_beta2", 0.999),
		   config_num(cfg, "adam_epsilon", 1e-8), config_num(cfg, "weight_decay", 0));
	if (bits8)
		adamw_set_8bit(&r->opt);
	size_t ntrain = 0;
	for (int i = 0; i < r->np; i++)
		ntrain += r->params[i]->numel;

	/* output folder, resume */
	r->outdir = xstrdup(config_str(cfg, "output_dir", "./model-out"));
	mkdir_p(r->outdir);
	r->log_history = cJSON_CreateArray();
	const char *resume = config_str(cfg, "resume_from_checkpoint", NULL);
	char autock[4200];
	if (!resume && config_bool(cfg, "auto_resume_from_checkpoints", 0)) {
		long *steps;
		int n = list_checkpoints(r->outdir, &steps);
		if (n) {
			snprintf(autock, sizeof autock, "%s/checkpoint-%ld", r->outdir, steps[n - 1]);
			resume = autock;
		}
		free(steps);
	}
	char mpath[4200];
	snprintf(mpath, sizeof mpath, "%s/metrics.jsonl", r->outdir);
	if (resume) {
		load_checkpoint(r, resume);
		r->metrics = fopen(mpath, "ab");
	} else {
		r->metrics = fopen(mpath, "wb");
	}
	if (!r->metrics)
		ft_die(FT_EXIT_IO, "%s: cannot open: %s", q(mpath), strerror(errno));
	r->order = xmalloc((r->train.n ? r->train.n : 1) * sizeof *r->order);
	r->bar = o->progress == 1 || (o->progress < 0 && isatty(2));

	ft_info("%s: %zu rows (%llu label tokens), %ld micro batches of %d per epoch, %ld steps (%d accumulated), "
		"%zu trainable parameters (%s)", o->data ? q(o->data) : "datasets", r->train.n,
		(unsigned long long)r->train.trained, r->nmb, r->mbs, r->total, r->gas, ntrain,
		r->lora ? "LoRA" : "full fine-tuning");

	/* memory planned before the first step: the activations of the largest micro batch (the
	 * micro_batch_size longest rows, or eval_batch_size of the validation rows) allocated now,
	 * so a run that does not fit says so here and one that does never grows (evaluations run
	 * the head in blocks as training does, model_set_predict) */
	if (model_ops(r->m) != &ops_cpu && r->train.n) {
		long nmax = longest_batch(&r->train, r->mbs), nval = r->have_val ? longest_batch(&r->val, r->eval_mbs) : 0;
		if (nval > nmax)
			nmax = nval;
		model_reserve(r->m, (int)nmax);
		size_t mu = gpu_mem_used(model_ops(r->m));
		ft_info("GPU memory: %.2f GiB in use before the first step (weights, gradients, optimizer state, "
			"activations for %ld tokens)", (double)(mu - r->mem_base) / 1073741824.0, nmax);
	}

	/* eval_on_start: Axolotl's trainer builder sets it whenever it evaluates (eval_steps, or
	 * an eval_strategy), and the Trainer honours it at the start of every train() call, so a
	 * resumed run evaluates again at the step it resumes from */
	if (r->have_val && (r->eval_steps > 0 || r->eval_epoch))
		run_eval(r);

	mbatch_t mb = {0};
	r->t_start = r->t_log = now();
	while (r->step < r->total) {
		if (o->stop_after > 0 && r->step >= o->stop_after)
			break;
		if (r->mbpos >= r->nmb) {
			r->epoch++;
			r->mbpos = 0;
		}
		epoch_order(r, r->epoch);
		long first = r->mbpos, last = first + r->gas;
		if (last > r->nmb)
			last = r->nmb;
		long ntargets = 0;
		for (long k = first; k < last; k++)
			ntargets += rowset_ntargets(&r->train, r->order + k * r->mbs, r->mbs);
		model_zero_grad(r->m);
		if (!r->gruns)
			grad_runs(r);
		prof_step(r, 1);
		double loss_sum = 0;
		for (long k = first; k < last; k++) {
			mbatch_build(&mb, &r->train, r->order + k * r->mbs, r->mbs);
			/* dropout masks from (seed, step, micro batch): the same after a resume */
			model_set_training(r->m, 1, r->seed ^ ((uint64_t)(r->step + 1) * 0x9e3779b97f4a7c15ull) ^
						       ((uint64_t)(k - first + 1) * 0xd1b54a32d192ed03ull));
			if (ntargets > 0 && mb.ntargets > 0)   /* the head's backward may run in the forward */
				model_set_dloss(r->m, 1.0f / (float)ntargets);
			model_forward(r->m, &mb.b);
			loss_sum += model_loss_sum(r->m);
			if (ntargets > 0 && mb.ntargets > 0)
				model_backward(r->m, 1.0f / (float)ntargets);
			r->tokens_seen += mb.b.N;
			r->tok_since_log += mb.b.N;
		}
		r->mbpos = last;
		model_grads_settle(r->m);   /* half gradients no backward reached: zero */
		size_t mu = gpu_mem_used(model_ops(r->m));
		r->mem_peak = mu > r->mem_peak ? mu : r->mem_peak;
		double loss = ntargets ? loss_sum / (double)ntargets : 0;
		/* global L2 norm of the trainable gradients, before clipping */
		const ops_t *ops = model_ops(r->m);
		double g2 = 0;
		for (int i = 0; i < r->ngr; i++)
			g2 += r->gruns[i].half ? ops->sumsq_h(r->gruns[i].g, r->gruns[i].n)
					       : ops->sumsq(r->gruns[i].g, r->gruns[i].n);
		double gnorm = sqrt(g2);
		if (r->max_grad_norm > 0) {
			/* torch.nn.utils.clip_grad_norm_: coef = max / (norm + 1e-6), clamped to 1 */
			float coef = (float)(r->max_grad_norm / (gnorm + 1e-6));
			if (coef < 1.0f)
				r->opt.gscale = coef;   /* applied as AdamW reads each gradient */
		}
		double lr = r->lr0 * sched_factor(&r->sched, r->step);
		adamw_step(&r->opt, lr);
		prof_step(r, 0);
		r->step++;
		r->tr_loss += loss;
		r->loss_total += loss;
		progress(r, loss, lr);
		if (r->step % r->logging_steps == 0 || r->step == r->total) {
			double t = now();
			cJSON *e = cJSON_CreateObject();
			cJSON_AddNumberToObject(e, "step", (double)r->step);
			cJSON_AddNumberToObject(e, "epoch", (double)r->epoch + (double)r->mbpos / (double)r->nmb);
			cJSON_AddNumberToObject(e, "loss", r->tr_loss / (double)(r->step - r->last_logged));
			cJSON_AddNumberToObject(e, "grad_norm", gnorm);
			cJSON_AddNumberToObject(e, "learning_rate", lr);
			cJSON_AddNumberToObject(e, "tokens_per_second", t > r->t_log ? (double)r->tok_since_log / (t - r->t_log) : 0);
			if (!r->bar && ft_verbosity >= 1)
				fprintf(stderr, "%s: step %ld/%ld loss %.6f grad_norm %.6f lr %.6g\n", ft_prog, r->step, r->total,
					r->tr_loss / (double)(r->step - r->last_logged), gnorm, lr);
			log_entry(r, e);
			r->tr_loss = 0;
			r->last_logged = r->step;
			r->t_log = t;
			r->tok_since_log = 0;
		}
		int epoch_end = r->mbpos >= r->nmb;
		if ((r->eval_steps > 0 && r->step % r->eval_steps == 0) || (r->eval_epoch && epoch_end))
			run_eval(r);
		if ((r->save_steps > 0 && r->step % r->save_steps == 0) || (r->save_epoch && epoch_end) ||
		    (r->save_first && r->step == 1) || (o->stop_after > 0 && r->step == o->stop_after && r->step < r->total))
			save_checkpoint(r);
	}
	mbatch_free(&mb);
	if (r->step >= r->total) {
		/* a final evaluation unless the last step just had one */
		cJSON *lastent = cJSON_GetArrayItem(r->log_history, cJSON_GetArraySize(r->log_history) - 1);
		if (r->have_val && !(lastent && cJSON_GetObjectItem(lastent, "eval_loss")))
			run_eval(r);
		cJSON *e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "step", (double)r->step);
		cJSON_AddNumberToObject(e, "epoch", (double)r->epoch + (double)r->mbpos / (double)r->nmb);
		cJSON_AddNumberToObject(e, "train_loss", r->loss_total / (double)r->total);
		cJSON_AddNumberToObject(e, "train_runtime", now() - r->t_start);
		if (model_ops(r->m) != &ops_cpu) {
			/* device memory this run added, sampled after each backward (its high point) */
			double gib = (double)(r->mem_peak - r->mem_base) / 1073741824.0;
			cJSON_AddNumberToObject(e, "peak_gpu_memory_gib", gib);
			ft_info("peak GPU memory %.2f GiB", gib);
		}
		log_entry(r, e);
		save_weights(r, r->outdir, r->dtype);
		char p[4200];
		snprintf(p, sizeof p, "%s/trainer_state.json", r->outdir);
		cJSON *ts = trainer_state(r);
		write_json_file(p, ts);
		cJSON_Delete(ts);
		ft_info("trained %ld steps: %s in %s", r->step, r->lora ? "adapter_model.safetensors" : "model", q(r->outdir));
	} else {
		ft_info("stopped after step %ld of %ld (checkpoint-%ld in %s)", r->step, r->total, r->step, q(r->outdir));
	}
	if (fclose(r->metrics) != 0)
		ft_die(FT_EXIT_IO, "%s: cannot write: %s", q(mpath), strerror(errno));
	cJSON_Delete(r->log_history);
	adamw_free(&r->opt);
	free(r->params);
	free(r->gruns);
	free(r->order);
	free(r->outdir);
	free(r->base_dir);
	rowset_free(&r->train);
	rowset_free(&r->val);
	model_free(r->m);
}
