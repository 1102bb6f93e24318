/*
 * window.c: EWMH window listing, matching, activation and closing.
 *
 * Windows vanish between any two requests, so every call that names a
 * client window runs inside display_trap_push/pop and a window that
 * errors is skipped.  Without a window manager (no _NET_CLIENT_LIST) the
 * viewable children of the root stand in for the client list, activation
 * becomes raise + focus and closing a WM_DELETE_WINDOW message.
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include <jansson.h>

#include "deskproto.h"
#include "display.h"
#include "http.h"
#include "log.h"
#include "window.h"
#include "xmalloc.h"

#define WINDOW_MAX_CLIENTS	4096
#define WINDOW_MAX_PROP		(64 * 1024)	/* longs, for titles */
#define WINDOW_SOURCE_PAGER	2	/* EWMH source indication */

enum {
	A_CLIENT_LIST,
	A_ACTIVE_WINDOW,
	A_CLOSE_WINDOW,
	A_WM_NAME,
	A_UTF8_STRING,
	A_WM_DESKTOP,
	A_CURRENT_DESKTOP,
	A_WM_PID,
	A_WM_PROTOCOLS,
	A_WM_DELETE_WINDOW,
	A_COUNT
};

static char *window_atom_names[A_COUNT] = {
	"_NET_CLIENT_LIST",
	"_NET_ACTIVE_WINDOW",
	"_NET_CLOSE_WINDOW",
	"_NET_WM_NAME",
	"UTF8_STRING",
	"_NET_WM_DESKTOP",
	"_NET_CURRENT_DESKTOP",
	"_NET_WM_PID",
	"WM_PROTOCOLS",
	"WM_DELETE_WINDOW"
};
static Atom	 window_atoms[A_COUNT];
static Display	*window_atoms_dpy;

static void
window_hook_cb(Display *dpy, void *arg)
{
	/* Atoms belong to one server connection: intern them again. */
	window_atoms_dpy = NULL;
}

static Display *
window_display(char **cause)
{
	Display	*dpy;

	if ((dpy = display_need(cause)) == NULL)
		return (NULL);
	if (window_atoms_dpy != dpy) {
		XInternAtoms(dpy, window_atom_names, A_COUNT, False,
		    window_atoms);
		window_atoms_dpy = dpy;
	}
	return (dpy);
}

/* Copy s replacing invalid UTF-8 with U+FFFD (for JSON strings). */
static char *
window_utf8_clean(const char *s, size_t len)
{
	char	*out;

	/* X strings may carry a NUL-separated list: keep the first. */
	if ((out = proto_utf8_clean(s, strnlen(s, len), NULL)) == NULL)
		fatalx("%s: out of memory", __func__);
	return (out);
}

/* A property's raw bytes (format 8) or longs (format 32); NULL if none. */
static u_char *
window_prop(Display *dpy, Window w, Atom prop, Atom type, int *format,
    u_long *nitems, Atom *type_ret)
{
	Atom	 t;
	int	 f;
	u_long	 n, after;
	u_char	*data = NULL;

	if (XGetWindowProperty(dpy, w, prop, 0, WINDOW_MAX_PROP, False, type,
	    &t, &f, &n, &after, &data) != Success || data == NULL)
		return (NULL);
	if (t == None) {
		XFree(data);
		return (NULL);
	}
	if (format != NULL)
		*format = f;
	if (type_ret != NULL)
		*type_ret = t;
	*nitems = n;
	return (data);
}

static long
window_cardinal(Display *dpy, Window w, Atom prop)
{
	u_char	*d;
	u_long	 n;
	int	 f;
	long	 v = -1;

	if ((d = window_prop(dpy, w, prop, XA_CARDINAL, &f, &n, NULL)) == NULL)
		return (-1);
	if (f == 32 && n >= 1)
		v = (long)(((u_long *)d)[0] & 0xffffffffUL);
	XFree(d);
	/* 0xFFFFFFFF is "all desktops" (sticky). */
	return (v == 0xffffffffL ? -1 : v);
}

