/*
 * clipboard.c: the X selections (see clipboard.h).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>

#include "clipboard.h"
#include "deskd.h"
#include "display.h"
#include "http.h"
#include "input.h"
#include "keys.h"
#include "log.h"
#include "utf8.h"
#include "xmalloc.h"

#define CLIP_INCR_MAX	(256 * 1024)	/* bytes a chunk, at most */

enum {
	A_CLIPBOARD, A_TARGETS, A_TIMESTAMP, A_MULTIPLE, A_UTF8_STRING,
	A_TEXT, A_PLAIN_UTF8, A_PLAIN, A_PNG, A_INCR, A_PROP, A_STAMP,
	A_COUNT
};
static char *clip_atom_names[A_COUNT] = {
	"CLIPBOARD", "TARGETS", "TIMESTAMP", "MULTIPLE", "UTF8_STRING",
	"TEXT", "text/plain;charset=utf-8", "text/plain", "image/png", "INCR",
	"DESKD_SELECTION", "DESKD_TIMESTAMP"
};

enum { CLIP_CLIPBOARD = 0, CLIP_PRIMARY, CLIP_NSEL };
enum clip_kind { CLIP_TEXT, CLIP_IMAGE };
enum clip_want { CLIP_WANT_TEXT, CLIP_WANT_PNG, CLIP_WANT_TARGETS,
    CLIP_WANT_ANY };

/* What we hold for a selection; shared with INCR sends under way. */
struct clip_content {
	int		 refs;
	enum clip_kind	 kind;
	u_char		*data;
	size_t		 len;
};

struct clip_send {
	Window			 requestor;
	Atom			 property;
	Atom			 type;
	struct clip_content	*c;
	u_char			*conv;		/* STRING: the Latin-1 copy */
	size_t			 len;
	size_t			 off;
	int			 done;		/* the last, empty chunk sent */
	struct event		*timer;
	TAILQ_ENTRY(clip_send)	 entry;
};

struct clip_read;
typedef void (*clip_read_cb)(struct clip_read *, int status,
    const char *error, void *);

struct clip_read {
	enum clip_want		 want;
	int			 sel;
	clip_read_cb		 cb;
	void			*arg;
	int			 state;		/* 0 queued, 1 targets, 2 data */
	int			 incr;
	Atom			 target;
	Atom			 pick;		/* from TARGETS */
	Atom			 type;
	struct evbuffer		*data;
	json_t			*targets;	/* names, once read */
	enum clip_kind		 kind;		/* of data */
	struct event		*timer;
	TAILQ_ENTRY(clip_read)	 entry;
};

static struct {
	struct event_base	*base;
	Display			*dpy;
	int			 dead;
	struct event		*ev_read;
	struct event		*ev_kick;
	struct event		*ev_teardown;
	Window			 win;
	Atom			 atoms[A_COUNT];
	Atom			 sel_atom[CLIP_NSEL];
	size_t			 chunk;		/* INCR above this */
	struct clip_content	*own[CLIP_NSEL];
	Time			 owned_at[CLIP_NSEL];
	u_long			 served;	/* data requests answered */
	struct clip_paste	*waiting;	/* a paste waits for one */
	TAILQ_HEAD(, clip_send)	 sends;
	u_int			 nsends;
	TAILQ_HEAD(, clip_read)	 reads;
	u_int			 nreads;
} clip;

struct clip_paste;

static void	clip_read_next(void);
static void	clip_dispatch(void);
static void	clip_served(void);

/* Well-formed UTF-8 (proto/utf8.h's strict rule), NULs allowed. */
static int
clip_utf8_valid(const char *s, size_t len)
{
	size_t		 i = 0;
	uint32_t	 cp;

	while (i < len) {
		if ((u_char)s[i] < 0x80) {
			i++;
			continue;
		}
		i += proto_utf8_next(s + i, len - i, &cp);
		if (cp == PROTO_UTF8_BAD)
			return (0);
	}
	return (1);
}

/* ---- contents ---- */

static struct clip_content *
clip_content_new(enum clip_kind kind, const void *data, size_t len)
{
	struct clip_content	*c;

	c = xcalloc(1, sizeof *c);
	c->refs = 1;
	c->kind = kind;
	c->data = xmalloc(len + 1);
	memcpy(c->data, data, len);
	c->data[len] = '\0';
	c->len = len;
	return (c);
}

static struct clip_content *
clip_content_ref(struct clip_content *c)
{
	if (c != NULL)
		c->refs++;
	return (c);
}

static void
clip_content_unref(struct clip_content *c)
{
	if (c == NULL || --c->refs > 0)
		return;
	free(c->data);
	free(c);
}

/* UTF-8 to Latin-1 for STRING (ICCCM 2.7.1); '?' for the rest. */
static u_char *
clip_latin1(const u_char *s, size_t len, size_t *outlen)
{
	u_char		*out = xmalloc(len + 1);
	size_t		 i = 0, o = 0, n;
	uint32_t	 cp;

	while (i < len) {
		n = proto_utf8_next((const char *)s + i, len - i, &cp);
		out[o++] = cp < 0x100 ? (u_char)cp : '?';
		i += n;
	}
	*outlen = o;
	return (out);
}

