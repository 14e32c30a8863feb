/* model_io: Hugging Face checkpoints in and out of model_t — config.json plus model.safetensors
 * or shards, any float dtype on load, float32/bf16/float16 on save, Phi-3's fused projections
 * split on load and fused again on save, shards split as save_pretrained splits them — and
 * what a saved folder takes from the one it came from (hfdir_*: dtype, shard size, side files). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <unistd.h>

#include "diag.h"
#include "json.h"
#include "model_impl.h"
#include "nf4.h"
#include "outfile.h"

/* Phi3 stores q, k, v as rows of one qkv_proj and gate, up as rows of one gate_up_proj: where
 * parameter p lives in such a checkpoint (name, first row, rows of the whole). 0 if not fused. */
static int fused_slot(const model_t *m, const param_t *p, char *name, size_t n, int64_t *row0, int64_t *rows)
{
	const modelcfg_t *c = &m->cfg;
	if (!c->fused_qkv)
		return 0;
	int64_t Q = (int64_t)c->NH * c->HD, KV = (int64_t)c->NKV * c->HD;
	for (int l = 0; l < c->L; l++) {
		param_t **w = &m->lw[l * NROLE];
		if (p == w[P_Q] || p == w[P_K] || p == w[P_V]) {
			snprintf(name, n, "model.layers.%d.self_attn.qkv_proj.weight", l);
			*row0 = p == w[P_Q] ? 0 : p == w[P_K] ? Q : Q + KV;
			*rows = Q + 2 * KV;
			return 1;
		}
		if (p == w[P_GATE] || p == w[P_UP]) {
			snprintf(name, n, "model.layers.%d.mlp.gate_up_proj.weight", l);
			*row0 = p == w[P_GATE] ? 0 : c->I;
			*rows = 2 * (int64_t)c->I;
			return 1;
		}
	}
	return 0;
}

/* A bitsandbytes 4-bit weight (name with its .absmax, .quant_map, .quant_state... companions),
 * dequantised to float32 exactly as bitsandbytes does: numel values into out. */
static void read_nf4(const stdir_t *sd, const char *dir, const char *name, size_t numel, float *out)
{
	char k[300];
	const st_tensor_t *w = stdir_find(sd, name);
	snprintf(k, sizeof k, "%s.quant_state.bitsandbytes__nf4", name);
	const st_tensor_t *qs = stdir_find(sd, k);
	snprintf(k, sizeof k, "%s.absmax", name);
	const st_tensor_t *am = stdir_find(sd, k);
	snprintf(k, sizeof k, "%s.quant_map", name);
	const st_tensor_t *qm = stdir_find(sd, k);
	if (!w || !qs || !am || !qm || w->dtype != ST_U8 || qs->dtype != ST_U8 || qm->numel != 16)
		ft_die(FT_EXIT_DATA, "%s: '%s' is not a bitsandbytes nf4 weight (weight, absmax, quant_map, "
		       "quant_state.bitsandbytes__nf4)", q(dir), name);
	char *js = xmalloc(qs->nbytes + 1);
	memcpy(js, qs->data, qs->nbytes);
	js[qs->nbytes] = 0;
	cJSON *j = cJSON_Parse(js);
	free(js);
	const cJSON *bs = cJSON_GetObjectItem(j, "blocksize"), *shape = cJSON_GetObjectItem(j, "shape");
	const cJSON *qt = cJSON_GetObjectItem(j, "quant_type");
	size_t n = 1;
	for (const cJSON *e = cJSON_IsArray(shape) ? shape->child : NULL; e; e = e->next)
		n *= (size_t)e->valuedouble;
	if (!cJSON_IsNumber(bs) || bs->valueint < 1 || !cJSON_IsString(qt) || strcmp(qt->valuestring, "nf4") || n != numel
	    || (size_t)w->nbytes != (n + 1) / 2)
		ft_die(FT_EXIT_DATA, "%s: %s: quant_state does not describe an nf4 weight of %zu values", q(dir), q(name), numel);
	int blocksize = bs->valueint;
	size_t nb = (n + (size_t)blocksize - 1) / (size_t)blocksize;
	if ((size_t)am->numel != nb)
		ft_die(FT_EXIT_DATA, "%s: '%s.absmax' has %lld values for %zu blocks", q(dir), name, (long long)am->numel, nb);
	float code[16], *absmax = xmalloc(nb * sizeof *absmax);
	st_read_f32(qm, code);
	if (am->dtype == ST_U8) {   /* double quantisation */
		const cJSON *off = cJSON_GetObjectItem(j, "nested_offset"), *nbs = cJSON_GetObjectItem(j, "nested_blocksize");
		snprintf(k, sizeof k, "%s.nested_absmax", name);
		const st_tensor_t *na = stdir_find(sd, k);
		snprintf(k, sizeof k, "%s.nested_quant_map", name);
		const st_tensor_t *nq = stdir_find(sd, k);
		int nbsz = cJSON_IsNumber(nbs) ? nbs->valueint : 256;
		if (!cJSON_IsNumber(off) || !na || !nq || nq->numel != 256 || nbsz < 1
		    || (size_t)na->numel != (nb + (size_t)nbsz - 1) / (size_t)nbsz)
			ft_die(FT_EXIT_DATA, "%s: %s: incomplete double-quantisation state", q(dir), q(name));
		float ncode[256], *na32 = st_load_f32(na);
		st_read_f32(nq, ncode);
		bnb_dequantize_absmax(am->data, na32, ncode, (float)off->valuedouble, nb, nbsz, absmax);
		free(na32);
	} else {
		st_read_f32(am, absmax);
	}
	nf4_dequantize(w->data, absmax, code, n, blocksize, out);
	free(absmax);
	cJSON_Delete(j);
}

