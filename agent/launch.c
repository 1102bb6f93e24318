/*
 * launch.c: detached launches (see launch.h).
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>

#include "deskd.h"
#include "display.h"
#include "http.h"
#include "launch.h"
#include "log.h"
#include "proc.h"
#include "procreq.h"
#include "window.h"
#include "xmalloc.h"

struct launch {
	u_int			 id;
	struct proc		*proc;		/* NULL once it exited */
	pid_t			 pid;
	char			*shown;
	char			*log;		/* path of its log */
	time_t			 started;
	int			 exited;	/* 1: exit_code, 0: sig */
	int			 exit_code;
	int			 sig;
	Window			 window;

	struct http_req		*req;		/* waiting for its window */
	struct event		*timer;
	TAILQ_ENTRY(launch)	 entry;
};
TAILQ_HEAD(launch_list, launch);

static struct launch_list	 launch_all = TAILQ_HEAD_INITIALIZER(launch_all);
static u_int			 launch_n;
static u_int			 launch_next_id = 1;
static char			*launch_dir;
static struct event_base	*launch_base;
static struct event		*launch_scan_ev;
static Atom			 launch_client_list;
static Display			*launch_atom_dpy;

/* With keep_log, a running application's log stays on disk. */
static void
launch_free(struct launch *l, int keep_log)
{
	TAILQ_REMOVE(&launch_all, l, entry);
	launch_n--;
	if (!keep_log || l->proc == NULL)
		unlink(l->log);
	if (l->proc != NULL)
		proc_forget(l->proc);
	if (l->timer != NULL)
		event_free(l->timer);
	free(l->shown);
	free(l->log);
	free(l);
}

static struct launch *
launch_find(const char *id)
{
	struct launch	*l;
	long long	 v;

	if (http_parse_int(id, 1, UINT32_MAX, &v) == -1)
		return (NULL);
	TAILQ_FOREACH(l, &launch_all, entry) {
		if (l->id == (u_int)v)
			return (l);
	}
	return (NULL);
}

static json_t *
launch_json(struct launch *l)
{
	json_t	*j;
	char	 id[16], win[32];

	snprintf(id, sizeof id, "%u", l->id);
	j = json_pack("{s:s, s:i, s:s, s:b, s:I}", "id", id, "pid",
	    (int)l->pid, "command", l->shown, "running", l->proc != NULL,
	    "started_at", (json_int_t)l->started);
	json_object_set_new(j, "log", json_sprintf("/v1/launch/%s/log", id));
	if (l->proc == NULL && l->exited)
		json_object_set_new(j, "exit_code", json_integer(l->exit_code));
	else
		json_object_set_new(j, "exit_code", json_null());
	if (l->proc == NULL && !l->exited)
		json_object_set_new(j, "signal", json_integer(l->sig));
	else
		json_object_set_new(j, "signal", json_null());
	if (l->window != None) {
		snprintf(win, sizeof win, "0x%lx", (u_long)l->window);
		json_object_set_new(j, "window", json_string(win));
	} else
		json_object_set_new(j, "window", json_null());
	return (j);
}

/* The POST waiting for a window is answered now. */
static void
launch_answer(struct launch *l, const char *wait)
{
	json_t	*j;

	if (l->req == NULL)
		return;
	if (l->timer != NULL)
		evtimer_del(l->timer);
	j = launch_json(l);
	json_object_set_new(j, "window_wait", json_string(wait));
	http_req_set_close_cb(l->req, NULL, NULL);
	http_reply_json(l->req, 201, j);
	l->req = NULL;
}

static int
launch_owns(struct launch *l, long pid)
{
	/* The launched pid, or anything it started in its session. */
	return (pid > 0 && (pid == l->pid || getsid((pid_t)pid) == l->pid));
}

int
launch_parse(struct http_req *req, json_t *body, int flags,
    struct procreq *pr)
{
	char	*cause = NULL;