/* Latin-1 to UTF-8, for a STRING read from another owner. */
static void
clip_from_latin1(struct evbuffer *b)
{
	struct evbuffer	*o = evbuffer_new();
	u_char		*s, c2[2];
	size_t		 i, len = evbuffer_get_length(b);

	s = evbuffer_pullup(b, -1);
	for (i = 0; i < len; i++) {
		if (s[i] < 0x80)
			evbuffer_add(o, &s[i], 1);
		else {
			c2[0] = 0xc0 | (s[i] >> 6);
			c2[1] = 0x80 | (s[i] & 0x3f);
			evbuffer_add(o, c2, 2);
		}
	}
	evbuffer_drain(b, len);
	evbuffer_add_buffer(b, o);
	evbuffer_free(o);
}

/* ---- the connection ---- */

static void
clip_kick(void)
{
	/* A reply can leave events in Xlib's queue: see display_kick. */
	if (clip.ev_kick != NULL && clip.dpy != NULL)
		event_active(clip.ev_kick, EV_TIMEOUT, 0);
}

static void
clip_send_free(struct clip_send *s)
{
	TAILQ_REMOVE(&clip.sends, s, entry);
	clip.nsends--;
	if (clip.dpy != NULL && !clip.dead)
		XSelectInput(clip.dpy, s->requestor, NoEventMask);
	event_free(s->timer);
	clip_content_unref(s->c);
	free(s->conv);
	free(s);
}

static void
clip_read_finish(struct clip_read *r, int status, const char *error)
{
	TAILQ_REMOVE(&clip.reads, r, entry);
	clip.nreads--;
	if (r->timer != NULL)
		event_free(r->timer);
	r->timer = NULL;
	r->cb(r, status, error, r->arg);
	if (r->data != NULL)
		evbuffer_free(r->data);
	json_decref(r->targets);
	free(r);
	clip_read_next();
}

static void
clip_close(void)
{
	struct clip_read	*r;
	int			 i;

	while (!TAILQ_EMPTY(&clip.sends))
		clip_send_free(TAILQ_FIRST(&clip.sends));
	for (i = 0; i < CLIP_NSEL; i++) {
		clip_content_unref(clip.own[i]);
		clip.own[i] = NULL;
	}
	if (clip.dpy != NULL) {
		if (clip.ev_read != NULL)
			event_free(clip.ev_read);
		clip.ev_read = NULL;
		display_remove_fd(ConnectionNumber(clip.dpy));
		/*
		 * The main connection was lost (hung or gone): this one shares
		 * its server, and XCloseDisplay's XSync would wait on it.
		 */
		if (display_get() == NULL || display_check_io() == -1)
			shutdown(ConnectionNumber(clip.dpy), SHUT_RDWR);
		XCloseDisplay(clip.dpy);
		clip.dpy = NULL;
	}
	clip.dead = 0;
	/* Reads under way fail: the server they asked is gone. */
	while ((r = TAILQ_FIRST(&clip.reads)) != NULL && r->state != 0)
		clip_read_finish(r, 503, "lost the X display");
}

static void
clip_teardown_cb(evutil_socket_t fd, short events, void *arg)
{
	log_warnx("clipboard: lost its X connection");
	clip_close();
}

static void
clip_io_exit_handler(Display *dpy, void *arg)
{
	struct timeval	 tv = { 0, 0 };

	if (dpy != clip.dpy || clip.dead)
		return;
	clip.dead = 1;
	evtimer_add(clip.ev_teardown, &tv);
}

static void
clip_socket_cb(evutil_socket_t fd, short events, void *arg)
{
	clip_dispatch();
}

static Bool
clip_is_stamp(Display *dpy, XEvent *ev, XPointer arg)
{
	return (ev->type == PropertyNotify && ev->xproperty.window ==
	    clip.win && ev->xproperty.atom == clip.atoms[A_STAMP]);
}

/* A server timestamp: ICCCM 2.1 wants one for ownership, not CurrentTime. */
static Time
clip_timestamp(void)
{
	XEvent	 ev;
	u_char	 none = 0;

	XChangeProperty(clip.dpy, clip.win, clip.atoms[A_STAMP], XA_STRING, 8,
	    PropModeAppend, &none, 0);
	XSync(clip.dpy, False);
	/* The event came before the reply XSync waited for. */
	if (XCheckIfEvent(clip.dpy, &ev, clip_is_stamp, NULL)) {
		clip_kick();
		return (ev.xproperty.time);
	}
	clip_kick();
	return (CurrentTime);
}

