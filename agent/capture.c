/*
 * capture.c: screenshots.
 *
 * The full screen with the cursor (what /screenshot and most model loops
 * ask for) is kept as a band-wise PNG (pngenc.c).  XDamage events mark the
 * bands whose rows changed, the cursor's old and new rectangles are marked
 * when it moves or changes shape, and only those bands are converted and
 * recompressed: an unchanged screen is answered from the cache.  Other
 * shapes (region, scaled, no cursor) are built from a fresh grab.
 *
 * Pixels come from XShmGetImage into one reused segment (0.4 ms for 1080p
 * against 50 ms for XGetImage, doc/capture.md); XGetImage is the fallback
 * when the server cannot share memory with us.  The live view (view.c)
 * grabs into a segment of its own, so it never writes pixels that a job
 * on the workers is reading.
 *
 * The engine.  The X calls (sync, grab, cursor) run on the loop, the band
 * compression on pngenc's workers.  One job at a time reads the grabbed
 * image (cap.job): a cache job recompresses the dirty bands of the full
 * frame, an other job builds one region/scaled/no-cursor shot.  Frames are
 * numbered: a shot that finds the screen damaged needs the next cache job
 * (seq_started + 1), whose grab comes after the shot's XSync, so a frame
 * grabbed before a damage event is never served to a shot that came after
 * it; damage that arrives while a job runs leaves its bands dirty for the
 * next one.  Encode ahead: while a screenshot is likely (one was taken in
 * the last CAPTURE_AHEAD_LINGER_MS, or a settle waits), damage arms a
 * timer that starts a cache job once the damage pauses, at most once per
 * CAPTURE_AHEAD_MIN_MS; no damage, no work.
 *
 * The HTTP handlers at the end (capture_reply, capture_v1_cb) are a thin
 * layer over capture_shoot; /screenshot is osworld_screen.c's.
 */
#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/queue.h>
#include <sys/shm.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <X11/extensions/Xdamage.h>
#include <X11/extensions/Xfixes.h>
#include <event2/buffer.h>
#include <event2/event.h>

#include "capture.h"
#include "compat.h"
#include "deskd.h"
#include "display.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "pngenc.h"
#include "xmalloc.h"

#define CAPTURE_CURSOR_MAX	256	/* larger cursors are not drawn */

struct capture_cursor {
	int		 x;		/* top-left on screen (hotspot applied) */
	int		 y;
	int		 w;
	int		 h;
	unsigned long	 serial;
	uint32_t	*argb;		/* premultiplied, w * h */
	int		 valid;
};

/* What a fill callback needs; read-only while the job runs. */
struct capture_src {
	const uint8_t		*pix;
	int			 stride;
	int			 rshift, gshift, bshift;
	XImage			*slow;		/* not 32 bpp: XGetPixel */
	int			 sx, sy;	/* region origin on screen */
	int			 w;		/* region width */
	int			 h;		/* region height */
	int			 out_w, out_h;	/* scaled size (other jobs) */
	const struct capture_cursor *cursor;	/* NULL: none */
};

/* One grab target: a reused SHM segment, or XGetImage's last image. */
struct capture_image {
	XImage		*ximg;
	XShmSegmentInfo	 shm;
	int		 use_shm;
};

/* Where a capture reads from and the size it is encoded at. */
struct capture_geom {
	int	 rx, ry, rw, rh;	/* on the screen */
	int	 ow, oh;		/* the image */
};

enum capture_job {
	CAPTURE_JOB_NONE,
	CAPTURE_JOB_CACHE,	/* dirty bands of the full frame */
	CAPTURE_JOB_OTHER,	/* one region/scaled/no-cursor shot */
};

struct capture_shot {
	TAILQ_ENTRY(capture_shot) entry;
	struct capture_opts	 o;
	struct capture_geom	 g;		/* o on the screen when asked */
	int			 full;		/* served from the cache */
	unsigned long		 need;		/* cache frame it needs */
	capture_done_cb		 cb;
	void			*arg;
	double			 t0;		/* capture_now() when asked */
	double			 sync_ms;	/* its own XSync */
};
TAILQ_HEAD(capture_shots, capture_shot);

static struct event_base	*capture_base;

static struct {
	Display			*dpy;
	Window			 root;
	int			 w;
	int			 h;
	struct capture_image	 shot;		/* the jobs' grab */
	struct capture_image	 view;		/* the live view's grab */
	struct capture_image	 still;		/* capture_rgb_scaled's grab */
	int			 damage_ok;
	int			 damage_event;
	Damage			 damage;
	int			 fixes_ok;
	long long		 last_damage_ms;
	struct pngenc		*cache;		/* full screen, cursor on */
	int			 cache_valid;
	struct capture_cursor	 cursor;	/* as drawn in the cache */
	struct capture_cursor	 now;		/* as fetched last */
	struct capture_cursor	 ocursor;	/* drawn by the other job */
	struct pngenc		*scratch;

	/* The engine. */
	struct capture_shots	 shots;		/* waiting, in order */
	enum capture_job	 job;		/* who reads cap.shot now */
	struct capture_src	 src;		/* what that job's fill reads */
	unsigned long		 seq_started;	/* cache jobs started */
	unsigned long		 seq_done;	/* cache frame in the bands */
	double			 job_t0;
	double			 job_grab_ms;
	int			 job_bands;
	int			 job_ahead;	/* started with no shot waiting */
	int			 ahead_fresh;	/* bands encoded ahead, unserved */
	struct capture_shot	*job_shot;	/* the other job's shot */
	double			 last_grab_ms;	/* of the frame in the bands */
	double			 last_encode_ms;
	double			 last_t0;
	int			 last_bands;
	int			 hold;		/* start no job (teardown) */
	int			 kicking;
	struct capture_shot	*shooting;	/* capture_shoot's own shot */
	int			 sync;		/* DESKD_CAPTURE_SYNC=1 */

	/* Encode ahead. */
	struct event		*ahead_ev;
	long long		 ahead_until_ms;
	long long		 ahead_last_ms;	/* last ahead job started */
	long long		 dirty_since_ms; /* first damage since then */
	int			 ahead_due;

	unsigned long		 grabs;
	unsigned long		 cache_hits;
	unsigned long		 damage_seq;	/* damage events seen */
	double			 grab_ms;	/* capture_shot's last capture */
} cap;

struct capture_waiter {
	TAILQ_ENTRY(capture_waiter) entry;
	struct event	*ev;
	long long	 deadline;
	int		 quiet_ms;
	int		 after_job;	/* quiet; runs when the job is done */
	void		(*cb)(void *);
	void		*arg;
};
/* Pending waiters, freed at shutdown (their callbacks never run then). */
static TAILQ_HEAD(, capture_waiter) capture_waiters =
    TAILQ_HEAD_INITIALIZER(capture_waiters);

static void	 capture_release(void);
static void	 capture_kick(void);
static void	 capture_wait_job(void);
static void	 capture_sub_notify(int, int, int, int);

/* Milliseconds on the monotonic clock, with fractions (timings). */
static double
capture_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

static int
capture_mask_shift(unsigned long mask)
{
	int	 s = 0;

	if (mask == 0)
		return (0);
	while (!(mask & 1)) {
		mask >>= 1;
		s++;
	}
	return (s);
}

static void
capture_image_free(struct capture_image *ci)
{
	if (ci->ximg != NULL) {
		if (ci->use_shm && cap.dpy != NULL &&
		    display_get() == cap.dpy)
			XShmDetach(cap.dpy, &ci->shm);
		if (ci->use_shm && ci->shm.shmaddr != NULL &&
		    ci->shm.shmaddr != (char *)-1)
			shmdt(ci->shm.shmaddr);
		ci->ximg->data = NULL;
		XDestroyImage(ci->ximg);
		ci->ximg = NULL;
	}
	memset(&ci->shm, 0, sizeof ci->shm);
	ci->use_shm = 0;
}

