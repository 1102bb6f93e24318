/*
 * capture.h: screenshots.  XShm into one reused segment (XGetImage when SHM
 * is unavailable), XDamage to know which rows changed, the XFixes cursor
 * composited at the pointer minus its hotspot, and the band-wise PNG
 * encoder (png.h): an unchanged screen is answered from the cached PNG and
 * a small change re-encodes only the bands it touched.
 */
#ifndef CAPTURE_H
#define CAPTURE_H

struct event_base;
struct evbuffer;
struct http_server;

struct capture_opts {
	int	 cursor;		/* composite the pointer */
	int	 rx, ry, rw, rh;	/* region in screen pixels; rw 0: all */
	int	 out_w, out_h;		/* scaled size; 0: region's own */
};

void	 capture_init(struct event_base *, struct http_server *);
void	 capture_shutdown(void);
/*
 * Append a PNG of the screen to out.  *w and *h get the image size; -1
 * with cause when the display is down or memory runs out.
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
 */
void	 capture_when_quiet(int quiet_ms, int max_ms, void (*cb)(void *),
	    void *arg);
/* Milliseconds since the last damage seen (large when none). */
long	 capture_quiet_ms(void);

#endif