static void
clip_hook_cb(Display *main, void *arg)
{
	Display	*dpy;
	long	 max;
	int	 i;

	clip_close();
	if (main == NULL)
		return;
	if ((dpy = XOpenDisplay(display_name())) == NULL) {
		log_warnx("clipboard: cannot open X display %s",
		    display_name());
		return;
	}
	XSetIOErrorExitHandler(dpy, clip_io_exit_handler, NULL);
	clip.dpy = dpy;
	display_add_fd(ConnectionNumber(dpy));
	XInternAtoms(dpy, clip_atom_names, A_COUNT, False, clip.atoms);
	clip.sel_atom[CLIP_CLIPBOARD] = clip.atoms[A_CLIPBOARD];
	clip.sel_atom[CLIP_PRIMARY] = XA_PRIMARY;
	clip.win = XCreateSimpleWindow(dpy, DefaultRootWindow(dpy), -10, -10,
	    1, 1, 0, 0, 0);
	XSelectInput(dpy, clip.win, PropertyChangeMask);
	/* Bytes a property may take in one request, with room to spare. */
	max = XExtendedMaxRequestSize(dpy);
	if (max == 0)
		max = XMaxRequestSize(dpy);
	clip.chunk = (size_t)max * 4 - 1024;
	if (clip.chunk > CLIP_INCR_MAX)
		clip.chunk = CLIP_INCR_MAX;
	clip.ev_read = event_new(clip.base, ConnectionNumber(dpy),
	    EV_READ | EV_PERSIST, clip_socket_cb, NULL);
	event_add(clip.ev_read, NULL);
	for (i = 0; i < CLIP_NSEL; i++)
		clip.owned_at[i] = CurrentTime;
	XFlush(dpy);
	clip_read_next();
}

/* ---- owning ---- */

static int
clip_sel_index(Atom a)
{
	int	 i;

	for (i = 0; i < CLIP_NSEL; i++) {
		if (clip.sel_atom[i] == a)
			return (i);
	}
	return (-1);
}

/* Own the selections in mask with c (NULL: give them up). */
static int
clip_own(int mask, struct clip_content *c, char **cause)
{
	Time	 t;
	int	 i;

	if (clip.dpy == NULL || clip.dead) {
		*cause = xstrdup(display_reason() != NULL ? display_reason() :
		    "the clipboard's X connection is down");
		return (-1);
	}
	t = c != NULL ? clip_timestamp() : CurrentTime;
	for (i = 0; i < CLIP_NSEL; i++) {
		if (!(mask & (1 << i)))
			continue;
		clip_content_unref(clip.own[i]);
		clip.own[i] = NULL;
		if (c == NULL) {
			if (XGetSelectionOwner(clip.dpy, clip.sel_atom[i]) ==
			    clip.win)
				XSetSelectionOwner(clip.dpy, clip.sel_atom[i],
				    None, CurrentTime);
			continue;
		}
		XSetSelectionOwner(clip.dpy, clip.sel_atom[i], clip.win, t);
		if (XGetSelectionOwner(clip.dpy, clip.sel_atom[i]) !=
		    clip.win) {
			xasprintf(cause, "the X server did not give deskd "
			    "the %s selection", clip_atom_names[i == 0 ?
			    A_CLIPBOARD : A_TEXT]);
			return (-1);
		}
		clip.own[i] = clip_content_ref(c);
		clip.owned_at[i] = t;
	}
	XFlush(clip.dpy);
	clip_kick();
	return (0);
}

static void
clip_notify(XSelectionRequestEvent *req, Atom property)
{
	XEvent	 ev;

	memset(&ev, 0, sizeof ev);
	ev.xselection.type = SelectionNotify;
	ev.xselection.requestor = req->requestor;
	ev.xselection.selection = req->selection;
	ev.xselection.target = req->target;
	ev.xselection.property = property;
	ev.xselection.time = req->time;
	XSendEvent(clip.dpy, req->requestor, False, 0, &ev);
}

static void
clip_send_timeout_cb(evutil_socket_t fd, short events, void *arg)
{
	log_debug("clipboard: an INCR requestor stopped reading");
	clip_send_free(arg);
}

static void
clip_send_arm(struct clip_send *s)
{
	struct timeval	 tv = { DESKD_CLIP_TIMEOUT_MS / 1000,
			    (DESKD_CLIP_TIMEOUT_MS % 1000) * 1000 };

	evtimer_add(s->timer, &tv);
}

/* The requestor deleted the property: the next chunk (or the end). */
static void
clip_send_chunk(struct clip_send *s)
{
	const u_char	*p = s->conv != NULL ? s->conv : s->c->data;
	size_t		 n = s->len - s->off;

	if (n > clip.chunk)
		n = clip.chunk;
	XChangeProperty(clip.dpy, s->requestor, s->property, s->type, 8,
	    PropModeReplace, p + s->off, (int)n);
	s->off += n;
	if (n == 0) {
		clip_send_free(s);
		clip_served();
		return;
	}
	clip_send_arm(s);
}