static char *
window_title(Display *dpy, Window w)
{
	u_char	*d;
	u_long	 n, i;
	int	 f;
	Atom	 t;
	char	*s, *latin;
	size_t	 o;

	d = window_prop(dpy, w, window_atoms[A_WM_NAME],
	    window_atoms[A_UTF8_STRING], &f, &n, &t);
	if (d != NULL && f == 8) {
		s = window_utf8_clean((char *)d, n);
		XFree(d);
		return (s);
	}
	if (d != NULL)
		XFree(d);
	/* WM_NAME is Latin-1 when typed STRING (ICCCM). */
	d = window_prop(dpy, w, XA_WM_NAME, AnyPropertyType, &f, &n, &t);
	if (d == NULL || f != 8) {
		if (d != NULL)
			XFree(d);
		return (xstrdup(""));
	}
	if (t == XA_STRING) {
		latin = xmalloc(n * 2 + 1);
		for (i = o = 0; i < n; i++) {
			if (d[i] < 0x80)
				latin[o++] = d[i];
			else {
				latin[o++] = 0xc0 | (d[i] >> 6);
				latin[o++] = 0x80 | (d[i] & 0x3f);
			}
		}
		s = window_utf8_clean(latin, o);
		free(latin);
	} else
		s = window_utf8_clean((char *)d, n);
	XFree(d);
	return (s);
}

/* Fill one entry; -1 when the window went away meanwhile. */
static int
window_fill(Display *dpy, Window id, Window active, struct window *win)
{
	XClassHint	 hint;
	Window		 root, child;
	int		 x, y;
	u_int		 w, h, bw, depth;

	memset(win, 0, sizeof *win);
	win->id = id;
	display_trap_push();
	if (!XGetGeometry(dpy, id, &root, &x, &y, &w, &h, &bw, &depth) ||
	    !XTranslateCoordinates(dpy, id, root, 0, 0, &x, &y, &child)) {
		display_trap_pop();
		return (-1);
	}
	win->x = x;
	win->y = y;
	win->w = w;
	win->h = h;
	win->title = window_title(dpy, id);
	hint.res_name = hint.res_class = NULL;
	if (XGetClassHint(dpy, id, &hint)) {
		win->instance = window_utf8_clean(hint.res_name ?
		    hint.res_name : "", hint.res_name ?
		    strlen(hint.res_name) : 0);
		win->class = window_utf8_clean(hint.res_class ?
		    hint.res_class : "", hint.res_class ?
		    strlen(hint.res_class) : 0);
		if (hint.res_name != NULL)
			XFree(hint.res_name);
		if (hint.res_class != NULL)
			XFree(hint.res_class);
	} else {
		win->instance = xstrdup("");
		win->class = xstrdup("");
	}
	win->desktop = window_cardinal(dpy, id, window_atoms[A_WM_DESKTOP]);
	win->pid = window_cardinal(dpy, id, window_atoms[A_WM_PID]);
	win->active = (id == active);
	if (display_trap_pop() != 0) {
		free(win->title);
		free(win->instance);
		free(win->class);
		return (-1);
	}
	return (0);
}

/* Without a window manager: viewable top-level windows with a class. */
static Window *
window_toplevels(Display *dpy, u_long *np)
{
	XWindowAttributes	 wa;
	XClassHint		 hint;
	Window			 root, parent, *kids = NULL, *out;
	u_int			 n, i;
	u_long			 o = 0;

	if (!XQueryTree(dpy, DefaultRootWindow(dpy), &root, &parent, &kids,
	    &n) || kids == NULL) {
		*np = 0;
		return (NULL);
	}
	out = xcalloc(n + 1, sizeof *out);
	for (i = 0; i < n && o < WINDOW_MAX_CLIENTS; i++) {
		display_trap_push();
		if (XGetWindowAttributes(dpy, kids[i], &wa) &&
		    wa.map_state == IsViewable && !wa.override_redirect &&
		    XGetClassHint(dpy, kids[i], &hint)) {
			XFree(hint.res_name);
			XFree(hint.res_class);
			out[o++] = kids[i];
		}
		display_trap_pop();
	}
	XFree(kids);
	*np = o;
	return (out);
}

int
window_list(struct window **vp, size_t *np, char **cause)
{
	Display		*dpy;
	struct window	*v;
	u_char		*d;
	Window		*ids, active = None;
	u_long		 n, i;
	size_t		 o = 0;
	int		 f, ewmh = 1;

	if ((dpy = window_display(cause)) == NULL)
		return (-1);
	display_trap_push();
	d = window_prop(dpy, DefaultRootWindow(dpy),
	    window_atoms[A_ACTIVE_WINDOW], XA_WINDOW, &f, &n, NULL);
	if (d != NULL) {
		if (f == 32 && n >= 1)
			active = ((u_long *)d)[0];
		XFree(d);
	}
	d = window_prop(dpy, DefaultRootWindow(dpy),
	    window_atoms[A_CLIENT_LIST], XA_WINDOW, &f, &n, NULL);
	display_trap_pop();
	if (d != NULL && f == 32) {
		ids = xcalloc(n + 1, sizeof *ids);
		for (i = 0; i < n; i++)
			ids[i] = ((u_long *)d)[i];
	} else {
		ewmh = 0;
		ids = window_toplevels(dpy, &n);
	}
	if (d != NULL)
		XFree(d);
	if (n > WINDOW_MAX_CLIENTS)
		n = WINDOW_MAX_CLIENTS;
	v = xcalloc(n + 1, sizeof *v);
	for (i = 0; i < n; i++) {
		if (window_fill(dpy, ids[i], active, &v[o]) == 0)
			o++;
	}
	free(ids);
	if (display_check_io() == -1) {
		window_list_free(v, o);
		*cause = xstrdup("X display connection lost");
		return (-1);
	}
	log_debug("%s: %zu windows%s", __func__, o, ewmh ? "" :
	    " (no window manager)");
	*vp = v;
	*np = o;
	return (0);
}

