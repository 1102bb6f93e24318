/*
 * pngenc.c: band-wise PNG encoder with a small thread pool.
 *
 * A low zlib level with one cheap filter is 4x faster than libpng's
 * defaults (doc/capture.md; pngenc.h has the current figures); splitting
 * rows into independent deflate bands costs 0.3-3% in size and lets two
 * cores share a full frame and a small change recompress one band.
 */
#include <sys/types.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <zlib.h>

#include "log.h"
#include "pngenc.h"
#include "xmalloc.h"

struct pngenc_band {
	int		 y0;
	int		 y1;
	int		 dirty;
	uint8_t		*data;		/* IDAT chunk: len, type, data, crc */
	size_t		 len;		/* bytes used in data */
	size_t		 cap;
	uLong		 adler;		/* of the band's raw scanlines */
	size_t		 rawlen;
	int		 failed;
};

struct pngenc {
	int			 w;
	int			 h;
	int			 nbands;
	struct pngenc_band	*bands;
	uint8_t			 head[8 + 25 + 14];	/* sig, IHDR, zlib hdr */
};

/* One job at a time: the pool works through a list of dirty bands. */
struct pngenc_job {
	struct pngenc		*pe;
	pngenc_fill_cb		 fill;
	void			*arg;
	int			*todo;
	int			 ntodo;
	int			 next;
	int			 done;
};

struct pngenc_worker {
	z_stream	 zs;
	int		 zs_ok;
	uint8_t		*raw;
	size_t		 rawcap;
};

static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 work;
	pthread_cond_t		 idle;
	pthread_t		 threads[PNGENC_MAX_THREADS];
	int			 nthreads;
	int			 stopping;
	int			 busy;		/* workers inside a job */
	struct pngenc_job	*job;
	unsigned		 generation;
	struct pngenc_worker	 main;		/* the caller's own state */
} pool = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
};

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
	p[19] = 0;	/* adaptive filtering (each row says NONE) */
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
	for (i = 0; i < pe->nbands; i++)
		free(pe->bands[i].data);
	free(pe->bands);
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

/*
 * Filter UP (each byte minus the one above) for every row of a band but
 * its first, which stays NONE so that bands never depend on each other.
 * On UI content UP turns flat areas and repeated lines into zeros, which
 * level 1 compresses about as fast as the raw rows but much smaller.
 * Runs from the last row up, so the row above is still unfiltered.
 */
static void
pngenc_filter_up(uint8_t *raw, size_t stride, int rows)
{
	uint8_t	*cur, *prev;
	size_t	 i;
	int	 y;

	if (PNGENC_FILTER != 2)
		return;
	for (y = rows - 1; y > 0; y--) {
		cur = raw + (size_t)y * stride;
		prev = cur - stride;
		cur[0] = 2;
		for (i = 1; i < stride; i++)
			cur[i] -= prev[i];
	}
}

/* Fill and compress one band with this worker's stream and buffer. */
static void
pngenc_band_encode(struct pngenc_worker *wk, struct pngenc *pe,
    struct pngenc_band *b, pngenc_fill_cb fill, void *arg)
{
	size_t		 stride = 1 + (size_t)pe->w * 3;
	size_t		 rawlen = stride * (b->y1 - b->y0), need, used;
	int		 rc;

