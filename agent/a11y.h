/*
 * a11y.h: the accessibility tree from AT-SPI (libatspi), read off the
 * event loop.
 *
 * libatspi is synchronous and not thread-safe, so one worker thread owns
 * it: it runs the GLib default context while idle (so the bus's signals
 * are drained and libatspi's object cache stays small) and takes walks
 * from a FIFO, one at a time.  Every D-Bus call is bounded by
 * atspi_set_timeout (A11Y_CALL_TIMEOUT_MS, or less when the walk's budget
 * is nearly spent) and the budget is checked between nodes, so a walk
 * ends by its deadline with the tree read so far (marked partial).  An
 * application whose call times out is left after that one call; one
 * whose calls keep failing (it died) after A11Y_APP_MAX_ERRORS.
 *
 * A walk's result comes back to the loop through an event (event_active),
 * as the directory walks of osworld_files.c do.
 */
#ifndef A11Y_H
#define A11Y_H

#include <sys/types.h>

#include <stddef.h>

struct event_base;
struct a11y_tree;
struct a11y_walk;

/* Limits (OSWorld's are main.py:411-412). */
#define A11Y_BUDGET_MS		10000	/* a request's default budget */
#define A11Y_BUDGET_MAX_MS	120000	/* budget_ms= at most */
#define A11Y_CALL_TIMEOUT_MS	2000	/* one D-Bus call at most */
#define A11Y_PING_TIMEOUT_MS	1000	/* the registry's health check */
#define A11Y_MAX_DEPTH		50	/* OSWorld's MAX_DEPTH */
#define A11Y_MAX_WIDTH		1024	/* OSWorld's MAX_WIDTH */
#define A11Y_MAX_NODES		200000	/* a tree at most (then partial) */
#define A11Y_MAX_BYTES		(128 * 1024 * 1024) /* strings, likewise */
#define A11Y_MAX_TEXT		(1024 * 1024) /* characters of one text */
#define A11Y_APP_MAX_ERRORS	16	/* failed reads in a row: gone */
#define A11Y_PROBE_MS		10000	/* bus check while idle (/health) */
#define A11Y_QUIT_WAIT_MS	3000	/* shutdown waits for the worker */
#define A11Y_DRAIN_MS		300	/* and it for answers in flight */

enum a11y_error {
	A11Y_OK = 0,
	A11Y_ENOBUS,		/* no accessibility bus answers */
	A11Y_ESHUTDOWN		/* deskd is stopping */
};

struct a11y_opts {
	int		 budget_ms;	/* from the request's arrival */
	const char	*app;		/* only this application (any case) */
	int		 visible;	/* leave out what is not showing */
	int		 terminal;	/* OSWorld's /terminal: only what it reads */
};

/*
 * finish runs on the worker thread with the finished tree (to serialise
 * it off the loop); the tree is freed after it.  done runs on the loop
 * afterwards, or with an error and no finish.
 */
typedef void	(*a11y_finish_cb)(struct a11y_tree *, void *);
typedef void	(*a11y_done_cb)(enum a11y_error, const char *cause, void *);

void		 a11y_init(struct event_base *);
void		 a11y_shutdown(void);
/* Queue a walk; its deadline is now + opts->budget_ms. */
struct a11y_walk *a11y_walk_start(const struct a11y_opts *, a11y_finish_cb,
		    a11y_done_cb, void *);
/*
 * Take a walk off the queue before it started: returns 1 and neither
 * callback runs.  Returns 0 once it runs: done will still be called.
 */
int		 a11y_walk_cancel(struct a11y_walk *);
/* Is it still waiting to start (so a new request may share it)? */
int		 a11y_walk_queued(struct a11y_walk *);
/* Walks queued or running. */
u_int		 a11y_walks(void);
/*
 * The worker's last look at the bus, without waiting for it: 1 answers,
 * 0 does not (why in reason), -1 not looked yet.
 */
int		 a11y_bus_state(char *reason, size_t);
/* What to tell a user who has no bus. */
#define A11Y_HOWTO	"start one in the desktop session (deskd-session " \
	"does: /usr/libexec/at-spi-bus-launcher --launch-immediately, " \
	"from at-spi2-core) and start the applications after it"

#endif
