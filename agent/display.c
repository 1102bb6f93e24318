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
 *
 * A server that stops answering without going away (SIGSTOP, a wedged
 * driver) would block every Xlib call that waits for a reply, and with it
 * the whole loop.  Three things keep it off the loop:
 * - a ping every DESKD_X_PING_MS: a property change on a window of ours,
 *   whose PropertyNotify comes back through the event stream, so nothing
 *   waits for it; no answer within DESKD_X_PING_DEADLINE_MS and the
 *   display is declared lost, so routes answer 503 at once instead of
 *   blocking;
 * - a watchdog thread for a call already blocked: when the loop has not
 *   turned for DESKD_X_DEADLINE_MS it asks the server for a connection
 *   setup on a socket of its own, and if that goes unanswered too it shuts
 *   the loop's X socket down, so the blocked call returns through Xlib's
 *   I/O error path above (a loop busy for another reason is left alone);
 * - XOpenDisplay, which waits for the server's setup reply, runs on a
 *   thread of its own and hands the display to the loop.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xatom.h>
#include <X11/Xlibint.h>
#include <event2/event.h>

#include "compat.h"
#include "deskd.h"
#include "display.h"
#include "log.h"
#include "xmalloc.h"

#define DISPLAY_MAX_HOOKS	16
#define DISPLAY_MAX_FDS		4	/* other X connections on the loop */

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

	Window			 ping_win;
	Atom			 ping_atom;
	long long		 ping_sent;	/* ms, 0: none outstanding */
	struct event		*ev_ping;

	/* Shared with the watchdog and connect threads, under lock. */
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	int			 x_fd;		/* the live connection's */
	int			 fds[DISPLAY_MAX_FDS];	/* display_add_fd */
	long long		 beat;		/* loop's last turn, ms */
	int			 hung;		/* watchdog shut x_fd */
	int			 connecting;	/* a connect thread runs */
	int			 connected;	/* ... and has finished */
	Display			*conn_dpy;	/* its result */
	int			 stopping;
	pthread_t		 watchdog;
	int			 watching;
	struct event		*ev_connected;
} disp = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.x_fd = -1
};

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
	int		 hung;

	if (dpy != disp.dpy || disp.dead)
		return;
	disp.dead = 1;
	disp.lost_ms = deskd_now_ms();
	clock_gettime(CLOCK_REALTIME, &disp.lost_at);
	pthread_mutex_lock(&disp.lock);
	hung = disp.hung;
	pthread_mutex_unlock(&disp.lock);
	if (hung)
		snprintf(disp.reason, sizeof disp.reason, "X display %s is not "
		    "answering (a call waited over %d ms)", disp.name,
		    DESKD_X_DEADLINE_MS);
	else
		snprintf(disp.reason, sizeof disp.reason,
		    "lost the connection to X display %s", disp.name);
	evtimer_add(disp.ev_teardown, &tv);
}

/*
 * The other connections to the same server made on the loop (the
 * clipboard's) hang with it: shut them too, so that whichever of them a
 * call waits on returns.  Under lock.
 */
static void
display_shut_fds(void)
{
	int	 i;

	for (i = 0; i < DISPLAY_MAX_FDS; i++) {
		if (disp.fds[i] != -1)
			shutdown(disp.fds[i], SHUT_RDWR);
	}
}

void
display_add_fd(int fd)
{
	int	 i;

	pthread_mutex_lock(&disp.lock);
	for (i = 0; i < DISPLAY_MAX_FDS; i++) {
		if (disp.fds[i] == -1) {
			disp.fds[i] = fd;
			break;
		}
	}
	pthread_mutex_unlock(&disp.lock);
	if (i == DISPLAY_MAX_FDS)
		fatalx("%s: more than %d X connections", __func__,
		    DISPLAY_MAX_FDS);
}

void
display_remove_fd(int fd)
{
	int	 i;

	pthread_mutex_lock(&disp.lock);
	for (i = 0; i < DISPLAY_MAX_FDS; i++) {
		if (disp.fds[i] == fd)
			disp.fds[i] = -1;
	}
	pthread_mutex_unlock(&disp.lock);
}

/*
 * The server did not answer a ping in time: give the connection up as if
 * it had broken.  Shutting the socket makes Xlib's next call fail at once
 * (the exit handler above returns early, the display being dead already).
 */