static void
clip_request(XSelectionRequestEvent *req)
{
	struct clip_content	*c;
	struct clip_send	*s;
	Atom			 prop, type, targets[12];
	u_char			*conv = NULL;
	const u_char		*data;
	size_t			 len;
	long			 stamp;
	int			 i, n = 0;

	/* ICCCM 2.2: a None property is an obsolete client's: use target. */
	prop = req->property != None ? req->property : req->target;
	i = clip_sel_index(req->selection);
	if (i == -1 || (c = clip.own[i]) == NULL || req->owner != clip.win ||
	    (req->time != CurrentTime && clip.owned_at[i] != CurrentTime &&
	    req->time < clip.owned_at[i])) {
		clip_notify(req, None);
		return;
	}
	if (req->target == clip.atoms[A_TARGETS]) {
		targets[n++] = clip.atoms[A_TARGETS];
		targets[n++] = clip.atoms[A_TIMESTAMP];
		if (c->kind == CLIP_TEXT) {
			targets[n++] = clip.atoms[A_UTF8_STRING];
			targets[n++] = clip.atoms[A_PLAIN_UTF8];
			targets[n++] = clip.atoms[A_TEXT];
			targets[n++] = XA_STRING;
			targets[n++] = clip.atoms[A_PLAIN];
		} else
			targets[n++] = clip.atoms[A_PNG];
		XChangeProperty(clip.dpy, req->requestor, prop, XA_ATOM, 32,
		    PropModeReplace, (u_char *)targets, n);
		clip_notify(req, prop);
		return;
	}
	if (req->target == clip.atoms[A_TIMESTAMP]) {
		stamp = (long)clip.owned_at[i];
		XChangeProperty(clip.dpy, req->requestor, prop, XA_INTEGER, 32,
		    PropModeReplace, (u_char *)&stamp, 1);
		clip_notify(req, prop);
		return;
	}
	data = c->data;
	len = c->len;
	if (c->kind == CLIP_TEXT && (req->target == clip.atoms[A_UTF8_STRING] ||
	    req->target == clip.atoms[A_TEXT] ||
	    req->target == clip.atoms[A_PLAIN_UTF8]))
		type = req->target == clip.atoms[A_PLAIN_UTF8] ?
		    req->target : clip.atoms[A_UTF8_STRING];
	else if (c->kind == CLIP_TEXT && (req->target == XA_STRING ||
	    req->target == clip.atoms[A_PLAIN])) {
		type = req->target;
		conv = clip_latin1(c->data, c->len, &len);
		data = conv;
	} else if (c->kind == CLIP_IMAGE && req->target == clip.atoms[A_PNG])
		type = clip.atoms[A_PNG];
	else {
		/* MULTIPLE and the rest: refused (ICCCM 2.2). */
		clip_notify(req, None);
		return;
	}

	if (len <= clip.chunk) {
		XChangeProperty(clip.dpy, req->requestor, prop, type, 8,
		    PropModeReplace, data, (int)len);
		clip_notify(req, prop);
		free(conv);
		clip_served();
		return;
	}
	if (clip.nsends >= DESKD_CLIP_MAX_SENDS) {
		log_warnx("clipboard: %d INCR transfers at once already "
		    "(DESKD_CLIP_MAX_SENDS): refused", DESKD_CLIP_MAX_SENDS);
		clip_notify(req, None);
		free(conv);
		return;
	}
	/* ICCCM 2.7.2: INCR with a lower bound of the size, then chunks. */
	s = xcalloc(1, sizeof *s);
	s->requestor = req->requestor;
	s->property = prop;
	s->type = type;
	s->c = clip_content_ref(c);
	s->conv = conv;
	s->len = len;
	s->timer = evtimer_new(clip.base, clip_send_timeout_cb, s);
	TAILQ_INSERT_TAIL(&clip.sends, s, entry);
	clip.nsends++;
	XSelectInput(clip.dpy, req->requestor, PropertyChangeMask);
	stamp = (long)len;
	XChangeProperty(clip.dpy, req->requestor, prop, clip.atoms[A_INCR], 32,
	    PropModeReplace, (u_char *)&stamp, 1);
	clip_notify(req, prop);
	clip_send_arm(s);
}

/* ---- reading ---- */

static void
clip_read_timeout_cb(evutil_socket_t fd, short events, void *arg)
{
	char	*msg;

	xasprintf(&msg, "the clipboard's owner did not answer within %d ms "
	    "(DESKD_CLIP_TIMEOUT_MS)", DESKD_CLIP_TIMEOUT_MS);
	clip_read_finish(arg, 504, msg);
	free(msg);
}

/* Answer from what we own ourselves: no conversation needed. */
static int
clip_read_own(struct clip_read *r)
{
	struct clip_content	*c = clip.own[r->sel];

	if (c == NULL)
		return (0);
	if (r->want == CLIP_WANT_TARGETS) {
		r->targets = json_pack("[s, s]", "TARGETS", c->kind ==
		    CLIP_TEXT ? "UTF8_STRING" : "image/png");
		clip_read_finish(r, 200, NULL);
		return (1);
	}
	if ((r->want == CLIP_WANT_TEXT && c->kind != CLIP_TEXT) ||
	    (r->want == CLIP_WANT_PNG && c->kind != CLIP_IMAGE)) {
		clip_read_finish(r, 404, r->want == CLIP_WANT_TEXT ?
		    "the clipboard holds an image, not text" :
		    "the clipboard holds text, not an image");
		return (1);
	}
	r->kind = c->kind;
	r->data = evbuffer_new();
	evbuffer_add(r->data, c->data, c->len);
	clip_read_finish(r, 200, NULL);
	return (1);
}

static void
clip_convert(struct clip_read *r, Atom target)
{
	r->target = target;
	XDeleteProperty(clip.dpy, clip.win, clip.atoms[A_PROP]);
	XConvertSelection(clip.dpy, clip.sel_atom[r->sel], target,
	    clip.atoms[A_PROP], clip.win, CurrentTime);
	XFlush(clip.dpy);
}

