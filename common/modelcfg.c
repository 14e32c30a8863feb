/* modelcfg: config.json to modelcfg_t, and RoPE frequencies. See modelcfg.h.
 *
 * Defaults follow the transformers configuration classes (transformers 5), so a config.json
 * written by an older or newer version, with fields left out, still reads as HF reads it. */
#include "modelcfg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "json.h"

static const cJSON *get(const cJSON *j, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
	return cJSON_IsNull(v) ? NULL : v;
}

static double num(const cJSON *j, const char *k, double dflt, const char *where)
{
	const cJSON *v = get(j, k);
	if (!v)
		return dflt;
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v);
	if (!cJSON_IsNumber(v))
		ft_die(FT_EXIT_DATA, "%s: '%s' is not a number", q(where), k);
	return v->valuedouble;
}

static int posint(const cJSON *j, const char *k, int dflt, const char *where)
{
	double d = num(j, k, dflt, where);
	if (d != floor(d) || d < 1 || d > 1e9)
		ft_die(FT_EXIT_DATA, "%s: '%s' must be a positive integer, not %g", q(where), k, d);
	return (int)d;
}

static int flag(const cJSON *j, const char *k, int dflt)
{
	const cJSON *v = get(j, k);
	if (!v)
		return dflt;
	return cJSON_IsTrue(v) || (cJSON_IsNumber(v) && v->valuedouble != 0);
}