static void
capture_release(void)
{
	/* The workers may read the image: wait for them first. */
	capture_wait_job();
	capture_image_free(&cap.shot);
	capture_image_free(&cap.view);
	capture_image_free(&cap.still);
}

/* A reused SHM image of the root's size; -1 when SHM cannot be used. */
static int
capture_image_shm(struct capture_image *ci)
{
	Display	*dpy = cap.dpy;
	int	 scr = DefaultScreen(dpy), err;

	if (!XShmQueryExtension(dpy))
		return (-1);
	ci->ximg = XShmCreateImage(dpy, DefaultVisual(dpy, scr),
	    DefaultDepth(dpy, scr), ZPixmap, NULL, &ci->shm, cap.w, cap.h);
	if (ci->ximg == NULL)
		return (-1);
	ci->shm.shmid = shmget(IPC_PRIVATE,
	    (size_t)ci->ximg->bytes_per_line * ci->ximg->height,
	    IPC_CREAT | 0600);
	if (ci->shm.shmid == -1)
		goto fail;
	ci->shm.shmaddr = ci->ximg->data = shmat(ci->shm.shmid, NULL, 0);
	if (ci->shm.shmaddr == (char *)-1) {
		shmctl(ci->shm.shmid, IPC_RMID, NULL);
		goto fail;
	}
	ci->shm.readOnly = False;
	display_trap_push();
	XShmAttach(dpy, &ci->shm);
	err = display_trap_pop();
	/* Freed by the kernel once both sides detach, even after a crash. */
	shmctl(ci->shm.shmid, IPC_RMID, NULL);
	if (err != 0) {
		shmdt(ci->shm.shmaddr);
		goto fail;
	}
	ci->use_shm = 1;
	return (0);
fail:
	if (ci->ximg != NULL) {
		ci->ximg->data = NULL;
		XDestroyImage(ci->ximg);
		ci->ximg = NULL;
	}
	memset(&ci->shm, 0, sizeof ci->shm);
	return (-1);
}

static void
capture_resize(int w, int h)
{
	capture_release();
	cap.w = w;
	cap.h = h;
	if (capture_image_shm(&cap.shot) == -1)
		log_warnx("capture: MIT-SHM unavailable, using XGetImage "
		    "(slower)");
	pngenc_free(cap.cache);
	cap.cache = pngenc_new(w, h);
	cap.cache_valid = 0;
	cap.cursor.valid = 0;
	capture_sub_notify(0, 0, 0, 0);
}

/* Whether damage now should be encoded ahead. */
static int
capture_ahead_wanted(void)
{
	if (cap.sync || cap.dpy == NULL)
		return (0);
	return (!TAILQ_EMPTY(&capture_waiters) ||
	    deskd_now_ms() < cap.ahead_until_ms);
}

static void
capture_ahead_arm(long long ms)
{
	struct timeval	 tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(cap.ahead_ev, &tv);
}

/*
 * The damage paused (or has gone on for CAPTURE_AHEAD_MIN_MS): encode the
 * dirty bands now, unless one was started less than that period ago.
 */
static void
capture_ahead_cb(evutil_socket_t fd, short events, void *arg)
{
	long long	 now = deskd_now_ms(), quiet, since;

	if (!capture_ahead_wanted())
		return;
	quiet = now - cap.last_damage_ms;
	if (quiet < CAPTURE_AHEAD_QUIET_MS &&
	    now - cap.dirty_since_ms < CAPTURE_AHEAD_MIN_MS) {
		capture_ahead_arm(CAPTURE_AHEAD_QUIET_MS - quiet);
		return;
	}
	since = now - cap.ahead_last_ms;
	if (since < CAPTURE_AHEAD_MIN_MS) {
		capture_ahead_arm(CAPTURE_AHEAD_MIN_MS - since);
		return;
	}
	cap.ahead_due = 1;
	capture_kick();
}

static int
capture_event_cb(Display *dpy, XEvent *ev, void *arg)
{
	XDamageNotifyEvent	*dn;

	if (!cap.damage_ok || ev->type != cap.damage_event + XDamageNotify)
		return (0);
	dn = (XDamageNotifyEvent *)ev;
	if (cap.cache != NULL)
		pngenc_dirty(cap.cache, dn->area.y, dn->area.y + dn->area.height);
	cap.last_damage_ms = deskd_now_ms();
	cap.damage_seq++;
	if (cap.dirty_since_ms == 0)
		cap.dirty_since_ms = cap.last_damage_ms;
	if (cap.ahead_ev != NULL && capture_ahead_wanted() &&
	    !evtimer_pending(cap.ahead_ev, NULL))
		capture_ahead_arm(CAPTURE_AHEAD_QUIET_MS);
	capture_sub_notify(dn->area.x, dn->area.y, dn->area.width,
	    dn->area.height);
	return (1);
}

/* Answer a shot and free it. */
static void
capture_deliver(struct capture_shot *shot, struct capture_result *res)
{
	res->total_ms = capture_now() - shot->t0;
	res->screen_w = cap.w;
	res->screen_h = cap.h;
	/* Every frame served, at what it cost (0 for a cached one). */
	if (res->png != NULL)
		metrics_encode((long long)(res->encode_ms * 1000));
	if (cap.shooting == shot)
		cap.shooting = NULL;
	shot->cb(res, shot->arg);
	if (res->png != NULL)
		evbuffer_free(res->png);
	free(shot);
}

static void
capture_fail(struct capture_shot *shot, enum deskd_err kind,
    const char *cause)
{
	struct capture_result	 res;

	memset(&res, 0, sizeof res);
	res.kind = kind;
	res.cause = cause;
	capture_deliver(shot, &res);
}

/* Fail every waiting shot (full ones only when full_only). */
static void
capture_fail_all(int full_only, enum deskd_err kind, const char *cause)
{
	struct capture_shot	*shot, *next;

	for (shot = TAILQ_FIRST(&cap.shots); shot != NULL; shot = next) {
		next = TAILQ_NEXT(shot, entry);
		if (full_only && !shot->full)
			continue;
		TAILQ_REMOVE(&cap.shots, shot, entry);
		capture_fail(shot, kind, cause);
	}
}

static void
capture_hook(Display *dpy, void *arg)
{
	int	 ev_base, err_base, w, h;

	if (dpy == NULL) {
		/* The server is gone: its resources are gone with it. */
		cap.hold++;
		capture_release();
		cap.dpy = NULL;
		cap.damage_ok = 0;
		cap.damage = None;
		cap.cache_valid = 0;
		cap.cursor.valid = 0;
		cap.now.valid = 0;
		capture_fail_all(0, DESKD_EDISPLAY, display_reason() != NULL ?
		    display_reason() : "X display lost");
		cap.hold--;
		capture_sub_notify(0, 0, 0, 0);
		return;
	}
	cap.dpy = dpy;
	cap.root = DefaultRootWindow(dpy);
	cap.fixes_ok = XFixesQueryExtension(dpy, &ev_base, &err_base);
	cap.damage_ok = XDamageQueryExtension(dpy, &cap.damage_event,
	    &err_base);
	if (cap.damage_ok) {
		/* Raw rectangles: no round trip to re-arm, rows are enough. */
		cap.damage = XDamageCreate(dpy, cap.root,
		    XDamageReportRawRectangles);
	} else
		log_warnx("capture: no DAMAGE extension, every screenshot "
		    "is encoded from scratch");
	if (!cap.fixes_ok)
		log_warnx("capture: no XFIXES extension, no cursor drawn");
	display_screen_size(&w, &h);
	cap.hold++;
	capture_resize(w, h);
	cap.hold--;
	cap.last_damage_ms = deskd_now_ms();
}

