/* safetensors: read and write Hugging Face's tensor files, the format of every model and
 * adapter ft loads or saves (codebases.md 4a, 4b).
 *
 * Reading maps the file and checks it the way the Python library does (header size, JSON,
 * dtype/shape/offsets agreeing, no holes or overlap, the file fully covered), so a truncated
 * or foreign file is refused with a message naming it rather than read past its end. Tensors
 * are converted to float32 on request (F32, F16, BF16; integers through st_read_i32).
 * A model folder holds one `model.safetensors` or shards listed in
 * `model.safetensors.index.json`; stdir_* looks names up across the shards.
 *
 * Writing produces the same bytes as `safetensors.torch.save_file`: entries sorted by dtype
 * (widest first) then name, compact JSON padded with spaces to 8 bytes, `__metadata__`
 * {"format":"pt"}; the file is written to a temporary name in the same folder, fsynced and
 * renamed, so readers never see a partial file. */
#ifndef FT_SAFETENSORS_H
#define FT_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
	ST_BOOL, ST_U8, ST_I8, ST_I16, ST_U16, ST_F16, ST_BF16, ST_I32, ST_U32, ST_F32, ST_F64,
	ST_I64, ST_U64, ST_NDTYPE
} st_dtype_t;

#define ST_MAX_DIMS 8

typedef struct {
	const char *name;
	st_dtype_t dtype;
	int ndim;
	int64_t shape[ST_MAX_DIMS];
	int64_t numel;
	size_t nbytes;
	const void *data;   /* into the mapping; may be unaligned for its dtype in foreign files */
} st_tensor_t;

typedef struct {
	char *path;
	void *map;
	size_t size;
	int n;
	st_tensor_t *t;     /* sorted by name */
	char *names;        /* storage for the names */
} st_file_t;

const char *st_dtype_name(st_dtype_t d);
size_t st_dtype_size(st_dtype_t d);

/* Open and check a file. Returns 0, or -1 with a one-line reason in err (no exit). */
int st_open_check(const char *path, st_file_t **out, char *err, size_t errlen);
/* Same, but refuses a bad file with ft_die(FT_EXIT_DATA) (FT_EXIT_IO if it cannot be read). */
st_file_t *st_open(const char *path);
void st_close(st_file_t *f);

const st_tensor_t *st_find(const st_file_t *f, const char *name);   /* NULL if absent */
/* Find name or die naming the file; checks the shape when shape != NULL (ndim dims). */
const st_tensor_t *st_need(const st_file_t *f, const char *name, int ndim, const int64_t *shape);

/* Convert to float32 (F32, F16, BF16, F64) or int32 (I32, I64, U8...); dies on other dtypes. */
void st_read_f32(const st_tensor_t *t, float *dst);
void st_read_i32(const st_tensor_t *t, int32_t *dst);
/* Allocating versions: xmalloc'd arrays of t->numel elements. */
float *st_load_f32(const st_tensor_t *t);
int32_t *st_load_i32(const st_tensor_t *t);

/* A model folder: model.safetensors, or the shards of model.safetensors.index.json. */
typedef struct {
	char *dir;
	int nfiles;
	st_file_t **files;
} stdir_t;

stdir_t *stdir_open(const char *dir);   /* dies with FT_EXIT_DATA / FT_EXIT_IO on failure */
void stdir_close(stdir_t *d);
const st_tensor_t *stdir_find(const stdir_t *d, const char *name);

/* Writer. Tensors are referenced, not copied: keep the data alive until st_writer_write. */
typedef struct st_writer st_writer_t;
st_writer_t *st_writer_new(void);
void st_writer_add(st_writer_t *w, const char *name, st_dtype_t dtype, int ndim,
		   const int64_t *shape, const void *data);
/* Adds float32 data converted to dtype (F32, BF16, F16); the converted copy is owned by w. */
void st_writer_add_f32(st_writer_t *w, const char *name, st_dtype_t dtype, int ndim,
		       const int64_t *shape, const float *data);
/* Writes atomically; dies with FT_EXIT_IO on failure. */
void st_writer_write(st_writer_t *w, const char *path);
void st_writer_free(st_writer_t *w);

uint16_t f32_to_bf16(float f);
float bf16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);
float f16_to_f32(uint16_t h);

#endif
