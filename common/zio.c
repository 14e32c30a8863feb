/* zio: zstd streaming compression and decompression over FILE*. See zio.h. */
#include "zio.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "diag.h"

struct zw {
	FILE *f;
	char *name;
	ZSTD_CCtx *cctx;
	char *in, *out;
	size_t nin, cin, cout;
};

struct zr {
	FILE *f;
	char *name;
	ZSTD_DCtx *dctx;
	int raw;                /* input is not zstd: pass through */
	char *in, *out;
	size_t cin, cout;
	ZSTD_inBuffer ib;
	size_t opos, olen;      /* decompressed bytes ready: out[opos..olen) */
	int eof;                /* the FILE is exhausted */
	size_t frame_open;      /* last ZSTD_decompressStream result: 0 = at a frame boundary */
};

static void zcheck(size_t r, const char *name, int status, const char *what)
{
	if (ZSTD_isError(r))
		ft_die(status, "%s: %s: %s", q(name), what, ZSTD_getErrorName(r));
}

zw_t *zw_open(FILE *f, const char *name, int level)
{
	zw_t *w = xcalloc(1, sizeof *w);
	w->f = f;
	w->name = xstrdup(name);
	w->cctx = ZSTD_createCCtx();
	if (!w->cctx)
		ft_die(FT_EXIT_IO, "out of memory creating a zstd compressor");
	zcheck(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, level), name, FT_EXIT_IO, "zstd");
	/* A checksum lets readers tell a corrupt file from a valid one. */
	zcheck(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1), name, FT_EXIT_IO, "zstd");
	w->cin = ZSTD_CStreamInSize();
	w->cout = ZSTD_CStreamOutSize();
	w->in = xmalloc(w->cin);
	w->out = xmalloc(w->cout);
	return w;
}

static void zw_pump(zw_t *w, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer ib = { w->in, w->nin, 0 };
	for (;;) {
		ZSTD_outBuffer ob = { w->out, w->cout, 0 };
		size_t rem = ZSTD_compressStream2(w->cctx, &ob, &ib, mode);
		zcheck(rem, w->name, FT_EXIT_IO, "compression failed");
		if (ob.pos && fwrite(w->out, 1, ob.pos, w->f) != ob.pos)
			ft_die(FT_EXIT_IO, "%s: cannot write: %s", q(w->name), strerror(errno));
		if (mode == ZSTD_e_end ? rem == 0 : ib.pos == ib.size)
			break;
	}
	w->nin = 0;
}

void zw_write(zw_t *w, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		size_t k = w->cin - w->nin;
		if (k > n)
			k = n;
		memcpy(w->in + w->nin, p, k);
		w->nin += k;
		p += k;
		n -= k;
		if (w->nin == w->cin)
			zw_pump(w, ZSTD_e_continue);
	}
}

void zw_close(zw_t *w)
{
	zw_pump(w, ZSTD_e_end);
	if (fflush(w->f) != 0)
		ft_die(FT_EXIT_IO, "%s: cannot write: %s", q(w->name), strerror(errno));
	ZSTD_freeCCtx(w->cctx);
	free(w->in);
	free(w->out);
	free(w->name);
	free(w);
}

static void zr_fill(zr_t *r)
{
	if (r->ib.pos < r->ib.size || r->eof)
		return;
	size_t n = fread(r->in, 1, r->cin, r->f);
	if (n == 0) {
		if (ferror(r->f))
			ft_die(FT_EXIT_IO, "%s: cannot read: %s", q(r->name), strerror(errno));
		r->eof = 1;
	}
	r->ib.src = r->in;
	r->ib.size = n;
	r->ib.pos = 0;
}

zr_t *zr_open(FILE *f, const char *name, int raw_ok)
{
	zr_t *r = xcalloc(1, sizeof *r);
	r->f = f;
	r->name = xstrdup(name);
	r->cin = ZSTD_DStreamInSize();
	r->cout = ZSTD_DStreamOutSize();
	r->in = xmalloc(r->cin);
	r->out = xmalloc(r->cout);
	r->ib.src = r->in;
	zr_fill(r);
	static const unsigned char magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	if (r->ib.size >= 4 && !memcmp(r->in, magic, 4)) {
		r->dctx = ZSTD_createDCtx();
		if (!r->dctx)
			ft_die(FT_EXIT_IO, "out of memory creating a zstd decompressor");
	} else if (raw_ok || r->ib.size == 0) {
		r->raw = 1;
	} else {
		ft_die(FT_EXIT_DATA, "%s: not a zstd stream, so not an ft data file", q(name));
	}
	return r;
}

/* Makes decompressed bytes available in out[opos..olen); returns 0 at the end. */
static int zr_more(zr_t *r)
{
	while (r->opos == r->olen) {
		zr_fill(r);
		if (r->raw) {
			if (r->ib.pos == r->ib.size)
				return 0;
			size_t k = r->ib.size - r->ib.pos;
			if (k > r->cout)
				k = r->cout;
			memcpy(r->out, (const char *)r->ib.src + r->ib.pos, k);
			r->ib.pos += k;
			r->opos = 0;
			r->olen = k;
			return 1;
		}
		if (r->ib.pos == r->ib.size && r->eof) {
			if (r->frame_open)
				ft_die(FT_EXIT_DATA, "%s: truncated zstd stream (was the writer interrupted? "
						     "re-run it)", q(r->name));
			return 0;
		}
		ZSTD_outBuffer ob = { r->out, r->cout, 0 };
		size_t ret = ZSTD_decompressStream(r->dctx, &ob, &r->ib);
		if (ZSTD_isError(ret))
			ft_die(FT_EXIT_DATA, "%s: corrupt zstd stream: %s", q(r->name),
			       ZSTD_getErrorName(ret));
		r->frame_open = ret;
		r->opos = 0;
		r->olen = ob.pos;
	}
	return 1;
}

size_t zr_read(zr_t *r, void *buf, size_t n)
{
	char *p = buf;
	size_t got = 0;
	while (got < n && zr_more(r)) {
		size_t k = r->olen - r->opos;
		if (k > n - got)
			k = n - got;
		memcpy(p + got, r->out + r->opos, k);
		r->opos += k;
		got += k;
	}
	return got;
}

int zr_read_full(zr_t *r, void *buf, size_t n)
{
	return zr_read(r, buf, n) == n ? 0 : -1;
}

long zr_getline(zr_t *r, char **line, size_t *cap)
{
	size_t len = 0;
	int any = 0;
	while (zr_more(r)) {
		any = 1;
		char *s = r->out + r->opos;
		size_t avail = r->olen - r->opos;
		char *nl = memchr(s, '\n', avail);
		size_t k = nl ? (size_t)(nl - s) : avail;
		xgrow((void **)line, cap, len + k + 1, 1);
		memcpy(*line + len, s, k);
		len += k;
		r->opos += k + (nl ? 1 : 0);
		if (nl) {
			(*line)[len] = '\0';
			return (long)len;
		}
	}
	if (!any && len == 0)
		return -1;
	xgrow((void **)line, cap, len + 1, 1);
	(*line)[len] = '\0';
	return (long)len;
}

const char *zr_name(const zr_t *r)
{
	return r->name;
}

void zr_close(zr_t *r)
{
	if (r->dctx)
		ZSTD_freeDCtx(r->dctx);
	free(r->in);
	free(r->out);
	free(r->name);
	free(r);
}