/* Fetch the pointer's image and position into cap.now. */
static void
capture_fetch_cursor(void)
{
	XFixesCursorImage	*ci;
	struct capture_cursor	*c = &cap.now;
	int			 i, n;

	c->valid = 0;
	if (!cap.fixes_ok)
		return;
	if ((ci = XFixesGetCursorImage(cap.dpy)) == NULL)
		return;
	if (ci->width == 0 || ci->height == 0 ||
	    ci->width > CAPTURE_CURSOR_MAX || ci->height > CAPTURE_CURSOR_MAX) {
		XFree(ci);
		return;
	}
	if (c->argb == NULL || c->serial != ci->cursor_serial ||
	    c->w != ci->width || c->h != ci->height) {
		n = ci->width * ci->height;
		free(c->argb);
		c->argb = xreallocarray(NULL, n, sizeof *c->argb);
		/* Xlib gives unsigned long per pixel: 8 bytes on LP64. */
		for (i = 0; i < n; i++)
			c->argb[i] = (uint32_t)ci->pixels[i];
		c->serial = ci->cursor_serial;
		c->w = ci->width;
		c->h = ci->height;
	}
	c->x = ci->x - ci->xhot;
	c->y = ci->y - ci->yhot;
	c->valid = 1;
	XFree(ci);
}

/* dst = src, the pixels copied (a job's own cursor). */
static void
capture_copy_cursor(struct capture_cursor *dst,
    const struct capture_cursor *src)
{
	free(dst->argb);
	*dst = *src;
	dst->argb = NULL;
	if (src->valid) {
		dst->argb = xreallocarray(NULL, (size_t)src->w * src->h,
		    sizeof *dst->argb);
		memcpy(dst->argb, src->argb,
		    (size_t)src->w * src->h * sizeof *dst->argb);
	}
}

static void
capture_mark_cursor(const struct capture_cursor *c)
{
	if (c->valid)
		pngenc_dirty(cap.cache, c->y, c->y + c->h);
}

/*
 * Fetch the cursor; when it moved or changed shape since the cache drew
 * it, mark the bands under both.  Read-only on cap.cursor, which a cache
 * job in flight draws from.
 */
static void
capture_note_cursor(void)
{
	struct capture_cursor	*old = &cap.cursor, *now = &cap.now;

	capture_fetch_cursor();
	if (old->valid != now->valid || (now->valid && (old->x != now->x ||
	    old->y != now->y || old->serial != now->serial))) {
		capture_mark_cursor(old);
		capture_mark_cursor(now);
	}
}

static void
capture_blend_cursor(uint8_t *row, int sy, int sx, int w,
    const struct capture_cursor *c)
{
	const uint32_t	*p;
	uint8_t		*d;
	uint32_t	 px, a;
	int		 cy, i, x;

	if (c == NULL || !c->valid)
		return;
	cy = sy - c->y;
	if (cy < 0 || cy >= c->h)
		return;
	p = c->argb + (size_t)cy * c->w;
	for (i = 0; i < c->w; i++) {
		x = c->x + i - sx;
		if (x < 0 || x >= w)
			continue;
		px = p[i];
		a = px >> 24;
		if (a == 0)
			continue;
		d = row + (size_t)x * 3;
		if (a == 255) {
			d[0] = px >> 16;
			d[1] = px >> 8;
			d[2] = px;
			continue;
		}
		/* Premultiplied "over", as FFmpeg's xcbgrab does. */
		d[0] = ((px >> 16) & 0xff) + (d[0] * (255 - a) + 127) / 255;
		d[1] = ((px >> 8) & 0xff) + (d[1] * (255 - a) + 127) / 255;
		d[2] = (px & 0xff) + (d[2] * (255 - a) + 127) / 255;
	}
}

/* Convert one screen row segment to RGB. */
static void
capture_convert_row(const struct capture_src *s, int sy, uint8_t *dst)
{
	const uint32_t	*src;
	uint32_t	 px;
	int		 x;

	if (s->slow != NULL) {
		for (x = 0; x < s->w; x++) {
			px = XGetPixel(s->slow, s->sx + x, sy);
			dst[x * 3] = px >> s->rshift;
			dst[x * 3 + 1] = px >> s->gshift;
			dst[x * 3 + 2] = px >> s->bshift;
		}
		return;
	}
	src = (const uint32_t *)(s->pix + (size_t)sy * s->stride) + s->sx;
	if (s->rshift == 16 && s->gshift == 8 && s->bshift == 0) {
		for (x = 0; x < s->w; x++) {
			px = src[x];
			dst[0] = px >> 16;
			dst[1] = px >> 8;
			dst[2] = px;
			dst += 3;
		}
		return;
	}
	for (x = 0; x < s->w; x++) {
		px = src[x];
		dst[0] = px >> s->rshift;
		dst[1] = px >> s->gshift;
		dst[2] = px >> s->bshift;
		dst += 3;
	}
}

/* pngenc fill callback for rows straight off the screen (workers). */
static void
capture_fill_screen(void *arg, int y0, int y1, uint8_t *dst)
{
	const struct capture_src	*s = arg;
	int				 y;

	for (y = y0; y < y1; y++) {
		*dst++ = 0;	/* filter byte, pngenc's to choose */
		capture_convert_row(s, s->sy + y, dst);
		capture_blend_cursor(dst, s->sy + y, s->sx, s->w, s->cursor);
		dst += (size_t)s->w * 3;
	}
}

/* Source rows [*sy0, *sy1) that output rows [y0, y1) are made of. */
static void
capture_scale_span(int sh, int dh, int y0, int y1, int *sy0, int *sy1)
{
	int	 y, a, b;

	*sy0 = (int)((long long)y0 * sh / dh);
	*sy1 = *sy0 + 1;
	for (y = y0; y < y1; y++) {
		a = (int)((long long)y * sh / dh);
		b = (int)((long long)(y + 1) * sh / dh);
		if (b <= a)
			b = a + 1;
		if (b > *sy1)
			*sy1 = b;
	}
}

/*
 * pngenc fill callback for a scaled region (workers): the band's source
 * rows are converted (cursor included), then box-filtered: each output
 * pixel is the mean of the source pixels its area covers, so text stays
 * legible where nearest-neighbour drops strokes.
 */
static void
capture_fill_scaled(void *arg, int y0, int y1, uint8_t *dst)
{
	const struct capture_src	*s = arg;
	int				 sw = s->w, sh = s->h;
	int				 dw = s->out_w, dh = s->out_h;
	uint32_t			*acc;
	uint8_t				*rgb;
	int				*x0s, *x1s;
	int				 x, y, sy, sy0, sy1, lo, hi, sx, c, n;

	capture_scale_span(sh, dh, y0, y1, &lo, &hi);
	rgb = xreallocarray(NULL, (size_t)(hi - lo) * sw, 3);
	for (sy = lo; sy < hi; sy++) {
		uint8_t	*row = rgb + (size_t)(sy - lo) * sw * 3;

		capture_convert_row(s, s->sy + sy, row);
		capture_blend_cursor(row, s->sy + sy, s->sx, sw, s->cursor);
	}
	acc = xcalloc((size_t)dw * 3, sizeof *acc);
	x0s = xreallocarray(NULL, dw, sizeof *x0s);
	x1s = xreallocarray(NULL, dw, sizeof *x1s);
	for (x = 0; x < dw; x++) {
		x0s[x] = (int)((long long)x * sw / dw);
		x1s[x] = (int)((long long)(x + 1) * sw / dw);
		if (x1s[x] <= x0s[x])
			x1s[x] = x0s[x] + 1;
	}
	for (y = y0; y < y1; y++) {
		sy0 = (int)((long long)y * sh / dh);
		sy1 = (int)((long long)(y + 1) * sh / dh);
		if (sy1 <= sy0)
			sy1 = sy0 + 1;
		memset(acc, 0, (size_t)dw * 3 * sizeof *acc);
		for (sy = sy0; sy < sy1; sy++) {
			const uint8_t *row = rgb + (size_t)(sy - lo) * sw * 3;

			for (x = 0; x < dw; x++) {
				for (sx = x0s[x]; sx < x1s[x]; sx++) {
					for (c = 0; c < 3; c++)
						acc[x * 3 + c] +=
						    row[sx * 3 + c];
				}
			}
		}
		*dst++ = 0;
		for (x = 0; x < dw; x++) {
			n = (x1s[x] - x0s[x]) * (sy1 - sy0);
			for (c = 0; c < 3; c++)
				*dst++ = (acc[x * 3 + c] + n / 2) / n;
		}
	}
	free(acc);
	free(x0s);
	free(x1s);
	free(rgb);
}

