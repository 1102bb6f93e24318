/*
 * watch.h: directory watches, GET /v1/files/watch?path=DIR[&recursive=1].
 *
 * One inotify instance per watch, read on the loop.  The reply streams
 * until the client leaves: NDJSON (application/x-ndjson), or server-sent
 * events (text/event-stream, "event: TYPE" and "data: JSON") when the
 * client's Accept asks for them.  Events: "ready" once the directories
 * are watched (what happens after it is seen), then "created",
 * "modified", "deleted", "moved" ("from" and "path", when both ends are
 * under the watch; a move out is "deleted", a move in "created"),
 * "overflow" (the kernel's queue overflowed, or a new directory passed
 * DESKD_WATCH_MAX_DIRS: events were lost) and "gone" (the watched
 * directory itself was deleted or moved; the stream ends).  Each has
 * "path" (absolute), "dir" (whether the entry is a directory) and
 * "t_ms" (ms since the watch began).  A recursive watch follows
 * directories created under it, and reports as "created" what a new
 * directory already held when its watch was added (an entry made just
 * as the watch is added may so be reported twice, never not at all).
 *
 * A reader that stops reading stops the watch being read (the kernel
 * queues, then overflows) instead of deskd buffering without bound; a
 * keepalive every WATCH_KEEPALIVE_S lets a vanished client be noticed.
 * At most DESKD_MAX_WATCHES watches at once (429); a tree of more than
 * DESKD_WATCH_MAX_DIRS directories is refused (413), and the kernel's
 * own inotify limits answer 503 naming them.
 */
#ifndef WATCH_H
#define WATCH_H

#include <sys/types.h>

struct event_base;
struct http_req;

#define WATCH_KEEPALIVE_S	15

void	 watch_init(struct event_base *);
void	 watch_shutdown(void);
/* Watches open now (the tests' leak check reads it from /proc too). */
u_int	 watch_count(void);

/* GET /v1/files/watch (v1.c's table). */
void	 watch_cb(struct http_req *, void *);

#endif