static const char *str(const cJSON *j, const char *k)
{
	const cJSON *v = get(j, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static act_t parse_act(const char *s, const char *where)
{
	if (!strcmp(s, "silu") || !strcmp(s, "swish"))
		return ACT_SILU;
	if (!strcmp(s, "gelu_pytorch_tanh") || !strcmp(s, "gelu_new") || !strcmp(s, "gelu_fast"))
		return ACT_GELU_TANH;
	ft_die(FT_EXIT_DATA, "%s: hidden activation '%s' is not supported (silu, gelu_pytorch_tanh)", q(where), s);
}

/* One RoPE description: a v5 rope_parameters object, or a v4 rope_scaling object (may be
 * NULL) with the theta given separately. top is the whole config (Phi-3 keeps
 * original_max_position_embeddings there, and it wins, as in transformers 5). */
static void parse_rope(rope_cfg_t *r, const cJSON *o, double theta, double partial, const cJSON *top, int max_pos,
		       int HD, const char *where)
{
	memset(r, 0, sizeof *r);
	r->theta = (float)num(o, "rope_theta", theta, where);
	r->partial_rotary_factor = (float)num(o, "partial_rotary_factor", partial, where);
	r->factor = 1;
	r->beta_fast = 32;
	r->beta_slow = 1;
	r->truncate = 1;
	const char *t = o ? str(o, "rope_type") : NULL;
	if (!t && o)
		t = str(o, "type");
	if (!t || !strcmp(t, "default"))
		r->type = ROPE_DEFAULT;
	else if (!strcmp(t, "linear"))
		r->type = ROPE_LINEAR;
	else if (!strcmp(t, "dynamic"))
		r->type = ROPE_DYNAMIC;
	else if (!strcmp(t, "llama3"))
		r->type = ROPE_LLAMA3;
	else if (!strcmp(t, "yarn"))
		r->type = ROPE_YARN;
	else if (!strcmp(t, "longrope") || !strcmp(t, "su"))   /* "su": Phi-3's first name for it */
		r->type = ROPE_LONGROPE;
	else
		ft_die(FT_EXIT_DATA, "%s: rope scaling type '%s' is not supported (default, linear, dynamic, llama3, "
		       "yarn, longrope)", q(where), t);
	if (r->type == ROPE_DEFAULT)
		return;
	r->original_max_pos = (int)num(top, "original_max_position_embeddings",
				       num(o, "original_max_position_embeddings", max_pos, where), where);
	if (r->original_max_pos < 1)
		ft_die(FT_EXIT_DATA, "%s: 'original_max_position_embeddings' must be positive", q(where));
	/* a null factor means max_position_embeddings / original_max_position_embeddings */
	double ratio = (double)max_pos / r->original_max_pos;
	if (r->type != ROPE_LONGROPE && !cJSON_GetObjectItemCaseSensitive(o, "factor"))
		ft_die(FT_EXIT_DATA, "%s: rope scaling '%s' needs 'factor'", q(where), t);
	r->factor = (float)num(o, "factor", ratio, where);
	r->attention_factor = (float)num(o, "attention_factor", 0, where);
	if (r->type == ROPE_LLAMA3) {
		r->low_freq_factor = (float)num(o, "low_freq_factor", 1, where);
		r->high_freq_factor = (float)num(o, "high_freq_factor", 4, where);
	}
	if (r->type == ROPE_YARN) {
		r->beta_fast = (float)num(o, "beta_fast", 32, where);
		r->beta_slow = (float)num(o, "beta_slow", 1, where);
		r->mscale = (float)num(o, "mscale", 0, where);
		r->mscale_all_dim = (float)num(o, "mscale_all_dim", 0, where);
		r->truncate = flag(o, "truncate", 1);
	}
	if (r->type == ROPE_LONGROPE) {
		int half = (int)(HD * r->partial_rotary_factor) / 2;
		const char *names[2] = {"short_factor", "long_factor"};
		float *dst[2] = {r->short_factor, r->long_factor};
		for (int k = 0; k < 2; k++) {
			const cJSON *a = get(o, names[k]);
			if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != half || half > ROPE_MAX_HALF)
				ft_die(FT_EXIT_DATA, "%s: rope scaling 'longrope' needs '%s', a list of %d numbers", q(where),
				       names[k], half);
			int i = 0;
			for (const cJSON *e = a->child; e; e = e->next, i++) {
				if (!cJSON_IsNumber(e) || !(e->valuedouble > 0))
					ft_die(FT_EXIT_DATA, "%s: '%s' holds a value that is not a positive number", q(where),
					       names[k]);
				dst[k][i] = (float)e->valuedouble;
			}
		}
	}
}

void modelcfg_from_json(modelcfg_t *c, const cJSON *j, const char *where)
{
	memset(c, 0, sizeof *c);
	if (!cJSON_IsObject(j))
		ft_die(FT_EXIT_DATA, "%s: not a JSON object", q(where));
	const char *mt = str(j, "model_type");
	if (!mt)
		ft_die(FT_EXIT_DATA, "%s: no 'model_type'", q(where));
	snprintf(c->model_type, sizeof c->model_type, "%s", mt);
	const cJSON *archs = get(j, "architectures");
	if (cJSON_IsArray(archs) && cJSON_IsString(cJSON_GetArrayItem(archs, 0)))
		snprintf(c->arch, sizeof c->arch, "%s", cJSON_GetArrayItem(archs, 0)->valuestring);

	int is_llama = !strcmp(mt, "llama"), is_mistral = !strcmp(mt, "mistral"), is_qwen2 = !strcmp(mt, "qwen2"),
	    is_qwen3 = !strcmp(mt, "qwen3"), is_gemma = !strcmp(mt, "gemma"), is_gemma2 = !strcmp(mt, "gemma2"),
	    is_gemma3 = !strcmp(mt, "gemma3_text"), is_phi3 = !strcmp(mt, "phi3");
	if (!strcmp(mt, "gemma3")) {
		/* Gemma3ForConditionalGeneration: its text tower, described by text_config; the vision
		 * tower is carried through unchanged (model_io.c) */
		const cJSON *tc = get(j, "text_config");
		if (!cJSON_IsObject(tc))
			ft_die(FT_EXIT_DATA, "%s: model_type 'gemma3' without a 'text_config' object", q(where));
		cJSON *t = cJSON_Duplicate(tc, 1);
		cJSON_DeleteItemFromObjectCaseSensitive(t, "model_type");
		cJSON_AddStringToObject(t, "model_type", "gemma3_text");
		const cJSON *tie = get(j, "tie_word_embeddings");
		if (tie && !get(t, "tie_word_embeddings"))
			cJSON_AddItemToObject(t, "tie_word_embeddings", cJSON_Duplicate(tie, 1));
		char arch[64];
		snprintf(arch, sizeof arch, "%s", c->arch);
		modelcfg_from_json(c, t, where);
		cJSON_Delete(t);
		snprintf(c->model_type, sizeof c->model_type, "gemma3");
		snprintf(c->arch, sizeof c->arch, "%s", arch);
		snprintf(c->ckpt_prefix, sizeof c->ckpt_prefix, "language_model.");
		snprintf(c->module_prefix, sizeof c->module_prefix, "model.language_model");
		return;
	}
	snprintf(c->module_prefix, sizeof c->module_prefix, "model");
	if (!(is_llama || is_mistral || is_qwen2 || is_qwen3 || is_gemma || is_gemma2 || is_gemma3 || is_phi3))
		ft_die(FT_EXIT_DATA, "%s: model_type '%s' is not supported (llama, mistral, qwen2, qwen3, gemma, gemma2, "
		       "gemma3_text, gemma3, phi3)", q(where), mt);
	int gemma_family = is_gemma || is_gemma2 || is_gemma3;

	c->V = posint(j, "vocab_size", 32000, where);
	c->C = posint(j, "hidden_size", 4096, where);
	c->I = posint(j, "intermediate_size", 11008, where);
	c->L = posint(j, "num_hidden_layers", 32, where);
	c->NH = posint(j, "num_attention_heads", 32, where);
	c->NKV = posint(j, "num_key_value_heads", c->NH, where);
	int hd_default = is_qwen3 ? 128 : gemma_family ? 256 : c->C / c->NH;
	c->HD = posint(j, "head_dim", hd_default, where);
	c->max_pos = posint(j, "max_position_embeddings", 2048, where);
	c->eps = (float)num(j, "rms_norm_eps", is_phi3 || is_mistral ? 1e-5 : 1e-6, where);
	c->init_range = (float)num(j, "initializer_range", 0.02, where);
	c->pad_token_id = (int)num(j, "pad_token_id", -1, where);
	if (c->L > MODELCFG_MAX_LAYERS)
		ft_die(FT_EXIT_DATA, "%s: %d layers, at most %d supported", q(where), c->L, MODELCFG_MAX_LAYERS);
	if (c->NH % c->NKV)
		ft_die(FT_EXIT_DATA, "%s: num_attention_heads %d is not a multiple of num_key_value_heads %d", q(where),
		       c->NH, c->NKV);
	if (c->HD % 2)
		ft_die(FT_EXIT_DATA, "%s: head_dim %d is odd", q(where), c->HD);

	c->tied = flag(j, "tie_word_embeddings", gemma_family ? 1 : 0);
	const char *act = NULL;
	if (gemma_family)
		act = str(j, "hidden_activation") ? str(j, "hidden_activation") : "gelu_pytorch_tanh";
	else
		act = str(j, "hidden_act") ? str(j, "hidden_act") : "silu";
	c->act = parse_act(act, where);
	c->norm_plus_one = gemma_family;
	c->embed_scale = gemma_family ? sqrtf((float)c->C) : 1.0f;
	c->attn_scale = 1.0f / sqrtf((float)c->HD);
	if (is_gemma2 || is_gemma3) {
		double s = num(j, "query_pre_attn_scalar", 256, where);
		c->attn_scale = (float)pow(s, -0.5);
		c->sandwich_norm = 1;
	}
	if (is_gemma2) {
		c->attn_softcap = (float)num(j, "attn_logit_softcapping", 50, where);
		c->final_softcap = (float)num(j, "final_logit_softcapping", 30, where);
	}
	if (is_gemma3) {
		c->attn_softcap = (float)num(j, "attn_logit_softcapping", 0, where);
		c->final_softcap = (float)num(j, "final_logit_softcapping", 0, where);
	}
	c->qk_norm = is_qwen3 || is_gemma3;
	if (is_qwen2) {
		c->qkv_bias = 1;   /* always, with no config key; o_proj has none */
	} else if (is_llama || is_qwen3 || is_gemma || is_gemma2 || is_gemma3) {
		c->qkv_bias = c->o_bias = flag(j, "attention_bias", 0);
	}
	if (is_llama)
		c->mlp_bias = flag(j, "mlp_bias", 0);
	if (c->mlp_bias)
		ft_die(FT_EXIT_DATA, "%s: 'mlp_bias' is not supported", q(where));
	c->fused_qkv = is_phi3;
	const cJSON *qc = get(j, "quantization_config");
	if (qc) {
		const char *qm = str(qc, "quant_method");
		if (!qm || strcmp(qm, "bitsandbytes") != 0)
			ft_die(FT_EXIT_DATA, "%s: quantization method '%s' is not supported (bitsandbytes 4-bit nf4 only)", q(where),
			       qm ? qm : "?");
		if (flag(qc, "load_in_8bit", 0) || !flag(qc, "load_in_4bit", 0))
			ft_die(FT_EXIT_DATA, "%s: 8-bit bitsandbytes checkpoints are not supported (4-bit nf4 only)", q(where));
		const char *qt = str(qc, "bnb_4bit_quant_type");
		if (qt && strcmp(qt, "nf4") != 0)
			ft_die(FT_EXIT_DATA, "%s: bnb_4bit_quant_type '%s' is not supported (nf4 only)", q(where), qt);
		const char *qs = str(qc, "bnb_4bit_quant_storage");
		if (qs && strcmp(qs, "uint8") != 0)
			ft_die(FT_EXIT_DATA, "%s: bnb_4bit_quant_storage '%s' is not supported (uint8 only)", q(where), qs);
		c->nf4 = 1;
	}
	if (flag(j, "use_bidirectional_attention", 0))
		ft_die(FT_EXIT_DATA, "%s: 'use_bidirectional_attention' is not supported (causal attention only)", q(where));
	if (num(j, "attention_dropout", 0, where) > 0)
		ft_warn("%s: attention_dropout %g is not applied (attention runs without dropout)", q(where),
			num(j, "attention_dropout", 0, where));

	/* sliding window and which layers use it */
	int win = (int)num(j, "sliding_window", 0, where);
	if ((is_qwen2 || is_qwen3) && !flag(j, "use_sliding_window", 0))
		win = 0;   /* Qwen2Config/Qwen3Config: sliding_window only counts with use_sliding_window */
	c->sliding_window = win > 0 ? win : 0;
	const cJSON *lt = get(j, "layer_types");
	if (lt) {
		if (!cJSON_IsArray(lt) || cJSON_GetArraySize(lt) != c->L)
			ft_die(FT_EXIT_DATA, "%s: 'layer_types' must list %d layers", q(where), c->L);
		int i = 0;
		for (const cJSON *e = lt->child; e; e = e->next, i++) {
			if (!cJSON_IsString(e))
				ft_die(FT_EXIT_DATA, "%s: 'layer_types' entry %d is not a string", q(where), i);
			if (!strcmp(e->valuestring, "sliding_attention"))
				c->layer_sliding[i] = 1;
			else if (strcmp(e->valuestring, "full_attention") != 0)
				ft_die(FT_EXIT_DATA, "%s: layer type '%s' is not supported", q(where), e->valuestring);
		}
	} else {
		for (int i = 0; i < c->L; i++) {
			if (is_mistral || is_phi3)
				c->layer_sliding[i] = 1;
			else if (is_qwen2 || is_qwen3)
				c->layer_sliding[i] = i >= (int)num(j, "max_window_layers", 28, where);
			else if (is_gemma2)
				c->layer_sliding[i] = (i + 1) % 2 != 0;
			else if (is_gemma3)
				c->layer_sliding[i] = (i + 1) % (int)num(j, "sliding_window_pattern", 6, where) != 0;
		}
	}
	if (!c->sliding_window)
		memset(c->layer_sliding, 0, sizeof c->layer_sliding);
	for (int i = 0; i < c->L; i++)
		if (c->layer_sliding[i] && !c->sliding_window)
			ft_die(FT_EXIT_DATA, "%s: layer %d slides but no 'sliding_window' is given", q(where), i);

	/* RoPE: v5 rope_parameters (maybe per layer type), or v4 rope_theta + rope_scaling */
	double theta_default = is_gemma3 ? 1e6 : 10000;
	double partial = num(j, "partial_rotary_factor", 1, where);
	const cJSON *rp = get(j, "rope_parameters");
	if (rp && !cJSON_IsObject(rp))
		ft_die(FT_EXIT_DATA, "%s: 'rope_parameters' is not an object", q(where));
	const cJSON *rp_full = rp ? get(rp, "full_attention") : NULL, *rp_slide = rp ? get(rp, "sliding_attention") : NULL;
	if (rp_full || rp_slide) {
		parse_rope(&c->rope, rp_full, theta_default, partial, j, c->max_pos, c->HD, where);
		parse_rope(&c->rope_local, rp_slide ? rp_slide : rp_full, 10000, partial, j, c->max_pos, c->HD, where);
	} else if (rp) {
		parse_rope(&c->rope, rp, num(j, "rope_theta", theta_default, where), partial, j, c->max_pos, c->HD, where);
		c->rope_local = c->rope;
	} else {
		const cJSON *rs = get(j, "rope_scaling");
		if (rs && !cJSON_IsObject(rs))
			ft_die(FT_EXIT_DATA, "%s: 'rope_scaling' is not an object", q(where));
		double theta = num(j, "rope_theta", theta_default, where);
		parse_rope(&c->rope, rs, theta, partial, j, c->max_pos, c->HD, where);
		if (is_gemma3) {
			parse_rope(&c->rope_local, NULL, num(j, "rope_local_base_freq", 10000, where), partial, j, c->max_pos,
				   c->HD, where);
		} else {
			c->rope_local = c->rope;
		}
	}
	int dim = (int)(c->HD * c->rope.partial_rotary_factor);
	if (dim < 2 || dim % 2 || dim > c->HD)
		ft_die(FT_EXIT_DATA, "%s: partial_rotary_factor gives %d rotated dimensions of %d", q(where), dim, c->HD);
}

void modelcfg_load(modelcfg_t *c, const char *path)
{
	char buf[4096];
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(buf, sizeof buf, "%s/config.json", path);
		path = buf;
	}
	cJSON *j = json_read_file(path, 0);
	modelcfg_from_json(c, j, path);
	cJSON_Delete(j);
}