	b->failed = 1;
	if (!wk->zs_ok) {
		memset(&wk->zs, 0, sizeof wk->zs);
		/* Raw deflate: the zlib header and trailer are ours. */
		if (deflateInit2(&wk->zs, PNGENC_LEVEL, Z_DEFLATED, -15, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK)
			return;
		wk->zs_ok = 1;
	} else if (deflateReset(&wk->zs) != Z_OK)
		return;
	if (wk->rawcap < rawlen) {
		free(wk->raw);
		if ((wk->raw = malloc(rawlen)) == NULL) {
			wk->rawcap = 0;
			return;
		}
		wk->rawcap = rawlen;
	}
	fill(arg, b->y0, b->y1, wk->raw);
	pngenc_filter_up(wk->raw, stride, b->y1 - b->y0);

	need = 8 + deflateBound(&wk->zs, rawlen) + 16 + 4;
	if (b->cap < need) {
		free(b->data);
		if ((b->data = malloc(need)) == NULL) {
			b->cap = 0;
			return;
		}
		b->cap = need;
	}
	wk->zs.next_in = wk->raw;
	wk->zs.avail_in = rawlen;
	wk->zs.next_out = b->data + 8;
	wk->zs.avail_out = b->cap - 8 - 4;
	/* Z_SYNC_FLUSH ends byte-aligned with no final block. */
	rc = deflate(&wk->zs, Z_SYNC_FLUSH);
	if (rc != Z_OK || wk->zs.avail_in != 0)
		return;
	used = (b->cap - 8 - 4) - wk->zs.avail_out;
	pngenc_chunk_head(b->data, used, "IDAT");
	pngenc_put32(b->data + 8 + used,
	    pngenc_chunk_crc(b->data + 4, used + 4));
	b->len = 8 + used + 4;
	b->adler = adler32(adler32(0, NULL, 0), wk->raw, rawlen);
	b->rawlen = rawlen;
	b->failed = 0;
}

/* Take bands from the job until none is left. */
static void
pngenc_run_job(struct pngenc_worker *wk, struct pngenc_job *job)
{
	struct pngenc_band	*b;
	int			 i;

	for (;;) {
		pthread_mutex_lock(&pool.lock);
		i = job->next < job->ntodo ? job->todo[job->next++] : -1;
		pthread_mutex_unlock(&pool.lock);
		if (i == -1)
			break;
		b = &job->pe->bands[i];
		pngenc_band_encode(wk, job->pe, b, job->fill, job->arg);
		pthread_mutex_lock(&pool.lock);
		job->done++;
		if (job->done == job->ntodo)
			pthread_cond_broadcast(&pool.idle);
		pthread_mutex_unlock(&pool.lock);
	}
}

static void *
pngenc_thread(void *arg)
{
	struct pngenc_worker	 wk;
	unsigned		 seen = 0;

	memset(&wk, 0, sizeof wk);
	pthread_mutex_lock(&pool.lock);
	for (;;) {
		while (!pool.stopping &&
		    (pool.job == NULL || pool.generation == seen))
			pthread_cond_wait(&pool.work, &pool.lock);
		if (pool.stopping)
			break;
		seen = pool.generation;
		pool.busy++;
		pthread_mutex_unlock(&pool.lock);
		pngenc_run_job(&wk, pool.job);
		pthread_mutex_lock(&pool.lock);
		pool.busy--;
		pthread_cond_broadcast(&pool.idle);
	}
	pthread_mutex_unlock(&pool.lock);
	if (wk.zs_ok)
		deflateEnd(&wk.zs);
	free(wk.raw);
	return (NULL);
}

void
pngenc_threads_start(int n)
{
	sigset_t	 all, old;
	int		 i;

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
	free(pool.main.raw);
	memset(&pool.main, 0, sizeof pool.main);
	pool.stopping = 0;
}

int
pngenc_encode(struct pngenc *pe, pngenc_fill_cb fill, void *arg,
    struct evbuffer *out, char **cause)
{
	struct pngenc_job	 job;
	struct pngenc_band	*b;
	uint8_t			 tail[12 + 6 + 12];
	uLong			 adler;
	int			 i, ntodo = 0, failed = 0;

	memset(&job, 0, sizeof job);
	job.todo = xcalloc(pe->nbands, sizeof *job.todo);
	for (i = 0; i < pe->nbands; i++) {
		if (pe->bands[i].dirty)
			job.todo[ntodo++] = i;
	}
	job.pe = pe;
	job.fill = fill;
	job.arg = arg;
	job.ntodo = ntodo;

	if (ntodo > 0) {
		pthread_mutex_lock(&pool.lock);
		if (ntodo > 1 && pool.nthreads > 0) {
			pool.job = &job;
			pool.generation++;
			pthread_cond_broadcast(&pool.work);
		}
		pthread_mutex_unlock(&pool.lock);
		/* The caller works too: two cores, two encoders. */
		pngenc_run_job(&pool.main, &job);
		pthread_mutex_lock(&pool.lock);
		while (job.done < job.ntodo || pool.busy > 0)
			pthread_cond_wait(&pool.idle, &pool.lock);
		pool.job = NULL;
		pthread_mutex_unlock(&pool.lock);
	}
	free(job.todo);

	for (i = 0; i < pe->nbands; i++) {
		b = &pe->bands[i];
		if (b->dirty && b->failed)
			failed = 1;
		else
			b->dirty = 0;
	}
	if (failed) {
		*cause = xstrdup("out of memory compressing the screenshot");
		return (-1);
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
