/* safetensors: checked reader (mmap) and byte-exact atomic writer. See safetensors.h. */
#include "safetensors.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "json.h"
#include "outfile.h"   /* file_write_atomic */

/* The Python library's limit on the header (MAX_HEADER_SIZE). */
#define ST_MAX_HEADER 100000000ull

static const struct { const char *name; size_t size; int rank; } dtypes[ST_NDTYPE] = {
	/* rank: position in safetensors' Dtype enum, which orders entries when writing */
	[ST_BOOL] = {"BOOL", 1, 0}, [ST_U8] = {"U8", 1, 4}, [ST_I8] = {"I8", 1, 5},
	[ST_I16] = {"I16", 2, 9}, [ST_U16] = {"U16", 2, 10}, [ST_F16] = {"F16", 2, 11},
	[ST_BF16] = {"BF16", 2, 12}, [ST_I32] = {"I32", 4, 13}, [ST_U32] = {"U32", 4, 14},
	[ST_F32] = {"F32", 4, 15}, [ST_F64] = {"F64", 8, 17}, [ST_I64] = {"I64", 8, 18},
	[ST_U64] = {"U64", 8, 19},
};

const char *st_dtype_name(st_dtype_t d) { return d < ST_NDTYPE ? dtypes[d].name : "?"; }
size_t st_dtype_size(st_dtype_t d) { return d < ST_NDTYPE ? dtypes[d].size : 0; }

static int dtype_parse(const char *s)
{
	for (int i = 0; i < ST_NDTYPE; i++)
		if (strcmp(s, dtypes[i].name) == 0)
			return i;
	return -1;
}

uint16_t f32_to_bf16(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	if ((u & 0x7fffffffu) > 0x7f800000u)
		return 0x7fc0;   /* NaN -> canonical quiet NaN, as torch */
	return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);   /* round to nearest even */
}

float bf16_to_f32(uint16_t h)
{
	uint32_t u = (uint32_t)h << 16;
	float f;
	memcpy(&f, &u, 4);
	return f;
}

float f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, u;
	if (exp == 0) {
		if (man == 0) {
			u = sign;
		} else {   /* subnormal: normalise */
			int e = -1;
			do { e++; man <<= 1; } while (!(man & 0x400));
			u = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3ff) << 13);
		}
	} else if (exp == 31) {
		u = sign | 0x7f800000u | (man << 13);
	} else {
		u = sign | ((exp + 127 - 15) << 23) | (man << 13);
	}
	float f;
	memcpy(&f, &u, 4);
	return f;
}

uint16_t f32_to_f16(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	uint32_t sign = (u >> 16) & 0x8000;
	uint32_t a = u & 0x7fffffffu;
	if (a > 0x7f800000u)
		return (uint16_t)(sign | 0x7e00);
	if (a >= 0x477ff000u)   /* rounds to >= 65520: infinity */
		return (uint16_t)(sign | 0x7c00);
	if (a < 0x38800000u) {  /* below the smallest normal: subnormal or zero */
		float af;
		memcpy(&af, &a, 4);
		/* adding 0.5 (2^-1) pushes the value's bits into the low mantissa with RNE */
		float t = af + 0.5f;
		uint32_t tu;
		memcpy(&tu, &t, 4);
		return (uint16_t)(sign | (tu - 0x3f000000u));
	}
	uint32_t mant_odd = (a >> 13) & 1;
	a += 0xc8000fffu + mant_odd;   /* rebias exponent (-112 << 23) and round to nearest even */
	return (uint16_t)(sign | (a >> 13));
}

/* ---- reader ---- */