static double yarn_mscale(double scale, double m)
{
	return scale <= 1 ? 1.0 : 0.1 * m * log(scale) + 1.0;
}

int rope_inv_freq(const rope_cfg_t *r, int HD, int max_pos, int seq_len, float *inv, float *attn_scaling)
{
	int dim = (int)(HD * r->partial_rotary_factor);
	float theta = r->theta;
	*attn_scaling = 1.0f;
	if (r->type == ROPE_DYNAMIC && seq_len > max_pos) {
		/* transformers' dynamic NTK: a larger base once the sequence outgrows max_pos */
		double f = r->factor;
		theta = (float)(theta * pow(f * seq_len / max_pos - (f - 1), (double)dim / (dim - 2)));
	}
	/* as torch: exponent arange(0, dim, 2).float() / dim, power and reciprocal in float32 */
	for (int i = 0; i < dim / 2; i++)
		inv[i] = 1.0f / powf(theta, (float)(2 * i) / (float)dim);
	if (r->type == ROPE_LINEAR) {
		for (int i = 0; i < dim / 2; i++)
			inv[i] = inv[i] / r->factor;
	} else if (r->type == ROPE_LLAMA3) {
		float L = (float)r->original_max_pos, lo = r->low_freq_factor, hi = r->high_freq_factor;
		float low_wl = L / lo, high_wl = L / hi;
		for (int i = 0; i < dim / 2; i++) {
			float f = inv[i], wl = 2.0f * (float)M_PI / f;
			if (wl > low_wl) {
				f = f / r->factor;
			} else if (wl >= high_wl) {
				float s = (L / wl - lo) / (hi - lo);
				f = (1.0f - s) * f / r->factor + s * f;
			}
			inv[i] = f;
		}
	} else if (r->type == ROPE_YARN) {
		/* transformers 5: the factor as given, the correction range from the original length */
		double factor = r->factor;
		int L = r->original_max_pos;
		double af = r->attention_factor;
		if (af == 0) {
			if (r->mscale != 0 && r->mscale_all_dim != 0)
				af = yarn_mscale(factor, r->mscale) / yarn_mscale(factor, r->mscale_all_dim);
			else
				af = yarn_mscale(factor, 1);
		}
		double base = theta;
		double lo = dim * log(L / (r->beta_fast * 2 * M_PI)) / (2 * log(base));
		double hi = dim * log(L / (r->beta_slow * 2 * M_PI)) / (2 * log(base));
		if (r->truncate) {
			lo = floor(lo);
			hi = ceil(hi);
		}
		if (lo < 0)
			lo = 0;
		if (hi > dim - 1)
			hi = dim - 1;
		if (lo == hi)
			hi += 0.001;
		for (int i = 0; i < dim / 2; i++) {
			float pf = powf(theta, (float)(2 * i) / (float)dim);
			float extra = 1.0f / pf, inter = 1.0f / ((float)factor * pf);
			float ramp = (float)((i - lo) / (hi - lo));
			ramp = ramp < 0 ? 0 : ramp > 1 ? 1 : ramp;
			float ef = 1.0f - ramp;
			inv[i] = inter * (1 - ef) + extra * ef;
		}
		*attn_scaling = (float)af;
	} else if (r->type == ROPE_LONGROPE) {
		/* long factors once the batch passes the original length, short ones below */
		const float *ext = seq_len > r->original_max_pos ? r->long_factor : r->short_factor;
		for (int i = 0; i < dim / 2; i++)
			inv[i] = 1.0f / (ext[i] * powf(theta, (float)(2 * i) / (float)dim));
		double f = r->factor;
		*attn_scaling = r->attention_factor != 0 ? r->attention_factor
				: f <= 1 ? 1.0f : (float)sqrt(1 + log(f) / log((double)r->original_max_pos));
	}
	return dim;
}
