/*
 * a11y.c: the AT-SPI walk on its worker thread (see a11y.h).
 *
 * The walk reads what xlang-ai/OSWorld's desktop_env/server/main.py reads
 * (_create_atspi_node, main.py:423-577) through the same libatspi calls
 * pyatspi makes, so both see the same values; a11y_tree.c writes them.
 * Where upstream loses data on an error (an exception in one child drops
 * it and every later sibling, main.py:573; a dead application fails the
 * whole request) the walk here drops only the node that failed.
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xatom.h>

/* libatspi's headers declare "f ()" prototypes. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <atspi/atspi.h>
#pragma GCC diagnostic pop
#include <dbus/dbus.h>

#include <event2/event.h>

#include "a11y.h"
#include "a11y_tree.h"
#include "compat.h"
#include "deskd.h"
#include "log.h"
#include "xmalloc.h"

enum a11y_walk_state {
	A11Y_QUEUED,
	A11Y_RUNNING,
	A11Y_DONE
};

struct a11y_walk {
	struct a11y_opts	 opts;
	char			*app;
	long long		 deadline;	/* deskd_now_ms() */
	a11y_finish_cb		 finish;
	a11y_done_cb		 done;
	void			*arg;
	enum a11y_walk_state	 state;
	enum a11y_error		 error;
	char			*cause;
	struct event		*ev;
	TAILQ_ENTRY(a11y_walk)	 entry;
};
TAILQ_HEAD(a11y_walks, a11y_walk);

/* One walk's progress, on the worker. */
struct a11y_walker {
	struct a11y_walk	*w;
	struct a11y_tree	*t;
	int			 stop;		/* the whole walk ends */
	int			 app_gone;	/* this application is left */
	int			 app_errors;	/* failed reads in a row */
	long long		 call_start;
	long long		 call_ms;
	int			 call_short;	/* budget, not the limit */
};

static struct {
	pthread_mutex_t		 lock;
	struct a11y_walks	 queue;		/* under lock */
	struct a11y_walk	*running;	/* under lock */
	u_int			 nwalks;	/* loop side */
	int			 quit;		/* under lock */
	int			 bus;		/* under lock: -1, 0, 1 */
	char			 reason[256];	/* under lock */
	pthread_t		 thread;
	int			 started;
	struct event_base	*base;
	/* Worker only. */
	int			 inited;	/* atspi_init done */
	int			 lost;		/* its bus went away */
	DBusConnection		*conn;		/* libatspi's bus */
	long long		 next_probe;
	long			 calc_maxcol;
} a11y = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.queue = TAILQ_HEAD_INITIALIZER(a11y.queue),
	.bus = -1
};