static int fail(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

static int cmp_tensor_name(const void *a, const void *b)
{
	return strcmp(((const st_tensor_t *)a)->name, ((const st_tensor_t *)b)->name);
}

typedef struct { size_t begin, end; int i; } span_t;

static int cmp_span(const void *a, const void *b)
{
	const span_t *x = a, *y = b;
	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

/* A non-negative integer JSON number that fits exactly; -1 otherwise. */
static int64_t json_uint(const cJSON *j)
{
	if (!cJSON_IsNumber(j))
		return -1;
	double d = j->valuedouble;
	if (!(d >= 0) || d > 9007199254740992.0 || d != floor(d))
		return -1;
	return (int64_t)d;
}

void st_close(st_file_t *f)
{
	if (!f)
		return;
	if (f->map && f->size)
		munmap(f->map, f->size);
	free(f->t);
	free(f->names);
	free(f->path);
	free(f);
}

static int st_parse(st_file_t *f, char *err, size_t errlen)
{
	const char *p = f->path;
	const unsigned char *b = f->map;
	if (f->size < 8)
		return fail(err, errlen, "%s: not a safetensors file: %zu bytes, shorter than its 8-byte header size",
			    q(p), f->size);
	uint64_t hn = 0;
	for (int i = 7; i >= 0; i--)
		hn = hn << 8 | b[i];
	if (hn > ST_MAX_HEADER)
		return fail(err, errlen, "%s: not a safetensors file: header size %llu is over the limit of %llu",
			    q(p), (unsigned long long)hn, ST_MAX_HEADER);
	if (hn + 8 > f->size)
		return fail(err, errlen, "%s: truncated: header of %llu bytes but the file has %zu",
			    q(p), (unsigned long long)hn, f->size);
	if (hn < 2 || b[8] != '{')
		return fail(err, errlen, "%s: not a safetensors file: header does not start with '{'", q(p));
	const char *end = NULL;
	cJSON *h = cJSON_ParseWithLengthOpts((const char *)b + 8, hn, &end, 0);
	if (!h || !cJSON_IsObject(h)) {
		cJSON_Delete(h);
		return fail(err, errlen, "%s: corrupt safetensors header: not valid JSON", q(p));
	}
	/* cJSON stops at the end of the value; what follows may only be the padding spaces */
	for (const char *c = end; c < (const char *)b + 8 + hn; c++)
		if (*c != ' ') {
			cJSON_Delete(h);
			return fail(err, errlen, "%s: corrupt safetensors header: bytes after the JSON object", q(p));
		}
	size_t datalen = f->size - 8 - hn;
	int n = 0;
	size_t namebytes = 0;
	for (cJSON *e = h->child; e; e = e->next)
		if (strcmp(e->string, "__metadata__") != 0) {
			n++;
			namebytes += strlen(e->string) + 1;
		}
	f->t = xcalloc(n ? n : 1, sizeof *f->t);
	f->names = xmalloc(namebytes ? namebytes : 1);
	span_t *sp = xcalloc(n ? n : 1, sizeof *sp);
	int k = 0, rc = 0;
	char *np = f->names;
	for (cJSON *e = h->child; e && rc == 0; e = e->next) {
		if (strcmp(e->string, "__metadata__") == 0) {
			if (!cJSON_IsObject(e)) {
				rc = fail(err, errlen, "%s: corrupt safetensors header: __metadata__ is not an object", q(p));
				break;
			}
			for (cJSON *m = e->child; m; m = m->next)
				if (!cJSON_IsString(m))
					rc = fail(err, errlen, "%s: corrupt safetensors header: __metadata__ value '%s' is not a string",
						  q(p), m->string);
			continue;
		}
		st_tensor_t *t = &f->t[k];
		const char *nm = e->string;
		cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype");
		cJSON *sh = cJSON_GetObjectItemCaseSensitive(e, "shape");
		cJSON *of = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
		if (!cJSON_IsObject(e) || !cJSON_IsString(dt) || !cJSON_IsArray(sh) || !cJSON_IsArray(of)
		    || cJSON_GetArraySize(e) != 3 || cJSON_GetArraySize(of) != 2) {
			rc = fail(err, errlen, "%s: corrupt safetensors header: tensor '%s' needs exactly dtype, shape and data_offsets",
				  q(p), nm);
			break;
		}
		int d = dtype_parse(dt->valuestring);
		if (d < 0) {
			rc = fail(err, errlen, "%s: tensor '%s': unsupported dtype '%s'", q(p), nm, dt->valuestring);
			break;
		}
		t->dtype = d;
		t->ndim = cJSON_GetArraySize(sh);
		if (t->ndim > ST_MAX_DIMS) {
			rc = fail(err, errlen, "%s: tensor '%s': %d dimensions, at most %d supported", q(p), nm, t->ndim,
				  ST_MAX_DIMS);
			break;
		}
		uint64_t numel = 1;
		int i = 0;
		for (cJSON *s = sh->child; s; s = s->next, i++) {
			int64_t v = json_uint(s);
			if (v < 0) {
				rc = fail(err, errlen, "%s: corrupt safetensors header: tensor '%s' has a bad shape", q(p), nm);
				break;
			}
			t->shape[i] = v;
			if (v && numel > UINT64_MAX / 16 / (uint64_t)v) {
				rc = fail(err, errlen, "%s: tensor '%s': shape overflows", q(p), nm);
				break;
			}
			numel *= (uint64_t)v;
		}
		if (rc)
			break;
		int64_t o0 = json_uint(of->child), o1 = json_uint(of->child->next);
		if (o0 < 0 || o1 < 0 || o1 < o0) {
			rc = fail(err, errlen, "%s: corrupt safetensors header: tensor '%s' has bad data_offsets", q(p), nm);
			break;
		}
		t->numel = (int64_t)numel;
		t->nbytes = (size_t)(numel * dtypes[d].size);
		if ((uint64_t)(o1 - o0) != numel * dtypes[d].size) {
			rc = fail(err, errlen, "%s: tensor '%s': data_offsets span %lld bytes but dtype and shape need %zu",
				  q(p), nm, (long long)(o1 - o0), t->nbytes);
			break;
		}
		if ((uint64_t)o1 > datalen) {
			rc = fail(err, errlen, "%s: truncated: tensor '%s' ends at byte %lld of a %zu-byte data section",
				  q(p), nm, (long long)o1, datalen);
			break;
		}
		size_t ln = strlen(nm) + 1;
		memcpy(np, nm, ln);
		t->name = np;
		np += ln;
		t->data = b + 8 + hn + o0;
		sp[k] = (span_t){(size_t)o0, (size_t)o1, k};
		k++;
	}
	if (rc == 0) {
		qsort(sp, n, sizeof *sp, cmp_span);
		size_t at = 0;
		for (int i = 0; i < n && rc == 0; i++) {
			if (sp[i].begin != at)
				rc = fail(err, errlen, "%s: corrupt safetensors header: tensor '%s' %s",
					  q(p), f->t[sp[i].i].name, sp[i].begin < at ? "overlaps another" : "leaves a hole before it");
			at = sp[i].end;
		}
		if (rc == 0 && at != datalen)
			rc = fail(err, errlen, "%s: %zu bytes after the last tensor: not fully covered by the header",
				  q(p), datalen - at);
	}
	free(sp);
	cJSON_Delete(h);
	if (rc)
		return rc;
	f->n = n;
	qsort(f->t, n, sizeof *f->t, cmp_tensor_name);
	for (int i = 1; i < n; i++)
		if (strcmp(f->t[i].name, f->t[i - 1].name) == 0)
			return fail(err, errlen, "%s: corrupt safetensors header: tensor '%s' appears twice", q(p), f->t[i].name);
	return 0;
}

int st_open_check(const char *path, st_file_t **out, char *err, size_t errlen)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, "%s: cannot open: %s", q(path), strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, errlen, "%s: not a regular file", q(path));
	}
	st_file_t *f = xcalloc(1, sizeof *f);
	f->path = xstrdup(path);
	f->size = (size_t)st.st_size;
	if (f->size) {
		f->map = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (f->map == MAP_FAILED) {
			f->map = NULL;
			int e = errno;
			close(fd);
			st_close(f);
			return fail(err, errlen, "%s: cannot map: %s", q(path), strerror(e));
		}
	}
	close(fd);
	if (st_parse(f, err, errlen) != 0) {
		st_close(f);
		return -1;
	}
	*out = f;
	return 0;
}