	if (procreq_parse(body, flags, deskd_cfg.workdir, pr, &cause) == -1) {
		http_reply_error(req, 400, json_is_object(body) ?
		    "bad_parameter" : "bad_json", "%s", cause);
		json_decref(body);
		free(cause);
		return (-1);
	}
	json_decref(body);
	return (0);
}

void
launch_spawn_error(struct http_req *req, int err, const char *cause)
{
	/* Out of children, descriptors or memory: not the request's fault. */
	http_reply_error(req, proc_start_busy(err) ? 503 : 400,
	    proc_start_busy(err) ? "busy" : "exec_failed", "%s", cause);
}

/* Look for the windows launches wait for. */
static void
launch_scan_cb(evutil_socket_t fd, short events, void *arg)
{
	struct launch	*l, *next;
	struct window	*w;
	char		*cause = NULL;
	size_t		 n, i;
	int		 waiting = 0;

	TAILQ_FOREACH(l, &launch_all, entry)
		waiting += l->req != NULL;
	if (!waiting)
		return;
	if (window_list(&w, &n, &cause) == -1) {
		log_debug("%s: %s", __func__, cause);
		free(cause);
		return;
	}
	for (l = TAILQ_FIRST(&launch_all); l != NULL; l = next) {
		next = TAILQ_NEXT(l, entry);
		if (l->req == NULL)
			continue;
		for (i = 0; i < n; i++) {
			if (launch_owns(l, w[i].pid)) {
				l->window = w[i].id;
				launch_answer(l, "found");
				break;
			}
		}
	}
	window_list_free(w, n);
}

static void
launch_scan_soon(void)
{
	/* Many events arrive together as a window maps: one scan. */
	if (launch_scan_ev != NULL)
		event_active(launch_scan_ev, EV_TIMEOUT, 0);
}

static int
launch_event_cb(Display *dpy, XEvent *ev, void *arg)
{
	if (launch_atom_dpy != dpy) {
		launch_client_list = XInternAtom(dpy, "_NET_CLIENT_LIST",
		    False);
		launch_atom_dpy = dpy;
	}
	if ((ev->type == PropertyNotify &&
	    ev->xproperty.window == DefaultRootWindow(dpy) &&
	    ev->xproperty.atom == launch_client_list) ||
	    (ev->type == MapNotify &&
	    ev->xmap.event == DefaultRootWindow(dpy)))
		launch_scan_soon();
	return (0);
}

static void
launch_hook_cb(Display *dpy, void *arg)
{
	launch_atom_dpy = NULL;
}

static void
launch_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	launch_answer(arg, "timeout");
}

static void
launch_close_cb(struct http_req *req, void *arg)
{
	struct launch	*l = arg;

	/* The client stopped waiting; the application runs on. */
	l->req = NULL;
	if (l->timer != NULL)
		evtimer_del(l->timer);
}

static void
launch_exit_cb(struct proc *p, const struct proc_result *res, void *arg)
{
	struct launch	*l = arg;
	char		 buf[64];

	l->proc = NULL;
	l->exited = res->exited;
	l->exit_code = res->exit_code;
	l->sig = res->signal;
	log_debug("%s: launch %u (pid %ld) %s", __func__, l->id, (long)l->pid,
	    proc_describe(res, buf, sizeof buf));
	launch_answer(l, "exited");
}

/* Room for one more record: the oldest finished one goes. */
static int
launch_room(void)
{
	struct launch	*l;

	if (launch_n < DESKD_MAX_LAUNCHES)
		return (0);
	TAILQ_FOREACH(l, &launch_all, entry) {
		if (l->proc == NULL && l->req == NULL) {
			launch_free(l, 0);
			return (0);
		}
	}
	return (-1);
}

static int
launch_mkdir(char **cause)
{
	const char	*tmp;
	char		*path;

	if (launch_dir != NULL)
		return (0);
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	xasprintf(&path, "%s/deskd-launch.XXXXXX", tmp);
	if (mkdtemp(path) == NULL) {
		xasprintf(cause, "cannot make a log directory in %s: %s", tmp,
		    strerror(errno));
		free(path);
		return (-1);
	}
	launch_dir = path;
	return (0);
}