static void	a11y_set_bus(int, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
a11y_set_bus(int up, const char *fmt, ...)
{
	va_list	 ap;

	pthread_mutex_lock(&a11y.lock);
	if (up != a11y.bus)
		log_info("accessibility bus: %s", up ? "answers" : "absent");
	a11y.bus = up;
	a11y.reason[0] = '\0';
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(a11y.reason, sizeof a11y.reason, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&a11y.lock);
}

int
a11y_bus_state(char *reason, size_t len)
{
	int	 up;

	pthread_mutex_lock(&a11y.lock);
	up = a11y.bus;
	if (reason != NULL)
		strlcpy(reason, a11y.reason, len);
	pthread_mutex_unlock(&a11y.lock);
	return (up);
}

/* AT_SPI_BUS on the root window, where at-spi-bus-launcher puts it. */
static char *
a11y_x11_address(void)
{
	Display		*dpy;
	Atom		 atom, type;
	u_char		*data = NULL;
	u_long		 n, left;
	char		*s = NULL;
	int		 format;

	/* libX11 >= 1.8 calls XInitThreads itself: a second connection on
	 * this thread is safe beside display.c's on the loop. */
	if ((dpy = XOpenDisplay(NULL)) == NULL)
		return (NULL);
	atom = XInternAtom(dpy, "AT_SPI_BUS", True);
	if (atom != None && XGetWindowProperty(dpy, DefaultRootWindow(dpy),
	    atom, 0, 1024, False, XA_STRING, &type, &format, &n, &left,
	    &data) == Success && data != NULL && n > 0 && format == 8)
		s = xstrndup((char *)data, n);
	if (data != NULL)
		XFree(data);
	XCloseDisplay(dpy);
	return (s);
}

/*
 * org.a11y.Bus.GetAddress on the session bus, on a private connection
 * with bounded calls: dbus_bus_get() would wait 25 s on a hung bus and
 * try to autolaunch one where none is configured.
 */
static char *
a11y_session_address(char *why, size_t len)
{
	DBusConnection	*c;
	DBusMessage	*m, *r;
	DBusError	 err;
	const char	*addr, *s;
	char		*path = NULL, *out = NULL;

	if ((s = getenv("DBUS_SESSION_BUS_ADDRESS")) == NULL || *s == '\0') {
		if ((s = getenv("XDG_RUNTIME_DIR")) == NULL || *s == '\0') {
			snprintf(why, len, "no session bus "
			    "(DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR "
			    "are unset)");
			return (NULL);
		}
		xasprintf(&path, "%s/bus", s);
		if (access(path, F_OK) != 0) {
			snprintf(why, len, "no session bus at %s", path);
			free(path);
			return (NULL);
		}
		free(path);
		xasprintf(&path, "unix:path=%s/bus", s);
		s = path;
	}
	dbus_error_init(&err);
	if ((c = dbus_connection_open_private(s, &err)) == NULL) {
		snprintf(why, len, "session bus: %s", err.message);
		dbus_error_free(&err);
		free(path);
		return (NULL);
	}
	free(path);
	dbus_connection_set_exit_on_disconnect(c, FALSE);
	m = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
	    DBUS_INTERFACE_DBUS, "Hello");
	r = dbus_connection_send_with_reply_and_block(c, m,
	    A11Y_CALL_TIMEOUT_MS, &err);
	dbus_message_unref(m);
	if (r == NULL)
		goto fail;
	dbus_message_unref(r);
	/* This may start at-spi-bus-launcher (D-Bus activation). */
	m = dbus_message_new_method_call("org.a11y.Bus", "/org/a11y/bus",
	    "org.a11y.Bus", "GetAddress");
	r = dbus_connection_send_with_reply_and_block(c, m,
	    2 * A11Y_CALL_TIMEOUT_MS, &err);
	dbus_message_unref(m);
	if (r == NULL)
		goto fail;
	if (dbus_message_get_args(r, &err, DBUS_TYPE_STRING, &addr,
	    DBUS_TYPE_INVALID) && *addr != '\0')
		out = xstrdup(addr);
	else
		snprintf(why, len, "org.a11y.Bus gave no address");
	dbus_message_unref(r);
	dbus_connection_close(c);
	dbus_connection_unref(c);
	return (out);
fail:
	snprintf(why, len, "org.a11y.Bus on the session bus: %s",
	    err.message);
	dbus_error_free(&err);
	dbus_connection_close(c);
	dbus_connection_unref(c);
	return (NULL);
}

/*
 * Find the bus as libatspi does (atspi-misc.c atspi_get_a11y_bus:
 * $AT_SPI_BUS_ADDRESS, the X root window, the session bus), but bounded,
 * and only call atspi_init once there is one: without a bus libatspi
 * ends the process with g_error() on its next call (_atspi_bus).
 */
static int
a11y_connect(void)
{
	const char	*env;
	char		*addr = NULL, why[200];
	int		 rc;

	if (a11y.lost) {
		a11y_set_bus(0, "the accessibility bus went away; restart "
		    "deskd once a new one runs");
		return (-1);
	}
	if (a11y.inited) {
		if (!dbus_connection_get_is_connected(a11y.conn)) {
			/*
			 * libatspi cannot be set up twice in one process:
			 * its application table survives atspi_exit
			 * (atspi-misc.c app_hash).
			 */
			a11y.lost = 1;
			a11y_set_bus(0, "the accessibility bus went away; "
			    "restart deskd once a new one runs");
			return (-1);
		}
		return (0);
	}
	why[0] = '\0';
	if ((env = getenv("AT_SPI_BUS_ADDRESS")) != NULL && *env != '\0')
		addr = xstrdup(env);
	if (addr == NULL && getenv("DISPLAY") != NULL &&
	    getenv("WAYLAND_DISPLAY") == NULL)
		addr = a11y_x11_address();
	if (addr == NULL)
		addr = a11y_session_address(why, sizeof why);
	if (addr == NULL) {
		a11y_set_bus(0, "no accessibility bus: %s", why);
		return (-1);
	}
	if ((rc = atspi_init()) != 0) {
		/* atspi_exit resets it, so a later try can work. */
		atspi_exit();
		a11y_set_bus(0, "no accessibility bus answers at %s "
		    "(atspi_init: %d)", addr, rc);
		free(addr);
		return (-1);
	}
	free(addr);
	a11y.inited = 1;
	a11y.conn = atspi_get_a11y_bus();
	return (0);
}

