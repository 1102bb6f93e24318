/*
 * view.h: the live view.  GET /view is a self-contained page (view.html,
 * compiled in); GET /v1/stream is the websocket it reads: the screen as
 * PNG or JPEG tiles of what XDamage reported, paced per viewer, and, with
 * control rights, pointer and keyboard events back into the same input
 * queue as /v1/computer.  POST /v1/view/token mints share tokens
 * (viewtoken.h).  proto/api.md has the message formats.
 */
#ifndef VIEW_H
#define VIEW_H

struct event_base;
struct http_req;

#define VIEW_MAX_VIEWERS	32
#define VIEW_FPS		15	/* default frames a second */
#define VIEW_MAX_FPS		60
#define VIEW_MAX_RECTS		16	/* damage rectangles kept per viewer */
#define VIEW_TILE_ALIGN		16	/* tiles on a 16-pixel grid (JPEG MCU) */
#define VIEW_MERGE_SLACK	(64 * 64) /* pixels a merge may add */
#define VIEW_OUT_HIGH		(1024 * 1024) /* per viewer, then drop */
#define VIEW_STALL_S		30	/* no output progress: viewer closed */
#define VIEW_PING_S		20	/* keepalive */
#define VIEW_MAX_MESSAGE	4096	/* one event from a viewer */
#define VIEW_MAX_PENDING	256	/* events waiting for the input queue */
#define VIEW_CURSOR_POLL_MS	33	/* pointer position */
#define VIEW_RETRY_MS		1000	/* while the display is down */
#define VIEW_MAX_WHEEL		20	/* notches in one wheel event */

void	 view_init(struct event_base *);
void	 view_shutdown(void);

/* The routes (v1.c's table). */
void	 view_page_cb(struct http_req *, void *);	/* GET /view */
void	 view_stream_cb(struct http_req *, void *);	/* GET /v1/stream */
void	 view_token_cb(struct http_req *, void *);	/* POST /v1/view/token */
void	 view_revoke_cb(struct http_req *, void *);	/* DELETE */

#endif