st_file_t *st_open(const char *path)
{
	char err[512];
	st_file_t *f;
	if (st_open_check(path, &f, err, sizeof err) != 0) {
		int io = access(path, R_OK) != 0;
		ft_die(io ? FT_EXIT_IO : FT_EXIT_DATA, "%s", err);
	}
	return f;
}

const st_tensor_t *st_find(const st_file_t *f, const char *name)
{
	st_tensor_t key = {.name = name};
	return bsearch(&key, f->t, f->n, sizeof *f->t, cmp_tensor_name);
}

static const char *shape_str(int ndim, const int64_t *shape)
{
	static char buf[2][128];
	static int k;
	k ^= 1;
	char *s = buf[k];
	int o = snprintf(s, 128, "[");
	for (int i = 0; i < ndim && o < 100; i++)
		o += snprintf(s + o, 128 - o, "%s%lld", i ? "," : "", (long long)shape[i]);
	snprintf(s + o, 128 - o, "]");
	return s;
}

const st_tensor_t *st_need(const st_file_t *f, const char *name, int ndim, const int64_t *shape)
{
	const st_tensor_t *t = st_find(f, name);
	if (!t)
		ft_die(FT_EXIT_DATA, "%s: no tensor '%s'", q(f->path), name);
	if (shape) {
		int ok = t->ndim == ndim;
		for (int i = 0; ok && i < ndim; i++)
			ok = t->shape[i] == shape[i];
		if (!ok)
			ft_die(FT_EXIT_DATA, "%s: tensor '%s' has shape %s, expected %s", q(f->path), name,
			       shape_str(t->ndim, t->shape), shape_str(ndim, shape));
	}
	return t;
}