static void
display_hung(long long waited)
{
	struct timeval	 tv = { 0, 0 };

	if (disp.dpy == NULL || disp.dead)
		return;
	disp.dead = 1;
	disp.lost_ms = deskd_now_ms();
	clock_gettime(CLOCK_REALTIME, &disp.lost_at);
	snprintf(disp.reason, sizeof disp.reason, "X display %s is not "
	    "answering (no reply to a ping for %lld ms)", disp.name, waited);
	pthread_mutex_lock(&disp.lock);
	if (disp.x_fd != -1)
		shutdown(disp.x_fd, SHUT_RDWR);
	display_shut_fds();
	pthread_mutex_unlock(&disp.lock);
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
	pthread_mutex_lock(&disp.lock);
	disp.x_fd = -1;
	disp.hung = 0;
	pthread_mutex_unlock(&disp.lock);
	disp.ping_sent = 0;
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
		if (ev.type == PropertyNotify &&
		    ev.xproperty.window == disp.ping_win &&
		    ev.xproperty.atom == disp.ping_atom) {
			disp.ping_sent = 0;	/* the server answers */
			continue;
		}
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

/*
 * Every DESKD_X_PING_MS: the loop's heartbeat for the watchdog, and a
 * ping of the server that nothing waits for.
 */
static void
display_ping_cb(evutil_socket_t fd, short events, void *arg)
{
	long long	 now = deskd_now_ms();
	long		 v;

	pthread_mutex_lock(&disp.lock);
	disp.beat = now;
	pthread_mutex_unlock(&disp.lock);
	if (disp.dpy == NULL || disp.dead || disp.ping_win == None)
		return;
	if (disp.ping_sent != 0) {
		/* The answer may be in, unread, after a busy loop turn. */
		display_dispatch();
		if (disp.ping_sent != 0 &&
		    now - disp.ping_sent > DESKD_X_PING_DEADLINE_MS)
			display_hung(now - disp.ping_sent);
		return;
	}
	v = (long)(now & 0x7fffffff);
	XChangeProperty(disp.dpy, disp.ping_win, disp.ping_atom, XA_INTEGER,
	    32, PropModeReplace, (u_char *)&v, 1);
	XFlush(disp.dpy);
	disp.ping_sent = now;
}

/* XOpenDisplay waits for the server: on a thread, never on the loop. */
static void *
display_connect_main(void *arg)
{
	char	*name = arg;
	Display	*dpy;

	dpy = XOpenDisplay(name);
	free(name);
	pthread_mutex_lock(&disp.lock);
	if (disp.stopping) {
		if (dpy != NULL)
			XCloseDisplay(dpy);
	} else {
		disp.conn_dpy = dpy;
		disp.connected = 1;
		event_active(disp.ev_connected, EV_TIMEOUT, 1);
	}
	pthread_cond_broadcast(&disp.cond);
	pthread_mutex_unlock(&disp.lock);
	return (NULL);
}

static void
display_connect(void)
{
	struct timeval	 tv = { DESKD_X_RETRY_MS / 1000,
			    (DESKD_X_RETRY_MS % 1000) * 1000 };
	pthread_attr_t	 attr;
	pthread_t	 t;
	int		 error;

	pthread_mutex_lock(&disp.lock);
	if (disp.connecting) {
		/* Still waiting for a server that does not answer. */
		pthread_mutex_unlock(&disp.lock);
		return;
	}
	disp.connecting = 1;
	disp.connected = 0;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	error = pthread_create(&t, &attr, display_connect_main,
	    xstrdup(disp.name));
	pthread_attr_destroy(&attr);
	if (error != 0)
		disp.connecting = 0;
	pthread_mutex_unlock(&disp.lock);
	if (error != 0) {
		log_warnx("%s: pthread_create: %s", __func__, strerror(error));
		evtimer_add(disp.ev_retry, &tv);
	}
}

/* The connect thread is done: a display, or another try later. */
static void
display_connected_cb(evutil_socket_t fd, short events, void *arg)
{
	struct timeval		 tv = { DESKD_X_RETRY_MS / 1000,
				    (DESKD_X_RETRY_MS % 1000) * 1000 };
	XSetWindowAttributes	 wa;
	Display			*dpy;
	int			 i;

	pthread_mutex_lock(&disp.lock);
	if (!disp.connected) {
		pthread_mutex_unlock(&disp.lock);
		return;
	}
	dpy = disp.conn_dpy;
	disp.conn_dpy = NULL;
	disp.connecting = disp.connected = 0;
	pthread_mutex_unlock(&disp.lock);
	if (dpy == NULL) {
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
	/* The ping's window: never mapped, its property changes come back. */
	memset(&wa, 0, sizeof wa);
	wa.event_mask = PropertyChangeMask;
	disp.ping_win = XCreateWindow(dpy, DefaultRootWindow(dpy), -1, -1, 1,
	    1, 0, 0, InputOnly, CopyFromParent, CWEventMask, &wa);
	disp.ping_atom = XInternAtom(dpy, "_DESKD_PING", False);
	disp.ping_sent = 0;
	pthread_mutex_lock(&disp.lock);
	disp.x_fd = ConnectionNumber(dpy);
	disp.hung = 0;
	pthread_mutex_unlock(&disp.lock);
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

/* Connect to the X server named like $DISPLAY, on a socket of our own. */
static int
display_probe_connect(const char *name)
{
	struct sockaddr_un	 sun;
	struct addrinfo		 hints, *res = NULL, *ai;
	const char		*colon, *dot;
	char			 host[256], port[32];
	long			 n;
	int			 fd = -1;

	if ((colon = strrchr(name, ':')) == NULL || colon - name >=
	    (ptrdiff_t)sizeof host)
		return (-1);
	n = strtol(colon + 1, NULL, 10);
	if (n < 0 || n > 1000)
		return (-1);
	memcpy(host, name, colon - name);
	host[colon - name] = '\0';
	if ((dot = strchr(host, '/')) != NULL)
		return (-1);	/* launchd-style paths: not ours to guess */
	if (host[0] == '\0' || strcmp(host, "unix") == 0) {
		/* As libxcb: the abstract socket first, then the file. */
		memset(&sun, 0, sizeof sun);
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path + 1, sizeof sun.sun_path - 1,
		    "/tmp/.X11-unix/X%ld", n);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) ==
		    -1)
			return (-1);
		if (connect(fd, (struct sockaddr *)&sun, sizeof sun.sun_family +
		    1 + strlen(sun.sun_path + 1)) == 0)
			return (fd);
		snprintf(sun.sun_path, sizeof sun.sun_path,
		    "/tmp/.X11-unix/X%ld", n);
		if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0)
			return (fd);
		close(fd);
		return (-1);
	}
	snprintf(port, sizeof port, "%ld", 6000 + n);
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return (-1);
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd != -1 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return (fd);
}

