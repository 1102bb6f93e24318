/*
 * a11y_http.h: the accessibility routes over the walk of a11y.h.
 *
 * GET /v1/accessibility (native), and the handlers behind OSWorld's
 * GET /accessibility and GET /terminal.  Requests asking for the same
 * thing share one walk while it waits to start; a walk already running is
 * never joined (its first nodes predate the request), so a request waits
 * at most for the running walk and then its own.  Each request has its
 * own budget and a timer on the loop that answers 503 if the walk
 * overruns it by A11Y_HTTP_GRACE_MS.
 */
#ifndef A11Y_HTTP_H
#define A11Y_HTTP_H

struct event_base;
struct http_server;
struct http_req;

#define A11Y_HTTP_MAX_WAITING	64	/* requests waiting, all kinds */
#define A11Y_HTTP_MAX_WALKS	8	/* walks queued or running */
#define A11Y_HTTP_GRACE_MS	1000	/* past the budget: 503 */
#define A11Y_HTTP_MAX_QUERY	1024	/* app=, role=, name= */

void	 a11y_http_init(struct event_base *);
/* GET /v1/accessibility (v1.c's table). */
void	 a11y_http_native_cb(struct http_req *, void *);
void	 a11y_http_shutdown(void);
/* OSWorld's GET /accessibility: {"AT": xml}. */
void	 a11y_http_accessibility(struct http_req *);
/* OSWorld's GET /terminal: {"output": text|null, "status": "success"}. */
void	 a11y_http_terminal(struct http_req *);

#endif