/* Grab the whole root into ci: its SHM segment, or a fresh XGetImage. */
static int
capture_image_grab(struct capture_image *ci, struct capture_src *s,
    char **cause)
{
	XImage	*img;
	int	 ok;

	memset(s, 0, sizeof *s);
	if (ci->use_shm) {
		display_trap_push();
		ok = XShmGetImage(cap.dpy, cap.root, ci->ximg, 0, 0,
		    AllPlanes);
		if (display_trap_pop() != 0 || !ok) {
			if (display_check_io() == -1)
				goto dead;
			log_warnx("capture: XShmGetImage failed, falling "
			    "back to XGetImage");
			capture_image_free(ci);
		}
	}
	if (!ci->use_shm) {
		display_trap_push();
		img = XGetImage(cap.dpy, cap.root, 0, 0, cap.w, cap.h,
		    AllPlanes, ZPixmap);
		if (display_trap_pop() != 0 || img == NULL) {
			if (img != NULL)
				XDestroyImage(img);
			if (display_check_io() == -1)
				goto dead;
			*cause = xstrdup("XGetImage failed");
			return (-1);
		}
		if (ci->ximg != NULL)
			XDestroyImage(ci->ximg);
		ci->ximg = img;
	}
	cap.grabs++;
	img = ci->ximg;
	s->pix = (const uint8_t *)img->data;
	s->stride = img->bytes_per_line;
	s->rshift = capture_mask_shift(img->red_mask);
	s->gshift = capture_mask_shift(img->green_mask);
	s->bshift = capture_mask_shift(img->blue_mask);
	if (img->bits_per_pixel != 32 || img->byte_order != LSBFirst)
		s->slow = img;
	/* Replies read during the grab may have queued events. */
	display_kick();
	return (0);
dead:
	xasprintf(cause, "%s", display_reason() ? display_reason() :
	    "X display lost");
	return (-1);
}

/* Grab into cap.shot for a job, which must not be running. */
static int
capture_grab(struct capture_src *s, char **cause)
{
	if (cap.job != CAPTURE_JOB_NONE)
		fatalx("%s: the image is in use", __func__);
	return (capture_image_grab(&cap.shot, s, cause));
}

/* Make sure the connection state matches the screen; sync damage. */
static int
capture_prepare(char **cause)
{
	int	 w, h;

	if (display_need(cause) == NULL)
		return (-1);
	/* Everything drawn before now has reported its damage after this. */
	XSync(cap.dpy, False);
	display_dispatch();
	if (display_check_io() == -1) {
		xasprintf(cause, "%s", display_reason());
		return (-1);
	}
	display_screen_size(&w, &h);
	if (w != cap.w || h != cap.h || cap.cache == NULL) {
		cap.hold++;
		capture_resize(w, h);
		cap.hold--;
	}
	return (0);
}

/*
 * Fit (w, h) inside (box_w, box_h) keeping the aspect, never larger than
 * the original; box_w or box_h 0 leaves that side free.
 */
static void
capture_fit(int w, int h, int box_w, int box_h, int *ow, int *oh)
{
	double	 sx = 1.0, sy = 1.0, s;

	if (box_w > 0 && box_w < w)
		sx = (double)box_w / w;
	if (box_h > 0 && box_h < h)
		sy = (double)box_h / h;
	s = sx < sy ? sx : sy;
	*ow = (int)(w * s + 0.5);
	*oh = (int)(h * s + 0.5);
	if (box_w > 0 && *ow > box_w)
		*ow = box_w;
	if (box_h > 0 && *oh > box_h)
		*oh = box_h;
	if (*ow < 1)
		*ow = 1;
	if (*oh < 1)
		*oh = 1;
}

/*
 * The options against the screen as it is now: the region must lie
 * inside it, and the image is never larger than the region.
 */
static int
capture_geometry(const struct capture_opts *o, struct capture_geom *g,
    char **cause)
{
	int	 bw = o->fit_w, bh = o->fit_h;

	g->rx = g->ry = 0;
	g->rw = cap.w;
	g->rh = cap.h;
	if (o->rw > 0) {
		if (o->rx < 0 || o->ry < 0 || o->rw < 1 || o->rh < 1 ||
		    o->rx + o->rw > cap.w || o->ry + o->rh > cap.h) {
			xasprintf(cause, "region: %d,%d,%d,%d is not inside "
			    "the %dx%d screen (x,y,w,h with w,h >= 1)", o->rx,
			    o->ry, o->rw, o->rh, cap.w, cap.h);
			return (-1);
		}
		g->rx = o->rx;
		g->ry = o->ry;
		g->rw = o->rw;
		g->rh = o->rh;
	}
	if (o->out_w > 0 && o->out_h > 0) {
		g->ow = o->out_w;
		g->oh = o->out_h;
		if (g->ow > g->rw || g->oh > g->rh) {
			g->ow = g->rw;
			g->oh = g->rh;
		}
		return (0);
	}
	if (o->scale > 0) {
		bw = (int)(g->rw * o->scale + 0.5);
		bh = (int)(g->rh * o->scale + 0.5);
		if (bw < 1)
			bw = 1;
		if (bh < 1)
			bh = 1;
	}
	if (bw > 0 || bh > 0)
		capture_fit(g->rw, g->rh, bw, bh, &g->ow, &g->oh);
	else {
		g->ow = g->rw;
		g->oh = g->rh;
	}
	return (0);
}

/* Whether a shot is the full screen with the cursor: the cached frame. */
static int
capture_is_full(const struct capture_opts *o, const struct capture_geom *g)
{
	return (o->cursor && g->rw == cap.w && g->rh == cap.h &&
	    g->ow == cap.w && g->oh == cap.h);
}

/* Whether the cache holds the screen as it is now. */
static int
capture_cache_current(void)
{
	return (cap.job != CAPTURE_JOB_CACHE && cap.cache_valid &&
	    cap.damage_ok && pngenc_ndirty(cap.cache) == 0);
}

/* Answer a full shot from the bands as they are. */
static void
capture_serve(struct capture_shot *shot, int fresh)
{
	struct capture_result	 res;
	char			*cause = NULL;

	memset(&res, 0, sizeof res);
	res.png = evbuffer_new();
	if (pngenc_write(cap.cache, res.png, &cause) == -1) {
		evbuffer_free(res.png);
		res.png = NULL;
		capture_fail(shot, DESKD_ESYSTEM, cause);
		free(cause);
		return;
	}
	res.w = cap.w;
	res.h = cap.h;
	res.nbands = pngenc_nbands(cap.cache);
	res.capture_ms = shot->sync_ms;
	if (fresh) {
		res.capture_ms += cap.last_grab_ms;
		res.encode_ms = cap.last_encode_ms;
		res.bands = cap.last_bands;
		/* Encoded before the shot came: ahead of it. */
		res.frame = cap.last_t0 < shot->t0 ? "ahead" : "fresh";
	} else if (cap.ahead_fresh) {
		/* Encoded ahead, before anyone asked: what it cost then. */
		res.encode_ms = cap.last_encode_ms;
		res.bands = cap.last_bands;
		res.frame = "ahead";
	} else {
		cap.cache_hits++;
		res.frame = "cached";
	}
	cap.ahead_fresh = 0;
	capture_deliver(shot, &res);
}