/* Is the bus there, and does the registry answer?  Sets the state. */
static AtspiAccessible *
a11y_desktop(void)
{
	AtspiAccessible	*desktop;
	GError		*err = NULL;
	int		 n;

	if (a11y_connect() == -1)
		return (NULL);
	atspi_set_timeout(A11Y_PING_TIMEOUT_MS, -1);
	if ((desktop = atspi_get_desktop(0)) == NULL) {
		a11y_set_bus(0, "the accessibility registry does not answer");
		return (NULL);
	}
	n = atspi_accessible_get_child_count(desktop, &err);
	if (n < 0 || err != NULL) {
		a11y_set_bus(0, "the accessibility registry does not answer: "
		    "%s", err != NULL ? err->message : "no child count");
		g_clear_error(&err);
		g_object_unref(desktop);
		return (NULL);
	}
	a11y_set_bus(1, NULL);
	return (desktop);
}

/* Before a call: bound it by the limit and by what is left. */
static int
a11y_begin(struct a11y_walker *k)
{
	long long	 left;

	if (k->stop || k->app_gone)
		return (-1);
	left = k->w->deadline - deskd_now_ms();
	if (left <= 0) {
		k->stop = 1;
		k->t->partial = 1;
		k->t->partial_why = "budget";
		return (-1);
	}
	k->call_short = left < A11Y_CALL_TIMEOUT_MS;
	k->call_ms = k->call_short ? left : A11Y_CALL_TIMEOUT_MS;
	atspi_set_timeout((int)k->call_ms, -1);
	k->call_start = deskd_now_ms();
	return (0);
}

/*
 * After a call: did it fail (err set, or no answer in time)?  A call
 * that waited its whole timeout means the application hangs: leave it.
 */
static int
a11y_end(struct a11y_walker *k, GError **err)
{
	long long	 took = deskd_now_ms() - k->call_start;
	int		 failed = err != NULL && *err != NULL;

	if (took > 500)
		log_debug("a11y: a call took %lld ms (limit %lld)", took,
		    k->call_ms);
	if (took >= k->call_ms) {
		if (k->call_short) {
			k->stop = 1;
			k->t->partial = 1;
			k->t->partial_why = "budget";
		} else
			k->app_gone = 1;
		failed = 1;
	}
	if (err != NULL && *err != NULL) {
		log_debug("a11y: %s", (*err)->message);
		g_clear_error(err);
	}
	if (failed) {
		if (++k->app_errors >= A11Y_APP_MAX_ERRORS)
			k->app_gone = 1;
		return (-1);
	}
	k->app_errors = 0;
	return (0);
}

/* A GLib string into one of ours. */
static char *
a11y_str(gchar *s)
{
	char	*out;

	out = xstrdup(s != NULL ? s : "");
	g_free(s);
	return (out);
}

static void
a11y_count(struct a11y_walker *k, const char *s)
{
	if (s != NULL)
		k->t->bytes += strlen(s) + 1;
}

/*
 * Calc's column count: 1024 before LibreOffice 7.4, else 16384 (main.py:
 * 544).  Upstream runs "libreoffice --version" on every request; the
 * version is in the install's versionrc ("MsiProductVersion=7.4.7.2"),
 * read once.
 */
static long
a11y_calc_maxcol(void)
{
	static const char	*paths[] = {
		"/usr/lib/libreoffice/program/versionrc",
		"/opt/libreoffice/program/versionrc"
	};
	FILE	*f;
	char	 line[256];
	u_int	 i;
	int	 major, minor;

	if (a11y.calc_maxcol != 0)
		return (a11y.calc_maxcol);
	a11y.calc_maxcol = 16384;
	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		if ((f = fopen(paths[i], "r")) == NULL)
			continue;
		while (fgets(line, sizeof line, f) != NULL) {
			if (sscanf(line, "MsiProductVersion=%d.%d", &major,
			    &minor) == 2) {
				if (major < 7 || (major == 7 && minor < 4))
					a11y.calc_maxcol = 1024;
				break;
			}
		}
		fclose(f);
		break;
	}
	return (a11y.calc_maxcol);
}

