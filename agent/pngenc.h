/*
 * pngenc.h: band-wise PNG encoding (doc/capture.md has the measurements).
 *
 * The image is split into bands of PNGENC_BAND_ROWS rows.  Each band is its
 * own raw deflate stream ended with Z_SYNC_FLUSH and written as its own
 * IDAT chunk; a zlib header chunk goes first and a final chunk carries an
 * empty last block and the Adler-32 combined from the bands'.  The result
 * is one valid zlib stream, so any decoder reads it, while bands compress
 * on several threads and unchanged bands are reused byte for byte.
 *
 * The prefix is pngenc_ because libpng owns png_.
 */
#ifndef PNGENC_H
#define PNGENC_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;
struct pngenc;

#define PNGENC_BAND_ROWS	32
#ifndef PNGENC_LEVEL
/*
 * zlib level 3 with filter UP: on a dense 1080p text page, measured 21.6 ms
 * of CPU and 243 KiB against 18.1 ms and 386 KiB for level 1 with no
 * filter (doc/capture.md's first choice); levels 1-3 all use zlib's fast
 * matcher, and UP turns repeated lines into zeros it matches cheaply.
 */
#define PNGENC_LEVEL		3
#endif
#ifndef PNGENC_FILTER
#define PNGENC_FILTER		2	/* 0 NONE, 2 UP (band's first row NONE) */
#endif
#define PNGENC_MAX_THREADS	4

/*
 * Fill rows [y0, y1) of the image as PNG scanlines: for each row a filter
 * byte (0) then w RGB triplets, rows packed one after another at dst.
 * Called from several threads at once for different bands.
 */
typedef void (*pngenc_fill_cb)(void *arg, int y0, int y1, uint8_t *dst);

struct pngenc	*pngenc_new(int w, int h);
void		 pngenc_free(struct pngenc *);
int		 pngenc_width(struct pngenc *);
int		 pngenc_height(struct pngenc *);
/* Mark rows [y0, y1) as changed (clipped to the image). */
void		 pngenc_dirty(struct pngenc *, int y0, int y1);
void		 pngenc_dirty_all(struct pngenc *);
/* Number of bands that pngenc_encode would recompress. */
int		 pngenc_ndirty(struct pngenc *);
/*
 * Recompress the dirty bands (filling them first), then append the whole
 * PNG to out.  -1 with cause on failure (zlib out of memory).
 */
int		 pngenc_encode(struct pngenc *, pngenc_fill_cb, void *arg,
		    struct evbuffer *out, char **cause);
/* Start and stop the shared worker threads (once per process). */
void		 pngenc_threads_start(int n);
void		 pngenc_threads_stop(void);

#endif
