/*
 * pngenc.c: band-wise PNG encoder with a small thread pool.
 *
 * A low zlib level with one cheap filter is 4x faster than libpng's
 * defaults (doc/capture.md has the measurements); splitting rows into
 * independent deflate bands costs 0.3-3% in size and lets two cores share
 * a full frame and a small change recompress one band.  Each band then
 * picks the filter and compressor that suit it (pngenc.h, doc/capture.md).
 *
 * Threads: the pool works through a queue of jobs, one per encoder with
 * bands in flight.  A worker takes one band at a time; the last one done
 * activates the encoder's event, so the done callback runs on the loop
 * (libevent's thread support: event_active is safe from any thread once
 * evthread_use_pthreads has run, as main.c's main does).
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <isa-l/igzip_lib.h>
#include <zlib.h>

#include "log.h"
#include "pngenc.h"
#include "xmalloc.h"

struct pngenc_band {
	int		 y0;
	int		 y1;
	int		 dirty;		/* changed since last compressed */
	int		 busy;		/* being compressed (owned by a worker) */
	uint8_t		*data;		/* IDAT chunk: len, type, data, crc */
	size_t		 len;		/* bytes used in data; 0: none yet */
	size_t		 cap;
	uint32_t	 adler;		/* of the band's raw scanlines */
	size_t		 rawlen;
	int		 failed;
};

/* The bands of one pngenc_start, while the pool works on them. */
struct pngenc_job {
	TAILQ_ENTRY(pngenc_job)	 entry;
	int			 queued;
	pngenc_fill_cb		 fill;
	void			*arg;
	int			*todo;
	int			 ntodo;
	int			 next;		/* next todo index to take */
	int			 done;		/* bands finished */
	int			 finished;	/* done == ntodo */
};

struct pngenc {
	int			 w;
	int			 h;
	int			 nbands;
	struct pngenc_band	*bands;
	uint8_t			 head[8 + 25 + 14];	/* sig, IHDR, zlib hdr */
	struct pngenc_job	 job;
	int			 busy;
	struct event		*ev;		/* job finished, on the loop */
	pngenc_done_cb		 done;
	void			*done_arg;
};

/* Per-thread compressor state, reused from band to band. */
struct pngenc_worker {
	z_stream		 zs;
	int			 zs_ok;
	struct isal_zstream	 is;
	uint8_t			*is_buf;	/* ISA-L's level buffer */
	uint8_t			*raw;
	size_t			 rawcap;
};

static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 work;
	pthread_cond_t		 idle;		/* a job finished */
	pthread_t		 threads[PNGENC_MAX_THREADS];
	int			 nthreads;
	int			 stopping;
	TAILQ_HEAD(, pngenc_job) queue;		/* jobs with bands to take */
	struct event_base	*base;
	struct pngenc_worker	 main;		/* the loop thread's own state */
} pool = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
	.queue = TAILQ_HEAD_INITIALIZER(pool.queue),
};

static void	pngenc_done_ev_cb(evutil_socket_t, short, void *);

static void
pngenc_put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static void
pngenc_chunk_head(uint8_t *p, uint32_t len, const char *type)
{
	pngenc_put32(p, len);
	memcpy(p + 4, type, 4);
}

static uint32_t
pngenc_chunk_crc(const uint8_t *type_and_data, size_t len)
{
	return (crc32(crc32(0, NULL, 0), type_and_data, len));
}