void st_read_f32(const st_tensor_t *t, float *dst)
{
	const unsigned char *s = t->data;
	int64_t n = t->numel;
	switch (t->dtype) {
	case ST_F32:
		memcpy(dst, s, (size_t)n * 4);   /* memcpy: the data may be unaligned */
		break;
	case ST_BF16:
		for (int64_t i = 0; i < n; i++) {
			uint16_t h;
			memcpy(&h, s + 2 * i, 2);
			dst[i] = bf16_to_f32(h);
		}
		break;
	case ST_F16:
		for (int64_t i = 0; i < n; i++) {
			uint16_t h;
			memcpy(&h, s + 2 * i, 2);
			dst[i] = f16_to_f32(h);
		}
		break;
	case ST_F64:
		for (int64_t i = 0; i < n; i++) {
			double d;
			memcpy(&d, s + 8 * i, 8);
			dst[i] = (float)d;
		}
		break;
	default:
		ft_die(FT_EXIT_DATA, "tensor '%s': dtype %s where a floating-point tensor is needed", t->name,
		       st_dtype_name(t->dtype));
	}
}

void st_read_i32(const st_tensor_t *t, int32_t *dst)
{
	const unsigned char *s = t->data;
	for (int64_t i = 0; i < t->numel; i++) {
		int64_t v;
		switch (t->dtype) {
		case ST_I32: { int32_t x; memcpy(&x, s + 4 * i, 4); v = x; break; }
		case ST_I64: { int64_t x; memcpy(&x, s + 8 * i, 8); v = x; break; }
		case ST_U8: v = s[i]; break;
		case ST_I16: { int16_t x; memcpy(&x, s + 2 * i, 2); v = x; break; }
		default:
			ft_die(FT_EXIT_DATA, "tensor '%s': dtype %s where an integer tensor is needed", t->name,
			       st_dtype_name(t->dtype));
		}
		if (v < INT32_MIN || v > INT32_MAX)
			ft_die(FT_EXIT_DATA, "tensor '%s': value %lld does not fit 32 bits", t->name, (long long)v);
		dst[i] = (int32_t)v;
	}
}

float *st_load_f32(const st_tensor_t *t)
{
	float *p = xmalloc((size_t)(t->numel ? t->numel : 1) * sizeof *p);
	st_read_f32(t, p);
	return p;
}

int32_t *st_load_i32(const st_tensor_t *t)
{
	int32_t *p = xmalloc((size_t)(t->numel ? t->numel : 1) * sizeof *p);
	st_read_i32(t, p);
	return p;
}

/* ---- folders ---- */

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *s = xmalloc(n);
	snprintf(s, n, "%s/%s", dir, name);
	return s;
}