/* Serve the full shots that the frame in the bands satisfies. */
static void
capture_serve_full(void)
{
	struct capture_shot	*shot, *next;

	for (shot = TAILQ_FIRST(&cap.shots); shot != NULL; shot = next) {
		next = TAILQ_NEXT(shot, entry);
		if (!shot->full || shot->need > cap.seq_done)
			continue;
		TAILQ_REMOVE(&cap.shots, shot, entry);
		capture_serve(shot, 1);
	}
}

/*
 * Wake the settle waiters that were waiting for the cache job: on the
 * next loop turn, never from inside a job's end (which may run while
 * capture itself waits for it).
 */
static void
capture_run_after_job(void)
{
	struct capture_waiter	*cw;

	TAILQ_FOREACH(cw, &capture_waiters, entry) {
		if (!cw->after_job)
			continue;
		cw->after_job = 0;
		event_active(cw->ev, EV_TIMEOUT, 0);
	}
}

static void
capture_cache_done(struct pngenc *pe, int failed, void *arg)
{
	cap.job = CAPTURE_JOB_NONE;
	cap.seq_done = cap.seq_started;
	cap.last_grab_ms = cap.job_grab_ms;
	cap.last_encode_ms = capture_now() - cap.job_t0;
	cap.last_bands = cap.job_bands;
	cap.last_t0 = cap.job_t0;
	if (cap.job_ahead && cap.job_bands > 0) {
		cap.ahead_fresh = 1;
		log_debug("capture: encoded ahead %d of %d bands in %.2f ms",
		    cap.job_bands, pngenc_nbands(cap.cache),
		    cap.last_encode_ms);
	}
	if (failed)
		capture_fail_all(1, DESKD_ESYSTEM, "out of memory compressing the "
		    "screenshot");
	else
		capture_serve_full();
	capture_run_after_job();
	capture_kick();
}

/* Start compressing the dirty bands of the full frame. */
static void
capture_start_cache(int ahead)
{
	char	*cause = NULL;
	double	 t0;

	capture_note_cursor();
	if (!cap.damage_ok || !cap.cache_valid)
		pngenc_dirty_all(cap.cache);
	cap.seq_started++;
	cap.dirty_since_ms = 0;
	if (ahead)
		cap.ahead_last_ms = deskd_now_ms();
	if (pngenc_ndirty(cap.cache) == 0) {
		/* Nothing changed: the bands are this frame already. */
		cap.seq_done = cap.seq_started;
		cap.last_grab_ms = cap.last_encode_ms = 0;
		cap.last_bands = 0;
		cap.last_t0 = capture_now();
		capture_serve_full();
		return;
	}
	t0 = capture_now();
	if (capture_grab(&cap.src, &cause) == -1) {
		cap.seq_done = cap.seq_started;
		capture_fail_all(1, display_get() == NULL ? DESKD_EDISPLAY :
		    DESKD_ESYSTEM, cause);
		free(cause);
		return;
	}
	cap.job_grab_ms = capture_now() - t0;
	cap.src.w = cap.w;
	cap.src.h = cap.h;
	/* The cache will show the cursor as it is now. */
	capture_copy_cursor(&cap.cursor, &cap.now);
	cap.src.cursor = &cap.cursor;
	cap.cache_valid = 1;
	cap.job = CAPTURE_JOB_CACHE;
	cap.job_t0 = t0;
	cap.job_ahead = ahead;
	cap.job_bands = pngenc_start(cap.cache, capture_fill_screen, &cap.src,
	    capture_cache_done, NULL);
	if (cap.sync)
		pngenc_wait(cap.cache);
}

static void
capture_other_done(struct pngenc *pe, int failed, void *arg)
{
	struct capture_shot	*shot = cap.job_shot;
	struct capture_result	 res;
	char			*cause = NULL;

	cap.job = CAPTURE_JOB_NONE;
	cap.job_shot = NULL;
	if (shot != NULL) {
		memset(&res, 0, sizeof res);
		res.png = evbuffer_new();
		if (failed || pngenc_write(pe, res.png, &cause) == -1) {
			evbuffer_free(res.png);
			res.png = NULL;
			capture_fail(shot, DESKD_ESYSTEM, cause != NULL ? cause :
			    "out of memory compressing the screenshot");
			free(cause);
		} else {
			res.w = pngenc_width(pe);
			res.h = pngenc_height(pe);
			res.capture_ms = shot->sync_ms + cap.job_grab_ms;
			res.encode_ms = capture_now() - cap.job_t0;
			res.bands = res.nbands = pngenc_nbands(pe);
			res.frame = "fresh";
			capture_deliver(shot, &res);
		}
	}
	capture_kick();
}

/* Start building a region/scaled/no-cursor shot; it leaves the queue. */
static void
capture_start_other(struct capture_shot *shot)
{
	const struct capture_opts	*o = &shot->o;
	struct capture_geom		*g = &shot->g;
	char				*cause = NULL;
	double				 t0;

	TAILQ_REMOVE(&cap.shots, shot, entry);
	/* The screen may have changed size since the shot was asked for. */
	if (capture_geometry(o, g, &cause) == -1) {
		capture_fail(shot, DESKD_EINPUT, cause);
		free(cause);
		return;
	}
	t0 = capture_now();
	if (o->cursor)
		capture_fetch_cursor();
	if (capture_grab(&cap.src, &cause) == -1) {
		capture_fail(shot, display_get() == NULL ? DESKD_EDISPLAY :
		    DESKD_ESYSTEM, cause);
		free(cause);
		return;
	}
	cap.job_grab_ms = capture_now() - t0;
	cap.src.sx = g->rx;
	cap.src.sy = g->ry;
	cap.src.w = g->rw;
	cap.src.h = g->rh;
	cap.src.out_w = g->ow;
	cap.src.out_h = g->oh;
	capture_copy_cursor(&cap.ocursor, &cap.now);
	cap.src.cursor = o->cursor ? &cap.ocursor : NULL;
	if (cap.scratch == NULL || pngenc_width(cap.scratch) != g->ow ||
	    pngenc_height(cap.scratch) != g->oh) {
		pngenc_free(cap.scratch);
		cap.scratch = pngenc_new(g->ow, g->oh);
	}
	pngenc_dirty_all(cap.scratch);
	cap.job = CAPTURE_JOB_OTHER;
	cap.job_shot = shot;
	cap.job_t0 = t0;
	pngenc_start(cap.scratch, g->ow == g->rw && g->oh == g->rh ?
	    capture_fill_screen : capture_fill_scaled, &cap.src,
	    capture_other_done, NULL);
	if (cap.sync)
		pngenc_wait(cap.scratch);
}

/*
 * Start the next job when the image is free: for the first waiting shot
 * (in order), else an encode ahead that is due.
 */
static void
capture_kick(void)
{
	struct capture_shot	*shot;

	if (cap.kicking)
		return;
	cap.kicking = 1;
	while (cap.job == CAPTURE_JOB_NONE && cap.hold == 0 &&
	    cap.dpy != NULL && cap.cache != NULL) {
		if ((shot = TAILQ_FIRST(&cap.shots)) != NULL) {
			if (shot->full)
				capture_start_cache(0);
			else
				capture_start_other(shot);
			continue;
		}
		if (cap.ahead_due && capture_ahead_wanted() &&
		    pngenc_ndirty(cap.cache) > 0) {
			cap.ahead_due = 0;
			capture_start_cache(1);
			continue;
		}
		/* Nothing (left) to encode ahead. */
		cap.ahead_due = 0;
		break;
	}
	cap.kicking = 0;
}

/* Wait for the job reading the image (teardown, resize, blocking API). */
static void
capture_wait_job(void)
{
	cap.hold++;
	if (cap.job == CAPTURE_JOB_CACHE)
		pngenc_wait(cap.cache);
	else if (cap.job == CAPTURE_JOB_OTHER)
		pngenc_wait(cap.scratch);
	cap.hold--;
}

