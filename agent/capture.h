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

struct evbuffer;
struct event_base;
struct http_server;

/* Encode ahead: after the damage has been quiet this long ... */
#define CAPTURE_AHEAD_QUIET_MS	5
/* ... at most once per this period (a screen that never stops) ... */
#define CAPTURE_AHEAD_MIN_MS	100
/* ... for this long after the last screenshot (or while a settle waits). */
#define CAPTURE_AHEAD_LINGER_MS	10000

struct capture_opts {
	int	 cursor;		/* composite the pointer */
	int	 rx, ry, rw, rh;	/* region in screen pixels; rw 0: all */
	int	 out_w, out_h;		/* scaled size; 0: region's own */
};

/* What a screenshot's callback gets; valid during the callback. */
struct capture_result {
	struct evbuffer	*png;		/* the PNG; take it by setting NULL */
	int		 status;	/* 0, or 503 display down, 500, 400 */
	const char	*cause;		/* when status is not 0 */
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

void	 capture_init(struct event_base *, struct http_server *);
void	 capture_shutdown(void);
/*
 * Take a screenshot; cb runs once with the result, on the loop.  The frame
 * is grabbed after the call, so it shows everything drawn before it.  When
 * the answer is at hand (an unchanged screen, an error) cb runs before
 * capture_shoot returns, which then returns NULL; otherwise the shot is
 * pending until cb runs, and capture_cancel drops it (client gone).
 */
struct capture_shot *capture_shoot(const struct capture_opts *,
	    capture_done_cb, void *arg);
void	 capture_cancel(struct capture_shot *);
/* The Server-Timing header value for a result. */
void	 capture_server_timing(const struct capture_result *, char *buf,
	    size_t len);
/*
 * Blocking form for callers that cannot wait for a callback (the input
 * executor's steps): append a PNG of the screen to out.  *w and *h get
 * the image size; -1 with cause when the display is down or memory runs
 * out.  After a settle (capture_when_quiet) the frame is usually encoded
 * already; otherwise the loop waits for the encode.
 */
int	 capture_png(const struct capture_opts *, struct evbuffer *out,
	    int *w, int *h, char **cause);
/*
 * Fit (w, h) inside (box_w, box_h) keeping the aspect, never larger than
 * the original; box_w or box_h 0 leaves that side free.
 */
void	 capture_fit(int w, int h, int box_w, int box_h, int *ow, int *oh);
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

#endif