model_t *model_load(const char *dir, const ops_t *ops)
{
	modelcfg_t cfg;
	modelcfg_load(&cfg, dir);
	model_t *m = model_new(&cfg, ops);
	stdir_t *sd = stdir_open(dir);
	size_t maxn = 0;
	for (int i = 0; i < m->np; i++)
		if (m->params[i].numel > maxn)
			maxn = m->params[i].numel;
	if (cfg.fused_qkv) {
		size_t a = (size_t)(cfg.NH + 2 * cfg.NKV) * cfg.HD * cfg.C, b = 2 * (size_t)cfg.I * cfg.C;
		maxn = maxn > a ? maxn : a;
		maxn = maxn > b ? maxn : b;
	}
	float *tmp = xmalloc(maxn * sizeof *tmp);
	for (int i = 0; i < m->np; i++) {
		param_t *p = &m->params[i];
		char fname[128], name[200];
		int64_t row0 = 0, rows = p->shape[0];
		snprintf(name, sizeof name, "%s%s", cfg.ckpt_prefix,
			 fused_slot(m, p, fname, sizeof fname, &row0, &rows) ? fname : p->name);
		const st_tensor_t *t = stdir_find(sd, name);
		if (!t)
			ft_die(FT_EXIT_DATA, "%s: model has no tensor '%s' (model_type '%s')", q(dir), name, cfg.model_type);
		size_t cols = p->ndim == 2 ? (size_t)p->shape[1] : 1;
		if (cfg.nf4 && t->dtype == ST_U8 && p->ndim == 2) {
			read_nf4(sd, dir, name, (size_t)rows * cols, tmp);
			model_param_set(m, p, tmp + (size_t)row0 * cols);
			continue;
		}
		int ok = t->ndim == p->ndim && t->shape[0] == rows && (p->ndim == 1 || t->shape[1] == p->shape[1]);
		if (!ok)
			ft_die(FT_EXIT_DATA, "%s: tensor '%s' has the wrong shape for config.json", q(dir), name);
		st_read_f32(t, tmp);
		model_param_set(m, p, tmp + (size_t)row0 * cols);
	}
	free(tmp);
	if (cfg.ckpt_prefix[0]) {
		/* everything outside the text model (vision tower, projector) rides along unchanged */
		size_t pl = strlen(cfg.ckpt_prefix);
		for (int f = 0; f < sd->nfiles; f++)
			for (int k = 0; k < sd->files[f]->n; k++) {
				const st_tensor_t *t = &sd->files[f]->t[k];
				if (!strncmp(t->name, cfg.ckpt_prefix, pl))
					continue;
				m->pass = xrealloc(m->pass, (size_t)(m->npass + 1) * sizeof *m->pass);
				struct passthrough *q = &m->pass[m->npass++];
				q->name = xstrdup(t->name);
				q->dtype = t->dtype;
				q->ndim = t->ndim;
				memcpy(q->shape, t->shape, sizeof q->shape);
				q->nbytes = t->nbytes;
				q->data = xmalloc(t->nbytes ? t->nbytes : 1);
				memcpy(q->data, t->data, t->nbytes);
			}
	}
	stdir_close(sd);
	return m;
}