struct capture_shot *
capture_shoot(const struct capture_opts *o, capture_done_cb cb, void *arg)
{
	struct capture_shot	*shot;
	char			*cause = NULL;
	double			 t;

	shot = xcalloc(1, sizeof *shot);
	shot->o = *o;
	shot->cb = cb;
	shot->arg = arg;
	shot->t0 = capture_now();
	/* One sync with the server: damage, screen size, display state. */
	if (capture_prepare(&cause) == -1) {
		capture_fail(shot, DESKD_EDISPLAY, cause);
		free(cause);
		return (NULL);
	}
	shot->sync_ms = capture_now() - shot->t0;
	if (capture_geometry(o, &shot->g, &cause) == -1) {
		capture_fail(shot, DESKD_EINPUT, cause);
		free(cause);
		return (NULL);
	}
	shot->full = capture_is_full(o, &shot->g);
	if (shot->full) {
		cap.ahead_until_ms = deskd_now_ms() + CAPTURE_AHEAD_LINGER_MS;
		t = capture_now();
		capture_note_cursor();
		shot->sync_ms += capture_now() - t;
		if (capture_cache_current()) {
			capture_serve(shot, 0);
			return (NULL);
		}
		/*
		 * Nothing damaged since the job in flight grabbed: its frame
		 * will do.  Otherwise the next job's grab, after our XSync.
		 */
		if (cap.job == CAPTURE_JOB_CACHE && cap.cache_valid &&
		    cap.damage_ok && pngenc_ndirty(cap.cache) == 0)
			shot->need = cap.seq_started;
		else
			shot->need = cap.seq_started + 1;
	}
	TAILQ_INSERT_TAIL(&cap.shots, shot, entry);
	cap.shooting = shot;
	capture_kick();
	if (cap.shooting == NULL)
		return (NULL);	/* answered already */
	cap.shooting = NULL;
	return (shot);
}

void
capture_cancel(struct capture_shot *shot)
{
	if (shot == NULL)
		return;
	if (cap.job_shot == shot)
		cap.job_shot = NULL;	/* the job finishes for nobody */
	else
		TAILQ_REMOVE(&cap.shots, shot, entry);
	free(shot);
}

void
capture_server_timing(const struct capture_result *r, char *buf, size_t len)
{
	snprintf(buf, len, "capture;dur=%.3f, encode;dur=%.3f, "
	    "total;dur=%.3f, bands;desc=\"%d/%d\", bytes;desc=\"%zu\", "
	    "frame;desc=\"%s\"", r->capture_ms, r->encode_ms, r->total_ms,
	    r->bands, r->nbands, r->png != NULL ?
	    evbuffer_get_length(r->png) : (size_t)0,
	    r->frame != NULL ? r->frame : "none");
}

/* capture_shot's callback: keep the result for the blocking caller. */
struct capture_sync {
	int			 done;
	enum deskd_err		 kind;
	char			*cause;
	struct evbuffer		*out;
	struct capture_size	 size;
};

static void
capture_sync_cb(struct capture_result *res, void *arg)
{
	struct capture_sync	*cs = arg;

	cs->done = 1;
	cs->kind = res->kind;
	cap.grab_ms = res->kind == DESKD_EOK ? res->capture_ms : 0;
	if (res->kind != DESKD_EOK) {
		cs->cause = xstrdup(res->cause);
		return;
	}
	evbuffer_add_buffer(cs->out, res->png);
	cs->size.screen_w = res->screen_w;
	cs->size.screen_h = res->screen_h;
	cs->size.w = res->w;
	cs->size.h = res->h;
}

int
capture_shot(const struct capture_opts *o, struct evbuffer *out,
    struct capture_size *size, enum deskd_err *kind, char **cause)
{
	struct capture_sync	 cs;
	struct capture_shot	*shot;

	memset(&cs, 0, sizeof cs);
	cs.out = out;
	cap.grab_ms = 0;
	shot = capture_shoot(o, capture_sync_cb, &cs);
	/*
	 * Not answered yet: finish the jobs on this thread until it is.
	 * Each job done starts the next one for the queue, ours included;
	 * the loop does not run meanwhile, so no new damage comes in.
	 */
	while (!cs.done && shot != NULL) {
		if (cap.job == CAPTURE_JOB_NONE) {
			capture_cancel(shot);
			cs.kind = DESKD_ESYSTEM;
			cs.cause = xstrdup("capture did not start");
			break;
		}
		if (cap.job == CAPTURE_JOB_CACHE)
			pngenc_wait(cap.cache);
		else
			pngenc_wait(cap.scratch);
	}
	if (cs.cause != NULL || !cs.done) {
		*kind = cs.done ? cs.kind : DESKD_ESYSTEM;
		*cause = cs.cause != NULL ? cs.cause :
		    xstrdup("capture failed");
		return (-1);
	}
	*size = cs.size;
	return (0);
}

int
capture_png(const struct capture_opts *o, struct evbuffer *out, int *w,
    int *h, char **cause)
{
	struct capture_size	 size;
	enum deskd_err		 kind;

	if (capture_shot(o, out, &size, &kind, cause) == -1)
		return (-1);
	*w = size.w;
	*h = size.h;
	return (0);
}

unsigned long
capture_damage_seq(void)
{
	return (cap.damage_seq);
}

double
capture_last_grab_ms(void)
{
	return (cap.grab_ms);
}

/*
 * Bilinear upscale (zoom fills the image it is asked for): each output
 * pixel samples the source at its centre.
 */
static void
capture_upscale(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw,
    int dh)
{
	const uint8_t	*r0, *r1;
	double		 fx, fy, ax, ay;
	int		 x, y, x0, y0, x1, y1, c;

	for (y = 0; y < dh; y++) {
		fy = (y + 0.5) * sh / dh - 0.5;
		if (fy < 0)
			fy = 0;
		y0 = (int)fy;
		y1 = y0 + 1 < sh ? y0 + 1 : y0;
		ay = fy - y0;
		r0 = src + (size_t)y0 * sw * 3;
		r1 = src + (size_t)y1 * sw * 3;
		for (x = 0; x < dw; x++) {
			fx = (x + 0.5) * sw / dw - 0.5;
			if (fx < 0)
				fx = 0;
			x0 = (int)fx;
			x1 = x0 + 1 < sw ? x0 + 1 : x0;
			ax = fx - x0;
			for (c = 0; c < 3; c++) {
				dst[((size_t)y * dw + x) * 3 + c] = (uint8_t)(
				    (r0[x0 * 3 + c] * (1 - ax) +
				    r0[x1 * 3 + c] * ax) * (1 - ay) +
				    (r1[x0 * 3 + c] * (1 - ax) +
				    r1[x1 * 3 + c] * ax) * ay + 0.5);
			}
		}
	}
}

/*
 * The grab goes to cap.still, never to cap.shot, which a job on the
 * workers may be reading (as the live view's goes to cap.view).
 */
