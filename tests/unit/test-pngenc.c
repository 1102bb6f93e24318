/*
 * test-pngenc: the band-wise encoder's output decodes with libpng to the
 * exact pixels it was given, for odd sizes and band edges, with and
 * without threads, for flat (UI-like: zlib, filter UP) and busy
 * (photo-like: ISA-L, filter SUB) bands and a mix of both, and a partial
 * re-encode equals a full one.  The asynchronous form completes on the
 * loop, and rows marked while a band is in flight stay dirty.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <png.h>

#include "pngenc.h"
#include "tst.h"

struct img {
	int	 w;
	int	 h;
	uint8_t	*rgb;
};

static void
fill(void *arg, int y0, int y1, uint8_t *dst)
{
	struct img	*im = arg;
	int		 y;

	for (y = y0; y < y1; y++) {
		*dst++ = 0;
		memcpy(dst, im->rgb + (size_t)y * im->w * 3, (size_t)im->w * 3);
		dst += (size_t)im->w * 3;
	}
}

/* Decode with libpng's simplified API and compare to the source. */
static int
decodes_to(struct evbuffer *buf, struct img *im)
{
	png_image	 pi;
	uint8_t		*out;
	size_t		 len = evbuffer_get_length(buf);
	int		 same;

	memset(&pi, 0, sizeof pi);
	pi.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&pi, evbuffer_pullup(buf, -1),
	    len))
		return (0);
	if ((int)pi.width != im->w || (int)pi.height != im->h)
		return (0);
	pi.format = PNG_FORMAT_RGB;
	out = malloc(PNG_IMAGE_SIZE(pi));
	if (!png_image_finish_read(&pi, NULL, out, 0, NULL)) {
		free(out);
		return (0);
	}
	same = memcmp(out, im->rgb, (size_t)im->w * im->h * 3) == 0;
	free(out);
	return (same);
}

/*
 * Rows of flat colour with a few noisy pixels (a UI: most rows repeat the
 * one above, so bands are flat), and in the lower half when busy is set,
 * noise everywhere (a photo: busy bands).
 */
static void
random_image(struct img *im, int w, int h, unsigned seed, int busy)
{
	size_t	 i, n = (size_t)w * h * 3, row = (size_t)w * 3;

	im->w = w;
	im->h = h;
	im->rgb = malloc(n);
	srand(seed);
	for (i = 0; i < n; i++) {
		if (busy && i / row >= (size_t)h / 2)
			im->rgb[i] = (uint8_t)(rand() % 64 + (i % 3) * 64);
		else if (rand() % 64 == 0)
			im->rgb[i] = (uint8_t)rand();
		else
			im->rgb[i] = (uint8_t)((i % row) / 97);
	}
}

static int	 async_calls;
static int	 async_failed;

static void
async_done(struct pngenc *pe, int failed, void *arg)
{
	async_calls++;
	async_failed += failed;
	event_base_loopbreak(arg);
}