static struct a11y_node *a11y_walk_node(struct a11y_walker *,
		    AtspiAccessible *, int, int);

struct a11y_calc {
	struct a11y_walker	*k;
	AtspiAccessible		*table;
	AtspiAccessible		*cell;
	struct a11y_node	*node;
	int			 count;
	int			 depth;
};

static int
a11y_calc_showing(long index, void *arg)
{
	struct a11y_calc	*c = arg;
	struct a11y_walker	*k = c->k;
	AtspiStateSet		*ss;
	GError			*err = NULL;
	int			 showing;

	if (c->cell != NULL) {
		g_object_unref(c->cell);
		c->cell = NULL;
	}
	/* Upstream's node[i] raises IndexError past the end: stop there. */
	if (index >= c->count || a11y_begin(k) == -1)
		return (-1);
	c->cell = atspi_accessible_get_child_at_index(c->table, index, &err);
	if (a11y_end(k, &err) == -1 || c->cell == NULL)
		return (-1);
	if (a11y_begin(k) == -1)
		return (-1);
	ss = atspi_accessible_get_state_set(c->cell);
	if (a11y_end(k, NULL) == -1 || ss == NULL) {
		if (ss != NULL)
			g_object_unref(ss);
		return (-1);
	}
	showing = atspi_state_set_contains(ss, ATSPI_STATE_SHOWING);
	g_object_unref(ss);
	return (showing ? 1 : 0);
}

static void
a11y_calc_emit(long index, void *arg)
{
	struct a11y_calc	*c = arg;
	struct a11y_node	*child;

	if (c->cell == NULL)
		return;
	if ((child = a11y_walk_node(c->k, c->cell, c->depth + 1, 1)) != NULL)
		a11y_node_add_child(c->node, child);
}

/* The states, as bits; the set is gone after. */
static uint64_t
a11y_states(AtspiStateSet *ss)
{
	GArray		*arr;
	uint64_t	 bits = 0;
	u_int		 i;
	int		 s;

	arr = atspi_state_set_get_states(ss);
	for (i = 0; arr != NULL && i < arr->len; i++) {
		s = g_array_index(arr, AtspiStateType, i);
		if (s >= 0 && s < 64)
			bits |= 1ULL << s;
	}
	if (arr != NULL)
		g_array_free(arr, TRUE);
	g_object_unref(ss);
	return (bits);
}

static void
a11y_read_attributes(struct a11y_walker *k, AtspiAccessible *acc,
    struct a11y_node *n)
{
	GHashTable	*h;
	GHashTableIter	 it;
	gpointer	 key, value;
	GError		*err = NULL;

	if (a11y_begin(k) == -1)
		return;
	h = atspi_accessible_get_attributes(acc, &err);
	if (a11y_end(k, &err) == -1 || h == NULL) {
		if (h != NULL)
			g_hash_table_unref(h);
		return;
	}
	/* pygobject builds its dict in this same iteration order. */
	g_hash_table_iter_init(&it, h);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		if (key == NULL || *(char *)key == '\0')
			continue;
		a11y_node_set_attr(n, key, value != NULL ? value : "");
		a11y_count(k, key);
		a11y_count(k, value);
	}
	g_hash_table_unref(h);
}

static void
a11y_read_extents(struct a11y_walker *k, AtspiAccessible *acc,
    struct a11y_node *n)
{
	AtspiComponent	*c;
	AtspiRect	*r;
	GError		*err = NULL;

	if (a11y_begin(k) == -1)
		return;
	c = atspi_accessible_get_component_iface(acc);
	if (a11y_end(k, NULL) == -1 || c == NULL) {
		if (c != NULL)
			g_object_unref(c);
		return;
	}
	if (a11y_begin(k) == 0) {
		r = atspi_component_get_extents(c, ATSPI_COORD_TYPE_SCREEN,
		    &err);
		if (a11y_end(k, &err) == 0 && r != NULL) {
			n->has_extents = 1;
			n->x = r->x;
			n->y = r->y;
			n->w = r->width;
			n->h = r->height;
		}
		g_free(r);
	}
	g_object_unref(c);
}

static void
a11y_read_text(struct a11y_walker *k, AtspiAccessible *acc,
    struct a11y_node *n)
{
	AtspiText	*tx;
	GError		*err = NULL;
	gchar		*s;
	int		 count;

