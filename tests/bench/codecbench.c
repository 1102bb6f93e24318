/*
 * codecbench: candidate compressors and settings for one PNG band, on the
 * benchmark's text desktop and on a photo-like wallpaper.
 *
 *   codecbench PHOTO.ppm [REPEATS]
 *
 * Each candidate encodes a whole 1920x1080 frame band by band on one
 * thread, the way pngenc.c does: every band's rows get their filter
 * bytes (the band's first row NONE, so bands stay independent), then the
 * band is deflated on its own.  Prints the median CPU time per frame and
 * the compressed size for each desktop, and the ratio to deskd's settings
 * before this benchmark (zlib level 3, filter UP, 32-row bands).  Nothing
 * asserts: this picks settings, tests/bench/capture.sh measures deskd.
 *
 * libdeflate is measured for the record only: its whole-buffer API ends
 * every stream with a final block at a bit position it does not return,
 * so bands cannot be joined into the one zlib stream a PNG needs without
 * decoding each band again (zlib and ISA-L end a band with a sync flush,
 * byte-aligned and not final).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <zlib.h>

#include "benchpage.h"

enum { LIB_ZLIB, LIB_DEFLATE, LIB_ISAL, LIB_HYBRID, LIB_HYBRID_Z };
enum { F_NONE, F_SUB, F_UP, F_BAND, F_ROW };

struct cand {
	const char	*name;
	int		 lib;
	int		 level;
	int		 strategy;
	int		 filter;
	int		 rows;
	int		 tune[4];	/* deflateTune: good, lazy, nice, chain */
};

