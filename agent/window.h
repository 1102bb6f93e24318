/*
 * window.h: top-level windows through EWMH (what wmctrl does, in C on the
 * one X connection): list _NET_CLIENT_LIST with WM_CLASS, _NET_WM_NAME
 * and geometry, match by wmctrl's rules, activate with a
 * _NET_ACTIVE_WINDOW client message and close with _NET_CLOSE_WINDOW.
 */
#ifndef WINDOW_H
#define WINDOW_H

#include <X11/Xlib.h>

struct http_req;

struct window {
	Window		 id;
	char		*title;		/* UTF-8, "" when unnamed */
	char		*instance;	/* WM_CLASS res_name, "" when none */
	char		*class;		/* WM_CLASS res_class, "" when none */
	int		 x, y;		/* client area, root coordinates */
	int		 w, h;		/* client area size (XGetGeometry) */
	long		 desktop;	/* _NET_WM_DESKTOP, -1 when unknown */
	long		 pid;		/* _NET_WM_PID, -1 when unknown */
	int		 active;
};

void		 window_init(void);
/* Stacking-independent client list order, as _NET_CLIENT_LIST gives. */
int		 window_list(struct window **, size_t *, char **cause);
void		 window_list_free(struct window *, size_t);
/*
 * wmctrl's rules for -a/-c: the first window whose title (or with
 * by_class "instance.class") contains name case-insensitively, or equals
 * it exactly when strict.
 */
struct window	*window_match(struct window *, size_t, const char *name,
		    int strict, int by_class);
/* First window whose WM_CLASS instance or class equals name, any case. */
struct window	*window_by_class(struct window *, size_t, const char *name);
int		 window_activate(Window, char **cause);
int		 window_close(Window, char **cause);

/* GET /v1/windows, POST /v1/windows/activate and /close (v1.c's table). */
void		 window_list_cb(struct http_req *, void *);
void		 window_activate_cb(struct http_req *, void *);
void		 window_close_cb(struct http_req *, void *);

#endif