	if (a11y_begin(k) == -1)
		return;
	tx = atspi_accessible_get_text_iface(acc);
	if (a11y_end(k, NULL) == -1 || tx == NULL) {
		if (tx != NULL)
			g_object_unref(tx);
		return;
	}
	if (a11y_begin(k) == 0) {
		count = atspi_text_get_character_count(tx, &err);
		if (a11y_end(k, &err) == 0 && count > 0 &&
		    a11y_begin(k) == 0) {
			if (count > A11Y_MAX_TEXT)
				count = A11Y_MAX_TEXT;
			s = atspi_text_get_text(tx, 0, count, &err);
			if (a11y_end(k, &err) == 0 && s != NULL) {
				n->text = a11y_tree_clean_text(s);
				a11y_count(k, n->text);
			}
			g_free(s);
		}
	}
	g_object_unref(tx);
}

static void
a11y_read_value(struct a11y_walker *k, AtspiAccessible *acc,
    struct a11y_node *n)
{
	AtspiValue	*v;
	GError		*err = NULL;
	double		 d;
	int		 i;

	if (a11y_begin(k) == -1)
		return;
	v = atspi_accessible_get_value_iface(acc);
	if (a11y_end(k, NULL) == -1 || v == NULL) {
		if (v != NULL)
			g_object_unref(v);
		return;
	}
	n->has_value = 1;
	/* Each member on its own: upstream skips one that raises. */
	for (i = 0; i < A11Y_NVALUES; i++) {
		if (a11y_begin(k) == -1)
			break;
		switch (i) {
		case A11Y_VALUE_CURRENT:
			d = atspi_value_get_current_value(v, &err);
			break;
		case A11Y_VALUE_MIN:
			d = atspi_value_get_minimum_value(v, &err);
			break;
		case A11Y_VALUE_MAX:
			d = atspi_value_get_maximum_value(v, &err);
			break;
		default:
			d = atspi_value_get_minimum_increment(v, &err);
			break;
		}
		if (a11y_end(k, &err) == 0) {
			n->value[i] = d;
			n->value_ok |= 1U << i;
		}
	}
	g_object_unref(v);
}

static void
a11y_read_actions(struct a11y_walker *k, AtspiAccessible *acc,
    struct a11y_node *n)
{
	AtspiAction	*a;
	GError		*err = NULL;
	gchar		*name, *desc, *kb;
	int		 i, count;

	if (a11y_begin(k) == -1)
		return;
	a = atspi_accessible_get_action_iface(acc);
	if (a11y_end(k, NULL) == -1 || a == NULL) {
		if (a != NULL)
			g_object_unref(a);
		return;
	}
	if (a11y_begin(k) == -1)
		goto out;
	count = atspi_action_get_n_actions(a, &err);
	if (a11y_end(k, &err) == -1)
		goto out;
	for (i = 0; i < count && i < A11Y_MAX_WIDTH; i++) {
		name = desc = kb = NULL;
		if (a11y_begin(k) == -1)
			break;
		name = atspi_action_get_action_name(a, i, &err);
		if (a11y_end(k, &err) == -1 || a11y_begin(k) == -1) {
			g_free(name);
			break;
		}
		desc = atspi_action_get_action_description(a, i, &err);
		if (a11y_end(k, &err) == -1 || a11y_begin(k) == -1) {
			g_free(name);
			g_free(desc);
			break;
		}
		kb = atspi_action_get_key_binding(a, i, &err);
		if (a11y_end(k, &err) == 0 && name != NULL) {
			a11y_node_add_action(n, name, desc, kb);
			a11y_count(k, name);
			a11y_count(k, desc);
			a11y_count(k, kb);
		}
		g_free(name);
		g_free(desc);
		g_free(kb);
	}
out:
	g_object_unref(a);
}

/* Image and Selection: is the interface there (queryImage, main.py:468)? */
static int
a11y_is(struct a11y_walker *k, AtspiAccessible *acc, int image)
{
	GObject	*iface;

	if (a11y_begin(k) == -1)
		return (0);
	if (image)
		iface = (GObject *)atspi_accessible_get_image_iface(acc);
	else
		iface = (GObject *)atspi_accessible_get_selection_iface(acc);
	if (iface != NULL)
		g_object_unref(iface);
	if (a11y_end(k, NULL) == -1)
		return (0);
	return (iface != NULL);
}

static void
a11y_walk_children(struct a11y_walker *k, AtspiAccessible *acc,
    struct a11y_node *n, int depth, int calc)
{
	AtspiAccessible	*child;
	struct a11y_node *c;
	struct a11y_calc cs;
	GError		*err = NULL;
	int		 i, count;

