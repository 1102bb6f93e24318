/*
 * display.c: the one X connection.
 *
 * Xlib calls exit() from its I/O error path by default, which would kill
 * the agent whenever the X server restarts.  Since libX11 1.7 an exit
 * handler may return instead: we mark the connection dead there and tear
 * it down from the event loop (never from inside Xlib), then retry the
 * connection every DESKD_X_RETRY_MS until the server is back.
 *
 * Each connection has a generation (1, 2, ...): a client that sees it
 * change in /health, or an input job that began on another one, knows
 * the desktop was reset under it (a new server has none of the old
 * windows), whatever the timing of the reconnect.
 */
#include <sys/types.h>

#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include <X11/Xlib.h>
#include <X11/Xlibint.h>
#include <event2/event.h>

#include "compat.h"
#include "deskd.h"
#include "display.h"
#include "log.h"
#include "xmalloc.h"

#define DISPLAY_MAX_HOOKS	16

struct display_hook {
	display_hook_cb		 cb;
	void			*arg;
};

struct display_handler {
	display_event_cb	 cb;
	void			*arg;
};

static struct {
	struct event_base	*base;
	char			*name;
	Display			*dpy;
	int			 dead;		/* I/O error seen */
	struct event		*ev_read;
	struct event		*ev_retry;
	struct event		*ev_teardown;
	struct event		*ev_kick;
	char			 reason[256];
	int			 width;
	int			 height;
	struct display_hook	 hooks[DISPLAY_MAX_HOOKS];
	int			 nhooks;
	struct display_handler	 handlers[DISPLAY_MAX_HOOKS];
	int			 nhandlers;
	long			 root_mask;	/* display_select_root */
	int			 trap_depth;
	int			 trap_error;
	int			 warned;
	u_int			 generation;	/* connections made */
	long long		 lost_ms;	/* deskd_now_ms() at the last loss */
	struct timespec		 lost_at;	/* ... in wall-clock time */
} disp;

static void	 display_connect(void);

static int
display_error_handler(Display *dpy, XErrorEvent *ev)
{
	char	 text[128];

	if (disp.trap_depth > 0) {
		if (disp.trap_error == 0)
			disp.trap_error = ev->error_code;
		return (0);
	}
	XGetErrorText(dpy, ev->error_code, text, sizeof text);
	log_debug("X error: %s (request %d.%d, resource 0x%lx)", text,
	    ev->request_code, ev->minor_code, ev->resourceid);
	return (0);
}

static int
display_io_error_handler(Display *dpy)
{
	/* Returning leads to the exit handler below. */
	return (0);
}

static void
display_io_exit_handler(Display *dpy, void *arg)
{
	struct timeval	 tv = { 0, 0 };

	if (dpy != disp.dpy || disp.dead)
		return;
	disp.dead = 1;
	disp.lost_ms = deskd_now_ms();
	clock_gettime(CLOCK_REALTIME, &disp.lost_at);
	snprintf(disp.reason, sizeof disp.reason,
	    "lost the connection to X display %s", disp.name);
	evtimer_add(disp.ev_teardown, &tv);
}

static void
display_teardown_cb(evutil_socket_t fd, short events, void *arg)
{
	struct timeval	 tv = { DESKD_X_RETRY_MS / 1000,
			    (DESKD_X_RETRY_MS % 1000) * 1000 };
	int		 i;

	if (disp.dpy == NULL)
		return;
	log_warnx("%s; retrying every %d ms", disp.reason, DESKD_X_RETRY_MS);
	for (i = 0; i < disp.nhooks; i++)
		disp.hooks[i].cb(NULL, disp.hooks[i].arg);
	event_del(disp.ev_read);
	event_free(disp.ev_read);
	disp.ev_read = NULL;
	XCloseDisplay(disp.dpy);
	disp.dpy = NULL;
	disp.dead = 0;
	disp.warned = 1;
	evtimer_add(disp.ev_retry, &tv);
}

int
display_check_io(void)
{
	if (disp.dpy == NULL || disp.dead)
		return (-1);
	return (0);
}

void
display_dispatch(void)
{
	XEvent	 ev;
	int	 i;

	if (disp.dpy == NULL || disp.dead)
		return;
	while (!disp.dead && XPending(disp.dpy) > 0) {
		XNextEvent(disp.dpy, &ev);
		if (ev.type == ConfigureNotify &&
		    ev.xconfigure.window == DefaultRootWindow(disp.dpy)) {
			disp.width = ev.xconfigure.width;
			disp.height = ev.xconfigure.height;
		}
		for (i = 0; i < disp.nhandlers; i++) {
			if (disp.handlers[i].cb(disp.dpy, &ev,
			    disp.handlers[i].arg))
				break;
		}
	}
}

static void
display_read_cb(evutil_socket_t fd, short events, void *arg)
{
	display_dispatch();
}

void
display_kick(void)
{
	/*
	 * A round trip (XSync, a reply) can leave events in Xlib's queue
	 * with nothing left to read on the socket, so the read event would
	 * not fire for them: dispatch them on the next loop turn.
	 */
	if (disp.ev_kick != NULL && disp.dpy != NULL)
		event_active(disp.ev_kick, EV_TIMEOUT, 0);
}

static void
display_retry_cb(evutil_socket_t fd, short events, void *arg)
{
	display_connect();
}