struct pngenc *
pngenc_new(int w, int h)
{
	struct pngenc	*pe;
	uint8_t		*p;
	int		 i;

	pe = xcalloc(1, sizeof *pe);
	pe->w = w;
	pe->h = h;
	pe->nbands = (h + PNGENC_BAND_ROWS - 1) / PNGENC_BAND_ROWS;
	pe->bands = xcalloc(pe->nbands, sizeof *pe->bands);
	pe->job.todo = xcalloc(pe->nbands, sizeof *pe->job.todo);
	for (i = 0; i < pe->nbands; i++) {
		pe->bands[i].y0 = i * PNGENC_BAND_ROWS;
		pe->bands[i].y1 = pe->bands[i].y0 + PNGENC_BAND_ROWS;
		if (pe->bands[i].y1 > h)
			pe->bands[i].y1 = h;
		pe->bands[i].dirty = 1;
	}

	/* Signature, IHDR (8-bit RGB), then an IDAT with the zlib header. */
	p = pe->head;
	memcpy(p, "\x89PNG\r\n\x1a\n", 8);
	p += 8;
	pngenc_chunk_head(p, 13, "IHDR");
	pngenc_put32(p + 8, w);
	pngenc_put32(p + 12, h);
	p[16] = 8;	/* bit depth */
	p[17] = 2;	/* colour type RGB */
	p[18] = 0;	/* deflate */
	p[19] = 0;	/* adaptive filtering: each row names its filter */
	p[20] = 0;	/* no interlace */
	pngenc_put32(p + 21, pngenc_chunk_crc(p + 4, 17));
	p += 25;
	pngenc_chunk_head(p, 2, "IDAT");
	p[8] = 0x78;	/* deflate, 32K window */
	p[9] = 0x01;	/* fastest; (0x78 << 8 | 0x01) % 31 == 0 */
	pngenc_put32(p + 10, pngenc_chunk_crc(p + 4, 6));
	return (pe);
}

void
pngenc_free(struct pngenc *pe)
{
	int	 i;

	if (pe == NULL)
		return;
	pe->done = NULL;
	pngenc_wait(pe);
	if (pe->ev != NULL)
		event_free(pe->ev);
	for (i = 0; i < pe->nbands; i++)
		free(pe->bands[i].data);
	free(pe->bands);
	free(pe->job.todo);
	free(pe);
}

int
pngenc_width(struct pngenc *pe)
{
	return (pe->w);
}

int
pngenc_height(struct pngenc *pe)
{
	return (pe->h);
}

int
pngenc_nbands(struct pngenc *pe)
{
	return (pe->nbands);
}

int
pngenc_busy(struct pngenc *pe)
{
	return (pe->busy);
}

void
pngenc_dirty(struct pngenc *pe, int y0, int y1)
{
	int	 b;

	if (y0 < 0)
		y0 = 0;
	if (y1 > pe->h)
		y1 = pe->h;
	if (y0 >= y1)
		return;
	for (b = y0 / PNGENC_BAND_ROWS; b <= (y1 - 1) / PNGENC_BAND_ROWS; b++)
		pe->bands[b].dirty = 1;
}

void
pngenc_dirty_all(struct pngenc *pe)
{
	int	 i;

	for (i = 0; i < pe->nbands; i++)
		pe->bands[i].dirty = 1;
}

int
pngenc_ndirty(struct pngenc *pe)
{
	int	 i, n = 0;

	for (i = 0; i < pe->nbands; i++)
		n += pe->bands[i].dirty;
	return (n);
}

/* Byte-wise a - b on eight bytes at once, no borrow between bytes. */
static inline uint64_t
pngenc_sub8(uint64_t a, uint64_t b)
{
	const uint64_t	 hi = 0x8080808080808080ULL;

	return (((a | hi) - (b & ~hi)) ^ ((a ^ ~b) & hi));
}

static inline uint64_t
pngenc_load8(const uint8_t *p)
{
	uint64_t	 v;

	memcpy(&v, p, 8);
	return (v);
}