stdir_t *stdir_open(const char *dir)
{
	stdir_t *d = xcalloc(1, sizeof *d);
	d->dir = xstrdup(dir);
	char *single = path_join(dir, "model.safetensors");
	if (access(single, F_OK) == 0) {
		d->nfiles = 1;
		d->files = xmalloc(sizeof *d->files);
		d->files[0] = st_open(single);
		free(single);
		return d;
	}
	free(single);
	char *ipath = path_join(dir, "model.safetensors.index.json");
	if (access(ipath, F_OK) != 0)
		ft_die(FT_EXIT_DATA, "%s: no model.safetensors or model.safetensors.index.json (pickled "
		       "pytorch_model.bin checkpoints are not read: convert them to safetensors)", q(dir));
	cJSON *j = json_read_file(ipath, 0);
	cJSON *wm = cJSON_GetObjectItemCaseSensitive(j, "weight_map");
	if (!cJSON_IsObject(wm))
		ft_die(FT_EXIT_DATA, "%s: not a safetensors index: no \"weight_map\" object", q(ipath));
	int cap = 0;
	for (cJSON *e = wm->child; e; e = e->next) {
		if (!cJSON_IsString(e))
			ft_die(FT_EXIT_DATA, "%s: weight_map entry '%s' is not a file name", q(ipath), e->string);
		const char *s = e->valuestring;
		if (!*s || s[0] == '/' || strstr(s, "..") || strchr(s, '/') || strchr(s, '\\'))
			ft_die(FT_EXIT_DATA, "%s: shard name '%s' is not a plain file name", q(ipath), s);
		int seen = 0;
		for (int i = 0; i < d->nfiles && !seen; i++)
			seen = strcmp(strrchr(d->files[i]->path, '/') + 1, s) == 0;
		if (seen)
			continue;
		if (d->nfiles == cap) {
			cap = cap ? 2 * cap : 8;
			d->files = xrealloc(d->files, cap * sizeof *d->files);
		}
		char *sp = path_join(dir, s);
		d->files[d->nfiles++] = st_open(sp);
		free(sp);
	}
	/* every name the index promises must be in the shard it names */
	for (cJSON *e = wm->child; e; e = e->next) {
		const st_tensor_t *t = NULL;
		for (int i = 0; i < d->nfiles && !t; i++)
			if (strcmp(strrchr(d->files[i]->path, '/') + 1, e->valuestring) == 0)
				t = st_find(d->files[i], e->string);
		if (!t)
			ft_die(FT_EXIT_DATA, "%s: tensor '%s' is listed in the index but not in %s", q(ipath), e->string,
			       q(e->valuestring));
	}
	cJSON_Delete(j);
	free(ipath);
	return d;
}

void stdir_close(stdir_t *d)
{
	if (!d)
		return;
	for (int i = 0; i < d->nfiles; i++)
		st_close(d->files[i]);
	free(d->files);
	free(d->dir);
	free(d);
}

const st_tensor_t *stdir_find(const stdir_t *d, const char *name)
{
	for (int i = 0; i < d->nfiles; i++) {
		const st_tensor_t *t = st_find(d->files[i], name);
		if (t)
			return t;
	}
	return NULL;
}

/* ---- writer ---- */

typedef struct {
	char *name;
	st_dtype_t dtype;
	int ndim;
	int64_t shape[ST_MAX_DIMS];
	size_t nbytes;
	const void *data;
	void *owned;
} went_t;

struct st_writer {
	int n, cap;
	went_t *e;
};

st_writer_t *st_writer_new(void) { return xcalloc(1, sizeof(st_writer_t)); }

void st_writer_add(st_writer_t *w, const char *name, st_dtype_t dtype, int ndim, const int64_t *shape,
		   const void *data)
{
	if (ndim < 0 || ndim > ST_MAX_DIMS)
		ft_die(FT_EXIT_DATA, "tensor '%s': %d dimensions", name, ndim);
	for (int i = 0; i < w->n; i++)
		if (strcmp(w->e[i].name, name) == 0)
			ft_die(FT_EXIT_DATA, "tensor '%s' written twice", name);
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 32;
		w->e = xrealloc(w->e, w->cap * sizeof *w->e);
	}
	went_t *e = &w->e[w->n++];
	memset(e, 0, sizeof *e);
	e->name = xstrdup(name);
	e->dtype = dtype;
	e->ndim = ndim;
	size_t numel = 1;
	for (int i = 0; i < ndim; i++) {
		e->shape[i] = shape[i];
		numel *= (size_t)shape[i];
	}
	e->nbytes = numel * dtypes[dtype].size;
	e->data = data;
}