	if (a11y_begin(k) == -1)
		return;
	count = atspi_accessible_get_child_count(acc, &err);
	if (a11y_end(k, &err) == -1 || count <= 0)
		return;
	if (calc && strcmp(n->role, "table") == 0) {
		memset(&cs, 0, sizeof cs);
		cs.k = k;
		cs.table = acc;
		cs.node = n;
		cs.count = count;
		cs.depth = depth;
		a11y_tree_calc_scan(a11y_calc_maxcol(), a11y_calc_showing,
		    a11y_calc_emit, &cs);
		if (cs.cell != NULL)
			g_object_unref(cs.cell);
		return;
	}
	for (i = 0; i < count && i < A11Y_MAX_WIDTH; i++) {
		if (a11y_begin(k) == -1)
			break;
		child = atspi_accessible_get_child_at_index(acc, i, &err);
		if (a11y_end(k, &err) == -1 || child == NULL) {
			if (child != NULL)
				g_object_unref(child);
			if (k->stop || k->app_gone)
				break;
			continue;
		}
		c = a11y_walk_node(k, child, depth + 1, calc);
		g_object_unref(child);
		if (c != NULL)
			a11y_node_add_child(n, c);
		if (k->stop || k->app_gone)
			break;
	}
}

/* One node and, depth and limits allowing, its children. */
static struct a11y_node *
a11y_walk_node(struct a11y_walker *k, AtspiAccessible *acc, int depth,
    int calc)
{
	const struct a11y_opts	*o = &k->w->opts;
	struct a11y_node	*n;
	AtspiStateSet		*ss;
	GError			*err = NULL;
	gchar			*s;
	int			 shown;

	if (k->t->nodes >= A11Y_MAX_NODES || k->t->bytes >= A11Y_MAX_BYTES) {
		k->stop = 1;
		k->t->partial = 1;
		k->t->partial_why = k->t->nodes >= A11Y_MAX_NODES ?
		    "nodes" : "bytes";
		return (NULL);
	}
	if (a11y_begin(k) == -1)
		return (NULL);
	s = atspi_accessible_get_name(acc, &err);
	if (a11y_end(k, &err) == -1) {
		/* Upstream raises here; the node is lost (main.py:573). */
		g_free(s);
		return (NULL);
	}
	n = a11y_node_new();
	n->name = a11y_str(s);
	a11y_count(k, n->name);
	k->t->nodes++;
	if (depth == 1 && ((o->app != NULL && strcasecmp(n->name,
	    o->app) != 0) || (o->terminal && strcmp(n->name,
	    "gnome-terminal-server") != 0))) {
		k->t->nodes--;
		a11y_node_free(n);
		return (NULL);
	}

	if (a11y_begin(k) == -1)
		return (n);
	ss = atspi_accessible_get_state_set(acc);
	if (a11y_end(k, NULL) == -1) {
		if (ss != NULL)
			g_object_unref(ss);
		return (n);
	}
	if (ss != NULL)
		n->states = a11y_states(ss);
	shown = a11y_node_has_state(n, A11Y_STATE_VISIBLE) &&
	    a11y_node_has_state(n, A11Y_STATE_SHOWING);
	/* Applications have no states: the filters start below them. */
	if ((o->visible && depth >= 2 && !shown) || (o->terminal &&
	    depth == 2 && !a11y_node_has_state(n, A11Y_STATE_ACTIVE))) {
		k->t->nodes--;
		a11y_node_free(n);
		return (NULL);
	}

	if (a11y_begin(k) == -1)
		return (n);
	s = atspi_accessible_get_role_name(acc, &err);
	a11y_end(k, &err);
	n->role = a11y_str(s);
	if (!calc && strcmp(n->role, "document spreadsheet") == 0)
		calc = 1;

	/* /terminal reads names, states and a terminal's text only. */
	if (o->terminal) {
		if (strcmp(n->role, "terminal") == 0)
			a11y_read_text(k, acc, n);
	} else {
		/* In upstream's order (main.py:428-512). */
		a11y_read_attributes(k, acc, n);
		if (shown)
			a11y_read_extents(k, acc, n);
		a11y_read_text(k, acc, n);
		n->image = a11y_is(k, acc, 1);
		n->selection = a11y_is(k, acc, 0);
		a11y_read_value(k, acc, n);
		a11y_read_actions(k, acc, n);
	}
	if (depth < A11Y_MAX_DEPTH)
		a11y_walk_children(k, acc, n, depth, calc);
	return (n);
}

