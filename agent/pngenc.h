/*
 * pngenc.h: band-wise PNG encoding (doc/capture.md has the measurements).
 *
 * The image is split into bands of PNGENC_BAND_ROWS rows.  Each band is its
 * own raw deflate stream ended with a sync flush and written as its own
 * IDAT chunk; a zlib header chunk goes first and a final chunk carries an
 * empty last block and the Adler-32 combined from the bands'.  The result
 * is one valid zlib stream, so any decoder reads it, while bands compress
 * on several threads and unchanged bands are reused byte for byte.
 *
 * Each band picks its own filter and compressor (doc/capture.md has the
 * measurements): flat bands (UI, text: most rows repeat the row above)
 * get filter UP and zlib level 3, busy bands (photos, video) filter SUB
 * and ISA-L's level 1, 6x faster on a photo at a smaller size.
 *
 * Encoding is asynchronous: pngenc_start hands the dirty bands to the
 * worker threads and returns; the done callback runs on the loop once the
 * last band is compressed.  The loop thread never compresses unless asked
 * to wait (pngenc_wait, pngenc_encode).
 *
 * The prefix is pngenc_ because libpng owns png_.
 */
#ifndef PNGENC_H
#define PNGENC_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;
struct event_base;
struct pngenc;

#define PNGENC_BAND_ROWS	16
#define PNGENC_FLAT_LEVEL	3	/* zlib level of flat bands ... */
/*
 * ... with deflateTune(good, lazy, nice, chain) 4, 3, 32, 16: level 3
 * searches chains of 32 and inserts every match below 6 bytes; 16 and 3
 * measured 9% faster at 9% larger (codecbench, the text desktop).
 */
#define PNGENC_FLAT_TUNE	4, 3, 32, 16
#define PNGENC_BUSY_LEVEL	1	/* ISA-L level of busy bands */
/*
 * A band is flat when at least this share (in 1/256) of its sampled
 * 8-byte words equal the ones a row above: 0 makes every band flat, 257
 * every band busy (codecbench compares them).
 */
#ifndef PNGENC_FLAT_SHARE
#define PNGENC_FLAT_SHARE	128
#endif
#define PNGENC_MAX_THREADS	4

/*
 * Fill rows [y0, y1) of the image as PNG scanlines: for each row one byte
 * (overwritten with the filter type) then w RGB triplets, rows packed one
 * after another at dst.  Called from the worker threads, several at once
 * for different bands: it may only read what stays unchanged until the
 * done callback runs.
 */
typedef void (*pngenc_fill_cb)(void *arg, int y0, int y1, uint8_t *dst);
/* On the loop once every band of a pngenc_start is compressed. */
typedef void (*pngenc_done_cb)(struct pngenc *, int failed, void *arg);

struct pngenc	*pngenc_new(int w, int h);
/* Waits for a busy encoder first (its done callback does not run). */
void		 pngenc_free(struct pngenc *);
int		 pngenc_width(struct pngenc *);
int		 pngenc_height(struct pngenc *);
int		 pngenc_nbands(struct pngenc *);
/*
 * Mark rows [y0, y1) as changed (clipped to the image).  Allowed while
 * busy: a band being compressed stays dirty for the next start.
 */
void		 pngenc_dirty(struct pngenc *, int y0, int y1);
void		 pngenc_dirty_all(struct pngenc *);
/* Number of dirty bands (not counting those being compressed). */
int		 pngenc_ndirty(struct pngenc *);
/* Whether bands are being compressed now. */
int		 pngenc_busy(struct pngenc *);
/*
 * Start compressing the dirty bands on the workers: returns how many
 * (0: nothing was dirty, done will not run).  Not while busy.
 */
int		 pngenc_start(struct pngenc *, pngenc_fill_cb, void *arg,
		    pngenc_done_cb, void *done_arg);
/*
 * Block until a busy encoder is done, compressing on this thread too,
 * then run its done callback.  For paths that cannot wait for the loop.
 */
void		 pngenc_wait(struct pngenc *);
/*
 * Append the PNG of the bands as last compressed to out.  Not while busy;
 * -1 with cause when a band was never compressed (out of memory).
 */
int		 pngenc_write(struct pngenc *, struct evbuffer *out,
		    char **cause);
/* Compress the dirty bands and write the PNG, on this thread and the pool. */
int		 pngenc_encode(struct pngenc *, pngenc_fill_cb, void *arg,
		    struct evbuffer *out, char **cause);
/*
 * Start and stop the shared worker threads (once per process).  Done
 * callbacks are run from base; with no threads the bands are compressed
 * at pngenc_start, and done still runs from the loop.
 */
void		 pngenc_threads_start(struct event_base *, int n);
void		 pngenc_threads_stop(void);

#endif
