/*
 * osworld_setup.c: OSWorld's window and setup routes: /window_size,
 * /desktop_path, /wallpaper, /setup/change_wallpaper, /setup/open_file,
 * /setup/activate_window and /setup/close_window (see osworld.h), over
 * window.c and proc.c.
 *
 * Nothing waits by blocking: open_file polls the client list on a timer,
 * gsettings runs as a watched child.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include <jansson.h>

#include "deskd.h"
#include "deskproto.h"
#include "files.h"
#include "http.h"
#include "log.h"
#include "osworld.h"
#include "proc.h"
#include "window.h"
#include "xmalloc.h"

static struct event_base	*osworld_setup_base;

/* POST /window_size, form app_class_name */
void
osworld_setup_window_size_cb(struct http_req *req, void *arg)
{
	struct window	*v, *w;
	char		*name, *cause = NULL;
	size_t		 n;

	if ((name = osworld_field(req, "app_class_name")) == NULL) {
		osworld_reply_error(req, 400, "app_class_name is required");
		return;
	}
	if (window_list(&v, &n, &cause) == -1) {
		osworld_reply_error(req, 503, "%s", cause);
		free(cause);
		free(name);
		return;
	}
	/* The Python server returned None here: an HTML 500. */
	if ((w = window_by_class(v, n, name)) == NULL)
		osworld_reply_error(req, 404, "no window with class %s", name);
	else
		http_reply_json(req, 200, json_pack("{s:i s:i}", "width", w->w,
		    "height", w->h));
	window_list_free(v, n);
	free(name);
}

static char *
osworld_setup_home(void)
{
	return (files_expand("~"));
}

/* POST /desktop_path */
void
osworld_setup_desktop_path_cb(struct http_req *req, void *arg)
{
	struct stat	 sb;
	char		*home, *path, *clean;

	home = osworld_setup_home();
	xasprintf(&path, "%s/Desktop", strcmp(home, "/") == 0 ? "" : home);
	free(home);
	if (stat(path, &sb) == 0) {
		if ((clean = proto_utf8_clean(path, strlen(path), NULL)) ==
		    NULL)
			fatalx("%s: out of memory", __func__);
		http_reply_json(req, 200, json_pack("{s:s}", "desktop_path",
		    clean));
		free(clean);
	} else
		osworld_reply_error(req, 404,
		    "Unsupported operating system or desktop path not found");
	free(path);
}

/* A gsettings child tied to a request. */
struct osworld_setup_gsettings {
	struct http_req	*req;
	struct proc	*proc;		/* NULL once it has exited */
	char		*path;
	int		 pending;	/* picture-uri-dark still to set */
};

static void
osworld_setup_gsettings_free(struct osworld_setup_gsettings *g)
{
	/* A caller that leaves does not stop gsettings, it is just reaped. */
	proc_forget(g->proc);
	free(g->path);
	free(g);
}

static void
osworld_setup_gsettings_close_cb(struct http_req *req, void *arg)
{
	osworld_setup_gsettings_free(arg);
}

/* Strip as the Python server did: file:// and every quote go. */
static char *
osworld_setup_wallpaper_path(const char *out)
{
	const char	*p;
	char		*s, *q;
	size_t		 n;

	while (*out == ' ' || *out == '\t' || *out == '\n')
		out++;
	n = strlen(out);
	while (n > 0 && strchr(" \t\r\n", out[n - 1]) != NULL)
		n--;
	s = xcalloc(1, n + 1);
	q = s;
	for (p = out; p < out + n; p++) {
		if (strncmp(p, "file://", 7) == 0) {
			p += 6;
			continue;
		}
		if (*p != '\'')
			*q++ = *p;
	}
	*q = '\0';
	return (s);
}

/* Percent-decode a file URI path (GNOME writes spaces as %20). */
static char *
osworld_setup_uri_decode(const char *s)
{
	char	*out, *q;
	u_int	 c;

	out = q = xmalloc(strlen(s) + 1);
	while (*s != '\0') {
		if (s[0] == '%' && sscanf(s + 1, "%2x", &c) == 1 &&
		    strchr("0123456789abcdefABCDEF", s[1]) != NULL &&
		    strchr("0123456789abcdefABCDEF", s[2]) != NULL && c != 0) {
			*q++ = c;
			s += 3;
		} else
			*q++ = *s++;
	}
	*q = '\0';
	return (out);
}

