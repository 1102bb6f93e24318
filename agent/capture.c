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
 * when the server cannot share memory with us.
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

/* What a fill callback needs; read-only while the threads run. */
struct capture_src {
	const uint8_t		*pix;
	int			 stride;
	int			 rshift, gshift, bshift;
	XImage			*slow;		/* not 32 bpp: XGetPixel */
	int			 sx, sy;	/* region origin on screen */
	int			 w;
	const struct capture_cursor *cursor;	/* NULL: none */
	const uint8_t		*scaled;	/* prebuilt RGB rows */
};

static struct event_base	*capture_base;

static struct {
	Display			*dpy;
	Window			 root;
	int			 w;
	int			 h;
	int			 use_shm;
	XShmSegmentInfo		 shm;
	XImage			*img;
	int			 damage_ok;
	int			 damage_event;
	Damage			 damage;
	int			 fixes_ok;
	long long		 last_damage_ms;
	struct pngenc		*cache;		/* full screen, cursor on */
	int			 cache_valid;
	struct capture_cursor	 cursor;	/* as drawn in the cache */
	struct capture_cursor	 now;		/* as fetched last */
	struct pngenc		*scratch;
	uint8_t			*rgb;		/* region RGB for scaling */
	size_t			 rgbcap;
	uint8_t			*out;		/* scaled RGB */
	size_t			 outcap;
	unsigned long		 grabs;
	unsigned long		 cache_hits;
	unsigned long		 damage_seq;	/* damage events seen */
	double			 grab_ms;	/* capture_shot's last grab */
} cap;

static void	 capture_release(void);
static void	 capture_sub_notify(int, int, int, int);

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
capture_release(void)
{
	if (cap.img != NULL) {
		if (cap.use_shm && cap.dpy != NULL &&
		    display_get() == cap.dpy)
			XShmDetach(cap.dpy, &cap.shm);
		if (cap.use_shm && cap.shm.shmaddr != NULL &&
		    cap.shm.shmaddr != (char *)-1)
			shmdt(cap.shm.shmaddr);
		cap.img->data = NULL;
		XDestroyImage(cap.img);
		cap.img = NULL;
	}
	memset(&cap.shm, 0, sizeof cap.shm);
	cap.use_shm = 0;
}

/* A reused SHM image of the root's size; -1 when SHM cannot be used. */
static int
capture_setup_shm(void)
{
	Display	*dpy = cap.dpy;
	int	 scr = DefaultScreen(dpy), err;

	if (!XShmQueryExtension(dpy))
		return (-1);
	cap.img = XShmCreateImage(dpy, DefaultVisual(dpy, scr),
	    DefaultDepth(dpy, scr), ZPixmap, NULL, &cap.shm, cap.w, cap.h);
	if (cap.img == NULL)
		return (-1);
	cap.shm.shmid = shmget(IPC_PRIVATE,
	    (size_t)cap.img->bytes_per_line * cap.img->height,
	    IPC_CREAT | 0600);
	if (cap.shm.shmid == -1)
		goto fail;
	cap.shm.shmaddr = cap.img->data = shmat(cap.shm.shmid, NULL, 0);
	if (cap.shm.shmaddr == (char *)-1) {
		shmctl(cap.shm.shmid, IPC_RMID, NULL);
		goto fail;
	}
	cap.shm.readOnly = False;
	display_trap_push();
	XShmAttach(dpy, &cap.shm);
	err = display_trap_pop();
	/* Freed by the kernel once both sides detach, even after a crash. */
	shmctl(cap.shm.shmid, IPC_RMID, NULL);
	if (err != 0) {
		shmdt(cap.shm.shmaddr);
		goto fail;
	}
	cap.use_shm = 1;
	return (0);
fail:
	if (cap.img != NULL) {
		cap.img->data = NULL;
		XDestroyImage(cap.img);
		cap.img = NULL;
	}
	memset(&cap.shm, 0, sizeof cap.shm);
	return (-1);
}