void st_writer_add_f32(st_writer_t *w, const char *name, st_dtype_t dtype, int ndim, const int64_t *shape,
		       const float *data)
{
	size_t numel = 1;
	for (int i = 0; i < ndim; i++)
		numel *= (size_t)shape[i];
	void *buf;
	if (dtype == ST_F32) {
		buf = xmalloc(numel * 4 + 1);
		memcpy(buf, data, numel * 4);
	} else if (dtype == ST_BF16 || dtype == ST_F16) {
		uint16_t *h = xmalloc(numel * 2 + 1);
		for (size_t i = 0; i < numel; i++)
			h[i] = dtype == ST_BF16 ? f32_to_bf16(data[i]) : f32_to_f16(data[i]);
		buf = h;
	} else {
		ft_die(FT_EXIT_DATA, "tensor '%s': cannot write float data as %s", name, st_dtype_name(dtype));
	}
	st_writer_add(w, name, dtype, ndim, shape, buf);
	w->e[w->n - 1].owned = buf;
}

static int cmp_went(const void *a, const void *b)
{
	const went_t *x = a, *y = b;
	if (dtypes[x->dtype].rank != dtypes[y->dtype].rank)
		return dtypes[x->dtype].rank > dtypes[y->dtype].rank ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* JSON string as serde_json writes it: escapes ", \ and control characters only. */
static void put_jstr(char **s, size_t *n, size_t *cap, const char *str)
{
	xgrow((void **)s, cap, *n + strlen(str) * 6 + 3, 1);
	char *o = *s + *n;
	*o++ = '"';
	for (const unsigned char *c = (const unsigned char *)str; *c; c++) {
		if (*c == '"' || *c == '\\') {
			*o++ = '\\';
			*o++ = (char)*c;
		} else if (*c < 0x20) {
			o += sprintf(o, "\\u%04x", *c);
		} else {
			*o++ = (char)*c;
		}
	}
	*o++ = '"';
	*n = (size_t)(o - *s);
}

static void put(char **s, size_t *n, size_t *cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(char **s, size_t *n, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	xgrow((void **)s, cap, *n + k + 1, 1);
	va_start(ap, fmt);
	vsnprintf(*s + *n, k + 1, fmt, ap);
	va_end(ap);
	*n += k;
}

void st_writer_write(st_writer_t *w, const char *path)
{
	qsort(w->e, w->n, sizeof *w->e, cmp_went);
	size_t cap = 256, n = 8;
	char *s = xmalloc(cap);
	put(&s, &n, &cap, "{\"__metadata__\":{\"format\":\"pt\"}");
	size_t off = 0;
	for (int i = 0; i < w->n; i++) {
		went_t *e = &w->e[i];
		put(&s, &n, &cap, ",");
		put_jstr(&s, &n, &cap, e->name);
		put(&s, &n, &cap, ":{\"dtype\":\"%s\",\"shape\":[", dtypes[e->dtype].name);
		for (int d = 0; d < e->ndim; d++)
			put(&s, &n, &cap, "%s%lld", d ? "," : "", (long long)e->shape[d]);
		put(&s, &n, &cap, "],\"data_offsets\":[%zu,%zu]}", off, off + e->nbytes);
		off += e->nbytes;
	}
	put(&s, &n, &cap, "}");
	while ((n - 8) % 8)
		put(&s, &n, &cap, " ");
	uint64_t hn = n - 8;
	for (int i = 0; i < 8; i++)
		s[i] = (char)(hn >> (8 * i));
	xgrow((void **)&s, &cap, n + off + 1, 1);
	for (int i = 0; i < w->n; i++) {
		if (w->e[i].nbytes)
			memcpy(s + n, w->e[i].data, w->e[i].nbytes);
		n += w->e[i].nbytes;
	}
	file_write_atomic(path, s, n);
	free(s);
}

void st_writer_free(st_writer_t *w)
{
	if (!w)
		return;
	for (int i = 0; i < w->n; i++) {
		free(w->e[i].name);
		free(w->e[i].owned);
	}
	free(w->e);
	free(w);
}