static void
launch_post(struct http_req *req)
{
	struct procreq		 pr;
	struct proc_opts	 o;
	struct launch		*l;
	struct timeval		 tv;
	json_t			*body;
	char			*cause = NULL;
	int			 fd, err;

	if ((body = http_req_json(req, 0, &cause)) == NULL) {
		http_reply_error(req, 400, "bad_json", "%s",
		    cause != NULL ? cause : "a JSON body is required");
		free(cause);
		return;
	}
	if (launch_parse(req, body, PROCREQ_WINDOW, &pr) == -1)
		return;
	if (launch_room() == -1) {
		http_reply_error(req, 429, "too_many_launches", "all %d launch "
		    "records (DESKD_MAX_LAUNCHES) are running applications",
		    DESKD_MAX_LAUNCHES);
		procreq_clear(&pr);
		return;
	}
	if (launch_mkdir(&cause) == -1) {
		http_reply_error(req, 500, "launch_failed", "%s", cause);
		free(cause);
		procreq_clear(&pr);
		return;
	}

	l = xcalloc(1, sizeof *l);
	l->id = launch_next_id++;
	l->shown = procreq_shown(&pr);
	l->started = time(NULL);
	xasprintf(&l->log, "%s/%u.log", launch_dir, l->id);
	fd = open(l->log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		http_reply_error(req, 500, "launch_failed", "%s: %s", l->log,
		    strerror(errno));
		free(l->shown);
		free(l->log);
		free(l);
		procreq_clear(&pr);
		return;
	}
	memset(&o, 0, sizeof o);
	o.argv = (const char *const *)pr.argv;
	o.cwd = pr.cwd;
	o.env = (const char *const *)pr.env;
	o.flags = PROC_SETSID | PROC_STDIO_FD | PROC_SURVIVE;
	o.stdio_fd = fd;
	l->proc = proc_start(&o, launch_exit_cb, l, &err, &cause);
	close(fd);
	if (l->proc == NULL) {
		launch_spawn_error(req, err, cause);
		free(cause);
		unlink(l->log);
		free(l->shown);
		free(l->log);
		free(l);
		procreq_clear(&pr);
		return;
	}
	l->pid = proc_pid(l->proc);
	TAILQ_INSERT_TAIL(&launch_all, l, entry);
	launch_n++;
	log_info("launch %u: pid %ld: %s", l->id, (long)l->pid, l->shown);

	if (!pr.wait_window) {
		http_reply_json(req, 201, launch_json(l));
		procreq_clear(&pr);
		return;
	}
	if (display_get() == NULL) {
		l->req = req;
		launch_answer(l, "no_display");
		procreq_clear(&pr);
		return;
	}
	l->req = req;
	http_req_set_close_cb(req, launch_close_cb, l);
	display_select_root(SubstructureNotifyMask | PropertyChangeMask);
	l->timer = evtimer_new(launch_base, launch_timer_cb, l);
	tv.tv_sec = pr.window_ms / 1000;
	tv.tv_usec = (pr.window_ms % 1000) * 1000;
	evtimer_add(l->timer, &tv);
	procreq_clear(&pr);
	/* A window may already be there (an app that was running). */
	launch_scan_soon();
}

void
launch_cb(struct http_req *req, void *arg)
{
	struct launch	*l;
	json_t		*a;

	if (http_req_method(req) == HTTP_POST) {
		launch_post(req);
		return;
	}
	a = json_array();
	TAILQ_FOREACH(l, &launch_all, entry)
		json_array_append_new(a, launch_json(l));
	http_reply_json(req, 200, json_pack("{s:o, s:i}", "launches", a,
	    "limit", DESKD_MAX_LAUNCHES));
}