int
main(void)
{
	static const int	 sizes[][2] = { { 1, 1 }, { 3, 31 }, { 7, 32 },
				    { 5, 16 }, { 9, 17 },
				    { 640, 33 }, { 100, 64 }, { 257, 65 },
				    { 1920, 1080 } };
	struct evbuffer		*a, *b;
	struct event_base	*base;
	struct pngenc		*pe, *fresh;
	struct img		 im;
	char			*cause = NULL;
	size_t			 k;
	int			 threads, y, busy, n;

	evthread_use_pthreads();
	base = event_base_new();
	for (threads = 0; threads <= 2; threads += 2)
	for (busy = 0; busy <= 1; busy++) {
		pngenc_threads_start(base, threads);
		for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
			random_image(&im, sizes[k][0], sizes[k][1], k + 1,
			    busy);
			pe = pngenc_new(im.w, im.h);
			a = evbuffer_new();
			TST_OK(pngenc_encode(pe, fill, &im, a, &cause) == 0 &&
			    decodes_to(a, &im), "%dx%d %s decodes exactly "
			    "(%d threads)", im.w, im.h, busy ? "half photo" :
			    "UI", threads);
			TST_INT_EQ(pngenc_ndirty(pe), 0,
			    "%dx%d: nothing dirty after encoding", im.w, im.h);

			/* Change rows, mark them, re-encode only those. */
			y = im.h / 2;
			memset(im.rgb + (size_t)y * im.w * 3, 0x55,
			    (size_t)im.w * 3);
			pngenc_dirty(pe, y, y + 1);
			TST_INT_EQ(pngenc_ndirty(pe), 1,
			    "%dx%d: one changed row dirties one band", im.w,
			    im.h);
			b = evbuffer_new();
			TST_OK(pngenc_encode(pe, fill, &im, b, &cause) == 0 &&
			    decodes_to(b, &im), "%dx%d partial re-encode "
			    "decodes to the new pixels", im.w, im.h);
			fresh = pngenc_new(im.w, im.h);
			evbuffer_drain(a, evbuffer_get_length(a));
			pngenc_encode(fresh, fill, &im, a, &cause);
			TST_OK(evbuffer_get_length(a) ==
			    evbuffer_get_length(b) && memcmp(
			    evbuffer_pullup(a, -1), evbuffer_pullup(b, -1),
			    evbuffer_get_length(a)) == 0,
			    "%dx%d partial re-encode is byte-identical to a "
			    "full one", im.w, im.h);
			/* Unchanged: encoding again calls no fill. */
			evbuffer_drain(b, evbuffer_get_length(b));
			TST_OK(pngenc_encode(pe, NULL, NULL, b, &cause) == 0 &&
			    decodes_to(b, &im), "%dx%d cached frame needs "
			    "no pixels", im.w, im.h);
			pngenc_dirty(pe, -5, 0);
			pngenc_dirty(pe, im.h, im.h + 10);
			TST_INT_EQ(pngenc_ndirty(pe), 0,
			    "%dx%d: rows outside the image dirty nothing",
			    im.w, im.h);

			/* Asynchronous: done runs on the loop. */
			memset(im.rgb, 0x33, (size_t)im.w * 3);
			pngenc_dirty(pe, 0, 1);
			async_calls = async_failed = 0;
			n = pngenc_start(pe, fill, &im, async_done, base);
			TST_INT_EQ(n, 1, "%dx%d: start takes the one dirty band",
			    im.w, im.h);
			/* Damage while in flight: stays dirty for next time. */
			pngenc_dirty(pe, 0, 1);
			TST_OK(pngenc_busy(pe) && pngenc_ndirty(pe) == 1,
			    "%dx%d: a band marked in flight stays dirty",
			    im.w, im.h);
			event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY);
			TST_OK(async_calls == 1 && async_failed == 0 &&
			    !pngenc_busy(pe), "%dx%d: done ran once on the "
			    "loop", im.w, im.h);
			evbuffer_drain(b, evbuffer_get_length(b));
			TST_OK(pngenc_write(pe, b, &cause) == 0 &&
			    decodes_to(b, &im), "%dx%d async frame decodes "
			    "exactly", im.w, im.h);
			/* pngenc_wait finishes it on this thread. */
			memset(im.rgb + (size_t)(im.h - 1) * im.w * 3, 0x77,
			    (size_t)im.w * 3);
			pngenc_dirty(pe, im.h - 1, im.h);
			async_calls = 0;
			pngenc_start(pe, fill, &im, async_done, base);
			pngenc_wait(pe);
			TST_OK(async_calls == 1 && !pngenc_busy(pe),
			    "%dx%d: wait runs done itself", im.w, im.h);
			event_base_loop(base, EVLOOP_NONBLOCK);
			TST_INT_EQ(async_calls, 1, "%dx%d: and the loop does "
			    "not run it again", im.w, im.h);
			evbuffer_drain(b, evbuffer_get_length(b));
			TST_OK(pngenc_write(pe, b, &cause) == 0 &&
			    decodes_to(b, &im), "%dx%d frame after wait "
			    "decodes exactly", im.w, im.h);
			pngenc_free(fresh);
			pngenc_free(pe);
			evbuffer_free(a);
			evbuffer_free(b);
			free(im.rgb);
		}
		pngenc_threads_stop();
	}
	pngenc_free(NULL);
	event_base_free(base);
	free(cause);
	return (tst_done());
}