/* Start the read at the head of the queue, if it is not running. */
static void
clip_read_next(void)
{
	struct clip_read	*r;
	struct timeval		 tv = { DESKD_CLIP_TIMEOUT_MS / 1000,
				    (DESKD_CLIP_TIMEOUT_MS % 1000) * 1000 };
	Window			 owner;

	while ((r = TAILQ_FIRST(&clip.reads)) != NULL && r->state == 0) {
		if (clip.dpy == NULL || clip.dead) {
			clip_read_finish(r, 503, display_reason() != NULL ?
			    display_reason() : "the clipboard's X connection "
			    "is down");
			return;
		}
		if (clip_read_own(r))
			return;		/* clip_read_finish ran the next */
		owner = XGetSelectionOwner(clip.dpy, clip.sel_atom[r->sel]);
		clip_kick();
		if (owner == None) {
			clip_read_finish(r, 404, "the clipboard is empty");
			return;
		}
		r->state = 1;
		r->timer = evtimer_new(clip.base, clip_read_timeout_cb, r);
		evtimer_add(r->timer, &tv);
		clip_convert(r, clip.atoms[A_TARGETS]);
	}
}

static json_t *
clip_names(const Atom *a, u_long n)
{
	json_t	*j = json_array();
	char	**names;
	u_long	 i;

	if (n == 0)
		return (j);
	names = xcalloc(n, sizeof *names);
	if (XGetAtomNames(clip.dpy, (Atom *)a, (int)n, names)) {
		for (i = 0; i < n; i++) {
			if (names[i] != NULL)
				json_array_append_new(j,
				    json_string(names[i]));
			XFree(names[i]);
		}
	}
	free(names);
	return (j);
}

/* The target to ask for, from the owner's TARGETS; None if none fits. */
static Atom
clip_pick(struct clip_read *r, const Atom *a, u_long n)
{
	static const int	 text[] = { A_UTF8_STRING, A_PLAIN_UTF8 };
	u_long			 i;
	size_t			 k;

	if (r->want != CLIP_WANT_PNG) {
		for (k = 0; k < sizeof text / sizeof text[0]; k++) {
			for (i = 0; i < n; i++) {
				if (a[i] == clip.atoms[text[k]])
					return (a[i]);
			}
		}
		for (i = 0; i < n; i++) {
			if (a[i] == XA_STRING)
				return (a[i]);
		}
	}
	if (r->want != CLIP_WANT_TEXT) {
		for (i = 0; i < n; i++) {
			if (a[i] == clip.atoms[A_PNG])
				return (a[i]);
		}
	}
	return (None);
}

/* Read (and delete) our property; -1 when it cannot be read. */
static int
clip_take(struct clip_read *r, Atom *type, int *format, u_long *n)
{
	u_char	*d = NULL;
	u_long	 after;

	if (XGetWindowProperty(clip.dpy, clip.win, clip.atoms[A_PROP], 0,
	    (DESKD_CLIP_MAX_BYTES + 3) / 4 + 1, True, AnyPropertyType, type,
	    format, n, &after, &d) != Success) {
		clip_kick();
		return (-1);
	}
	clip_kick();
	if (d == NULL)
		return (0);
	if (*type == XA_ATOM && *format == 32 && r->state == 1) {
		r->targets = clip_names((Atom *)d, *n);
		r->pick = clip_pick(r, (Atom *)d, *n);
	} else if (*type != clip.atoms[A_INCR] && *format == 8) {
		if (r->data == NULL)
			r->data = evbuffer_new();
		if (evbuffer_get_length(r->data) + *n > DESKD_CLIP_MAX_BYTES ||
		    after > 0) {
			XFree(d);
			return (-2);
		}
		evbuffer_add(r->data, d, *n);
	}
	XFree(d);
	return (0);
}

static void
clip_read_done_data(struct clip_read *r)
{
	if (r->type == XA_STRING)
		clip_from_latin1(r->data);
	r->kind = r->type == clip.atoms[A_PNG] ? CLIP_IMAGE : CLIP_TEXT;
	clip_read_finish(r, 200, NULL);
}

static void
clip_too_big(struct clip_read *r)
{
	char	*msg;

	xasprintf(&msg, "the clipboard holds more than %d bytes "
	    "(DESKD_CLIP_MAX_BYTES)", DESKD_CLIP_MAX_BYTES);
	clip_read_finish(r, 413, msg);
	free(msg);
}

static void
clip_selection_notify(XSelectionEvent *ev)
{
	struct clip_read	*r = TAILQ_FIRST(&clip.reads);
	Atom			 type, pick;
	u_long			 n;
	int			 format, rc;

	if (r == NULL || r->state == 0 || ev->requestor != clip.win ||
	    ev->selection != clip.sel_atom[r->sel] || ev->target != r->target)
		return;
	if (ev->property == None) {
		if (r->state == 1 && r->want != CLIP_WANT_TARGETS) {
			/* No TARGETS: ask for the likeliest target itself. */
			r->state = 2;
			clip_convert(r, r->want == CLIP_WANT_PNG ?
			    clip.atoms[A_PNG] : clip.atoms[A_UTF8_STRING]);
			return;
		}
		clip_read_finish(r, 404, "the clipboard's owner refused to "
		    "convert it");
		return;
	}
	if ((rc = clip_take(r, &type, &format, &n)) < 0) {
		if (rc == -2)
			clip_too_big(r);
		else
			clip_read_finish(r, 502, "cannot read the converted "
			    "clipboard");
		return;
	}
	if (r->state == 1) {
		pick = r->pick;
		if (r->want == CLIP_WANT_TARGETS) {
			if (r->targets == NULL)
				r->targets = json_array();
			clip_read_finish(r, 200, NULL);
			return;
		}
		if (pick == None) {
			clip_read_finish(r, 404, r->want == CLIP_WANT_PNG ?
			    "the clipboard holds no image/png" :
			    "the clipboard holds no text");
			return;
		}
		r->state = 2;
		clip_convert(r, pick);
		return;
	}
	r->type = type;
	if (type == clip.atoms[A_INCR]) {
		/* ICCCM 2.7.2: chunks come as we delete the property. */
		r->incr = 1;
		return;
	}
	clip_read_done_data(r);
}

