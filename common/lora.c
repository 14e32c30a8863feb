/* lora: LoRA adapters on the model's linear layers — attaching fresh ones as PEFT initialises
 * them, loading and saving PEFT adapter folders (same tensor names, adapter_config.json as PEFT
 * writes it), and merging into the base weights (merge_and_unload). The forward and backward
 * through an adapter are in model.c (linear_fwd, linear_bwd). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <cjson/cJSON.h>
#include <errno.h>
#include <pcre2.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "json.h"
#include "model_impl.h"
#include "outfile.h"

static const char *lin_module(int lin) { return lin <= LIN_O ? "self_attn" : "mlp"; }

/* Attach adapters to the (layer, linear) pairs flagged in on (L * NLIN). */
static void lora_setup(model_t *m, const lora_cfg_t *lc, const unsigned char *on)
{
	if (m->has_lora)
		ft_die(FT_EXIT_USAGE, "a LoRA adapter is already attached");
	const modelcfg_t *c = &m->cfg;
	int L = c->L;
	if (lc->r < 1)
		ft_die(FT_EXIT_DATA, "LoRA rank %d must be positive", lc->r);
	if (c->fused_qkv)
		for (int i = 0; i < L * NLIN; i++)
			if (on[i] && i % NLIN != LIN_O && i % NLIN != LIN_DOWN)
				ft_die(FT_EXIT_DATA, "LoRA on phi3's fused qkv_proj and gate_up_proj is not supported "
				       "(o_proj and down_proj are)");
	if (!(lc->dropout >= 0 && lc->dropout < 1))
		ft_die(FT_EXIT_DATA, "lora_dropout %g must be in [0, 1)", lc->dropout);
	m->lcfg = *lc;
	if (lc->layers) {
		m->lcfg_layers = xmalloc((size_t)L);
		memcpy(m->lcfg_layers, lc->layers, (size_t)L);
		m->lcfg.layers = m->lcfg_layers;
	}
	m->lora = xcalloc((size_t)L * NLIN, sizeof *m->lora);
	int n = 0;
	for (int i = 0; i < L * NLIN; i++)
		n += on[i] ? (lc->use_dora ? 3 : 2) : 0;
	m->nlp = n;
	m->lparams = xcalloc((size_t)(n ? n : 1), sizeof *m->lparams);
	int k = 0;
	size_t total = 0, nvec = 0, maxw = 0;
	float scale = lc->use_rslora ? lc->alpha / sqrtf((float)lc->r) : lc->alpha / (float)lc->r;
	for (int l = 0; l < L; l++)
		for (int li = 0; li < NLIN; li++) {
			if (!on[l * NLIN + li])
				continue;
			int din, dout;
			lin_dims(c, li, &din, &dout);
			int k0 = k;
			for (int ab = 0; ab < 2; ab++) {
				param_t *p = &m->lparams[k++];
				snprintf(p->name, sizeof p->name, "base_model.model.%s.layers.%d.%s.%s.lora_%c.weight",
					 c->module_prefix, l, lin_module(li), lin_names[li], ab ? 'B' : 'A');
				p->ndim = 2;
				p->shape[0] = ab ? dout : lc->r;
				p->shape[1] = ab ? lc->r : din;
				p->numel = (size_t)p->shape[0] * p->shape[1];
				total += p->numel;
			}
			if (lc->use_dora) {   /* PEFT saves the magnitude without a .weight suffix */
				param_t *p = &m->lparams[k++];
				snprintf(p->name, sizeof p->name, "base_model.model.%s.layers.%d.%s.%s.lora_magnitude_vector",
					 c->module_prefix, l, lin_module(li), lin_names[li]);
				p->ndim = 1;
				p->shape[0] = dout;
				p->numel = (size_t)dout;
				total += p->numel;
				nvec += 2 * (size_t)dout;
				size_t wsz = (size_t)dout * din;
				maxw = wsz > maxw ? wsz : maxw;
			}
			m->lora[l * NLIN + li] = (lora_t){&m->lparams[k0], &m->lparams[k0 + 1],
							  lc->use_dora ? &m->lparams[k0 + 2] : NULL, scale, NULL, NULL};
		}
	m->ltotal = total;
	const ops_t *o = m->ops;
	m->ldata = o->alloc(total * o->es);
	m->lgdata = o->alloc(total * sizeof(float));
	m->llo = o->es != sizeof(float) ? o->alloc(total * sizeof(uint16_t)) : NULL;   /* zero: data exactly */
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		m->lparams[i].data = elt(m, m->ldata, off);
		m->lparams[i].grad = m->lgdata + off;
		m->lparams[i].lo = m->llo ? m->llo + off : NULL;
		off += m->lparams[i].numel;
	}
	if (lc->use_dora) {
		m->lvec = m->ops->alloc(nvec * sizeof(float));
		m->dora_w = m->ops->alloc(maxw * m->ops->es);
		size_t at = 0;
		for (int i = 0; i < L * NLIN; i++)
			if (m->lora[i].M) {
				m->lora[i].wn = m->lvec + at;
				m->lora[i].g = m->lvec + at + m->lora[i].M->numel;
				at += 2 * m->lora[i].M->numel;
			}
	}
	m->has_lora = 1;
	acts_free(m);   /* the next forward allocates LoRA activations too */
	model_set_train_base(m, 0);
	if ((lc->save_embed_tokens || lc->save_lm_head) && c->tied)
		ft_die(FT_EXIT_DATA, "modules_to_save with tied embeddings is not supported (PEFT unties them)");
	if (lc->save_embed_tokens)
		model_set_trainable(m, "model.embed_tokens.weight", 1);
	if (lc->save_lm_head)
		model_set_trainable(m, "lm_head.weight", 1);
}