static void
display_connect(void)
{
	struct timeval	 tv = { DESKD_X_RETRY_MS / 1000,
			    (DESKD_X_RETRY_MS % 1000) * 1000 };
	Display		*dpy;
	int		 i;

	if ((dpy = XOpenDisplay(disp.name)) == NULL) {
		snprintf(disp.reason, sizeof disp.reason,
		    "cannot open X display %s", disp.name);
		if (!disp.warned) {
			log_warnx("%s; retrying every %d ms", disp.reason,
			    DESKD_X_RETRY_MS);
			disp.warned = 1;
		}
		evtimer_add(disp.ev_retry, &tv);
		return;
	}
	XSetIOErrorExitHandler(dpy, display_io_exit_handler, NULL);
	disp.generation++;
	disp.dpy = dpy;
	disp.dead = 0;
	disp.reason[0] = '\0';
	disp.warned = 0;
	disp.width = DisplayWidth(dpy, DefaultScreen(dpy));
	disp.height = DisplayHeight(dpy, DefaultScreen(dpy));
	/* Root size changes (RandR) arrive as ConfigureNotify. */
	XSelectInput(dpy, DefaultRootWindow(dpy),
	    StructureNotifyMask | disp.root_mask);
	disp.ev_read = event_new(disp.base, ConnectionNumber(dpy),
	    EV_READ | EV_PERSIST, display_read_cb, NULL);
	event_add(disp.ev_read, NULL);
	log_info("connected to X display %s (%dx%d, generation %u)",
	    disp.name, disp.width, disp.height, disp.generation);
	for (i = 0; i < disp.nhooks && !disp.dead; i++)
		disp.hooks[i].cb(dpy, disp.hooks[i].arg);
	XFlush(dpy);
	display_dispatch();
}

void
display_init(struct event_base *base, const char *name)
{
	disp.base = base;
	disp.name = xstrdup(name != NULL ? name : ":0");
	XSetErrorHandler(display_error_handler);
	XSetIOErrorHandler(display_io_error_handler);
	disp.ev_retry = evtimer_new(base, display_retry_cb, NULL);
	disp.ev_teardown = evtimer_new(base, display_teardown_cb, NULL);
	disp.ev_kick = evtimer_new(base, display_read_cb, NULL);
	/* Modules add their hooks after this; connect from the loop. */
	event_active(disp.ev_retry, EV_TIMEOUT, 0);
}

void
display_shutdown(void)
{
	int	 i;

	if (disp.dpy != NULL) {
		for (i = 0; i < disp.nhooks; i++)
			disp.hooks[i].cb(NULL, disp.hooks[i].arg);
		if (disp.ev_read != NULL)
			event_free(disp.ev_read);
		XCloseDisplay(disp.dpy);
		disp.dpy = NULL;
	}
	if (disp.ev_retry != NULL)
		event_free(disp.ev_retry);
	if (disp.ev_teardown != NULL)
		event_free(disp.ev_teardown);
	if (disp.ev_kick != NULL)
		event_free(disp.ev_kick);
	disp.ev_retry = disp.ev_teardown = disp.ev_kick = NULL;
	free(disp.name);
	disp.name = NULL;
}

Display *
display_get(void)
{
	if (disp.dead)
		return (NULL);
	return (disp.dpy);
}

Display *
display_need(char **cause)
{
	if (disp.dpy == NULL || disp.dead) {
		xasprintf(cause, "%s", disp.reason[0] != '\0' ? disp.reason :
		    "X display is not connected yet");
		return (NULL);
	}
	return (disp.dpy);
}

u_int
display_generation(void)
{
	return (disp.generation);
}

int
display_last_reset(long long *ms_ago, struct timespec *at)
{
	if (disp.lost_ms == 0)
		return (-1);
	*ms_ago = deskd_now_ms() - disp.lost_ms;
	*at = disp.lost_at;
	return (0);
}

const char *
display_name(void)
{
	return (disp.name);
}

const char *
display_reason(void)
{
	if (disp.dpy != NULL && !disp.dead)
		return (NULL);
	return (disp.reason[0] != '\0' ? disp.reason :
	    "X display is not connected yet");
}

int
display_screen_size(int *w, int *h)
{
	if (disp.dpy == NULL || disp.dead)
		return (-1);
	*w = disp.width;
	*h = disp.height;
	return (0);
}

void
display_add_hook(display_hook_cb cb, void *arg)
{
	if (disp.nhooks == DISPLAY_MAX_HOOKS)
		fatalx("display_add_hook: too many hooks");
	disp.hooks[disp.nhooks].cb = cb;
	disp.hooks[disp.nhooks].arg = arg;
	disp.nhooks++;
	/* Already connected: the module still needs its state. */
	if (disp.dpy != NULL && !disp.dead)
		cb(disp.dpy, arg);
}

void
display_select_root(long mask)
{
	if ((disp.root_mask & mask) == mask)
		return;
	disp.root_mask |= mask;
	if (disp.dpy != NULL && !disp.dead) {
		XSelectInput(disp.dpy, DefaultRootWindow(disp.dpy),
		    StructureNotifyMask | disp.root_mask);
		XFlush(disp.dpy);
	}
}

void
display_add_event_handler(display_event_cb cb, void *arg)
{
	if (disp.nhandlers == DISPLAY_MAX_HOOKS)
		fatalx("display_add_event_handler: too many handlers");
	disp.handlers[disp.nhandlers].cb = cb;
	disp.handlers[disp.nhandlers].arg = arg;
	disp.nhandlers++;
}

void
display_trap_push(void)
{
	if (disp.trap_depth++ == 0)
		disp.trap_error = 0;
}

int
display_trap_pop(void)
{
	int	 err;

	if (disp.dpy != NULL && !disp.dead) {
		XSync(disp.dpy, False);
		display_kick();
	}
	err = disp.trap_error;
	if (--disp.trap_depth == 0)
		disp.trap_error = 0;
	if (disp.dead && err == 0)
		err = -1;
	return (err);
}