static void
a11y_run(struct a11y_walk *w)
{
	struct a11y_walker	 k;
	AtspiAccessible		*desktop, *app;
	struct a11y_node	*n;
	GError			*err = NULL;
	long long		 start = deskd_now_ms();
	int			 i, count;

	if ((desktop = a11y_desktop()) == NULL) {
		w->error = A11Y_ENOBUS;
		pthread_mutex_lock(&a11y.lock);
		w->cause = xstrdup(a11y.reason);
		pthread_mutex_unlock(&a11y.lock);
		return;
	}
	memset(&k, 0, sizeof k);
	k.w = w;
	k.t = a11y_tree_new();
	/* Every application, in the registry's order (main.py:913). */
	if (a11y_begin(&k) == 0) {
		count = atspi_accessible_get_child_count(desktop, &err);
		if (a11y_end(&k, &err) == -1)
			count = 0;
		for (i = 0; i < count && !k.stop; i++) {
			k.app_gone = 0;
			k.app_errors = 0;
			if (a11y_begin(&k) == -1)
				break;
			app = atspi_accessible_get_child_at_index(desktop, i,
			    &err);
			if (a11y_end(&k, &err) == -1 || app == NULL) {
				if (app != NULL)
					g_object_unref(app);
				continue;
			}
			n = a11y_walk_node(&k, app, 1, 0);
			g_object_unref(app);
			if (k.app_gone) {
				k.t->unresponsive++;
				log_info("a11y: application %d (%s) does not "
				    "answer; left out", i, n != NULL ?
				    n->name : "?");
			}
			if (n != NULL)
				a11y_node_add_child(k.t->root, n);
		}
	}
	g_object_unref(desktop);
	k.t->elapsed_ms = deskd_now_ms() - start;
	log_debug("a11y: %u nodes in %lld ms%s", k.t->nodes, k.t->elapsed_ms,
	    k.t->partial ? " (partial)" : "");
	if (w->finish != NULL)
		w->finish(k.t, w->arg);
	a11y_tree_free(k.t);
}

static gboolean
a11y_probe_cb(gpointer arg)
{
	/* Only wakes the worker; the loop below looks at the time. */
	return (G_SOURCE_CONTINUE);
}

static void *
a11y_thread(void *arg)
{
	GMainContext	*ctx = g_main_context_default();
	GSource		*timer;
	AtspiAccessible	*desktop;
	struct a11y_walk *w;
	long long	 end;
	int		 i;

	/* libatspi hooks its connections to the default context. */
	g_main_context_push_thread_default(ctx);
	timer = g_timeout_source_new(A11Y_PROBE_MS);
	g_source_set_callback(timer, a11y_probe_cb, NULL, NULL);
	g_source_attach(timer, ctx);
	for (;;) {
		pthread_mutex_lock(&a11y.lock);
		if (a11y.quit) {
			pthread_mutex_unlock(&a11y.lock);
			break;
		}
		if ((w = TAILQ_FIRST(&a11y.queue)) != NULL) {
			TAILQ_REMOVE(&a11y.queue, w, entry);
			w->state = A11Y_RUNNING;
			a11y.running = w;
		}
		pthread_mutex_unlock(&a11y.lock);
		if (w != NULL) {
			a11y_run(w);
			a11y.next_probe = deskd_now_ms() + A11Y_PROBE_MS;
			pthread_mutex_lock(&a11y.lock);
			w->state = A11Y_DONE;
			a11y.running = NULL;
			pthread_mutex_unlock(&a11y.lock);
			event_active(w->ev, 0, 0);
			continue;
		}
		if (deskd_now_ms() >= a11y.next_probe) {
			if ((desktop = a11y_desktop()) != NULL)
				g_object_unref(desktop);
			a11y.next_probe = deskd_now_ms() + A11Y_PROBE_MS;
			continue;
		}
		/* D-Bus traffic, a new walk (wakeup) or the probe timer. */
		g_main_context_iteration(ctx, TRUE);
	}
	g_source_destroy(timer);
	g_source_unref(timer);
	/* Closes the bus and what libatspi holds for it (hung-process
	 * pings, the desktop, the applications). */
	if (a11y.inited) {
		/*
		 * Let answers in flight land first: libatspi pings an
		 * application whose call timed out and waits for the answer
		 * without a timeout (atspi-misc.c check_for_hang).
		 */
		end = deskd_now_ms() + A11Y_DRAIN_MS;
		while (deskd_now_ms() < end)
			if (!g_main_context_iteration(ctx, FALSE))
				usleep(10000);
		atspi_exit();
		/* Closed connections complete their pending calls (and free
		 * them) when dispatched. */
		for (i = 0; i < 100 && g_main_context_iteration(ctx, FALSE);
		    i++)
			;
	}
	g_main_context_pop_thread_default(ctx);
	return (NULL);
}