/*
 * Does the server answer a connection setup (X11 protocol, section 8)
 * within DESKD_X_PROBE_MS?  Any reply will do, "failed" and
 * "authenticate" included.  1 if it answers, 0 if not.
 */
static int
display_probe(const char *name)
{
	static const u_char	 setup[12] = { 'l', 0, 11, 0, 0, 0 };
	struct pollfd		 pfd;
	u_char			 c;
	int			 fd, rc = 0;

	if ((fd = display_probe_connect(name)) == -1)
		return (0);
	if (write(fd, setup, sizeof setup) == (ssize_t)sizeof setup) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, DESKD_X_PROBE_MS) == 1 &&
		    read(fd, &c, 1) == 1)
			rc = 1;
	}
	close(fd);
	return (rc);
}

/*
 * The watchdog.  It never touches Xlib: when the loop has stalled, it
 * probes the server on its own socket and, if the server is hung, shuts
 * the loop's X socket down so the call blocked in Xlib returns.
 */
static void *
display_watchdog_main(void *arg)
{
	struct timespec	 ts;
	long long	 now, beat, handled = -1;
	int		 fd;

	pthread_mutex_lock(&disp.lock);
	while (!disp.stopping) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += DESKD_X_PING_MS * 1000000L / 2;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&disp.cond, &disp.lock, &ts);
		now = deskd_now_ms();
		beat = disp.beat;
		fd = disp.x_fd;
		if (disp.stopping || fd == -1 || beat == handled ||
		    now - beat <= DESKD_X_DEADLINE_MS)
			continue;
		handled = beat;		/* once per stall */
		pthread_mutex_unlock(&disp.lock);
		if (display_probe(disp.name)) {
			log_warnx("the loop has not turned for %lld ms; X "
			    "display %s answers, so it is left alone",
			    now - beat, disp.name);
			pthread_mutex_lock(&disp.lock);
			continue;
		}
		pthread_mutex_lock(&disp.lock);
		if (disp.x_fd == fd && !disp.stopping) {
			log_warnx("X display %s is not answering and the loop "
			    "has waited %lld ms for it: disconnecting",
			    disp.name, deskd_now_ms() - beat);
			disp.hung = 1;
			shutdown(fd, SHUT_RDWR);
			display_shut_fds();
		}
	}
	pthread_mutex_unlock(&disp.lock);
	return (NULL);
}