static void
osworld_setup_wallpaper_done_cb(struct proc *p, const struct proc_result *r,
    void *arg)
{
	struct osworld_setup_gsettings	*g = arg;
	struct http_req		*req = g->req;
	char			*path, *dec, desc[64];
	int			 fd;

	g->proc = NULL;
	http_req_set_close_cb(req, NULL, NULL);
	path = osworld_setup_wallpaper_path(r->out);
	if (!r->exited || r->exit_code != 0 || *path == '\0') {
		log_warnx("%s: gsettings %s: %s", __func__,
		    proc_describe(r, desc, sizeof desc), r->err);
		osworld_reply_error(req, 404, "Wallpaper file not found");
		goto out;
	}
	if ((fd = open(path, O_RDONLY|O_CLOEXEC)) == -1 && errno == ENOENT) {
		dec = osworld_setup_uri_decode(path);
		fd = open(dec, O_RDONLY|O_CLOEXEC);
		free(dec);
	}
	if (fd == -1) {
		osworld_reply_error(req, 500,
		    "Unable to serve the wallpaper file: %s", strerror(errno));
		goto out;
	}
	/* Always labelled PNG, as upstream's send_file(mimetype=...). */
	files_send_fd(req, fd, "image/png", NULL);
out:
	free(path);
	osworld_setup_gsettings_free(g);
}

/* Start gsettings for g; NULL with cause. */
static struct proc *
osworld_setup_gsettings_start(struct osworld_setup_gsettings *g,
    char *const argv[], proc_done_cb cb, char **cause)
{
	struct proc_opts	 o;
	int			 err;

	memset(&o, 0, sizeof o);
	o.argv = (const char *const *)argv;
	o.cwd = deskd_cfg.workdir;
	o.max_output = OSWORLD_GSETTINGS_CAP;
	o.flags = PROC_KEEP_TAIL;
	return (proc_start(&o, cb, g, &err, cause));
}

static struct osworld_setup_gsettings *
osworld_setup_gsettings_run(struct http_req *req, char *const argv[],
    proc_done_cb cb, char **cause)
{
	struct osworld_setup_gsettings	*g;

	g = xcalloc(1, sizeof *g);
	g->req = req;
	g->proc = osworld_setup_gsettings_start(g, argv, cb, cause);
	if (g->proc == NULL) {
		free(g);
		return (NULL);
	}
	http_req_set_close_cb(req, osworld_setup_gsettings_close_cb, g);
	return (g);
}

/* POST /wallpaper */
void
osworld_setup_wallpaper_cb(struct http_req *req, void *arg)
{
	char	*argv[] = { "gsettings", "get", "org.gnome.desktop.background",
		    "picture-uri", NULL };
	char	*cause = NULL;

	if (osworld_setup_gsettings_run(req, argv,
	    osworld_setup_wallpaper_done_cb, &cause) == NULL) {
		log_warnx("%s: %s", __func__, cause);
		osworld_reply_error(req, 404, "Wallpaper file not found");
		free(cause);
	}
}

static void
osworld_setup_change_done_cb(struct proc *p, const struct proc_result *r,
    void *arg)
{
	struct osworld_setup_gsettings	*g = arg;
	struct http_req		*req = g->req;
	char			*uri, *cause = NULL, desc[64];
	char			*argv[] = { "gsettings", "set",
				    "org.gnome.desktop.background",
				    "picture-uri-dark", NULL, NULL };

	g->proc = NULL;
	if (!r->exited || r->exit_code != 0)
		log_warnx("%s: gsettings %s: %s", __func__,
		    proc_describe(r, desc, sizeof desc), r->err);
	/*
	 * GNOME 42+ shows picture-uri-dark in dark mode: set it too, once
	 * (a schema without the key just fails, which is fine).
	 */
	if (g->pending) {
		g->pending = 0;
		xasprintf(&uri, "file://%s", g->path);
		argv[4] = uri;
		g->proc = osworld_setup_gsettings_start(g, argv,
		    osworld_setup_change_done_cb, &cause);
		free(uri);
		if (g->proc != NULL)
			return;
		free(cause);
	}
	http_req_set_close_cb(req, NULL, NULL);
	/* 200 even when gsettings failed, as upstream (rc not checked). */
	osworld_reply_text(req, 200, "Wallpaper changed successfully");
	osworld_setup_gsettings_free(g);
}