static void
clip_property_notify(XPropertyEvent *ev)
{
	struct clip_read	*r;
	struct clip_send	*s;
	Atom			 type;
	u_long			 n;
	int			 format, rc;

	if (ev->window != clip.win) {
		TAILQ_FOREACH(s, &clip.sends, entry) {
			if (s->requestor == ev->window &&
			    s->property == ev->atom &&
			    ev->state == PropertyDelete) {
				clip_send_chunk(s);
				return;
			}
		}
		return;
	}
	r = TAILQ_FIRST(&clip.reads);
	if (r == NULL || !r->incr || ev->atom != clip.atoms[A_PROP] ||
	    ev->state != PropertyNewValue)
		return;
	if ((rc = clip_take(r, &type, &format, &n)) < 0) {
		if (rc == -2)
			clip_too_big(r);
		else
			clip_read_finish(r, 502, "cannot read the clipboard's "
			    "INCR chunks");
		return;
	}
	r->type = type;
	if (n == 0) {
		if (r->data == NULL)
			r->data = evbuffer_new();
		clip_read_done_data(r);
	}
}

static void
clip_dispatch(void)
{
	XEvent	 ev;
	int	 i;

	while (clip.dpy != NULL && !clip.dead && XPending(clip.dpy) > 0) {
		XNextEvent(clip.dpy, &ev);
		switch (ev.type) {
		case SelectionRequest:
			clip_request(&ev.xselectionrequest);
			break;
		case SelectionClear:
			i = clip_sel_index(ev.xselectionclear.selection);
			if (i != -1) {
				clip_content_unref(clip.own[i]);
				clip.own[i] = NULL;
			}
			break;
		case SelectionNotify:
			clip_selection_notify(&ev.xselection);
			break;
		case PropertyNotify:
			clip_property_notify(&ev.xproperty);
			break;
		}
		XFlush(clip.dpy);
	}
}

/* Queue a read; cb runs when it ends (maybe before this returns). */
static int
clip_read_start(int sel, enum clip_want want, clip_read_cb cb, void *arg)
{
	struct clip_read	*r;

	if (clip.nreads >= DESKD_CLIP_MAX_WAITING)
		return (-1);
	r = xcalloc(1, sizeof *r);
	r->sel = sel;
	r->want = want;
	r->cb = cb;
	r->arg = arg;
	TAILQ_INSERT_TAIL(&clip.reads, r, entry);
	clip.nreads++;
	clip_read_next();
	return (0);
}

/* ---- HTTP ---- */

struct clip_req {
	struct http_req		*req;
	struct clip_read	*r;	/* NULL once finished */
	int			 gone;
};

static void
clip_http_done(struct clip_read *r, int status, const char *error, void *arg)
{
	struct clip_req	*cr = arg;
	struct http_req	*req = cr->req;

	if (cr->gone) {
		free(cr);
		return;
	}
	http_req_set_close_cb(req, NULL, NULL);
	free(cr);
	if (error != NULL) {
		http_reply_error(req, status, status == 504 ?
		    "clipboard_timeout" : status == 404 ? "clipboard_empty" :
		    status == 413 ? "too_large" : "clipboard_failed", "%s",
		    error);
		return;
	}
	if (r->want == CLIP_WANT_TARGETS) {
		http_reply_json(req, 200, json_pack("{s:O}", "targets",
		    r->targets != NULL ? r->targets : json_array()));
		return;
	}
	if (r->kind == CLIP_TEXT && !clip_utf8_valid((const char *)
	    evbuffer_pullup(r->data, -1), evbuffer_get_length(r->data))) {
		http_reply_error(req, 502, "bad_text", "the clipboard's owner "
		    "sent text that is not UTF-8");
		return;
	}
	http_reply_buffer(req, 200, r->kind == CLIP_TEXT ?
	    "text/plain; charset=utf-8" : "image/png", r->data);
}

static void
clip_http_close_cb(struct http_req *req, void *arg)
{
	struct clip_req	*cr = arg;

	/* The read runs to its end (bounded); its answer is dropped. */
	cr->gone = 1;
}

static int
clip_parse_sel(struct http_req *req)
{
	const char	*q = http_req_query(req, "selection");

	if (q == NULL || strcmp(q, "clipboard") == 0)
		return (CLIP_CLIPBOARD);
	if (strcmp(q, "primary") == 0)
		return (CLIP_PRIMARY);
	return (-1);
}