/* The adapter-file name of a modules_to_save copy (NULL if p is not one). */
static const char *saved_module_name(const model_t *m, const param_t *p)
{
	if (m->lcfg.save_embed_tokens && p == m->embed)
		return "base_model.model.model.embed_tokens.weight";
	if (m->lcfg.save_lm_head && p == m->lm_head && !m->cfg.tied)
		return "base_model.model.lm_head.weight";
	return NULL;
}

void model_lora_add(model_t *m, const lora_cfg_t *lc, uint64_t seed)
{
	int L = m->cfg.L;
	unsigned char *on = xcalloc((size_t)L * NLIN, 1);
	for (int l = 0; l < L; l++)
		for (int li = 0; li < NLIN; li++)
			on[l * NLIN + li] = lc->target[li] && (!lc->layers || lc->layers[l]);
	lora_setup(m, lc, on);
	free(on);
	uint64_t s = seed;
	for (int i = 0; i < L * NLIN; i++) {
		lora_t *lo = &m->lora[i];
		if (!lo->A)
			continue;
		/* kaiming_uniform_(a=sqrt(5)) on (R, in): U(-1/sqrt(in), 1/sqrt(in)); B stays zero */
		param_t *A = lo->A;
		float bound = 1.0f / sqrtf((float)A->shape[1]);
		float *tmp = xmalloc(A->numel * sizeof *tmp);
		for (size_t j = 0; j < A->numel; j++)
			tmp[j] = (float)((2 * rng_uniform(&s) - 1) * bound);
		model_param_set(m, A, tmp);
		free(tmp);
		if (lo->M) {   /* DoRA: the magnitude starts at |W + s B A| = |W| per row */
			lora_dora_norm(m, i / NLIN, i % NLIN);
			float *h = xmalloc(lo->M->numel * sizeof *h);
			m->ops->download(h, lo->wn, lo->M->numel * sizeof *h);
			model_param_set(m, lo->M, h);   /* the float32 master too, where it is split */
			free(h);
		}
	}
}

static int json_empty(const cJSON *v)
{
	return !v || cJSON_IsNull(v) || ((cJSON_IsObject(v) || cJSON_IsArray(v)) && !v->child);
}

/* PEFT's check_target_module_exists: a string is a regular expression that must match the
 * whole module name (re.fullmatch; PCRE2 reads Python's syntax for the patterns PEFT configs
 * use), "all-linear" every linear but the head; a list matches the name itself or a suffix
 * after a '.'. re is the compiled string pattern, or NULL. */