/* GET /v1/launch/ID/log[?offset=N]: the bytes of its log. */
static void
launch_log(struct http_req *req, struct launch *l)
{
	struct evbuffer	*b;
	struct stat	 sb;
	const char	*q;
	long long	 off = 0, len;
	char		 size[32];
	int		 fd;

	if ((q = http_req_query(req, "offset")) != NULL &&
	    http_parse_int(q, 0, INT64_MAX, &off) == -1) {
		http_reply_error(req, 400, "bad_parameter", "offset must be a "
		    "byte offset (0 or more)");
		return;
	}
	if ((fd = open(l->log, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		http_reply_error(req, 500, "log_unreadable", "%s: %s", l->log,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return;
	}
	len = sb.st_size > off ? sb.st_size - off : 0;
	if (len > DESKD_LAUNCH_MAX_LOG_READ)
		len = DESKD_LAUNCH_MAX_LOG_READ;
	/* Where the next read starts, and how far the log is now. */
	snprintf(size, sizeof size, "%lld", (long long)sb.st_size);
	http_add_header(req, "X-Log-Size", size);
	snprintf(size, sizeof size, "%lld", off + len);
	http_add_header(req, "X-Next-Offset", size);
	b = evbuffer_new();
	if (len == 0)
		close(fd);
	else if (evbuffer_add_file(b, fd, off, len) == -1) {
		evbuffer_free(b);
		http_reply_error(req, 500, "log_unreadable", "%s", l->log);
		return;
	}
	http_reply_buffer(req, 200, "text/plain; charset=utf-8", b);
	evbuffer_free(b);
}

void
launch_id_cb(struct http_req *req, void *arg)
{
	struct launch	*l;
	const char	*rest = http_req_path(req) + strlen("/v1/launch/");
	char		*id, *slash;
	int		 is_log = 0;

	id = xstrdup(rest);
	if ((slash = strchr(id, '/')) != NULL) {
		if (strcmp(slash, "/log") != 0) {
			http_reply_error(req, 404, "not_found", "no such "
			    "route: %s", http_req_path(req));
			free(id);
			return;
		}
		*slash = '\0';
		is_log = 1;
	}
	if ((l = launch_find(id)) == NULL) {
		http_reply_error(req, 404, "unknown_launch", "no launch %.32s "
		    "(the last %d are kept)", id, DESKD_MAX_LAUNCHES);
		free(id);
		return;
	}
	free(id);
	if (http_req_method(req) == HTTP_DELETE) {
		if (is_log) {
			http_reply_error(req, 405, "method_not_allowed",
			    "a log is read with GET");
			return;
		}
		/* The application and everything in its session. */
		if (l->proc != NULL) {
			proc_kill_session(l->pid, SIGTERM);
			proc_kill(l->proc);
			l->proc = NULL;
		}
		launch_answer(l, "exited");
		launch_free(l, 0);
		http_reply(req, 204, NULL, NULL, 0);
		return;
	}
	if (is_log)
		launch_log(req, l);
	else
		http_reply_json(req, 200, launch_json(l));
}

void
launch_init(struct event_base *base)
{
	launch_base = base;
	launch_scan_ev = evtimer_new(launch_base, launch_scan_cb, NULL);
	display_add_hook(launch_hook_cb, NULL);
	display_add_event_handler(launch_event_cb, NULL);
}

void
launch_shutdown(void)
{
	struct launch	*l;

	while ((l = TAILQ_FIRST(&launch_all)) != NULL) {
		/* Running applications keep their log files open. */
		if (l->req != NULL) {
			http_req_set_close_cb(l->req, NULL, NULL);
			l->req = NULL;
		}
		launch_free(l, 1);
	}
	if (launch_dir != NULL)
		rmdir(launch_dir);	/* empty unless something still runs */
	free(launch_dir);
	launch_dir = NULL;
	if (launch_scan_ev != NULL)
		event_free(launch_scan_ev);
	launch_scan_ev = NULL;
}
