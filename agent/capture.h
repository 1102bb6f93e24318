/*
 * capture.h: screenshots.  XShm into one reused segment (XGetImage when SHM
 * is unavailable), XDamage to know which rows changed, the XFixes cursor
 * composited at the pointer minus its hotspot, and the band-wise PNG
 * encoder (pngenc.h): an unchanged screen is answered from the cached PNG
 * and a small change re-encodes only the bands it touched.
 */
#ifndef CAPTURE_H
#define CAPTURE_H

#include <stdint.h>

#include "deskd.h"

struct event_base;
struct evbuffer;
struct http_req;

#define CAPTURE_MAX_SIDE	16384	/* width, height and region values */

/*
 * What to capture.  All zero but cursor is the full screen as it is; the
 * image size is out_w x out_h when both are set, else the region fitted
 * inside fit_w x fit_h (either may be 0: free) or scaled by scale, never
 * larger than the region.
 */
struct capture_opts {
	int	 cursor;		/* composite the pointer */
	int	 rx, ry, rw, rh;	/* region in screen pixels; rw 0: all */
	int	 out_w, out_h;		/* exact image size; 0: see below */
	int	 fit_w, fit_h;		/* fit inside, aspect kept */
	double	 scale;			/* (0, 1]; 0: none */
};

/* The screen a capture was taken from, and the image it gave. */
struct capture_size {
	int	 screen_w, screen_h;
	int	 w, h;
};

void	 capture_init(struct event_base *);
void	 capture_shutdown(void);
/*
 * Append a PNG of the screen to out, after one round trip to the X server
 * (pending damage, screen size).  -1 with a kind and a cause:
 * DESKD_EINPUT for a region outside the screen, DESKD_EDISPLAY when the
 * display cannot be reached, DESKD_ESYSTEM when memory runs out.
 */
int	 capture_shot(const struct capture_opts *, struct evbuffer *out,
	    struct capture_size *, enum deskd_err *kind, char **cause);
/* capture_shot for a caller that needs only the image size. */
int	 capture_png(const struct capture_opts *, struct evbuffer *out,
	    int *w, int *h, char **cause);
/*
 * Call cb once the screen has seen no damage for quiet_ms (or max_ms has
 * passed): the settle before an action's screenshot, never a fixed sleep.
 */
void	 capture_when_quiet(int quiet_ms, int max_ms, void (*cb)(void *),
	    void *arg);
/* Milliseconds since the last damage seen (large when none). */
long	 capture_quiet_ms(void);
/* Damage events seen so far: a change means the screen changed. */
unsigned long capture_damage_seq(void);
/* Milliseconds the last capture_shot spent grabbing pixels (0: cached). */
double	 capture_last_grab_ms(void);
/*
 * Grab now and return RGB rows (ow * 3 bytes each) of o's region (or
 * the screen) with the cursor when o->cursor, scaled to ow x oh: box
 * filter down, bilinear up (a zoom fills the image it is asked for).
 * *out is allocated; grab_ms gets the time spent reading pixels.  -1 +
 * cause (display down, region outside the screen).  Not the live view's
 * capture_rgb below, which reads a rectangle of the last
 * capture_grab_screen without grabbing.
 */
int	 capture_rgb_scaled(const struct capture_opts *o, int ow, int oh,
	    uint8_t **out, double *grab_ms, char **cause);

/* GET /v1/screenshot (v1.c's table). */
void	 capture_v1_cb(struct http_req *, void *);

/*
 * The live view's access (view.c), kept apart from the screenshot path.
 * Damage subscribers: cb runs on the loop for every rectangle XDamage
 * reports, in screen pixels; w == 0 means "all of it" (the screen was
 * resized, or the X server came back).
 */
struct capture_sub;
typedef void (*capture_damage_cb)(int x, int y, int w, int h, void *);
struct capture_sub *capture_sub_new(capture_damage_cb, void *);
void	 capture_sub_free(struct capture_sub *);
/*
 * Grab the whole screen once, without the cursor, for capture_rgb; the
 * screen size in *w, *h.  Damage drawn before the grab has been reported
 * to the subscribers when it returns.  -1 + cause when X is down.
 */
int	 capture_grab_screen(int *w, int *h, char **cause);
/* RGB of a rectangle of the last grab: rows of w * 3 bytes at dst. */
void	 capture_rgb(int x, int y, int w, int h, uint8_t *dst);

struct capture_cursor_info {
	int		 x;		/* top-left on screen, hotspot applied */
	int		 y;
	int		 w;		/* 0: no cursor image */
	int		 h;
	unsigned long	 serial;	/* changes with the shape */
	const uint32_t	*argb;		/* premultiplied, until the next call */
};
/* The pointer's image and place now (XFixes); -1 + cause when X is down. */
int	 capture_cursor_get(struct capture_cursor_info *, char **cause);

#endif