/* Where parameter p starts in the parameter block, in elements. */
static size_t poff(const model_t *m, const param_t *p)
{
	return (size_t)((const char *)p->data - (const char *)m->pdata) / m->ops->es;
}

/* All base parameters as host float32, laid out as the parameter block. */
static float *params_host(model_t *m)
{
	float *host = xmalloc((m->ptotal ? m->ptotal : 1) * sizeof *host);
	for (int i = 0; i < m->np; i++)
		model_param_get(m, &m->params[i], host + poff(m, &m->params[i]));
	return host;
}

void model_save_weights(model_t *m, const char *path, st_dtype_t dtype)
{
	st_writer_t *w = st_writer_new();
	float *host = params_host(m);
	const modelcfg_t *c = &m->cfg;
	for (int i = 0; i < m->np; i++) {
		param_t *p = &m->params[i];
		char fname[128];
		int64_t row0, rows;
		char name[200];
		if (!fused_slot(m, p, fname, sizeof fname, &row0, &rows)) {
			snprintf(name, sizeof name, "%s%s", c->ckpt_prefix, p->name);
			st_writer_add_f32(w, name, dtype, p->ndim, p->shape, host + poff(m, p));
			continue;
		}
		if (row0 != 0)
			continue;   /* written with the first part */
		/* the parts of a fused tensor follow each other in this layer's roles */
		size_t cols = (size_t)p->shape[1];
		float *buf = xmalloc((size_t)rows * cols * sizeof *buf);
		int l = -1;
		for (int k = 0; k < c->L && l < 0; k++)
			if (m->lw[k * NROLE + P_Q] == p || m->lw[k * NROLE + P_GATE] == p)
				l = k;
		const int qkv[] = {P_Q, P_K, P_V, -1}, gu[] = {P_GATE, P_UP, -1};
		const int *parts = m->lw[l * NROLE + P_Q] == p ? qkv : gu;
		size_t at = 0;
		for (int k = 0; parts[k] >= 0; k++) {
			param_t *q = m->lw[l * NROLE + parts[k]];
			memcpy(buf + at, host + poff(m, q), q->numel * sizeof *buf);
			at += q->numel;
		}
		int64_t shape[2] = {rows, (int64_t)cols};
		snprintf(name, sizeof name, "%s%s", c->ckpt_prefix, fname);
		st_writer_add_f32(w, name, dtype, 2, shape, buf);
		free(buf);
	}
	for (int k = 0; k < m->npass; k++)
		st_writer_add(w, m->pass[k].name, m->pass[k].dtype, m->pass[k].ndim, m->pass[k].shape, m->pass[k].data);
	st_writer_write(w, path);
	st_writer_free(w);
	free(host);
}

/* transformers' state_dict order of a layer's parameters (module registration order), used
 * to split shards as save_pretrained does */
static const int hf_layer_order[] = {
	P_Q, P_QB, P_K, P_KB, P_V, P_VB, P_O, P_OB, P_Q_NORM, P_K_NORM, P_GATE, P_UP, P_DOWN,
	P_ATTN_NORM, P_POST_ATTN_NORM, P_MLP_NORM, P_POST_FF_NORM,
};

typedef struct {
	char name[200];
	int ndim;
	int64_t shape[ST_MAX_DIMS];
	float *data;
	size_t bytes;
	int owned;
	const struct passthrough *raw;   /* written as it was read */
} outt_t;