static void
clip_get(struct http_req *req)
{
	struct clip_req	*cr;
	const char	*q = http_req_query(req, "type");
	enum clip_want	 want;
	int		 sel;

	if ((sel = clip_parse_sel(req)) == -1) {
		http_reply_error(req, 400, "bad_parameter", "selection must "
		    "be clipboard or primary");
		return;
	}
	if (q == NULL || strcmp(q, "text") == 0)
		want = CLIP_WANT_TEXT;
	else if (strcmp(q, "png") == 0 || strcmp(q, "image/png") == 0)
		want = CLIP_WANT_PNG;
	else if (strcmp(q, "targets") == 0)
		want = CLIP_WANT_TARGETS;
	else {
		http_reply_error(req, 400, "bad_parameter", "type must be "
		    "text, png or targets");
		return;
	}
	cr = xcalloc(1, sizeof *cr);
	cr->req = req;
	http_req_set_close_cb(req, clip_http_close_cb, cr);
	if (clip_read_start(sel, want, clip_http_done, cr) == -1) {
		http_req_set_close_cb(req, NULL, NULL);
		free(cr);
		http_reply_error(req, 503, "busy", "%d clipboard reads are "
		    "waiting already (DESKD_CLIP_MAX_WAITING)",
		    DESKD_CLIP_MAX_WAITING);
	}
}

static void
clip_put(struct http_req *req)
{
	struct clip_content	*c;
	struct evbuffer		*body = http_req_body(req);
	const char		*ct = http_req_header(req, "Content-Type");
	const u_char		*d;
	size_t			 len = evbuffer_get_length(body);
	char			*cause = NULL;
	json_t			*sels;
	enum clip_kind		 kind;
	int			 sel, mask;

	if (ct == NULL || strncasecmp(ct, "text/plain", 10) == 0)
		kind = CLIP_TEXT;
	else if (strncasecmp(ct, "image/png", 9) == 0)
		kind = CLIP_IMAGE;
	else {
		http_reply_error(req, 415, "unsupported_type", "the clipboard "
		    "takes text/plain (UTF-8) or image/png, not %.64s", ct);
		return;
	}
	d = evbuffer_pullup(body, -1);
	if (kind == CLIP_TEXT && !clip_utf8_valid((const char *)d, len)) {
		http_reply_error(req, 400, "bad_text", "the text is not "
		    "UTF-8");
		return;
	}
	if (kind == CLIP_IMAGE && (len < 8 ||
	    memcmp(d, "\x89PNG\r\n\x1a\n", 8) != 0)) {
		http_reply_error(req, 400, "bad_image", "the body is not a "
		    "PNG");
		return;
	}
	/* PUT sets both, as a copy in most X applications does. */
	if ((sel = http_req_query(req, "selection") != NULL ?
	    clip_parse_sel(req) : -2) == -1) {
		http_reply_error(req, 400, "bad_parameter", "selection must "
		    "be clipboard or primary");
		return;
	}
	mask = sel == -2 ? (1 << CLIP_CLIPBOARD) | (1 << CLIP_PRIMARY) :
	    1 << sel;
	c = clip_content_new(kind, d, len);
	if (clip_own(mask, c, &cause) == -1) {
		http_reply_error(req, 503, "display_unavailable", "%s", cause);
		free(cause);
		clip_content_unref(c);
		return;
	}
	clip_content_unref(c);
	sels = json_array();
	if (mask & (1 << CLIP_CLIPBOARD))
		json_array_append_new(sels, json_string("clipboard"));
	if (mask & (1 << CLIP_PRIMARY))
		json_array_append_new(sels, json_string("primary"));
	http_reply_json(req, 200, json_pack("{s:s, s:I, s:o}", "type",
	    kind == CLIP_TEXT ? "text" : "image/png", "bytes",
	    (json_int_t)len, "selections", sels));
}

void
clipboard_cb(struct http_req *req, void *arg)
{
	char	*cause = NULL;

	switch (http_req_method(req)) {
	case HTTP_PUT:
		clip_put(req);
		break;
	case HTTP_DELETE:
		if (clip_own((1 << CLIP_CLIPBOARD) | (1 << CLIP_PRIMARY), NULL,
		    &cause) == -1) {
			http_reply_error(req, 503, "display_unavailable", "%s",
			    cause);
			free(cause);
			return;
		}
		http_reply(req, 204, NULL, NULL, 0);
		break;
	default:
		clip_get(req);
		break;
	}
}

/* ---- pasting ---- */

struct clip_paste {
	struct input_job	*job;
	struct clip_content	*text;
	struct clip_content	*saved;		/* what was there before */
	int			 was_owned;	/* someone owned CLIPBOARD */
	int			 set;		/* ours is on the clipboard */
	struct event		*timer;
	const char		*error;
};

static void
clip_paste_restore(struct clip_paste *p)
{
	char	*cause = NULL;

	if (!p->set)
		return;
	p->set = 0;
	/*
	 * Ours is replaced only if it is still ours: an application that
	 * took the clipboard since has the newer content.
	 */
	if (clip.own[CLIP_CLIPBOARD] != p->text)
		return;
	if (clip_own(1 << CLIP_CLIPBOARD, p->saved, &cause) == -1) {
		log_debug("%s: %s", __func__, cause);
		free(cause);
	}
	if (p->saved == NULL && p->was_owned)
		log_debug("%s: the previous clipboard could not be read, and "
		    "is left empty", __func__);
}