static const struct cand cands[] = {
	{ "zlib 3 UP (before)",	LIB_ZLIB, 3, Z_DEFAULT_STRATEGY, F_UP, 32, { 0 } },
	{ "zlib 1 NONE",	LIB_ZLIB, 1, Z_DEFAULT_STRATEGY, F_NONE, 32, { 0 } },
	{ "zlib 1 SUB",		LIB_ZLIB, 1, Z_DEFAULT_STRATEGY, F_SUB, 32, { 0 } },
	{ "zlib 1 UP",		LIB_ZLIB, 1, Z_DEFAULT_STRATEGY, F_UP, 32, { 0 } },
	{ "zlib 2 UP",		LIB_ZLIB, 2, Z_DEFAULT_STRATEGY, F_UP, 32, { 0 } },
	{ "zlib 3 NONE",	LIB_ZLIB, 3, Z_DEFAULT_STRATEGY, F_NONE, 32, { 0 } },
	{ "zlib 3 SUB",		LIB_ZLIB, 3, Z_DEFAULT_STRATEGY, F_SUB, 32, { 0 } },
	{ "zlib 6 UP",		LIB_ZLIB, 6, Z_DEFAULT_STRATEGY, F_UP, 32, { 0 } },
	{ "zlib 1 UP Z_RLE",	LIB_ZLIB, 1, Z_RLE, F_UP, 32, { 0 } },
	{ "zlib 1 SUB Z_RLE",	LIB_ZLIB, 1, Z_RLE, F_SUB, 32, { 0 } },
	{ "zlib 3 UP Z_FILTERED", LIB_ZLIB, 3, Z_FILTERED, F_UP, 32, { 0 } },
	{ "zlib 1 per-band",	LIB_ZLIB, 1, Z_DEFAULT_STRATEGY, F_BAND, 32, { 0 } },
	{ "zlib 3 per-band",	LIB_ZLIB, 3, Z_DEFAULT_STRATEGY, F_BAND, 32, { 0 } },
	{ "zlib 3 per-row",	LIB_ZLIB, 3, Z_DEFAULT_STRATEGY, F_ROW, 32, { 0 } },
	{ "zlib 3 UP tune 4,6,32,24", LIB_ZLIB, 3, Z_DEFAULT_STRATEGY, F_UP, 32,
	    { 4, 6, 32, 24 } },
	{ "zlib 3 UP tune 4,3,32,16", LIB_ZLIB, 3, Z_DEFAULT_STRATEGY, F_UP, 32,
	    { 4, 3, 32, 16 } },
	{ "zlib 3 UP tune 4,6,16,16", LIB_ZLIB, 3, Z_DEFAULT_STRATEGY, F_UP, 32,
	    { 4, 6, 16, 16 } },
	{ "zlib 3 UP tune 4,3,32,16 16 rows", LIB_ZLIB, 3, Z_DEFAULT_STRATEGY,
	    F_UP, 16, { 4, 3, 32, 16 } },
	{ "zlib 3 UP tune 4,6,32,24 16 rows", LIB_ZLIB, 3, Z_DEFAULT_STRATEGY,
	    F_UP, 16, { 4, 6, 32, 24 } },
	{ "zlib 3 UP 64 rows",	LIB_ZLIB, 3, Z_DEFAULT_STRATEGY, F_UP, 64, { 0 } },
	{ "zlib 3 UP 16 rows",	LIB_ZLIB, 3, Z_DEFAULT_STRATEGY, F_UP, 16, { 0 } },
	{ "libdeflate 1 NONE",	LIB_DEFLATE, 1, 0, F_NONE, 32, { 0 } },
	{ "libdeflate 1 SUB",	LIB_DEFLATE, 1, 0, F_SUB, 32, { 0 } },
	{ "libdeflate 1 UP",	LIB_DEFLATE, 1, 0, F_UP, 32, { 0 } },
	{ "libdeflate 2 UP",	LIB_DEFLATE, 2, 0, F_UP, 32, { 0 } },
	{ "libdeflate 3 UP",	LIB_DEFLATE, 3, 0, F_UP, 32, { 0 } },
	{ "libdeflate 4 UP",	LIB_DEFLATE, 4, 0, F_UP, 32, { 0 } },
	{ "libdeflate 6 UP",	LIB_DEFLATE, 6, 0, F_UP, 32, { 0 } },
	{ "libdeflate 1 per-band", LIB_DEFLATE, 1, 0, F_BAND, 32, { 0 } },
	{ "libdeflate 2 per-band", LIB_DEFLATE, 2, 0, F_BAND, 32, { 0 } },
	{ "libdeflate 1 UP 64 rows", LIB_DEFLATE, 1, 0, F_UP, 64, { 0 } },
	{ "deskd: per-band, 16 rows, tune", LIB_HYBRID, 3, 0, F_UP, 16,
	    { 4, 3, 32, 16 } },
	{ "per-band: zlib 3 UP | isa-l 1 SUB", LIB_HYBRID, 3, 0, F_UP, 32, { 0 } },
	{ "per-band: zlib 3 UP | zlib 1 SUB RLE", LIB_HYBRID_Z, 3, 0, F_UP, 32, { 0 } },
	{ "isa-l 1 NONE",	LIB_ISAL, 1, 0, F_NONE, 32, { 0 } },
	{ "isa-l 1 SUB",	LIB_ISAL, 1, 0, F_SUB, 32, { 0 } },
	{ "isa-l 1 UP",		LIB_ISAL, 1, 0, F_UP, 32, { 0 } },
	{ "isa-l 2 UP",		LIB_ISAL, 2, 0, F_UP, 32, { 0 } },
	{ "isa-l 3 UP",		LIB_ISAL, 3, 0, F_UP, 32, { 0 } },
	{ "isa-l 3 SUB",	LIB_ISAL, 3, 0, F_SUB, 32, { 0 } },
	{ "isa-l 3 per-band",	LIB_ISAL, 3, 0, F_BAND, 32, { 0 } },
	{ "isa-l 3 UP 64 rows",	LIB_ISAL, 3, 0, F_UP, 64, { 0 } },
	{ "isa-l 3 UP 16 rows",	LIB_ISAL, 3, 0, F_UP, 16, { 0 } },
};
#define NCANDS	(sizeof cands / sizeof cands[0])

static double
cpu_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/* Sum of |residual| as signed bytes: libpng's filter heuristic. */
static unsigned long
msad(const uint8_t *p, size_t n)
{
	unsigned long	 s = 0;
	size_t		 i;

	for (i = 0; i < n; i++)
		s += p[i] < 128 ? p[i] : 256 - p[i];
	return (s);
}

static void
filter_row(uint8_t *dst, const uint8_t *cur, const uint8_t *prev,
    size_t n, int f)
{
	size_t	 i;

	switch (f) {
	case F_NONE:
		memcpy(dst, cur, n);
		break;
	case F_SUB:
		memcpy(dst, cur, 3);
		for (i = 3; i < n; i++)
			dst[i] = cur[i] - cur[i - 3];
		break;
	case F_UP:
		for (i = 0; i < n; i++)
			dst[i] = cur[i] - prev[i];
		break;
	}
}

/*
 * Share of zero bytes in the UP residual of every 4th row: high on UI and
 * text (flat areas, repeated lines), low on photos.
 */