void model_save_dir(model_t *m, const char *dir, st_dtype_t dtype, size_t max_shard_bytes)
{
	const modelcfg_t *c = &m->cfg;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		ft_die(FT_EXIT_IO, "%s: cannot create: %s", q(dir), strerror(errno));
	float *host = params_host(m);
	/* the output tensors in state-dict order (Phi-3's parts fused, o_proj before qkv_proj) */
	outt_t *t = xcalloc((size_t)m->np + (size_t)m->npass + 1, sizeof *t);
	int nt = 0;
	/* Gemma3ForConditionalGeneration registers the vision tower and projector first */
	for (int k = 0; k < m->npass; k++, nt++) {
		snprintf(t[nt].name, sizeof t[nt].name, "%s", m->pass[k].name);
		t[nt].raw = &m->pass[k];
		t[nt].bytes = m->pass[k].nbytes;
	}
	size_t esz = st_dtype_size(dtype);
	for (int i = -1; i <= c->L; i++) {
		param_t *list[NROLE + 2];
		int nl = 0;
		if (i == -1) {
			list[nl++] = m->embed;
		} else if (i == c->L) {
			list[nl++] = m->norm;
			if (!c->tied)
				list[nl++] = m->lm_head;
		} else {
			for (size_t r = 0; r < sizeof hf_layer_order / sizeof *hf_layer_order; r++) {
				int role = hf_layer_order[r];
				if (c->fused_qkv && role == P_Q)
					continue;   /* Phi3Attention registers o_proj, then qkv_proj */
				if (c->fused_qkv && role == P_O) {
					list[nl++] = m->lw[i * NROLE + P_O];
					list[nl++] = m->lw[i * NROLE + P_Q];
					continue;
				}
				if (m->lw[i * NROLE + role])
					list[nl++] = m->lw[i * NROLE + role];
			}
		}
		for (int k = 0; k < nl; k++) {
			param_t *p = list[k];
			char fname[128];
			int64_t row0, rows;
			outt_t *o = &t[nt];
			if (fused_slot(m, p, fname, sizeof fname, &row0, &rows)) {
				if (row0 != 0)
					continue;
				param_t **w = &m->lw[i * NROLE];
				const int qkv[] = {P_Q, P_K, P_V, -1}, gu[] = {P_GATE, P_UP, -1};
				const int *parts = w[P_Q] == p ? qkv : gu;
				snprintf(o->name, sizeof o->name, "%s%s", c->ckpt_prefix, fname);
				o->data = xmalloc((size_t)rows * p->shape[1] * sizeof(float));
				o->owned = 1;
				size_t at = 0;
				for (int q = 0; parts[q] >= 0; q++) {
					memcpy(o->data + at, host + poff(m, w[parts[q]]), w[parts[q]]->numel * sizeof(float));
					at += w[parts[q]]->numel;
				}
				o->ndim = 2;
				o->shape[0] = rows;
				o->shape[1] = p->shape[1];
			} else {
				snprintf(o->name, sizeof o->name, "%s%s", c->ckpt_prefix, p->name);
				o->ndim = p->ndim;
				o->shape[0] = p->shape[0];
				o->shape[1] = p->shape[1];
				o->data = NULL;
			}
			size_t numel = (size_t)o->shape[0] * (o->ndim == 2 ? (size_t)o->shape[1] : 1);
			o->bytes = numel * esz;
			if (!o->data)
				o->data = host + poff(m, p);
			nt++;
		}
	}
	/* greedy split: a new shard when the next tensor would overflow the current one */
	int *shard = xmalloc((size_t)nt * sizeof *shard), ns = 1;
	size_t cur = 0, total = 0;
	for (int k = 0; k < nt; k++) {
		if (max_shard_bytes && cur > 0 && cur + t[k].bytes > max_shard_bytes) {
			ns++;
			cur = 0;
		}
		shard[k] = ns - 1;
		cur += t[k].bytes;
		total += t[k].bytes;
	}
	char path[4200];
	for (int s = 0; s < ns; s++) {
		st_writer_t *w = st_writer_new();
		for (int k = 0; k < nt; k++)
			if (shard[k] == s && t[k].raw)
				st_writer_add(w, t[k].name, t[k].raw->dtype, t[k].raw->ndim, t[k].raw->shape, t[k].raw->data);
			else if (shard[k] == s)
				st_writer_add_f32(w, t[k].name, dtype, t[k].ndim, t[k].shape, t[k].data);
		if (ns == 1)
			snprintf(path, sizeof path, "%s/model.safetensors", dir);
		else
			snprintf(path, sizeof path, "%s/model-%05d-of-%05d.safetensors", dir, s + 1, ns);
		st_writer_write(w, path);
		st_writer_free(w);
	}
	if (ns > 1) {
		/* model.safetensors.index.json as save_pretrained writes it (keys sorted by the writer) */
		cJSON *index = cJSON_CreateObject(), *wm;
		cJSON_AddNumberToObject(cJSON_AddObjectToObject(index, "metadata"), "total_size", (double)total);
		wm = cJSON_AddObjectToObject(index, "weight_map");
		for (int k = 0; k < nt; k++) {
			char file[64];
			snprintf(file, sizeof file, "model-%05d-of-%05d.safetensors", shard[k] + 1, ns);
			cJSON_AddStringToObject(wm, t[k].name, file);
		}
		size_t n;
		char *js = json_dumps(index, &json_style_hf, &n);
		snprintf(path, sizeof path, "%s/model.safetensors.index.json", dir);
		file_write_atomic(path, js, n);
		free(js);
		cJSON_Delete(index);
	}
	for (int k = 0; k < nt; k++)
		if (t[k].owned)
			free(t[k].data);
	free(t);
	free(shard);
	free(host);
}