static int target_matches(const cJSON *tm, const pcre2_code *re, const char *name)
{
	if (cJSON_IsString(tm)) {
		if (!strcmp(tm->valuestring, "all-linear"))
			return 1;
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
		int rc = pcre2_match(re, (PCRE2_SPTR)name, PCRE2_ZERO_TERMINATED, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, md,
				     NULL);
		pcre2_match_data_free(md);
		return rc >= 0;
	}
	size_t nl = strlen(name);
	for (const cJSON *e = tm->child; e; e = e->next) {
		if (!cJSON_IsString(e))
			continue;
		const char *t = e->valuestring;
		size_t tl = strlen(t);
		if (!strcmp(t, name) || (nl > tl && name[nl - tl - 1] == '.' && !strcmp(name + nl - tl, t)))
			return 1;
	}
	return 0;
}

void model_lora_load(model_t *m, const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/adapter_config.json", dir);
	cJSON *j = json_read_file(path, 0);
	if (!cJSON_IsObject(j))
		ft_die(FT_EXIT_DATA, "%s: not a JSON object", q(path));
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "peft_type");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "LORA") != 0)
		ft_die(FT_EXIT_DATA, "%s: peft_type must be \"LORA\"", q(path));
	/* settings that change what the adapter computes, which we would otherwise ignore */
	static const char *const refused[] = {"rank_pattern", "alpha_pattern",
					      "lora_bias", "fan_in_fan_out", "target_parameters", "layer_replication",
					      "trainable_token_indices", "use_qalora", "use_bdlora", "exclude_modules",
					      "alora_invocation_tokens", "arrow_config", "monteclora_config", "velora_config",
					      "kasa_config"};
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
		v = cJSON_GetObjectItemCaseSensitive(j, refused[i]);
		if (!json_empty(v) && !cJSON_IsFalse(v))
			ft_die(FT_EXIT_DATA, "%s: '%s' is not supported", q(path), refused[i]);
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "bias");
	if (cJSON_IsString(v) && strcmp(v->valuestring, "none") != 0)
		ft_die(FT_EXIT_DATA, "%s: bias '%s' is not supported (only \"none\")", q(path), v->valuestring);
	lora_cfg_t lc;
	memset(&lc, 0, sizeof lc);
	v = cJSON_GetObjectItemCaseSensitive(j, "r");
	if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble != floor(v->valuedouble))
		ft_die(FT_EXIT_DATA, "%s: 'r' must be a positive integer", q(path));
	lc.r = (int)v->valuedouble;
	v = cJSON_GetObjectItemCaseSensitive(j, "lora_alpha");
	lc.alpha = cJSON_IsNumber(v) ? (float)v->valuedouble : 8.0f;   /* PEFT's default */
	lc.use_rslora = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "use_rslora"));
	lc.use_dora = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "use_dora"));
	v = cJSON_GetObjectItemCaseSensitive(j, "lora_dropout");
	lc.dropout = cJSON_IsNumber(v) ? (float)v->valuedouble : 0.0f;
	v = cJSON_GetObjectItemCaseSensitive(j, "modules_to_save");
	if (!json_empty(v)) {
		if (!cJSON_IsArray(v))
			ft_die(FT_EXIT_DATA, "%s: 'modules_to_save' must be a list of module names", q(path));
		for (const cJSON *e = v->child; e; e = e->next) {
			const char *n = cJSON_IsString(e) ? e->valuestring : "?";
			if (!strcmp(n, "embed_tokens") || !strcmp(n, "model.embed_tokens"))
				lc.save_embed_tokens = 1;
			else if (!strcmp(n, "lm_head"))
				lc.save_lm_head = 1;
			else
				ft_die(FT_EXIT_DATA, "%s: modules_to_save '%s' is not supported (embed_tokens, lm_head)", q(path), n);
		}
	}
	const cJSON *tm = cJSON_GetObjectItemCaseSensitive(j, "target_modules");
	if (!cJSON_IsArray(tm) && !cJSON_IsString(tm))
		ft_die(FT_EXIT_DATA, "%s: 'target_modules' must be a list of module names", q(path));
	pcre2_code *re = NULL;
	if (cJSON_IsString(tm) && strcmp(tm->valuestring, "all-linear") != 0) {
		int ec;
		PCRE2_SIZE eo;
		re = pcre2_compile((PCRE2_SPTR)tm->valuestring, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
		if (!re) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(ec, msg, sizeof msg);
			ft_die(FT_EXIT_DATA, "%s: 'target_modules' '%s': bad regular expression at %zu: %s", q(path),
			       tm->valuestring, (size_t)eo, (char *)msg);
		}
	}
	int L = m->cfg.L;
	unsigned char *layer_on = xmalloc((size_t)L);
	memset(layer_on, 1, (size_t)L);
	v = cJSON_GetObjectItemCaseSensitive(j, "layers_to_transform");
	if (!json_empty(v)) {
		memset(layer_on, 0, (size_t)L);
		if (cJSON_IsNumber(v)) {
			if (v->valueint >= 0 && v->valueint < L)
				layer_on[v->valueint] = 1;
		} else if (cJSON_IsArray(v)) {
			for (const cJSON *e = v->child; e; e = e->next)
				if (cJSON_IsNumber(e) && e->valueint >= 0 && e->valueint < L)
					layer_on[e->valueint] = 1;
		} else {
			ft_die(FT_EXIT_DATA, "%s: 'layers_to_transform' must be an integer or a list", q(path));
		}
	}
	unsigned char *on = xcalloc((size_t)L * NLIN, 1);
	char name[256];
	int any = 0;
	for (int l = 0; l < L; l++)
		for (int li = 0; li < NLIN; li++) {
			snprintf(name, sizeof name, "%s.layers.%d.%s.%s", m->cfg.module_prefix, l, lin_module(li),
				 lin_names[li]);
			on[l * NLIN + li] = layer_on[l] && target_matches(tm, re, name);
			if (on[l * NLIN + li]) {
				lc.target[li] = 1;
				any = 1;
			}
		}
	/* a target naming a module we do not adapt (lm_head, embed_tokens) is refused by name */
	if (cJSON_IsArray(tm))
		for (const cJSON *e = tm->child; e; e = e->next) {
			int used = 0;
			for (int l = 0; l < L && !used; l++)
				for (int li = 0; li < NLIN && !used; li++) {
					snprintf(name, sizeof name, "%s.layers.%d.%s.%s", m->cfg.module_prefix, l, lin_module(li),
						 lin_names[li]);
					cJSON one = *e;
					one.next = one.prev = NULL;
					cJSON arr = {.type = cJSON_Array, .child = &one};
					used = target_matches(&arr, NULL, name);
				}
			if (!used)
				ft_die(FT_EXIT_DATA, "%s: target module '%s' is not supported (LoRA on q/k/v/o and "
				       "gate/up/down projections only)", q(path), cJSON_IsString(e) ? e->valuestring : "?");
		}
	if (!any)
		ft_die(FT_EXIT_DATA, "%s: 'target_modules' selects no module of this model", q(path));
	int all_layers = 1;
	for (int l = 0; l < L; l++)
		all_layers &= layer_on[l];
	lc.layers = all_layers ? NULL : layer_on;
	lora_setup(m, &lc, on);
	free(on);
	free(layer_on);
	pcre2_code_free(re);
	cJSON_Delete(j);

	snprintf(path, sizeof path, "%s/adapter_model.safetensors", dir);
	st_file_t *f = st_open(path);
	size_t maxn = 1;
	for (int i = 0; i < m->nlp; i++)
		if (m->lparams[i].numel > maxn)
			maxn = m->lparams[i].numel;
	float *tmp = xmalloc(maxn * sizeof *tmp);
	for (int i = 0; i < m->nlp; i++) {
		param_t *p = &m->lparams[i];
		const st_tensor_t *t = st_need(f, p->name, p->ndim, p->shape);
		st_read_f32(t, tmp);
		model_param_set(m, p, tmp);
	}
	free(tmp);
	/* modules_to_save: the adapter's copies replace the base weights */
	param_t *saved[2] = {m->embed, m->lm_head};
	for (int k = 0; k < 2; k++) {
		const char *sn = saved_module_name(m, saved[k]);
		if (!sn)
			continue;
		const st_tensor_t *t = st_need(f, sn, 2, saved[k]->shape);
		float *w = st_load_f32(t);
		model_param_set(m, saved[k], w);
		free(w);
	}
	for (int i = 0; i < f->n; i++) {
		const char *tn = f->t[i].name;
		if (!model_lora_param_by_name(m, tn) && !(saved_module_name(m, m->embed) && !strcmp(tn, saved_module_name(m, m->embed)))
		    && !(saved_module_name(m, m->lm_head) && !strcmp(tn, saved_module_name(m, m->lm_head))))
			ft_die(FT_EXIT_DATA, "%s: tensor '%s' is not a LoRA weight of the configured targets", q(path), tn);
	}
	st_close(f);
}