void
window_list_free(struct window *v, size_t n)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].title);
		free(v[i].instance);
		free(v[i].class);
	}
	free(v);
}

/* ASCII case folding, as wmctrl's g_utf8_casefold does for ASCII. */
static char *
window_fold(const char *s)
{
	char	*f, *p;

	f = xstrdup(s);
	for (p = f; *p != '\0'; p++)
		*p = tolower((u_char)*p);
	return (f);
}

struct window *
window_match(struct window *v, size_t n, const char *name, int strict,
    int by_class)
{
	struct window	*found = NULL;
	char		*hay, *fhay, *fname;
	size_t		 i;

	fname = window_fold(name);
	for (i = 0; i < n && found == NULL; i++) {
		if (by_class)
			xasprintf(&hay, "%s.%s", v[i].instance, v[i].class);
		else
			hay = xstrdup(v[i].title);
		if (strict) {
			if (strcmp(hay, name) == 0)
				found = &v[i];
		} else {
			fhay = window_fold(hay);
			if (strstr(fhay, fname) != NULL)
				found = &v[i];
			free(fhay);
		}
		free(hay);
	}
	free(fname);
	return (found);
}

struct window *
window_by_class(struct window *v, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (strcasecmp(v[i].instance, name) == 0 ||
		    strcasecmp(v[i].class, name) == 0)
			return (&v[i]);
	}
	return (NULL);
}

static void
window_client_msg(Display *dpy, Window w, Atom type, long d0, long d1,
    long d2)
{
	XEvent	 ev;

	memset(&ev, 0, sizeof ev);
	ev.xclient.type = ClientMessage;
	ev.xclient.serial = 0;
	ev.xclient.send_event = True;
	ev.xclient.window = w;
	ev.xclient.message_type = type;
	ev.xclient.format = 32;
	ev.xclient.data.l[0] = d0;
	ev.xclient.data.l[1] = d1;
	ev.xclient.data.l[2] = d2;
	XSendEvent(dpy, DefaultRootWindow(dpy), False,
	    SubstructureRedirectMask|SubstructureNotifyMask, &ev);
}

static int
window_have_wm(Display *dpy)
{
	u_char	*d;
	u_long	 n;
	int	 f;

	d = window_prop(dpy, DefaultRootWindow(dpy),
	    window_atoms[A_CLIENT_LIST], XA_WINDOW, &f, &n, NULL);
	if (d == NULL)
		return (0);
	XFree(d);
	return (1);
}

int
window_activate(Window w, char **cause)
{
	Display	*dpy;
	long	 desktop;

	if ((dpy = window_display(cause)) == NULL)
		return (-1);
	display_trap_push();
	if (window_have_wm(dpy)) {
		/* As wmctrl -a: switch to its desktop, then activate. */
		desktop = window_cardinal(dpy, w, window_atoms[A_WM_DESKTOP]);
		if (desktop >= 0)
			window_client_msg(dpy, DefaultRootWindow(dpy),
			    window_atoms[A_CURRENT_DESKTOP], desktop,
			    CurrentTime, 0);
		window_client_msg(dpy, w, window_atoms[A_ACTIVE_WINDOW],
		    WINDOW_SOURCE_PAGER, CurrentTime, 0);
		XMapRaised(dpy, w);
	} else {
		XMapRaised(dpy, w);
		XSetInputFocus(dpy, w, RevertToPointerRoot, CurrentTime);
	}
	if (display_trap_pop() != 0) {
		xasprintf(cause, "window 0x%lx is gone", (u_long)w);
		return (-1);
	}
	return (0);
}