/* POST /setup/change_wallpaper {"path"} */
void
osworld_setup_change_wallpaper_cb(struct http_req *req, void *arg)
{
	struct osworld_setup_gsettings	*g;
	struct stat		 sb;
	const char		*p;
	json_t			*body;
	char			*path, *uri, *cause = NULL;
	char			*argv[] = { "gsettings", "set",
				    "org.gnome.desktop.background",
				    "picture-uri", NULL, NULL };

	if ((body = osworld_body(req, 1, &cause)) == NULL) {
		osworld_reply_error(req, 400, "%s", cause);
		free(cause);
		return;
	}
	if ((p = osworld_string(body, "path")) == NULL) {
		osworld_reply_text(req, 400, "Path not supplied!");
		json_decref(body);
		return;
	}
	path = files_resolve(p);
	json_decref(body);
	if (stat(path, &sb) == -1) {
		osworld_reply_text(req, 404, "File not found: %s", path);
		free(path);
		return;
	}
	xasprintf(&uri, "file://%s", path);
	argv[4] = uri;
	g = osworld_setup_gsettings_run(req, argv,
	    osworld_setup_change_done_cb, &cause);
	free(uri);
	if (g == NULL) {
		osworld_reply_text(req, 500,
		    "Failed to change wallpaper. Error: %s", cause);
		free(cause);
		free(path);
		return;
	}
	g->pending = 1;
	g->path = path;
}

/* /setup/open_file */

struct osworld_setup_open {
	struct http_req	*req;
	struct event	*timer;
	char		*name;		/* file name, or the command */
	char		*stem;		/* name without extension */
	long long	 deadline;
	int		 timeout;
};

static void
osworld_setup_open_free(struct osworld_setup_open *op)
{
	event_free(op->timer);
	free(op->name);
	free(op->stem);
	free(op);
}

static void
osworld_setup_open_close_cb(struct http_req *req, void *arg)
{
	osworld_setup_open_free(arg);
}

static void
osworld_setup_open_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct osworld_setup_open	*op = arg;
	struct window	*v = NULL, *w = NULL;
	struct timeval	 tv = { 0, OSWORLD_OPEN_POLL_MS * 1000 };
	char		*cause = NULL;
	size_t		 n = 0, i;

	if (window_list(&v, &n, &cause) == 0) {
		/* Upstream matched the wmctrl -l line: case matters. */
		for (i = 0; i < n && w == NULL; i++) {
			if (strstr(v[i].title, op->name) != NULL ||
			    strstr(v[i].title, op->stem) != NULL)
				w = &v[i];
		}
	} else {
		log_debug("%s: %s", __func__, cause);
		free(cause);
		cause = NULL;
	}
	if (w != NULL) {
		if (window_activate(w->id, &cause) == -1) {
			log_warnx("%s: %s", __func__, cause);
			free(cause);
		}
		http_req_set_close_cb(op->req, NULL, NULL);
		osworld_reply_text(op->req, 200,
		    "File opened and window activated successfully");
		window_list_free(v, n);
		osworld_setup_open_free(op);
		return;
	}
	window_list_free(v, n);
	if (deskd_now_ms() >= op->deadline) {
		http_req_set_close_cb(op->req, NULL, NULL);
		osworld_reply_text(op->req, 500, "Failed to find window for %s "
		    "within %d seconds.", op->name, op->timeout);
		osworld_setup_open_free(op);
		return;
	}
	evtimer_add(op->timer, &tv);
}