static void
capture_resize(int w, int h)
{
	capture_release();
	cap.w = w;
	cap.h = h;
	if (capture_setup_shm() == -1)
		log_warnx("capture: MIT-SHM unavailable, using XGetImage "
		    "(slower)");
	pngenc_free(cap.cache);
	cap.cache = pngenc_new(w, h);
	cap.cache_valid = 0;
	cap.cursor.valid = 0;
	capture_sub_notify(0, 0, 0, 0);
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
	capture_sub_notify(dn->area.x, dn->area.y, dn->area.width,
	    dn->area.height);
	return (1);
}

static void
capture_hook(Display *dpy, void *arg)
{
	int	 ev_base, err_base, w, h;

	if (dpy == NULL) {
		/* The server is gone: its resources are gone with it. */
		capture_release();
		cap.dpy = NULL;
		cap.damage_ok = 0;
		cap.damage = None;
		cap.cache_valid = 0;
		cap.cursor.valid = 0;
		cap.now.valid = 0;
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
	capture_resize(w, h);
	cap.last_damage_ms = deskd_now_ms();
}

/* Fetch the pointer's image and position; marks cache rows it touched. */
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

/* pngenc fill callback for rows straight off the screen. */
static void
capture_fill_screen(void *arg, int y0, int y1, uint8_t *dst)
{
	const struct capture_src	*s = arg;
	int				 y;

	for (y = y0; y < y1; y++) {
		*dst++ = 0;	/* filter NONE */
		capture_convert_row(s, s->sy + y, dst);
		capture_blend_cursor(dst, s->sy + y, s->sx, s->w, s->cursor);
		dst += (size_t)s->w * 3;
	}
}

/* pngenc fill callback for rows already built (scaled). */
static void
capture_fill_rgb(void *arg, int y0, int y1, uint8_t *dst)
{
	const struct capture_src	*s = arg;
	size_t				 row = (size_t)s->w * 3;
	int				 y;

	for (y = y0; y < y1; y++) {
		*dst++ = 0;
		memcpy(dst, s->scaled + (size_t)y * row, row);
		dst += row;
	}
}

static int	 capture_grab_timed(struct capture_src *, char **);

/* Grab the whole root into cap.img (SHM) or a fresh image (fallback). */
static int
capture_grab(struct capture_src *s, char **cause)
{
	int	 rc;
	double	 t0 = deskd_now_us();

	rc = capture_grab_timed(s, cause);
	cap.grab_ms = (deskd_now_us() - t0) / 1000.0;
	return (rc);
}

static int
capture_grab_timed(struct capture_src *s, char **cause)
{
	XImage	*img;
	int	 ok;

	memset(s, 0, sizeof *s);
	if (cap.use_shm) {
		display_trap_push();
		ok = XShmGetImage(cap.dpy, cap.root, cap.img, 0, 0, AllPlanes);
		if (display_trap_pop() != 0 || !ok) {
			if (display_check_io() == -1)
				goto dead;
			log_warnx("capture: XShmGetImage failed, falling "
			    "back to XGetImage");
			capture_release();
		}
	}
	if (!cap.use_shm) {
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
		if (cap.img != NULL)
			XDestroyImage(cap.img);
		cap.img = img;
	}
	cap.grabs++;
	img = cap.img;
	s->pix = (const uint8_t *)img->data;
	s->stride = img->bytes_per_line;
	s->rshift = capture_mask_shift(img->red_mask);
	s->gshift = capture_mask_shift(img->green_mask);
	s->bshift = capture_mask_shift(img->blue_mask);
	if (img->bits_per_pixel != 32 || img->byte_order != LSBFirst)
		s->slow = img;
	return (0);
dead:
	xasprintf(cause, "%s", display_reason() ? display_reason() :
	    "X display lost");
	return (-1);
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
	if (w != cap.w || h != cap.h || cap.cache == NULL)
		capture_resize(w, h);
	return (0);
}

/* pngenc_encode, timed for /metrics (deskd_screenshot_encode_seconds). */
static int
capture_encode(struct pngenc *pe, pngenc_fill_cb fill, void *arg,
    struct evbuffer *out, char **cause)
{
	struct timespec	 ts;
	long long	 t0;
	int		 rv;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	rv = pngenc_encode(pe, fill, arg, out, cause);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (rv == 0)
		metrics_encode((long long)ts.tv_sec * 1000000 +
		    ts.tv_nsec / 1000 - t0);
	return (rv);
}

static void
capture_mark_cursor(const struct capture_cursor *c)
{
	if (c->valid)
		pngenc_dirty(cap.cache, c->y, c->y + c->h);
}

static int
capture_full(struct evbuffer *out, char **cause)
{
	struct capture_src	 s;
	struct capture_cursor	*old = &cap.cursor, *now = &cap.now;

	capture_fetch_cursor();
	if (old->valid != now->valid || (now->valid && (old->x != now->x ||
	    old->y != now->y || old->serial != now->serial))) {
		capture_mark_cursor(old);
		capture_mark_cursor(now);
	}
	if (!cap.damage_ok || !cap.cache_valid)
		pngenc_dirty_all(cap.cache);
	if (pngenc_ndirty(cap.cache) == 0) {
		cap.cache_hits++;
		return (capture_encode(cap.cache, capture_fill_screen, NULL,
		    out, cause));
	}
	if (capture_grab(&s, cause) == -1)
		return (-1);
	s.w = cap.w;
	s.cursor = now;
	if (capture_encode(cap.cache, capture_fill_screen, &s, out,
	    cause) == -1) {
		cap.cache_valid = 0;
		return (-1);
	}
	cap.cache_valid = 1;
	/* The cache now shows the cursor as it is now. */
	free(old->argb);
	*old = *now;
	old->argb = NULL;
	if (now->valid) {
		old->argb = xreallocarray(NULL, (size_t)now->w * now->h,
		    sizeof *old->argb);
		memcpy(old->argb, now->argb,
		    (size_t)now->w * now->h * sizeof *old->argb);
	}
	return (0);
}

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
 * Box-filter downscale: each output pixel is the mean of the source pixels
 * its area covers.  Text stays legible where nearest-neighbour drops
 * strokes.
 */
static void
capture_scale(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw,
    int dh)
{
	uint32_t	*acc;
	int		*x0s, *x1s;
	int		 x, y, sy, sy0, sy1, sx, c, n;

	acc = xcalloc((size_t)dw * 3, sizeof *acc);
	x0s = xreallocarray(NULL, dw, sizeof *x0s);
	x1s = xreallocarray(NULL, dw, sizeof *x1s);
	for (x = 0; x < dw; x++) {
		x0s[x] = (int)((long long)x * sw / dw);
		x1s[x] = (int)((long long)(x + 1) * sw / dw);
		if (x1s[x] <= x0s[x])
			x1s[x] = x0s[x] + 1;
	}
	for (y = 0; y < dh; y++) {
		sy0 = (int)((long long)y * sh / dh);
		sy1 = (int)((long long)(y + 1) * sh / dh);
		if (sy1 <= sy0)
			sy1 = sy0 + 1;
		memset(acc, 0, (size_t)dw * 3 * sizeof *acc);
		for (sy = sy0; sy < sy1; sy++) {
			const uint8_t *row = src + (size_t)sy * sw * 3;

			for (x = 0; x < dw; x++) {
				for (sx = x0s[x]; sx < x1s[x]; sx++) {
					for (c = 0; c < 3; c++)
						acc[x * 3 + c] +=
						    row[sx * 3 + c];
				}
			}
		}
		for (x = 0; x < dw; x++) {
			n = (x1s[x] - x0s[x]) * (sy1 - sy0);
			for (c = 0; c < 3; c++)
				dst[((size_t)y * dw + x) * 3 + c] =
				    (acc[x * 3 + c] + n / 2) / n;
		}
	}
	free(acc);
	free(x0s);
	free(x1s);
}

/* Where a capture reads from and the size it is encoded at. */
struct capture_geom {
	int	 rx, ry, rw, rh;	/* on the screen */
	int	 ow, oh;		/* the image */
};

static int
capture_other(const struct capture_geom *g, int cursor, struct evbuffer *out,
    char **cause)
{
	struct capture_src	 s;
	int			 y;
	size_t			 need;

	if (cursor)
		capture_fetch_cursor();
	if (capture_grab(&s, cause) == -1)
		return (-1);
	s.sx = g->rx;
	s.sy = g->ry;
	s.w = g->rw;
	s.cursor = cursor ? &cap.now : NULL;

	if (cap.scratch == NULL || pngenc_width(cap.scratch) != g->ow ||
	    pngenc_height(cap.scratch) != g->oh) {
		pngenc_free(cap.scratch);
		cap.scratch = pngenc_new(g->ow, g->oh);
	}
	pngenc_dirty_all(cap.scratch);
	if (g->ow == g->rw && g->oh == g->rh)
		return (capture_encode(cap.scratch, capture_fill_screen, &s,
		    out, cause));
	need = (size_t)g->rw * g->rh * 3;
	if (cap.rgbcap < need) {
		free(cap.rgb);
		cap.rgb = xmalloc(need);
		cap.rgbcap = need;
	}
	for (y = 0; y < g->rh; y++) {
		uint8_t *row = cap.rgb + (size_t)y * g->rw * 3;

		capture_convert_row(&s, g->ry + y, row);
		capture_blend_cursor(row, g->ry + y, g->rx, g->rw, s.cursor);
	}
	need = (size_t)g->ow * g->oh * 3;
	if (cap.outcap < need) {
		free(cap.out);
		cap.out = xmalloc(need);
		cap.outcap = need;
	}
	capture_scale(cap.rgb, g->rw, g->rh, cap.out, g->ow, g->oh);
	s.scaled = cap.out;
	s.w = g->ow;
	return (capture_encode(cap.scratch, capture_fill_rgb, &s, out, cause));
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

int
capture_shot(const struct capture_opts *o, struct evbuffer *out,
    struct capture_size *size, enum deskd_err *kind, char **cause)
{
	struct capture_geom	 g;
	int			 rc;

	/* One sync with the server: damage, screen size, display state. */
	cap.grab_ms = 0;
	if (capture_prepare(cause) == -1) {
		*kind = DESKD_EDISPLAY;
		return (-1);
	}
	if (capture_geometry(o, &g, cause) == -1) {
		*kind = DESKD_EINPUT;
		return (-1);
	}
	if (o->cursor && g.rw == cap.w && g.rh == cap.h && g.ow == cap.w &&
	    g.oh == cap.h)
		rc = capture_full(out, cause);
	else
		rc = capture_other(&g, o->cursor, out, cause);
	/* Replies read during the grab may have queued events. */
	display_kick();
	if (rc == -1) {
		*kind = display_get() == NULL ? DESKD_EDISPLAY : DESKD_ESYSTEM;
		return (-1);
	}
	size->screen_w = cap.w;
	size->screen_h = cap.h;
	size->w = g.ow;
	size->h = g.oh;
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

int
capture_rgb_scaled(const struct capture_opts *o, int ow, int oh,
    uint8_t **out, double *grab_ms, char **cause)
{
	struct capture_src	 s;
	struct capture_opts	 ro;
	struct capture_geom	 g;
	uint8_t			*rgb, *img;
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
	if (o->cursor)
		capture_fetch_cursor();
	if (capture_grab(&s, cause) == -1) {
		display_kick();
		return (-1);
	}
	display_kick();
	*grab_ms = cap.grab_ms;
	s.sx = g.rx;
	s.sy = g.ry;
	s.w = g.rw;
	s.cursor = o->cursor ? &cap.now : NULL;
	rgb = xreallocarray(NULL, (size_t)g.rw * g.rh, 3);
	for (y = 0; y < g.rh; y++) {
		uint8_t *row = rgb + (size_t)y * g.rw * 3;

		capture_convert_row(&s, g.ry + y, row);
		capture_blend_cursor(row, g.ry + y, g.rx, g.rw, s.cursor);
	}
	if (ow == g.rw && oh == g.rh) {
		*out = rgb;
		return (0);
	}
	img = xreallocarray(NULL, (size_t)ow * oh, 3);
	if (ow <= g.rw && oh <= g.rh)
		capture_scale(rgb, g.rw, g.rh, img, ow, oh);
	else
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

struct capture_waiter {
	TAILQ_ENTRY(capture_waiter) entry;
	struct event	*ev;
	long long	 deadline;
	int		 quiet_ms;
	void		(*cb)(void *);
	void		*arg;
};
/* Pending waiters, freed at shutdown (their callbacks never run then). */
static TAILQ_HEAD(, capture_waiter) capture_waiters =
    TAILQ_HEAD_INITIALIZER(capture_waiters);

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
	/* Check once right away: a quiet screen answers at once. */
	event_active(cw->ev, EV_TIMEOUT, 0);
}

/* The live view's access: damage subscribers, raw pixels, the cursor. */

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
}

int
capture_grab_screen(int *w, int *h, char **cause)
{
	capture_snap_ok = 0;
	if (capture_prepare(cause) == -1)
		return (-1);
	if (capture_grab(&capture_snap, cause) == -1)
		return (-1);
	capture_snap.w = cap.w;
	capture_snap_ok = 1;
	*w = cap.w;
	*h = cap.h;
	display_kick();
	return (0);
}

void
capture_rgb(int x, int y, int w, int h, uint8_t *dst)
{
	struct capture_src	 s = capture_snap;
	int			 i;

	if (!capture_snap_ok || x < 0 || y < 0 || x + w > cap.w ||
	    y + h > cap.h || cap.img == NULL) {
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
 * only, parsed once (the screen is not asked: capture_shot checks the
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

/* GET /v1/screenshot?width=&height=|scale=&region=x,y,w,h&cursor=0|1 */
void
capture_v1_cb(struct http_req *req, void *arg)
{
	struct capture_opts	 o;
	struct capture_size	 size;
	struct evbuffer		*buf;
	enum deskd_err		 kind;
	char			*cause = NULL, hdr[32];

	if (capture_opts_parse(&o, http_req_query(req, "cursor"),
	    http_req_query(req, "region"), http_req_query(req, "width"),
	    http_req_query(req, "height"), http_req_query(req, "scale"),
	    &cause) == -1) {
		http_reply_error(req, 400, "bad_parameter", "%s", cause);
		free(cause);
		return;
	}
	buf = evbuffer_new();
	if (capture_shot(&o, buf, &size, &kind, &cause) == -1) {
		evbuffer_free(buf);
		if (kind == DESKD_EINPUT)
			http_reply_error(req, 400, "bad_parameter", "%s",
			    cause);
		else if (kind == DESKD_EDISPLAY)
			http_reply_error(req, 503, "display_unavailable", "%s",
			    cause);
		else
			http_reply_error(req, 500, "capture_failed", "%s",
			    cause);
		free(cause);
		return;
	}
	snprintf(hdr, sizeof hdr, "%dx%d", size.screen_w, size.screen_h);
	http_add_header(req, "X-Screen-Size", hdr);
	snprintf(hdr, sizeof hdr, "%dx%d", size.w, size.h);
	http_add_header(req, "X-Image-Size", hdr);
	http_add_header(req, "Cache-Control", "no-store");
	http_reply_buffer(req, 200, "image/png", buf);
	evbuffer_free(buf);
}

void
capture_init(struct event_base *base)
{
	long	 n = sysconf(_SC_NPROCESSORS_ONLN);

	capture_base = base;
	/* The loop thread encodes too: one worker per extra core. */
	pngenc_threads_start(n > 1 ? (int)n - 1 : 0);
	display_add_event_handler(capture_event_cb, NULL);
	display_add_hook(capture_hook, NULL);
}

void
capture_shutdown(void)
{
	struct capture_waiter	*cw;

	while ((cw = TAILQ_FIRST(&capture_waiters)) != NULL) {
		TAILQ_REMOVE(&capture_waiters, cw, entry);
		event_free(cw->ev);
		free(cw);
	}
	pngenc_threads_stop();
	capture_release();
	pngenc_free(cap.cache);
	pngenc_free(cap.scratch);
	free(cap.cursor.argb);
	free(cap.now.argb);
	free(cap.rgb);
	free(cap.out);
	memset(&cap, 0, sizeof cap);
}