int
window_close(Window w, char **cause)
{
	Display	*dpy;
	XEvent	 ev;

	if ((dpy = window_display(cause)) == NULL)
		return (-1);
	display_trap_push();
	if (window_have_wm(dpy))
		window_client_msg(dpy, w, window_atoms[A_CLOSE_WINDOW],
		    CurrentTime, WINDOW_SOURCE_PAGER, 0);
	else {
		/* ICCCM: ask the client itself to close the window. */
		memset(&ev, 0, sizeof ev);
		ev.xclient.type = ClientMessage;
		ev.xclient.window = w;
		ev.xclient.message_type = window_atoms[A_WM_PROTOCOLS];
		ev.xclient.format = 32;
		ev.xclient.data.l[0] = window_atoms[A_WM_DELETE_WINDOW];
		ev.xclient.data.l[1] = CurrentTime;
		XSendEvent(dpy, w, False, NoEventMask, &ev);
	}
	if (display_trap_pop() != 0) {
		xasprintf(cause, "window 0x%lx is gone", (u_long)w);
		return (-1);
	}
	return (0);
}

static json_t *
window_json(const struct window *w)
{
	return (json_pack("{s:I s:s s:s s:s s:{s:i s:i s:i s:i} s:b s:o s:o}",
	    "id", (json_int_t)w->id,
	    "title", w->title,
	    "class", w->class,
	    "instance", w->instance,
	    "geometry", "x", w->x, "y", w->y, "width", w->w, "height", w->h,
	    "active", w->active,
	    "desktop", w->desktop >= 0 ? json_integer(w->desktop) :
	    json_null(),
	    "pid", w->pid >= 0 ? json_integer(w->pid) : json_null()));
}

void
window_list_cb(struct http_req *req, void *arg)
{
	struct window	*v;
	json_t		*arr;
	char		*cause = NULL;
	size_t		 n, i;

	if (window_list(&v, &n, &cause) == -1) {
		http_reply_error(req, 503, "display_unavailable", "%s", cause);
		free(cause);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, window_json(&v[i]));
	window_list_free(v, n);
	http_reply_json(req, 200, json_pack("{s:o}", "windows", arr));
}

/* POST /v1/windows/{activate,close}: {"id": N} or {"name", "strict", ...} */
static void
window_action(struct http_req *req, int closing)
{
	struct window	*v = NULL, *w = NULL;
	json_t		*body, *id, *name, *strict, *by_class;
	char		*cause = NULL;
	size_t		 n = 0, i;
	int		 rc;

	if ((body = http_req_json(req, 0, &cause)) == NULL) {
		http_reply_error(req, 400, "bad_json", "%s", cause);
		free(cause);
		return;
	}
	id = json_object_get(body, "id");
	name = json_object_get(body, "name");
	strict = json_object_get(body, "strict");
	by_class = json_object_get(body, "by_class");
	if (!json_is_object(body) || (id == NULL) == (name == NULL) ||
	    (id != NULL && (!json_is_integer(id) ||
	    json_integer_value(id) <= 0 ||
	    json_integer_value(id) > 0xffffffffLL)) ||
	    (name != NULL && !json_is_string(name)) ||
	    (strict != NULL && !json_is_boolean(strict)) ||
	    (by_class != NULL && !json_is_boolean(by_class))) {
		http_reply_error(req, 400, "bad_request", "expected {\"id\": "
		    "integer} or {\"name\": string, \"strict\": bool, "
		    "\"by_class\": bool}");
		goto out;
	}
	if (window_list(&v, &n, &cause) == -1) {
		http_reply_error(req, 503, "display_unavailable", "%s", cause);
		goto out;
	}
	if (id != NULL) {
		for (i = 0; i < n; i++) {
			if (v[i].id == (Window)json_integer_value(id))
				w = &v[i];
		}
	} else
		w = window_match(v, n, json_string_value(name),
		    json_is_true(strict), json_is_true(by_class));
	if (w == NULL) {
		http_reply_error(req, 404, "not_found", "no such window");
		goto out;
	}
	rc = closing ? window_close(w->id, &cause) :
	    window_activate(w->id, &cause);
	if (rc == -1) {
		http_reply_error(req, 404, "not_found", "%s", cause);
		goto out;
	}
	http_reply_json(req, 200, window_json(w));
out:
	free(cause);
	window_list_free(v, n);
	json_decref(body);
}

void
window_activate_cb(struct http_req *req, void *arg)
{
	window_action(req, 0);
}

void
window_close_cb(struct http_req *req, void *arg)
{
	window_action(req, 1);
}

void
window_init(void)
{
	display_add_hook(window_hook_cb, NULL);
}