/* shutil.which: a name with a slash is checked as is, else PATH. */
static int
osworld_setup_which(const char *cmd)
{
	struct stat	 sb;
	const char	*env;
	char		*path, *dir, *last, *full;
	int		 found = 0;

	if (strchr(cmd, '/') != NULL)
		return (stat(cmd, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    access(cmd, X_OK) == 0);
	if ((env = getenv("PATH")) == NULL)
		env = "/usr/local/bin:/usr/bin:/bin";
	path = xstrdup(env);
	for (dir = strtok_r(path, ":", &last); dir != NULL && !found;
	    dir = strtok_r(NULL, ":", &last)) {
		xasprintf(&full, "%s/%s", *dir != '\0' ? dir : ".", cmd);
		found = stat(full, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    access(full, X_OK) == 0;
		free(full);
	}
	free(path);
	return (found);
}

/* POST /setup/open_file {"path", "timeout"?} */
void
osworld_setup_open_file_cb(struct http_req *req, void *arg)
{
	struct osworld_setup_open	*op;
	struct proc_opts o;
	struct stat	 sb;
	struct timeval	 tv = { 0, OSWORLD_OPEN_POLL_MS * 1000 };
	json_t		*body, *t;
	const char	*p, *base, *dot, *q;
	char		*path, *cause = NULL;
	char		*argv[3];
	int		 is_file, err, timeout = OSWORLD_OPEN_TIMEOUT_S;

	if ((body = osworld_body(req, 1, &cause)) == NULL) {
		osworld_reply_error(req, 400, "%s", cause);
		free(cause);
		return;
	}
	if ((p = osworld_string(body, "path")) == NULL) {
		osworld_reply_text(req, 400, "Path not supplied!");
		json_decref(body);
		return;
	}
	/* An extension: how long to wait (tests; default as upstream). */
	t = json_object_get(body, "timeout");
	if (t != NULL) {
		if (!json_is_number(t) || json_number_value(t) < 0 ||
		    json_number_value(t) > OSWORLD_OPEN_TIMEOUT_S) {
			osworld_reply_error(req, 400, "timeout must be a "
			    "number of seconds from 0 to %d",
			    OSWORLD_OPEN_TIMEOUT_S);
			json_decref(body);
			return;
		}
		timeout = json_number_value(t);
	}
	path = files_resolve(p);
	is_file = stat(path, &sb) == 0;
	if (!is_file && !osworld_setup_which(p)) {
		osworld_reply_text(req, 404, "Application/file not found: %s",
		    p);
		goto out;
	}
	op = xcalloc(1, sizeof *op);
	if (is_file) {
		argv[0] = "xdg-open";
		argv[1] = path;
		argv[2] = NULL;
		base = strrchr(path, '/');
		base = base != NULL ? base + 1 : path;
		op->name = xstrdup(base);
		/* os.path.splitext: leading dots start no extension. */
		dot = strrchr(base, '.');
		for (q = base; dot != NULL && q < dot && *q == '.'; q++)
			;
		if (dot == NULL || q == dot)
			op->stem = xstrdup(base);
		else
			op->stem = xstrndup(base, dot - base);
	} else {
		argv[0] = (char *)p;
		argv[1] = NULL;
		op->name = xstrdup(p);
		op->stem = xstrdup(p);
	}
	/*
	 * Fire and forget, as Popen: the child is reaped when it exits and
	 * outlives deskd.  Its output goes where deskd's goes.
	 */
	memset(&o, 0, sizeof o);
	o.argv = (const char *const *)argv;
	o.cwd = deskd_cfg.workdir;
	o.flags = PROC_DETACH | PROC_NULL_STDIN;
	if (proc_start(&o, NULL, NULL, &err, &cause) == NULL) {
		osworld_reply_text(req, 500, "Failed to open %s. Error: %s", p,
		    cause);
		free(cause);
		free(op->name);
		free(op->stem);
		free(op);
		goto out;
	}
	op->req = req;
	op->timeout = timeout;
	op->deadline = deskd_now_ms() + (long long)timeout * 1000;
	op->timer = evtimer_new(osworld_setup_base, osworld_setup_open_timer_cb,
	    op);
	evtimer_add(op->timer, &tv);
	http_req_set_close_cb(req, osworld_setup_open_close_cb, op);
out:
	free(path);
	json_decref(body);
}

/*
 * POST /setup/activate_window and /setup/close_window {"window_name",
 * "strict", "by_class"}: wmctrl's -a and -c, its exit status ignored
 * upstream (main.py:1379, 1448), so always 200.
 */
static void
osworld_setup_window_action(struct http_req *req, int closing)
{
	struct window	*v = NULL, *w;
	const char	*name;
	json_t		*body;
	char		*cause = NULL;
	size_t		 n = 0;

	if ((body = osworld_body(req, 1, &cause)) == NULL) {
		osworld_reply_error(req, 400, "%s", cause);
		free(cause);
		return;
	}
	if ((name = osworld_string(body, "window_name")) == NULL) {
		osworld_reply_text(req, 400, "window_name required");
		json_decref(body);
		return;
	}
	if (window_list(&v, &n, &cause) == -1) {
		log_warnx("%s: %s", __func__, cause);
		free(cause);
	} else if ((w = window_match(v, n, name, osworld_truthy(body, "strict"),
	    osworld_truthy(body, "by_class"))) == NULL)
		log_info("%s: no window matches \"%s\"", __func__, name);
	else if ((closing ? window_close(w->id, &cause) :
	    window_activate(w->id, &cause)) == -1) {
		log_warnx("%s: %s", __func__, cause);
		free(cause);
	}
	window_list_free(v, n);
	json_decref(body);
	if (closing)
		osworld_reply_text(req, 200, "Window closed successfully.");
	else
		osworld_reply_text(req, 200, "Window activated successfully");
}

void
osworld_setup_activate_window_cb(struct http_req *req, void *arg)
{
	osworld_setup_window_action(req, 0);
}

void
osworld_setup_close_window_cb(struct http_req *req, void *arg)
{
	osworld_setup_window_action(req, 1);
}

void
osworld_setup_init(struct event_base *base)
{
	osworld_setup_base = base;
}