static inline void
pngenc_store8(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/*
 * Flat or busy: the share of sampled 8-byte words equal to the ones a
 * row above.  UI and text repeat most rows (blank lines, backgrounds,
 * borders); photos and video almost never do.
 */
static int
pngenc_band_flat(const uint8_t *raw, size_t stride, int rows)
{
	const uint8_t	*cur;
	size_t		 i, same = 0, all = 0;
	int		 y;

	for (y = 1; y < rows; y += 4) {
		cur = raw + (size_t)y * stride + 1;
		for (i = 0; i + 8 <= stride - 1; i += 8) {
			same += pngenc_load8(cur + i) ==
			    pngenc_load8(cur + i - stride);
			all++;
		}
	}
	if (all == 0)
		return (1);
	return (same * 256 >= all * PNGENC_FLAT_SHARE);
}

/*
 * Filter UP (each byte minus the one above) for every row of a band but
 * its first, which stays NONE so that bands never depend on each other.
 * On UI content UP turns flat areas and repeated lines into zeros.  Runs
 * from the last row up, so the row above is still unfiltered.
 */
static void
pngenc_filter_up(uint8_t *raw, size_t stride, int rows)
{
	uint8_t		*cur;
	const uint8_t	*prev;
	size_t		 i, n = stride - 1;
	int		 y;

	raw[0] = 0;
	for (y = rows - 1; y > 0; y--) {
		cur = raw + (size_t)y * stride;
		prev = cur - stride;
		cur[0] = 2;
		cur++;
		prev++;
		/* gcc -O2 vectorises this: 0.2 ms a frame, SWAR took 0.33. */
		for (i = 0; i < n; i++)
			cur[i] -= prev[i];
	}
}

/*
 * Filter SUB (each byte minus the same channel of the pixel to its left)
 * on every row: suits photos, where neighbours are close but rows never
 * repeat.  Right to left, eight bytes at a time (SWAR: 0.6 ms a frame,
 * 2.9 for the byte loop, which the distance of 3 keeps gcc from
 * vectorising): the bytes read, three to the left, are still unfiltered.
 */
static void
pngenc_filter_sub(uint8_t *raw, size_t stride, int rows)
{
	uint8_t		*row;
	size_t		 i, n = stride - 1;
	uint64_t	 a, b;
	int		 y;

	for (y = 0; y < rows; y++) {
		row = raw + (size_t)y * stride;
		row[0] = 1;
		row++;
		i = n;
		while (i >= 3 + 8) {
			i -= 8;
			a = pngenc_load8(row + i);
			b = pngenc_load8(row + i - 3);
			pngenc_store8(row + i, pngenc_sub8(a, b));
		}
		while (i > 3) {
			i--;
			row[i] -= row[i - 3];
		}
	}
}

/* Raw deflate of a flat band with zlib, ended by a sync flush. */
static int
pngenc_deflate_zlib(struct pngenc_worker *wk, uint8_t *in, size_t len,
    uint8_t *out, size_t cap, size_t *used)
{
	if (!wk->zs_ok) {
		memset(&wk->zs, 0, sizeof wk->zs);
		/* Raw deflate: the zlib header and trailer are ours. */
		if (deflateInit2(&wk->zs, PNGENC_FLAT_LEVEL, Z_DEFLATED, -15,
		    8, Z_DEFAULT_STRATEGY) != Z_OK)
			return (-1);
		wk->zs_ok = 1;
	} else if (deflateReset(&wk->zs) != Z_OK)
		return (-1);
	/* After every reset: deflateReset reloads the level's table. */
	deflateTune(&wk->zs, PNGENC_FLAT_TUNE);
	wk->zs.next_in = in;
	wk->zs.avail_in = len;
	wk->zs.next_out = out;
	wk->zs.avail_out = cap;
	/* Z_SYNC_FLUSH ends byte-aligned with no final block. */
	if (deflate(&wk->zs, Z_SYNC_FLUSH) != Z_OK || wk->zs.avail_in != 0)
		return (-1);
	*used = cap - wk->zs.avail_out;
	return (0);
}

/*
 * Raw deflate of a busy band with ISA-L (igzip): its level 1 keeps a
 * single hash entry and SIMD match finding, 6x zlib's speed on a photo.
 * SYNC_FLUSH and no end_of_stream give the same byte-aligned, non-final
 * end as zlib's Z_SYNC_FLUSH (isa-l/igzip_lib.h).
 */
static int
pngenc_deflate_isal(struct pngenc_worker *wk, uint8_t *in, size_t len,
    uint8_t *out, size_t cap, size_t *used)
{
	if (wk->is_buf == NULL) {
		if ((wk->is_buf = malloc(ISAL_DEF_LVL1_DEFAULT)) == NULL)
			return (-1);
		isal_deflate_init(&wk->is);
	} else
		isal_deflate_reset(&wk->is);
	wk->is.level = PNGENC_BUSY_LEVEL;
	wk->is.level_buf = wk->is_buf;
	wk->is.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
	wk->is.gzip_flag = IGZIP_DEFLATE;
	wk->is.flush = SYNC_FLUSH;
	wk->is.end_of_stream = 0;
	wk->is.next_in = in;
	wk->is.avail_in = len;
	wk->is.next_out = out;
	wk->is.avail_out = cap;
	if (isal_deflate(&wk->is) != COMP_OK || wk->is.avail_in != 0 ||
	    wk->is.avail_out == 0)
		return (-1);
	*used = cap - wk->is.avail_out;
	return (0);
}

/* Fill, filter and compress one band with this worker's state. */
static void
pngenc_band_encode(struct pngenc_worker *wk, struct pngenc *pe,
    struct pngenc_band *b, pngenc_fill_cb fill, void *arg)
{
	size_t		 stride = 1 + (size_t)pe->w * 3;
	size_t		 rawlen = stride * (b->y1 - b->y0), need, used = 0;
	int		 rows = b->y1 - b->y0, flat, rc;

	b->failed = 1;
	if (wk->rawcap < rawlen) {
		free(wk->raw);
		if ((wk->raw = malloc(rawlen)) == NULL) {
			wk->rawcap = 0;
			return;
		}
		wk->rawcap = rawlen;
	}
	fill(arg, b->y0, b->y1, wk->raw);
	flat = pngenc_band_flat(wk->raw, stride, rows);
	if (flat)
		pngenc_filter_up(wk->raw, stride, rows);
	else
		pngenc_filter_sub(wk->raw, stride, rows);

	/* zlib's bound covers stored blocks, ISA-L's worst case too. */
	need = 8 + compressBound(rawlen) + 64 + 4;
	if (b->cap < need) {
		free(b->data);
		if ((b->data = malloc(need)) == NULL) {
			b->cap = 0;
			b->len = 0;
			return;
		}
		b->cap = need;
		b->len = 0;
	}
	if (flat)
		rc = pngenc_deflate_zlib(wk, wk->raw, rawlen, b->data + 8,
		    b->cap - 8 - 4, &used);
	else if ((rc = pngenc_deflate_isal(wk, wk->raw, rawlen, b->data + 8,
	    b->cap - 8 - 4, &used)) == -1)
		rc = pngenc_deflate_zlib(wk, wk->raw, rawlen, b->data + 8,
		    b->cap - 8 - 4, &used);
	if (rc == -1) {
		b->len = 0;
		return;
	}
	pngenc_chunk_head(b->data, used, "IDAT");
	pngenc_put32(b->data + 8 + used, pngenc_chunk_crc(b->data + 4,
	    used + 4));
	b->len = 8 + used + 4;
	/* ISA-L's SIMD Adler-32: 10x zlib's on 6 MB of scanlines. */
	b->adler = isal_adler32(1, wk->raw, rawlen);
	b->rawlen = rawlen;
	b->failed = 0;
}

/* Take the next band of a job; called with the lock held. */
static int
pngenc_job_take(struct pngenc_job *job)
{
	int	 i;

	if (job->next >= job->ntodo)
		return (-1);
	i = job->todo[job->next++];
	if (job->next == job->ntodo && job->queued) {
		TAILQ_REMOVE(&pool.queue, job, entry);
		job->queued = 0;
	}
	return (i);
}

/* A band of pe's job is done; called with the lock held. */
static void
pngenc_job_band_done(struct pngenc *pe)
{
	struct pngenc_job	*job = &pe->job;

	if (++job->done < job->ntodo)
		return;
	job->finished = 1;
	/*
	 * Under the lock, so that pngenc_wait, which takes it after
	 * seeing finished, can delete the activation for good.
	 */
	if (pe->ev != NULL)
		event_active(pe->ev, EV_READ, 0);
	pthread_cond_broadcast(&pool.idle);
}

/*
 * Compress the bands of pe's job that no worker has taken, on the calling
 * thread; called and returns with the lock held.
 */
static void
pngenc_help(struct pngenc *pe)
{
	struct pngenc_job	*job = &pe->job;
	int			 i;

	while ((i = pngenc_job_take(job)) != -1) {
		pthread_mutex_unlock(&pool.lock);
		pngenc_band_encode(&pool.main, pe, &pe->bands[i], job->fill,
		    job->arg);
		pthread_mutex_lock(&pool.lock);
		pngenc_job_band_done(pe);
	}
}

static void *
pngenc_thread(void *arg)
{
	struct pngenc_worker	 wk;
	struct pngenc_job	*job;
	struct pngenc		*pe;
	int			 i;

	memset(&wk, 0, sizeof wk);
	pthread_mutex_lock(&pool.lock);
	for (;;) {
		while (!pool.stopping && TAILQ_EMPTY(&pool.queue))
			pthread_cond_wait(&pool.work, &pool.lock);
		if (pool.stopping)
			break;
		job = TAILQ_FIRST(&pool.queue);
		/* Each job is embedded in its encoder. */
		pe = (struct pngenc *)((char *)job -
		    offsetof(struct pngenc, job));
		i = pngenc_job_take(job);
		pthread_mutex_unlock(&pool.lock);
		pngenc_band_encode(&wk, pe, &pe->bands[i], job->fill,
		    job->arg);
		pthread_mutex_lock(&pool.lock);
		pngenc_job_band_done(pe);
	}
	pthread_mutex_unlock(&pool.lock);
	if (wk.zs_ok)
		deflateEnd(&wk.zs);
	free(wk.is_buf);
	free(wk.raw);
	return (NULL);
}

void
pngenc_threads_start(struct event_base *base, int n)
{
	sigset_t	 all, old;
	int		 i;

	pool.base = base;
	if (n > PNGENC_MAX_THREADS)
		n = PNGENC_MAX_THREADS;
	/* Signals belong to the loop thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < n; i++) {
		if (pthread_create(&pool.threads[i], NULL, pngenc_thread,
		    NULL) != 0)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pool.nthreads = i;
}

void
pngenc_threads_stop(void)
{
	int	 i;

	pthread_mutex_lock(&pool.lock);
	pool.stopping = 1;
	pthread_cond_broadcast(&pool.work);
	pthread_mutex_unlock(&pool.lock);
	for (i = 0; i < pool.nthreads; i++)
		pthread_join(pool.threads[i], NULL);
	pool.nthreads = 0;
	if (pool.main.zs_ok)
		deflateEnd(&pool.main.zs);
	free(pool.main.is_buf);
	free(pool.main.raw);
	memset(&pool.main, 0, sizeof pool.main);
	pool.stopping = 0;
	pool.base = NULL;
}

/* Queue the dirty bands; returns how many. */
static int
pngenc_queue(struct pngenc *pe, pngenc_fill_cb fill, void *arg)
{
	struct pngenc_job	*job = &pe->job;
	int			 i, n = 0;

	if (pe->busy)
		fatalx("%s: encoder already busy", __func__);
	for (i = 0; i < pe->nbands; i++) {
		if (!pe->bands[i].dirty)
			continue;
		pe->bands[i].dirty = 0;
		pe->bands[i].busy = 1;
		job->todo[n++] = i;
	}
	if (n == 0)
		return (0);
	job->fill = fill;
	job->arg = arg;
	job->ntodo = n;
	job->next = 0;
	job->done = 0;
	job->finished = 0;
	pe->busy = 1;
	pthread_mutex_lock(&pool.lock);
	if (pool.nthreads > 0) {
		TAILQ_INSERT_TAIL(&pool.queue, job, entry);
		job->queued = 1;
		pthread_cond_broadcast(&pool.work);
	}
	pthread_mutex_unlock(&pool.lock);
	return (n);
}

/* Back on the loop: bands are ours again; failed ones stay dirty. */
static int
pngenc_finish(struct pngenc *pe)
{
	struct pngenc_band	*b;
	int			 i, failed = 0;

	for (i = 0; i < pe->job.ntodo; i++) {
		b = &pe->bands[pe->job.todo[i]];
		b->busy = 0;
		if (b->failed) {
			b->dirty = 1;
			failed++;
		}
	}
	pe->busy = 0;
	return (failed);
}

static void
pngenc_done_ev_cb(evutil_socket_t fd, short events, void *arg)
{
	struct pngenc	*pe = arg;
	int		 failed;

	if (!pe->busy)
		return;
	failed = pngenc_finish(pe);
	if (pe->done != NULL)
		pe->done(pe, failed, pe->done_arg);
}

int
pngenc_start(struct pngenc *pe, pngenc_fill_cb fill, void *arg,
    pngenc_done_cb done, void *done_arg)
{
	int	 n;

	if (pool.base == NULL)
		fatalx("%s: pngenc_threads_start was not called", __func__);
	if (pe->ev == NULL)
		pe->ev = event_new(pool.base, -1, 0, pngenc_done_ev_cb, pe);
	pe->done = done;
	pe->done_arg = done_arg;
	if ((n = pngenc_queue(pe, fill, arg)) == 0)
		return (0);
	if (pool.nthreads == 0) {
		/* No workers: compress now, still complete from the loop. */
		pthread_mutex_lock(&pool.lock);
		pngenc_help(pe);
		pthread_mutex_unlock(&pool.lock);
	}
	return (n);
}

void
pngenc_wait(struct pngenc *pe)
{
	int	 failed;

	if (!pe->busy)
		return;
	pthread_mutex_lock(&pool.lock);
	/* Help with the bands nobody has taken yet. */
	pngenc_help(pe);
	while (!pe->job.finished)
		pthread_cond_wait(&pool.idle, &pool.lock);
	pthread_mutex_unlock(&pool.lock);
	if (pe->ev != NULL)
		event_del(pe->ev);
	failed = pngenc_finish(pe);
	if (pe->done != NULL)
		pe->done(pe, failed, pe->done_arg);
}

int
pngenc_write(struct pngenc *pe, struct evbuffer *out, char **cause)
{
	struct pngenc_band	*b;
	uint8_t			 tail[12 + 6 + 12];
	uLong			 adler;
	int			 i;

	if (pe->busy)
		fatalx("%s: encoder busy", __func__);
	for (i = 0; i < pe->nbands; i++) {
		if (pe->bands[i].len == 0) {
			*cause = xstrdup("out of memory compressing the "
			    "screenshot");
			return (-1);
		}
	}
	evbuffer_add(out, pe->head, sizeof pe->head);
	adler = adler32(0, NULL, 0);
	for (i = 0; i < pe->nbands; i++) {
		b = &pe->bands[i];
		evbuffer_add(out, b->data, b->len);
		adler = adler32_combine(adler, b->adler, b->rawlen);
	}
	/* Last IDAT: empty final fixed block (03 00) and the Adler-32. */
	pngenc_chunk_head(tail, 6, "IDAT");
	tail[8] = 0x03;
	tail[9] = 0x00;
	pngenc_put32(tail + 10, adler);
	pngenc_put32(tail + 14, pngenc_chunk_crc(tail + 4, 10));
	pngenc_chunk_head(tail + 18, 0, "IEND");
	pngenc_put32(tail + 26, pngenc_chunk_crc(tail + 22, 4));
	evbuffer_add(out, tail, sizeof tail);
	return (0);
}

int
pngenc_encode(struct pngenc *pe, pngenc_fill_cb fill, void *arg,
    struct evbuffer *out, char **cause)
{
	int	 failed = 0;

	if (pe->busy)
		pngenc_wait(pe);
	pe->done = NULL;
	if (pngenc_queue(pe, fill, arg) > 0) {
		/* The caller works too: two cores, two encoders. */
		pthread_mutex_lock(&pool.lock);
		pngenc_help(pe);
		while (!pe->job.finished)
			pthread_cond_wait(&pool.idle, &pool.lock);
		pthread_mutex_unlock(&pool.lock);
		if (pe->ev != NULL)
			event_del(pe->ev);
		failed = pngenc_finish(pe);
	}
	if (failed) {
		*cause = xstrdup("out of memory compressing the screenshot");
		return (-1);
	}
	return (pngenc_write(pe, out, cause));
}
