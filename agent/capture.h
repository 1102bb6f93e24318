/*
 * capture.h: screenshots.  XShm into one reused segment (XGetImage when SHM
 * is unavailable), XDamage to know which rows changed, the XFixes cursor
 * composited at the pointer minus its hotspot, and the band-wise PNG
 * encoder (pngenc.h): an unchanged screen is answered from the cached PNG
 * and a small change re-encodes only the bands it touched.
 *
 * The bands are compressed on worker threads, never on the loop: a
 * screenshot is asked for with capture_shoot and handed to a callback
 * once its frame is ready, while the loop goes on serving everything else.
 * While someone is likely to want the screen soon (a screenshot was taken
 * recently, or an action waits for the screen to settle), damaged bands
 * are recompressed ahead, as the damage comes, so the screenshot after an
 * action is ready when the screen is.
 */
#ifndef CAPTURE_H
#define CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "deskd.h"

struct event_base;
struct evbuffer;
struct http_req;

#define CAPTURE_MAX_SIDE	16384	/* width, height and region values */

/* Encode ahead: after the damage has been quiet this long ... */
#define CAPTURE_AHEAD_QUIET_MS	5
/* ... at most once per this period (a screen that never stops) ... */
#define CAPTURE_AHEAD_MIN_MS	100
/* ... for this long after the last screenshot (or while a settle waits). */
#define CAPTURE_AHEAD_LINGER_MS	10000

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

/* What a screenshot's callback gets; valid during the callback. */
struct capture_result {
	struct evbuffer	*png;		/* the PNG; take it by setting NULL */
	/*
	 * DESKD_EOK, or DESKD_EINPUT for a region outside the screen,
	 * DESKD_EDISPLAY when the display cannot be reached, DESKD_ESYSTEM
	 * when memory runs out; cause says more.
	 */
	enum deskd_err	 kind;
	const char	*cause;
	int		 w, h;		/* image size */
	int		 screen_w, screen_h;
	/* Where the time went (the Server-Timing header). */
	double		 capture_ms;	/* X round trips and the grab */
	double		 encode_ms;	/* compressing the bands it needed */
	double		 total_ms;	/* asked to answered */
	int		 bands;		/* bands compressed for this frame */
	int		 nbands;	/* of */
	const char	*frame;		/* "cached", "ahead" or "fresh" */
};
typedef void (*capture_done_cb)(struct capture_result *, void *arg);
struct capture_shot;

/* The screen a capture was taken from, and the image it gave. */
struct capture_size {
	int	 screen_w, screen_h;
	int	 w, h;
};

void	 capture_init(struct event_base *);
void	 capture_shutdown(void);
/*
 * Take a screenshot; cb runs once with the result, on the loop.  The frame
 * is grabbed after one round trip to the X server (pending damage, screen
 * size), so it shows everything drawn before the call.  When the answer
 * is at hand (an unchanged screen, an error) cb runs before capture_shoot
 * returns, which then returns NULL; otherwise the shot is pending until cb
 * runs, and capture_cancel drops it (client gone).
 */
struct capture_shot *capture_shoot(const struct capture_opts *,
	    capture_done_cb, void *arg);
void	 capture_cancel(struct capture_shot *);
/* The Server-Timing header value for a result. */
void	 capture_server_timing(const struct capture_result *, char *buf,
	    size_t len);
/*
 * Blocking form for callers that cannot wait for a callback (the input
 * executor's steps): append a PNG of the screen to out; -1 with a kind and
 * a cause as in struct capture_result.  After a settle
 * (capture_when_quiet) the frame is usually encoded already; otherwise
 * the loop waits for the encode.
 */
int	 capture_shot(const struct capture_opts *, struct evbuffer *out,
	    struct capture_size *, enum deskd_err *kind, char **cause);
/* capture_shot for a caller that needs only the image size. */
int	 capture_png(const struct capture_opts *, struct evbuffer *out,
	    int *w, int *h, char **cause);
/*
 * Call cb once the screen has seen no damage for quiet_ms (or max_ms has
 * passed): the settle before an action's screenshot, never a fixed sleep.
 * While it waits, damaged bands are encoded ahead, and cb runs after an
 * encode in flight has finished, so a screenshot taken from cb is ready.
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

/*
 * Answer req with a screenshot of o, taken off the loop: the PNG with
 * X-Screen-Size, X-Image-Size and Server-Timing, or deskd's JSON error
 * (400 bad_parameter, 503 display_unavailable, 500 capture_failed).  A
 * client that leaves first cancels its shot.
 */
void	 capture_reply(struct http_req *, const struct capture_opts *);
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
 * to the subscribers when it returns.  The grab has a segment of its own:
 * it never waits for, nor touches, a screenshot being encoded.  -1 +
 * cause when X is down.
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