void
display_init(struct event_base *base, const char *name)
{
	struct timeval	 tv = { DESKD_X_PING_MS / 1000,
			    (DESKD_X_PING_MS % 1000) * 1000 };
	struct timespec	 ts;
	int		 i;

	disp.base = base;
	disp.name = xstrdup(name != NULL ? name : ":0");
	for (i = 0; i < DISPLAY_MAX_FDS; i++)
		disp.fds[i] = -1;
	XSetErrorHandler(display_error_handler);
	XSetIOErrorHandler(display_io_error_handler);
	disp.ev_retry = evtimer_new(base, display_retry_cb, NULL);
	disp.ev_teardown = evtimer_new(base, display_teardown_cb, NULL);
	disp.ev_kick = evtimer_new(base, display_read_cb, NULL);
	disp.ev_connected = evtimer_new(base, display_connected_cb, NULL);
	disp.ev_ping = event_new(base, -1, EV_PERSIST, display_ping_cb, NULL);
	evtimer_add(disp.ev_ping, &tv);
	disp.beat = deskd_now_ms();
	if (pthread_create(&disp.watchdog, NULL, display_watchdog_main,
	    NULL) == 0)
		disp.watching = 1;
	else
		log_warnx("%s: no watchdog thread", __func__);
	/*
	 * The first connection as before deskd serves anything, unless the
	 * server does not answer: then it comes later.  Modules add their
	 * hooks after this; the display is set up from the loop.
	 */
	display_connect();
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += DESKD_X_DEADLINE_MS / 1000;
	pthread_mutex_lock(&disp.lock);
	while (disp.connecting && !disp.connected &&
	    pthread_cond_timedwait(&disp.cond, &disp.lock, &ts) == 0)
		;
	pthread_mutex_unlock(&disp.lock);
}

void
display_shutdown(void)
{
	int	 i;

	pthread_mutex_lock(&disp.lock);
	disp.stopping = 1;
	pthread_cond_broadcast(&disp.cond);
	pthread_mutex_unlock(&disp.lock);
	if (disp.watching)
		pthread_join(disp.watchdog, NULL);
	disp.watching = 0;
	if (disp.dpy != NULL) {
		for (i = 0; i < disp.nhooks; i++)
			disp.hooks[i].cb(NULL, disp.hooks[i].arg);
		if (disp.ev_read != NULL)
			event_free(disp.ev_read);
		XCloseDisplay(disp.dpy);
		disp.dpy = NULL;
	}
	/* A connect thread still blocked on a hung server closes its own. */
	pthread_mutex_lock(&disp.lock);
	if (disp.conn_dpy != NULL)
		XCloseDisplay(disp.conn_dpy);
	disp.conn_dpy = NULL;
	if (disp.ev_connected != NULL)
		event_free(disp.ev_connected);
	disp.ev_connected = NULL;
	pthread_mutex_unlock(&disp.lock);
	if (disp.ev_ping != NULL)
		event_free(disp.ev_ping);
	if (disp.ev_retry != NULL)
		event_free(disp.ev_retry);
	if (disp.ev_teardown != NULL)
		event_free(disp.ev_teardown);
	if (disp.ev_kick != NULL)
		event_free(disp.ev_kick);
	disp.ev_retry = disp.ev_teardown = disp.ev_kick = disp.ev_ping = NULL;
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