/* A float32 value as Python's repr writes the number the user gave (shortest text that reads
 * back to the same float32; ".0" on integral values), e.g. 0.05f -> "0.05". */
/* The double a float setting was written as in the config (0.05, not 0.05000000074505806): the
 * shortest decimal that reads back as f, as a double (it has at most 9 digits, so the double's
 * repr gives the same ones back). */
static double float_as_written(float f)
{
	char buf[32];
	for (int p = 1; p <= 9; p++) {
		snprintf(buf, sizeof buf, "%.*g", p, (double)f);
		if ((float)strtod(buf, NULL) == f)
			break;
	}
	return strtod(buf, NULL);
}

void model_lora_save(model_t *m, const char *dir, const char *base)
{
	if (!m->has_lora)
		ft_die(FT_EXIT_USAGE, "no LoRA adapter to save");
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		ft_die(FT_EXIT_IO, "%s: cannot create: %s", q(dir), strerror(errno));
	char path[4096];
	snprintf(path, sizeof path, "%s/adapter_model.safetensors", dir);
	st_writer_t *w = st_writer_new();
	float *host = xmalloc((m->ltotal ? m->ltotal : 1) * sizeof *host);
	size_t at = 0;
	for (int i = 0; i < m->nlp; i++) {
		param_t *p = &m->lparams[i];
		model_param_get(m, p, host + at);
		st_writer_add(w, p->name, ST_F32, p->ndim, p->shape, host + at);
		at += p->numel;
	}
	param_t *saved[2] = {m->embed, m->lm_head};
	for (int k = 0; k < 2; k++) {
		const char *sn = saved_module_name(m, saved[k]);
		if (!sn)
			continue;
		float *hw = xmalloc(saved[k]->numel * sizeof *hw);
		model_param_get(m, saved[k], hw);
		st_writer_add_f32(w, sn, ST_F32, 2, saved[k]->shape, hw);
		free(hw);
	}
	st_writer_write(w, path);
	st_writer_free(w);
	free(host);

	/* adapter_config.json as PEFT writes it (json.h, json_style_peft) */
	const modelcfg_t *c = &m->cfg;
	int L = c->L;
	/* targets: module kinds (with layers_to_transform) when the adapted set is kinds x layers */
	int product = 1;
	unsigned char kind[NLIN] = {0}, layer[MODELCFG_MAX_LAYERS] = {0};
	for (int l = 0; l < L; l++)
		for (int li = 0; li < NLIN; li++)
			if (m->lora[l * NLIN + li].A)
				kind[li] = layer[l] = 1;
	for (int l = 0; l < L; l++)
		for (int li = 0; li < NLIN; li++)
			if ((kind[li] && layer[l]) != (m->lora[l * NLIN + li].A != NULL))
				product = 0;
	int all_layers = 1;
	for (int l = 0; l < L; l++)
		all_layers &= layer[l];
	/* PEFT writes a set as a list in no fixed order: we sort the names */
	const char *sorted[NLIN];
	int ns = 0;
	for (int li = 0; li < NLIN; li++)
		if (kind[li])
			sorted[ns++] = lin_names[li];
	for (int i = 1; i < ns; i++)
		for (int k = i; k > 0 && strcmp(sorted[k - 1], sorted[k]) > 0; k--) {
			const char *t = sorted[k];
			sorted[k] = sorted[k - 1];
			sorted[k - 1] = t;
		}
	cJSON *cfg = cJSON_CreateObject();
	cJSON *tms;
	int as_regex = strcmp(c->module_prefix, "model") != 0;
	if (as_regex) {
		/* a multimodal checkpoint: module names alone would also reach the vision tower, so
		 * say which modules as a regular expression over the text model's paths, as one
		 * would write for PEFT ("model\\.language_model\\.layers\\.\\d+\\.(self_attn|mlp)\\.(q_proj|v_proj)") */
		size_t rc = 256 + (size_t)L * NLIN * 96, rn = 0;
		char *re = xmalloc(rc), esc[64];
		snprintf(esc, sizeof esc, "%s", c->module_prefix);
		char pre[128];
		size_t pn = 0;
		for (const char *q = esc; *q && pn < sizeof pre - 3; q++) {
			if (*q == '.')
				pre[pn++] = '\\';
			pre[pn++] = *q;
		}
		pre[pn] = 0;
		if (product) {
			rn += (size_t)snprintf(re + rn, rc - rn, "%s\\.layers\\.", pre);
			if (all_layers) {
				rn += (size_t)snprintf(re + rn, rc - rn, "\\d+");
			} else {
				int f1 = 1;
				rn += (size_t)snprintf(re + rn, rc - rn, "(");
				for (int l = 0; l < L; l++)
					if (layer[l]) {
						rn += (size_t)snprintf(re + rn, rc - rn, "%s%d", f1 ? "" : "|", l);
						f1 = 0;
					}
				rn += (size_t)snprintf(re + rn, rc - rn, ")");
			}
			rn += (size_t)snprintf(re + rn, rc - rn, "\\.(self_attn|mlp)\\.(");
			for (int i = 0; i < ns; i++)
				rn += (size_t)snprintf(re + rn, rc - rn, "%s%s", i ? "|" : "", sorted[i]);
			snprintf(re + rn, rc - rn, ")");
		} else {
			int f1 = 1;
			for (int l = 0; l < L; l++)
				for (int li = 0; li < NLIN; li++)
					if (m->lora[l * NLIN + li].A) {
						rn += (size_t)snprintf(re + rn, rc - rn, "%s%s\\.layers\\.%d\\.%s\\.%s", f1 ? "" : "|", pre,
								       l, lin_module(li), lin_names[li]);
						f1 = 0;
					}
		}
		tms = cJSON_CreateString(re);
		free(re);
	} else if (product) {
		tms = cJSON_CreateArray();
		for (int i = 0; i < ns; i++)
			cJSON_AddItemToArray(tms, cJSON_CreateString(sorted[i]));
	} else {
		tms = cJSON_CreateArray();
		char name[160];
		for (int l = 0; l < L; l++)
			for (int li = 0; li < NLIN; li++)
				if (m->lora[l * NLIN + li].A) {
					snprintf(name, sizeof name, "%s.layers.%d.%s.%s", c->module_prefix, l, lin_module(li), lin_names[li]);
					cJSON_AddItemToArray(tms, cJSON_CreateString(name));
				}
	}
	cJSON_AddItemToObject(cfg, "target_modules", tms);
	if (product && !all_layers && !as_regex) {
		cJSON *ltt = cJSON_AddArrayToObject(cfg, "layers_to_transform");
		for (int l = 0; l < L; l++)
			if (layer[l])
				cJSON_AddItemToArray(ltt, cJSON_CreateNumber(l));
	} else {
		cJSON_AddNullToObject(cfg, "layers_to_transform");
	}
	cJSON_AddObjectToObject(cfg, "alpha_pattern");
	cJSON_AddNullToObject(cfg, "auto_mapping");
	if (base)
		cJSON_AddStringToObject(cfg, "base_model_name_or_path", base);
	else
		cJSON_AddNullToObject(cfg, "base_model_name_or_path");
	cJSON_AddStringToObject(cfg, "bias", "none");
	cJSON_AddFalseToObject(cfg, "fan_in_fan_out");
	cJSON_AddTrueToObject(cfg, "inference_mode");
	cJSON_AddTrueToObject(cfg, "init_lora_weights");
	cJSON_AddNullToObject(cfg, "layers_pattern");
	/* lora_alpha an int where it is integral (PEFT's type), lora_dropout a float */
	cJSON_AddNumberToObject(cfg, "lora_alpha", float_as_written(m->lcfg.alpha));
	cJSON_AddFalseToObject(cfg, "lora_bias");
	json_add_float(cfg, "lora_dropout", float_as_written(m->lcfg.dropout));
	if (m->lcfg.save_embed_tokens || m->lcfg.save_lm_head) {
		cJSON *mts = cJSON_AddArrayToObject(cfg, "modules_to_save");
		if (m->lcfg.save_embed_tokens)
			cJSON_AddItemToArray(mts, cJSON_CreateString("embed_tokens"));
		if (m->lcfg.save_lm_head)
			cJSON_AddItemToArray(mts, cJSON_CreateString("lm_head"));
	} else {
		cJSON_AddNullToObject(cfg, "modules_to_save");
	}
	cJSON_AddStringToObject(cfg, "peft_type", "LORA");
	cJSON_AddNumberToObject(cfg, "r", m->lcfg.r);
	cJSON_AddObjectToObject(cfg, "rank_pattern");
	cJSON_AddNullToObject(cfg, "revision");
	cJSON_AddStringToObject(cfg, "task_type", "CAUSAL_LM");
	cJSON_AddBoolToObject(cfg, "use_dora", m->lcfg.use_dora);
	cJSON_AddBoolToObject(cfg, "use_rslora", m->lcfg.use_rslora);
	size_t on;
	char *out = json_dumps(cfg, &json_style_peft, &on);
	snprintf(path, sizeof path, "%s/adapter_config.json", dir);
	file_write_atomic(path, out, on);
	free(out);
	cJSON_Delete(cfg);
}