static int
band_flat(const uint8_t *rgb, int w, int y0, int y1)
{
	size_t		 n = (size_t)w * 3, i, zero = 0, all = 0;
	const uint8_t	*cur;
	int		 y;

	for (y = y0 + 1; y < y1; y += 4) {
		cur = rgb + (size_t)y * n;
		for (i = 0; i < n; i++)
			zero += cur[i] == cur[i - n];
		all += n;
	}
	return (all == 0 || zero * 2 >= all);
}

/* One band's scanlines: a filter byte then the filtered row. */
static void
band_fill(uint8_t *raw, const uint8_t *rgb, int w, int y0, int y1, int f)
{
	size_t		 n = (size_t)w * 3, stride = n + 1;
	const uint8_t	*cur, *prev;
	unsigned long	 best, s;
	int		 y, k, pick, g;

	pick = f;
	if (f == F_BAND) {
		/* Try SUB and UP on every 8th row, keep the cheaper. */
		best = ~0UL;
		pick = F_UP;
		for (g = F_SUB; g <= F_UP; g++) {
			s = 0;
			for (y = y0 + 1; y < y1; y += 8) {
				filter_row(raw, rgb + (size_t)y * n,
				    rgb + (size_t)(y - 1) * n, n, g);
				s += msad(raw, n);
			}
			if (s < best) {
				best = s;
				pick = g;
			}
		}
	}
	for (y = y0; y < y1; y++) {
		uint8_t	*d = raw + (size_t)(y - y0) * stride;

		cur = rgb + (size_t)y * n;
		prev = cur - n;
		g = y == y0 && pick == F_UP ? F_NONE : pick;
		if (f == F_ROW) {
			best = ~0UL;
			g = F_NONE;
			for (k = F_NONE; k <= F_UP; k++) {
				if (k == F_UP && y == y0)
					continue;
				filter_row(d + 1, cur, prev, n, k);
				if ((s = msad(d + 1, n)) < best) {
					best = s;
					g = k;
				}
			}
		}
		d[0] = g == F_NONE ? 0 : g == F_SUB ? 1 : 2;
		filter_row(d + 1, cur, prev, n, g);
	}
}

/* Encode a frame; returns compressed bytes, adds CPU ms to *ms. */
static size_t
encode_frame(const struct cand *c, const uint8_t *rgb, int w, int h,
    uint8_t *raw, uint8_t *out, size_t outcap, double *ms)
{
	struct libdeflate_compressor	*ld = NULL;
	struct isal_zstream		 is;
	uint8_t				*lvlbuf = NULL;
	z_stream			 zs;
	size_t				 total = 0, rawlen;
	double				 t0;
	int				 y0, y1, lib, filter;

	memset(&zs, 0, sizeof zs);
	if (c->lib == LIB_ZLIB || c->lib >= LIB_HYBRID)
		deflateInit2(&zs, c->level, Z_DEFLATED, -15, 8, c->strategy);
	if (c->lib == LIB_DEFLATE)
		ld = libdeflate_alloc_compressor(c->level);
	if (c->lib == LIB_ISAL || c->lib == LIB_HYBRID) {
		isal_deflate_init(&is);
		lvlbuf = malloc(ISAL_DEF_LVL3_DEFAULT);
	}
	t0 = cpu_ms();
	for (y0 = 0; y0 < h; y0 += c->rows) {
		y1 = y0 + c->rows < h ? y0 + c->rows : h;
		lib = c->lib;
		filter = c->filter;
		if (lib == LIB_HYBRID || lib == LIB_HYBRID_Z) {
			if (band_flat(rgb, w, y0, y1))
				lib = LIB_ZLIB;
			else {
				lib = c->lib == LIB_HYBRID ? LIB_ISAL : LIB_ZLIB;
				filter = F_SUB;
			}
		}
		band_fill(raw, rgb, w, y0, y1, filter);
		rawlen = (size_t)(y1 - y0) * (1 + (size_t)w * 3);
		if (lib == LIB_ZLIB) {
			deflateReset(&zs);
			if (c->tune[0] != 0)
				deflateTune(&zs, c->tune[0], c->tune[1],
				    c->tune[2], c->tune[3]);
			if (c->lib == LIB_HYBRID_Z)
				deflateParams(&zs, filter == F_SUB ? 1 : 3,
				    filter == F_SUB ? Z_RLE :
				    Z_DEFAULT_STRATEGY);
			zs.next_in = raw;
			zs.avail_in = rawlen;
			zs.next_out = out;
			zs.avail_out = outcap;
			deflate(&zs, Z_SYNC_FLUSH);
			total += outcap - zs.avail_out;
		} else if (lib == LIB_DEFLATE)
			total += libdeflate_deflate_compress(ld, raw, rawlen,
			    out, outcap);
		else {
			isal_deflate_reset(&is);
			is.level = c->lib == LIB_HYBRID ? 1 : c->level;
			is.level_buf = lvlbuf;
			is.level_buf_size = ISAL_DEF_LVL3_DEFAULT;
			is.gzip_flag = IGZIP_DEFLATE;
			is.flush = SYNC_FLUSH;
			is.end_of_stream = 0;
			is.next_in = raw;
			is.avail_in = rawlen;
			is.next_out = out;
			is.avail_out = outcap;
			if (isal_deflate(&is) != COMP_OK || is.avail_in != 0)
				abort();
			total += outcap - is.avail_out;
		}
		/* Both keep the Adler-32 of the raw band. */
		total += 0 * adler32(1, raw, rawlen);
	}
	*ms = cpu_ms() - t0;
	if (c->lib == LIB_ZLIB || c->lib >= LIB_HYBRID)
		deflateEnd(&zs);
	if (c->lib == LIB_DEFLATE)
		libdeflate_free_compressor(ld);
	free(lvlbuf);
	return (total);
}