int
capture_rgb_scaled(const struct capture_opts *o, int ow, int oh,
    uint8_t **out, double *grab_ms, char **cause)
{
	struct capture_src	 s;
	struct capture_opts	 ro;
	struct capture_geom	 g;
	uint8_t			*rgb, *img;
	size_t			 row;
	double			 t0;
	int			 y;

	*out = NULL;
	*grab_ms = 0;
	if (capture_prepare(cause) == -1)
		return (-1);
	ro = *o;
	ro.out_w = ro.out_h = ro.fit_w = ro.fit_h = 0;
	ro.scale = 0;
	if (capture_geometry(&ro, &g, cause) == -1)
		return (-1);
	if (ow < 1 || oh < 1 || ow > CAPTURE_MAX_SIDE ||
	    oh > CAPTURE_MAX_SIDE) {
		xasprintf(cause, "image size %dx%d is not 1..%d", ow, oh,
		    CAPTURE_MAX_SIDE);
		return (-1);
	}
	t0 = capture_now();
	if (o->cursor)
		capture_fetch_cursor();
	/* capture_resize freed it when the size changed. */
	if (cap.still.ximg == NULL)
		capture_image_shm(&cap.still);
	if (capture_image_grab(&cap.still, &s, cause) == -1)
		return (-1);
	*grab_ms = capture_now() - t0;
	s.sx = g.rx;
	s.sy = g.ry;
	s.w = g.rw;
	s.h = g.rh;
	s.out_w = ow;
	s.out_h = oh;
	s.cursor = o->cursor ? &cap.now : NULL;
	if (ow <= g.rw && oh <= g.rh && (ow < g.rw || oh < g.rh)) {
		/* The screenshot's box filter; its rows lead with a byte. */
		row = (size_t)ow * 3;
		img = xreallocarray(NULL, oh, row + 1);
		capture_fill_scaled(&s, 0, oh, img);
		for (y = 0; y < oh; y++)
			memmove(img + y * row, img + y * (row + 1) + 1, row);
		*out = img;
		return (0);
	}
	rgb = xreallocarray(NULL, (size_t)g.rw * g.rh, 3);
	for (y = 0; y < g.rh; y++) {
		uint8_t *r = rgb + (size_t)y * g.rw * 3;

		capture_convert_row(&s, g.ry + y, r);
		capture_blend_cursor(r, g.ry + y, g.rx, g.rw, s.cursor);
	}
	if (ow == g.rw && oh == g.rh) {
		*out = rgb;
		return (0);
	}
	img = xreallocarray(NULL, (size_t)ow * oh, 3);
	capture_upscale(rgb, g.rw, g.rh, img, ow, oh);
	free(rgb);
	*out = img;
	return (0);
}

long
capture_quiet_ms(void)
{
	return ((long)(deskd_now_ms() - cap.last_damage_ms));
}

static void
capture_waiter_cb(evutil_socket_t fd, short events, void *arg)
{
	struct capture_waiter	*cw = arg;
	struct timeval		 tv;
	long long		 now, wait;
	long			 quiet;

	if (display_get() != NULL) {
		XSync(display_get(), False);
		display_dispatch();
	}
	now = deskd_now_ms();
	quiet = capture_quiet_ms();
	if (quiet >= cw->quiet_ms || now >= cw->deadline ||
	    display_get() == NULL) {
		/*
		 * A settle is followed by a screenshot: make the frame now,
		 * on the workers (a moved cursor dirties bands without any
		 * damage), and run once it is done, so that the blocking
		 * capture_png after it finds the frame ready.
		 */
		if (display_get() != NULL && now < cw->deadline &&
		    cap.job == CAPTURE_JOB_NONE && cap.hold == 0 &&
		    cap.cache != NULL && !cap.sync) {
			capture_note_cursor();
			if (!cap.cache_valid || pngenc_ndirty(cap.cache) > 0)
				capture_start_cache(1);
		}
		if (cap.job == CAPTURE_JOB_CACHE && display_get() != NULL &&
		    now < cw->deadline) {
			cw->after_job = 1;
			return;
		}
		TAILQ_REMOVE(&capture_waiters, cw, entry);
		event_free(cw->ev);
		cw->cb(cw->arg);
		free(cw);
		return;
	}
	wait = cw->quiet_ms - quiet;
	if (now + wait > cw->deadline)
		wait = cw->deadline - now;
	tv.tv_sec = wait / 1000;
	tv.tv_usec = (wait % 1000) * 1000;
	evtimer_add(cw->ev, &tv);
}

void
capture_when_quiet(int quiet_ms, int max_ms, void (*cb)(void *), void *arg)
{
	struct capture_waiter	*cw;

	cw = xcalloc(1, sizeof *cw);
	cw->deadline = deskd_now_ms() + max_ms;
	cw->quiet_ms = quiet_ms;
	cw->cb = cb;
	cw->arg = arg;
	cw->ev = evtimer_new(capture_base, capture_waiter_cb, cw);
	TAILQ_INSERT_TAIL(&capture_waiters, cw, entry);
	/* Damage from before the wait is encoded ahead too. */
	if (cap.cache != NULL && pngenc_ndirty(cap.cache) > 0 &&
	    capture_ahead_wanted() && !evtimer_pending(cap.ahead_ev, NULL))
		capture_ahead_arm(CAPTURE_AHEAD_QUIET_MS);
	/* Check once right away: a quiet screen answers at once. */
	event_active(cw->ev, EV_TIMEOUT, 0);
}

/*
 * The live view's access: damage subscribers, raw pixels, the cursor.  Its
 * grab goes to cap.view, never to cap.shot, which a job on the workers
 * may be reading: the view neither waits for a screenshot's encode nor
 * changes its pixels.  The segment is made at the first grab and freed
 * with the last subscriber.
 */

struct capture_sub {
	TAILQ_ENTRY(capture_sub) entry;
	capture_damage_cb	 cb;
	void			*arg;
};
static TAILQ_HEAD(, capture_sub) capture_subs =
    TAILQ_HEAD_INITIALIZER(capture_subs);
static struct capture_src	 capture_snap;
static int			 capture_snap_ok;

static void
capture_sub_notify(int x, int y, int w, int h)
{
	struct capture_sub	*cs, *next;

	/* A zero-sized rectangle from the server is not "everything". */
	if (w == 0 && (x != 0 || y != 0 || h != 0))
		return;
	/* The view's segment has the old size, or the server is gone. */
	if (w == 0)
		capture_snap_ok = 0;
	for (cs = TAILQ_FIRST(&capture_subs); cs != NULL; cs = next) {
		next = TAILQ_NEXT(cs, entry);
		cs->cb(x, y, w, h, cs->arg);
	}
}

struct capture_sub *
capture_sub_new(capture_damage_cb cb, void *arg)
{
	struct capture_sub	*cs;

	cs = xcalloc(1, sizeof *cs);
	cs->cb = cb;
	cs->arg = arg;
	TAILQ_INSERT_TAIL(&capture_subs, cs, entry);
	return (cs);
}

void
capture_sub_free(struct capture_sub *cs)
{
	if (cs == NULL)
		return;
	TAILQ_REMOVE(&capture_subs, cs, entry);
	free(cs);
	if (TAILQ_EMPTY(&capture_subs)) {
		capture_snap_ok = 0;
		capture_image_free(&cap.view);
	}
}

int
capture_grab_screen(int *w, int *h, char **cause)
{
	capture_snap_ok = 0;
	if (capture_prepare(cause) == -1)
		return (-1);
	/* capture_resize freed it when the size changed. */
	if (cap.view.ximg == NULL)
		capture_image_shm(&cap.view);
	if (capture_image_grab(&cap.view, &capture_snap, cause) == -1)
		return (-1);
	capture_snap.w = cap.w;
	capture_snap.h = cap.h;
	capture_snap_ok = 1;
	*w = cap.w;
	*h = cap.h;
	return (0);
}

void
capture_rgb(int x, int y, int w, int h, uint8_t *dst)
{
	struct capture_src	 s = capture_snap;
	int			 i;

	if (!capture_snap_ok || x < 0 || y < 0 || x + w > capture_snap.w ||
	    y + h > capture_snap.h || cap.view.ximg == NULL) {
		memset(dst, 0, (size_t)w * h * 3);
		return;
	}
	s.sx = x;
	s.w = w;
	for (i = 0; i < h; i++)
		capture_convert_row(&s, y + i, dst + (size_t)i * w * 3);
}

