/*
 * launch.h: detached launches, POST /v1/launch.
 *
 * An application is started in its own session (setsid: no terminal of
 * ours hangs it up, no group kill of a command reaches it), stdin from
 * /dev/null and stdout and stderr to a log of its own, a file in a
 * private directory that GET /v1/launch/ID/log reads (from ?offset=, at
 * most DESKD_LAUNCH_MAX_LOG_READ bytes a read).  The file is the
 * application's own: it goes on writing if deskd restarts, and nothing
 * of deskd's sits between them.
 *
 * With "wait_window": true the reply waits (at most window_timeout
 * seconds) for a top-level window whose _NET_WM_PID is a process of the
 * launch's session, noticed on the display connection as the window
 * manager updates _NET_CLIENT_LIST (PropertyNotify on the root) or as a
 * window maps (MapNotify, when there is no window manager).  Records are
 * kept for the last DESKD_MAX_LAUNCHES launches; the oldest finished one
 * (and its log) makes room for a new one, and when all of them run a
 * launch is refused with 429.
 */
#ifndef LAUNCH_H
#define LAUNCH_H

struct event_base;
struct http_req;

void	 launch_init(struct event_base *);
/* Records go; the applications keep running. */
void	 launch_shutdown(void);

/* POST|GET /v1/launch, GET|DELETE /v1/launch/ID[/log] (v1.c's table). */
void	 launch_cb(struct http_req *, void *);
void	 launch_id_cb(struct http_req *, void *);

#endif