static void
clip_paste_free(void *arg)
{
	struct clip_paste	*p = arg;

	if (clip.waiting == p)
		clip.waiting = NULL;
	/* Cancelled half-way: what was there comes back all the same. */
	clip_paste_restore(p);
	if (p->timer != NULL)
		event_free(p->timer);
	clip_content_unref(p->text);
	clip_content_unref(p->saved);
	free(p);
}

static void
clip_paste_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct clip_paste	*p = arg;
	const char		*error = p->error;

	p->error = NULL;
	if (clip.waiting == p)
		clip.waiting = NULL;
	input_job_resume(p->job, error);
}

static void
clip_paste_soon(struct clip_paste *p, int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(p->timer, &tv);
}

static void
clip_paste_saved(struct clip_read *r, int status, const char *error,
    void *arg)
{
	struct clip_paste	*p = arg;
	char			*cause = NULL;
	u_char			*d;
	size_t			 len;

	if (error == NULL && r->data != NULL) {
		len = evbuffer_get_length(r->data);
		d = evbuffer_pullup(r->data, -1);
		p->saved = clip_content_new(r->kind, d != NULL ? d :
		    (u_char *)"", len);
	}
	p->was_owned = status != 404 || p->saved != NULL;
	if (error != NULL && status != 404)
		log_debug("%s: the clipboard before the paste: %s", __func__,
		    error);
	if (clip_own(1 << CLIP_CLIPBOARD, p->text, &cause) == -1) {
		/* The job fails with this; the error lives in p. */
		p->error = "cannot own the clipboard to paste";
		log_debug("%s: %s", __func__, cause);
		free(cause);
	} else
		p->set = 1;
	clip_paste_soon(p, 0);
}

static int
clip_paste_save_cb(struct input_job *job, void *arg, char **cause)
{
	struct clip_paste	*p = arg;

	p->job = job;
	if (p->timer == NULL)
		p->timer = evtimer_new(clip.base, clip_paste_timer_cb, p);
	if (clip_read_start(CLIP_CLIPBOARD, CLIP_WANT_ANY, clip_paste_saved,
	    p) == -1) {
		xasprintf(cause, "%d clipboard reads are waiting already",
		    DESKD_CLIP_MAX_WAITING);
		return (-1);
	}
	return (0);
}

/* A data target was sent: a paste waiting for one goes on. */
static void
clip_served(void)
{
	struct clip_paste	*p = clip.waiting;

	clip.served++;
	if (p == NULL)
		return;
	clip.waiting = NULL;
	evtimer_del(p->timer);
	clip_paste_soon(p, 0);
}

static int
clip_paste_wait_cb(struct input_job *job, void *arg, char **cause)
{
	struct clip_paste	*p = arg;

	/*
	 * The application asks for the selection when the ctrl+v reaches
	 * it: go on as soon as a data target was sent, at most
	 * DESKD_CLIP_PASTE_MS (an application that does not paste).
	 */
	if (!p->set) {
		xasprintf(cause, "%s", p->error != NULL ? p->error :
		    "the clipboard could not be set");
		return (-1);
	}
	clip.waiting = p;
	clip_paste_soon(p, DESKD_CLIP_PASTE_MS);
	return (0);
}

static int
clip_paste_restore_cb(struct input_job *job, void *arg, char **cause)
{
	struct clip_paste	*p = arg;

	clip_paste_restore(p);
	clip_paste_soon(p, 0);
	return (0);
}

int
clipboard_job_paste(struct input_job *job, const char *text, size_t len,
    char **cause)
{
	struct clip_paste	*p;
	struct keys_seq		*seq;

	if (!clip_utf8_valid(text, len)) {
		*cause = xstrdup("text is not UTF-8");
		return (-1);
	}
	if ((seq = keys_parse("ctrl+v", cause)) == NULL)
		return (-1);
	p = xcalloc(1, sizeof *p);
	p->text = clip_content_new(CLIP_TEXT, text, len);
	input_job_await(job, clip_paste_save_cb, p, clip_paste_free);
	input_job_key_seq(job, seq, 0);
	keys_seq_free(seq);
	input_job_await(job, clip_paste_wait_cb, p, NULL);
	input_job_await(job, clip_paste_restore_cb, p, NULL);
	return (0);
}

unsigned long
clipboard_served(void)
{
	return (clip.served);
}

static void
clip_kick_cb(evutil_socket_t fd, short events, void *arg)
{
	clip_dispatch();
}

void
clipboard_init(struct event_base *base)
{
	clip.base = base;
	TAILQ_INIT(&clip.sends);
	TAILQ_INIT(&clip.reads);
	clip.ev_kick = evtimer_new(base, clip_kick_cb, NULL);
	clip.ev_teardown = evtimer_new(base, clip_teardown_cb, NULL);
	display_add_hook(clip_hook_cb, NULL);
}

void
clipboard_shutdown(void)
{
	struct clip_read	*r;

	while ((r = TAILQ_FIRST(&clip.reads)) != NULL) {
		r->state = 1;
		clip_read_finish(r, 503, "deskd is shutting down");
	}
	clip_close();
	if (clip.ev_kick != NULL)
		event_free(clip.ev_kick);
	if (clip.ev_teardown != NULL)
		event_free(clip.ev_teardown);
	clip.ev_kick = clip.ev_teardown = NULL;
}