int
capture_cursor_get(struct capture_cursor_info *ci, char **cause)
{
	memset(ci, 0, sizeof *ci);
	if (display_need(cause) == NULL || cap.dpy == NULL) {
		if (*cause == NULL)
			*cause = xstrdup("X display lost");
		return (-1);
	}
	/* cap.now is nobody else's: jobs draw their own copies. */
	capture_fetch_cursor();
	if (display_check_io() == -1) {
		xasprintf(cause, "%s", display_reason());
		return (-1);
	}
	if (!cap.now.valid)
		return (0);
	ci->x = cap.now.x;
	ci->y = cap.now.y;
	ci->w = cap.now.w;
	ci->h = cap.now.h;
	ci->serial = cap.now.serial;
	ci->argb = cap.now.argb;
	return (0);
}

/* HTTP. */

/*
 * Options from a request's text, each NULL when absent: cursor "0", "1",
 * "false" or "true"; region "x,y,w,h"; width and height; scale.  Syntax
 * only, parsed once (the screen is not asked: capture_shoot checks the
 * region against it); -1 with a cause whose first word names the
 * parameter.
 */
static int
capture_opts_parse(struct capture_opts *o, const char *cursor,
    const char *region, const char *width, const char *height,
    const char *scale, char **cause)
{
	const char	*v;
	long long	 n;
	char		*end;
	int		 r[4], i;

	memset(o, 0, sizeof *o);
	o->cursor = 1;
	if (cursor != NULL) {
		if (strcmp(cursor, "1") == 0 || strcmp(cursor, "true") == 0)
			o->cursor = 1;
		else if (strcmp(cursor, "0") == 0 ||
		    strcmp(cursor, "false") == 0)
			o->cursor = 0;
		else {
			xasprintf(cause, "cursor: expected 0 or 1, got "
			    "\"%.32s\"", cursor);
			return (-1);
		}
	}
	if (region != NULL) {
		v = region;
		for (i = 0; i < 4; i++) {
			errno = 0;
			n = strtoll(v, &end, 10);
			if (end == v || errno != 0 || n < 0 ||
			    n > CAPTURE_MAX_SIDE || (i < 3 && *end != ',') ||
			    (i == 3 && *end != '\0')) {
				xasprintf(cause, "region: expected x,y,w,h as "
				    "four integers, got \"%.64s\"", region);
				return (-1);
			}
			r[i] = n;
			v = end + 1;
		}
		if (r[2] < 1 || r[3] < 1) {
			xasprintf(cause, "region: %d,%d,%d,%d is empty "
			    "(x,y,w,h with w,h >= 1)", r[0], r[1], r[2], r[3]);
			return (-1);
		}
		o->rx = r[0];
		o->ry = r[1];
		o->rw = r[2];
		o->rh = r[3];
	}
	if (scale != NULL && (width != NULL || height != NULL)) {
		*cause = xstrdup("scale: give either scale or width/height, "
		    "not both");
		return (-1);
	}
	if (width != NULL) {
		if (http_parse_int(width, 1, CAPTURE_MAX_SIDE, &n) == -1) {
			xasprintf(cause, "width: expected an integer from 1 to "
			    "%d, got \"%.32s\"", CAPTURE_MAX_SIDE, width);
			return (-1);
		}
		o->fit_w = n;
	}
	if (height != NULL) {
		if (http_parse_int(height, 1, CAPTURE_MAX_SIDE, &n) == -1) {
			xasprintf(cause, "height: expected an integer from 1 "
			    "to %d, got \"%.32s\"", CAPTURE_MAX_SIDE, height);
			return (-1);
		}
		o->fit_h = n;
	}
	if (scale != NULL) {
		errno = 0;
		o->scale = strtod(scale, &end);
		if (end == scale || *end != '\0' || errno != 0 ||
		    !(o->scale > 0) || o->scale > 1) {
			xasprintf(cause, "scale: expected a number in (0, 1], "
			    "got \"%.32s\"", scale);
			return (-1);
		}
	}
	return (0);
}

static void
capture_reply_done(struct capture_result *res, void *arg)
{
	struct http_req	*req = arg;
	char		 size[32], timing[256];

	http_req_set_close_cb(req, NULL, NULL);
	switch (res->kind) {
	case DESKD_EOK:
		break;
	case DESKD_EINPUT:
		http_reply_error(req, 400, "bad_parameter", "%s", res->cause);
		return;
	case DESKD_EDISPLAY:
		http_reply_error(req, 503, "display_unavailable", "%s",
		    res->cause);
		return;
	default:
		http_reply_error(req, 500, "capture_failed", "%s", res->cause);
		return;
	}
	snprintf(size, sizeof size, "%dx%d", res->screen_w, res->screen_h);
	http_add_header(req, "X-Screen-Size", size);
	snprintf(size, sizeof size, "%dx%d", res->w, res->h);
	http_add_header(req, "X-Image-Size", size);
	http_add_header(req, "Cache-Control", "no-store");
	capture_server_timing(res, timing, sizeof timing);
	http_add_header(req, "Server-Timing", timing);
	http_reply_buffer(req, 200, "image/png", res->png);
}

/* The client left: drop its shot. */
static void
capture_reply_close(struct http_req *req, void *arg)
{
	capture_cancel(arg);
}

void
capture_reply(struct http_req *req, const struct capture_opts *o)
{
	struct capture_shot	*shot;

	if ((shot = capture_shoot(o, capture_reply_done, req)) != NULL)
		http_req_set_close_cb(req, capture_reply_close, shot);
}

/* GET /v1/screenshot?width=&height=|scale=&region=x,y,w,h&cursor=0|1 */
void
capture_v1_cb(struct http_req *req, void *arg)
{
	struct capture_opts	 o;
	char			*cause = NULL;

	if (capture_opts_parse(&o, http_req_query(req, "cursor"),
	    http_req_query(req, "region"), http_req_query(req, "width"),
	    http_req_query(req, "height"), http_req_query(req, "scale"),
	    &cause) == -1) {
		http_reply_error(req, 400, "bad_parameter", "%s", cause);
		free(cause);
		return;
	}
	capture_reply(req, &o);
}

void
capture_init(struct event_base *base)
{
	const char	*v;
	long		 n = sysconf(_SC_NPROCESSORS_ONLN);

	capture_base = base;
	TAILQ_INIT(&cap.shots);
	/*
	 * Benchmark knob (tests/bench/capture.sh): DESKD_CAPTURE_SYNC=1
	 * encodes on the loop, which waits, and never ahead, as deskd did
	 * before the encode moved to the workers.
	 */
	cap.sync = (v = getenv("DESKD_CAPTURE_SYNC")) != NULL &&
	    strcmp(v, "1") == 0;
	if (n < 1)
		n = 1;
	/* Off the loop: one worker per core (the loop helps when sync). */
	pngenc_threads_start(base, cap.sync ? (int)n - 1 : (int)n);
	cap.ahead_ev = evtimer_new(base, capture_ahead_cb, NULL);
	display_add_event_handler(capture_event_cb, NULL);
	display_add_hook(capture_hook, NULL);
}

void
capture_shutdown(void)
{
	struct capture_waiter	*cw;
	struct capture_shot	*shot;

	cap.hold++;
	capture_wait_job();
	/* Clients are gone by now; any shot left has nobody to answer. */
	while ((shot = TAILQ_FIRST(&cap.shots)) != NULL) {
		TAILQ_REMOVE(&cap.shots, shot, entry);
		free(shot);
	}
	while ((cw = TAILQ_FIRST(&capture_waiters)) != NULL) {
		TAILQ_REMOVE(&capture_waiters, cw, entry);
		event_free(cw->ev);
		free(cw);
	}
	if (cap.ahead_ev != NULL)
		event_free(cap.ahead_ev);
	capture_release();
	pngenc_free(cap.cache);
	pngenc_free(cap.scratch);
	pngenc_threads_stop();
	free(cap.cursor.argb);
	free(cap.now.argb);
	free(cap.ocursor.argb);
	memset(&cap, 0, sizeof cap);
	capture_snap_ok = 0;
}