static void
a11y_walk_done_cb(evutil_socket_t fd, short events, void *arg)
{
	struct a11y_walk	*w = arg;

	a11y.nwalks--;
	w->done(w->error, w->cause, w->arg);
	event_free(w->ev);
	free(w->cause);
	free(w->app);
	free(w);
}

void
a11y_init(struct event_base *base)
{
	a11y.base = base;
	if (pthread_create(&a11y.thread, NULL, a11y_thread, NULL) != 0) {
		log_warn("a11y: cannot start its thread");
		a11y_set_bus(0, "cannot start the accessibility thread");
		return;
	}
	a11y.started = 1;
}

void
a11y_shutdown(void)
{
	struct a11y_walk	*w;
	struct timespec		 ts;

	if (!a11y.started)
		return;
	pthread_mutex_lock(&a11y.lock);
	a11y.quit = 1;
	while ((w = TAILQ_FIRST(&a11y.queue)) != NULL) {
		TAILQ_REMOVE(&a11y.queue, w, entry);
		w->error = A11Y_ESHUTDOWN;
		event_active(w->ev, 0, 0);
	}
	pthread_mutex_unlock(&a11y.lock);
	g_main_context_wakeup(g_main_context_default());
	/* A walk stuck in a call that ignores its timeout must not hold
	 * the exit: leave the thread to the process's end. */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += A11Y_QUIT_WAIT_MS / 1000;
	if (pthread_timedjoin_np(a11y.thread, NULL, &ts) != 0) {
		log_warnx("a11y: the walk does not stop; leaving it");
		pthread_detach(a11y.thread);
		a11y.started = 0;
		return;
	}
	a11y.started = 0;
	/* Walks it finished or dropped report on the loop before exit. */
	event_base_loop(a11y.base, EVLOOP_NONBLOCK);
}

struct a11y_walk *
a11y_walk_start(const struct a11y_opts *o, a11y_finish_cb finish,
    a11y_done_cb done, void *arg)
{
	struct a11y_walk	*w;

	w = xcalloc(1, sizeof *w);
	w->opts = *o;
	if (o->app != NULL)
		w->app = xstrdup(o->app);
	w->opts.app = w->app;
	w->deadline = deskd_now_ms() + o->budget_ms;
	w->finish = finish;
	w->done = done;
	w->arg = arg;
	w->ev = event_new(a11y.base, -1, 0, a11y_walk_done_cb, w);
	a11y.nwalks++;
	pthread_mutex_lock(&a11y.lock);
	if (!a11y.started || a11y.quit) {
		w->error = A11Y_ESHUTDOWN;
		w->cause = xstrdup("the accessibility thread is not running");
		event_active(w->ev, 0, 0);
	} else
		TAILQ_INSERT_TAIL(&a11y.queue, w, entry);
	pthread_mutex_unlock(&a11y.lock);
	g_main_context_wakeup(g_main_context_default());
	return (w);
}

int
a11y_walk_cancel(struct a11y_walk *w)
{
	int	 queued;

	pthread_mutex_lock(&a11y.lock);
	queued = w->state == A11Y_QUEUED && !a11y.quit && a11y.started;
	if (queued)
		TAILQ_REMOVE(&a11y.queue, w, entry);
	pthread_mutex_unlock(&a11y.lock);
	if (!queued)
		return (0);
	a11y.nwalks--;
	event_free(w->ev);
	free(w->app);
	free(w);
	return (1);
}

int
a11y_walk_queued(struct a11y_walk *w)
{
	int	 queued;

	pthread_mutex_lock(&a11y.lock);
	queued = w->state == A11Y_QUEUED && !a11y.quit && a11y.started;
	pthread_mutex_unlock(&a11y.lock);
	return (queued);
}

u_int
a11y_walks(void)
{
	return (a11y.nwalks);
}