void model_lora_merge(model_t *m)
{
	if (!m->has_lora)
		return;
	const modelcfg_t *c = &m->cfg;
	for (int l = 0; l < c->L; l++)
		for (int li = 0; li < NLIN; li++) {
			lora_t *lo = &m->lora[l * NLIN + li];
			if (!lo->A)
				continue;
			int din, dout;
			lin_dims(c, li, &din, &dout);
			param_t *W = m->lw[l * NROLE + lin_weight[li]];
			if (lo->M)
				lora_dora_norm(m, l, li);   /* of the unmerged weight, as PEFT's merge */
			/* W (out, in) += scale * B (out, R) @ A (R, in) */
			m->ops->matmul(W->data, lo->B->data, lo->A->data, dout, din, m->lcfg.r, 0, 0, lo->scale, 1.0f);
			if (lo->M) {   /* rows times M / |W + s B A| */
				float *w = xmalloc(W->numel * sizeof *w), *g = xmalloc((size_t)dout * sizeof *g);
				m->ops->download_f32(w, W->data, W->numel);
				m->ops->download(g, lo->g, (size_t)dout * sizeof(float));
				for (int r = 0; r < dout; r++)
					for (int k = 0; k < din; k++)
						w[(size_t)r * din + k] *= g[r];
				m->ops->upload_f32(W->data, w, W->numel);
				free(w);
				free(g);
			}
		}
	if (m->lvec)
		m->ops->free(m->lvec);
	if (m->dora_w)
		m->ops->free(m->dora_w);
	m->lvec = m->dora_w = NULL;
	m->ops->free(m->ldata);
	m->ops->free(m->lgdata);
	if (m->llo)
		m->ops->free(m->llo);
	m->ldata = NULL;
	m->lgdata = NULL;
	m->llo = NULL;
	free(m->lparams);
	m->lparams = NULL;
	free(m->lora);
	m->lora = NULL;
	free(m->lcfg_layers);
	m->lcfg_layers = NULL;
	m->nlp = 0;
	m->ltotal = 0;
	m->has_lora = 0;
	acts_free(m);
}

int model_lora_nparams(const model_t *m) { return m->nlp; }
param_t *model_lora_param(model_t *m, int i) { return i >= 0 && i < m->nlp ? &m->lparams[i] : NULL; }

param_t *model_lora_param_by_name(model_t *m, const char *name)
{
	for (int i = 0; i < m->nlp; i++)
		if (strcmp(m->lparams[i].name, name) == 0)
			return &m->lparams[i];
	return NULL;
}

const lora_cfg_t *model_lora_cfg(const model_t *m) { return m->has_lora ? &m->lcfg : NULL; }