static void
run(const char *what, const uint8_t *rgb, int w, int h, int reps,
    double *ms_out, size_t *kib_out)
{
	uint8_t		*raw, *out;
	size_t		 outcap = 4 << 20, size = 0;
	double		*t, ms;
	size_t		 i;
	int		 r;

	raw = malloc((size_t)64 * (1 + (size_t)w * 3));
	out = malloc(outcap);
	t = calloc(reps, sizeof *t);
	for (i = 0; i < NCANDS; i++) {
		for (r = 0; r < reps; r++) {
			size = encode_frame(&cands[i], rgb, w, h, raw, out,
			    outcap, &ms);
			t[r] = ms;
		}
		qsort(t, reps, sizeof *t, cmp_double);
		ms_out[i] = t[reps / 2];
		kib_out[i] = size / 1024;
	}
	free(t);
	free(raw);
	free(out);
	(void)what;
}

int
main(int argc, char **argv)
{
	struct benchpage	 bp;
	Display			*dpy;
	XImage			*img;
	uint8_t			*text, *photo;
	double			 tms[NCANDS], pms[NCANDS];
	size_t			 tkib[NCANDS], pkib[NCANDS], i;
	int			 pw, ph, reps, x, y;

	if (argc < 2) {
		fprintf(stderr, "usage: codecbench PHOTO.ppm [REPEATS]\n");
		return (2);
	}
	reps = argc > 2 ? atoi(argv[2]) : 9;
	if ((photo = benchpage_read_ppm(argv[1], &pw, &ph)) == NULL) {
		fprintf(stderr, "codecbench: %s: not a P6 PPM\n", argv[1]);
		return (1);
	}
	if ((dpy = XOpenDisplay(NULL)) == NULL) {
		fprintf(stderr, "codecbench: no display\n");
		return (1);
	}
	benchpage_open(&bp, dpy);
	benchpage_text(&bp, 1);
	img = XGetImage(dpy, bp.win, 0, 0, bp.w, bp.h, AllPlanes, ZPixmap);
	text = malloc((size_t)bp.w * bp.h * 3);
	for (y = 0; y < bp.h; y++) {
		for (x = 0; x < bp.w; x++) {
			unsigned long	 px = XGetPixel(img, x, y);
			uint8_t		*d = text + ((size_t)y * bp.w + x) * 3;

			d[0] = px >> 16;
			d[1] = px >> 8;
			d[2] = px;
		}
	}
	XDestroyImage(img);

	run("text", text, bp.w, bp.h, reps, tms, tkib);
	run("photo", photo, pw, ph, reps, pms, pkib);

	printf("one band at a time, one thread, CPU ms per %dx%d frame "
	    "(median of %d), KiB\n", bp.w, bp.h, reps);
	printf("%-34s %8s %7s %8s %7s %9s\n", "candidate", "text ms",
	    "KiB", "photo ms", "KiB", "vs before");
	for (i = 0; i < NCANDS; i++)
		printf("%-34s %8.2f %7zu %8.2f %7zu %8.2fx\n", cands[i].name,
		    tms[i], tkib[i], pms[i], pkib[i], tms[0] / tms[i]);
	free(text);
	free(photo);
	XCloseDisplay(dpy);
	return (0);
}