/* ---- what a saved folder takes from its base folder ---- */

void hfdir_copy_side_files(const char *src, const char *dst, int with_config)
{
	static const char *const names[] = {
		"config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
		"special_tokens_map.json", "tokenizer.model", "chat_template.jinja", "added_tokens.json",
		"vocab.json", "merges.txt", NULL,
	};
	char a[4096], b[4096];
	for (int i = with_config ? 0 : 1; names[i]; i++) {
		snprintf(a, sizeof a, "%s/%s", src, names[i]);
		if (access(a, R_OK) != 0)
			continue;
		snprintf(b, sizeof b, "%s/%s", dst, names[i]);
		copy_file(a, b);
	}
}

st_dtype_t hfdir_dtype(const char *dir)
{
	stdir_t *sd = stdir_open(dir);
	st_dtype_t d = ST_F32;
	if (sd->nfiles && sd->files[0]->n)
		d = sd->files[0]->t[0].dtype;
	stdir_close(sd);
	if (d != ST_F32 && d != ST_BF16 && d != ST_F16)
		d = ST_F32;
	return d;
}

size_t hfdir_max_shard_bytes(const char *dir)
{
	char p[4200];
	snprintf(p, sizeof p, "%s/model.safetensors.index.json", dir);
	if (access(p, R_OK) != 0)
		return 0;
	stdir_t *sd = stdir_open(dir);
	size_t mx = 0;
	for (int i = 0; i < sd->nfiles; i++) {
		size_t s = 0;
		for (int k = 0; k < sd->files[i]->n; k++)
			s += sd->files[i]->t[k].nbytes;
		if (s > mx)
			mx = s;
	}
	stdir_close(sd);
	return mx;
}

void model_quantize_nf4(model_t *m, int blocksize, int double_quant)
{
	const modelcfg_t *c = &m->cfg;
	if (blocksize < 16 || blocksize > 4096)
		ft_die(FT_EXIT_USAGE, "nf4 blocksize %d is outside [16, 4096]", blocksize);
	for (int l = 0; l < c->L; l++)
		for (int li = 0; li < NLIN; li++) {
			param_t *p = m->lw[l * NROLE + lin_weight[li]];
			float *w = xmalloc(p->numel * sizeof *w);
			model_param_get(m, p, w);
			nf4_roundtrip(w, p->numel, blocksize, double_quant);
			model_param_set(m, p, w);
			free(w);
		}
	m->cfg.nf4 = 1;
}
