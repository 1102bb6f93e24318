/*
 * pty.c: terminals (see pty.h).
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/queue.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>

#include "compat.h"
#include "deskd.h"
#include "http.h"
#include "log.h"
#include "proc.h"
#include "procreq.h"
#include "pty.h"
#include "strv.h"
#include "ws.h"
#include "xmalloc.h"

#define PTY_DEFAULT_COLS	80
#define PTY_DEFAULT_ROWS	24
#define PTY_TERM		"TERM=xterm-256color"
#define PTY_PING_S		30

extern char	**environ;

struct pty {
	u_int			 id;
	struct proc		*proc;		/* NULL once it exited */
	pid_t			 pid;
	char			*shown;
	time_t			 started;
	int			 cols;
	int			 rows;

	int			 master;
	struct event		*ev_read;
	int			 reading;
	struct event		*ev_write;
	struct evbuffer		*in;		/* input not yet written */
	struct evbuffer		*backlog;	/* output nobody read yet */

	struct ws		*ws;
	struct event		*ev_attach;

	int			 done;		/* the shell exited */
	int			 exited;
	int			 exit_code;
	int			 sig;
	TAILQ_ENTRY(pty)	 entry;
};
TAILQ_HEAD(pty_list, pty);

static struct event_base	*pty_base;
static struct pty_list		 pty_all = TAILQ_HEAD_INITIALIZER(pty_all);
static u_int			 pty_n;
static u_int			 pty_next_id = 1;

static void	pty_read_cb(evutil_socket_t, short, void *);

static void
pty_reading(struct pty *p, int on)
{
	if (p->master == -1 || p->reading == on)
		return;
	p->reading = on;
	if (on)
		event_add(p->ev_read, NULL);
	else
		event_del(p->ev_read);
}

static void
pty_close_master(struct pty *p)
{
	if (p->master == -1)
		return;
	event_free(p->ev_read);
	event_free(p->ev_write);
	p->ev_read = p->ev_write = NULL;
	close(p->master);
	p->master = -1;
	p->reading = 0;
}

/* End the terminal and forget it; the websocket, if any, is closed. */
static void
pty_free(struct pty *p)
{
	TAILQ_REMOVE(&pty_all, p, entry);
	pty_n--;
	pty_close_master(p);
	if (p->proc != NULL) {
		/* What closing a terminal window does, and then some. */
		proc_kill_session(p->pid, SIGHUP);
		proc_kill(p->proc);
	}
	if (p->ws != NULL)
		ws_free(p->ws);
	if (p->ev_attach != NULL)
		event_free(p->ev_attach);
	evbuffer_free(p->in);
	evbuffer_free(p->backlog);
	free(p->shown);
	free(p);
}

static struct pty *
pty_find(const char *id)
{
	struct pty	*p;
	long long	 v;

	if (http_parse_int(id, 1, UINT32_MAX, &v) == -1)
		return (NULL);
	TAILQ_FOREACH(p, &pty_all, entry) {
		if (p->id == (u_int)v)
			return (p);
	}
	return (NULL);
}

static json_t *
pty_json(struct pty *p)
{
	json_t	*j;
	char	 id[16];

	snprintf(id, sizeof id, "%u", p->id);
	j = json_pack("{s:s, s:i, s:s, s:i, s:i, s:b, s:b, s:I}", "id", id,
	    "pid", (int)p->pid, "command", p->shown, "cols", p->cols, "rows",
	    p->rows, "running", !p->done, "attached", p->ws != NULL,
	    "started_at", (json_int_t)p->started);
	json_object_set_new(j, "ws", json_sprintf("/v1/pty/%s/ws", id));
	return (j);
}

static void
pty_send_exit(struct pty *p)
{
	char	 msg[128];

	if (p->exited)
		snprintf(msg, sizeof msg, "{\"type\":\"exit\",\"exit_code\":%d,"
		    "\"signal\":null}", p->exit_code);
	else
		snprintf(msg, sizeof msg, "{\"type\":\"exit\",\"exit_code\":"
		    "null,\"signal\":%d}", p->sig);
	ws_send(p->ws, WS_TEXT, msg, strlen(msg));
	ws_close(p->ws, WS_CLOSE_NORMAL, "exited");
}

/* Read the master once (up to budget); 1 when the slave side is gone. */
static int
pty_read(struct pty *p, size_t budget)
{
	char	 buf[PROC_READ_CHUNK];
	ssize_t	 n;

	while (budget > 0 && p->master != -1) {
		if (p->ws == NULL &&
		    evbuffer_get_length(p->backlog) >= DESKD_PTY_BACKLOG) {
			pty_reading(p, 0);
			return (0);
		}
		n = read(p->master, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return (0);
		if (n <= 0)
			return (1);	/* EIO: every slave fd is closed */
		if (p->ws != NULL) {
			ws_send(p->ws, WS_BINARY, buf, n);
			if (ws_above_mark(p->ws)) {
				pty_reading(p, 0);
				return (0);
			}
		} else
			evbuffer_add(p->backlog, buf, n);
		budget -= (size_t)n < budget ? (size_t)n : budget;
	}
	return (0);
}

static void
pty_read_cb(evutil_socket_t fd, short events, void *arg)
{
	struct pty	*p = arg;

	if (pty_read(p, 4 * PROC_READ_CHUNK))
		pty_reading(p, 0);
}

static void
pty_write_cb(evutil_socket_t fd, short events, void *arg)
{
	struct pty	*p = arg;
	int		 n;

	while (evbuffer_get_length(p->in) > 0) {
		n = evbuffer_write(p->in, p->master);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			evbuffer_drain(p->in, evbuffer_get_length(p->in));
			break;
		}
	}
	event_del(p->ev_write);
}

static void
pty_exit_cb(struct proc *pr, const struct proc_result *res, void *arg)
{
	struct pty	*p = arg;

	p->proc = NULL;
	p->done = 1;
	p->exited = res->exited;
	p->exit_code = res->exit_code;
	p->sig = res->signal;
	/* What it wrote last is in the master: pass it on first. */
	pty_read(p, (size_t)-1);
	pty_close_master(p);
	if (p->ws != NULL)
		pty_send_exit(p);
}

static void
pty_attach_cb(evutil_socket_t fd, short events, void *arg)
{
	struct pty	*p = arg;

	log_info("terminal %u: nobody attached in %d s, ending it", p->id,
	    DESKD_PTY_ATTACH_S);
	pty_free(p);
}

static int
pty_resize(struct pty *p, int cols, int rows)
{
	struct winsize	 ws;

	memset(&ws, 0, sizeof ws);
	ws.ws_col = cols;
	ws.ws_row = rows;
	if (p->master != -1 && ioctl(p->master, TIOCSWINSZ, &ws) == -1)
		return (-1);
	p->cols = cols;
	p->rows = rows;
	return (0);
}

/*
 * The request's env (or deskd's) with TERM set for the terminal we are,
 * unless the request's env named one: deskd's own TERM describes
 * whatever deskd was started from, not this terminal.
 */
static char **
pty_env(char **env, int term_given)
{
	char		**src = env != NULL ? env : environ, **out = NULL;
	size_t		 i, n = 0;

	for (i = 0; src[i] != NULL; i++) {
		if (strncmp(src[i], "TERM=", 5) == 0 && !term_given)
			continue;
		out = strv_add(out, &n, src[i]);
	}
	if (!term_given)
		out = strv_add(out, &n, PTY_TERM);
	return (out);
}

static char **
pty_default_argv(void)
{
	const char	*sh = getenv("SHELL");
	char		**argv = NULL;
	size_t		 n = 0;

	if (sh == NULL || *sh != '/' || access(sh, X_OK) == -1)
		sh = access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh";
	argv = strv_add(argv, &n, sh);
	return (argv);
}

static void
pty_post(struct http_req *req)
{
	struct procreq		 pr;
	struct proc_opts	 o;
	struct pty		*p;
	struct timeval		 tv = { DESKD_PTY_ATTACH_S, 0 };
	json_t			*body;
	char			*cause = NULL, **env, *slave;
	int			 master = -1, sfd = -1, err, term_given;

	if ((body = http_req_json(req, 1, &cause)) == NULL && cause != NULL) {
		http_reply_error(req, 400, "bad_json", "%s", cause);
		free(cause);
		return;
	}
	if (body == NULL)
		body = json_object();
	term_given = json_object_get(json_object_get(body, "env"), "TERM") !=
	    NULL;
	if (procreq_parse(body, PROCREQ_SIZE | PROCREQ_NO_ARGV,
	    deskd_cfg.workdir, &pr, &cause) == -1) {
		http_reply_error(req, 400, json_is_object(body) ?
		    "bad_parameter" : "bad_json", "%s", cause);
		json_decref(body);
		free(cause);
		return;
	}
	json_decref(body);
	if (pty_n >= DESKD_MAX_PTYS) {
		http_reply_error(req, 429, "too_many_terminals", "at most %d "
		    "terminals at once (DESKD_MAX_PTYS)", DESKD_MAX_PTYS);
		procreq_clear(&pr);
		return;
	}
	if (pr.argv == NULL)
		pr.argv = pty_default_argv();

	if ((master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1 ||
	    grantpt(master) == -1 || unlockpt(master) == -1 ||
	    (slave = ptsname(master)) == NULL ||
	    (sfd = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1) {
		http_reply_error(req, errno == EAGAIN || errno == ENOSPC ?
		    503 : 500, "pty_failed", "cannot open a pseudo-terminal: "
		    "%s", strerror(errno));
		if (master != -1)
			close(master);
		procreq_clear(&pr);
		return;
	}
	p = xcalloc(1, sizeof *p);
	p->master = master;
	p->id = pty_next_id;
	p->cols = pr.cols != 0 ? pr.cols : PTY_DEFAULT_COLS;
	p->rows = pr.rows != 0 ? pr.rows : PTY_DEFAULT_ROWS;
	pty_resize(p, p->cols, p->rows);

	env = pty_env(pr.env, term_given);
	memset(&o, 0, sizeof o);
	o.argv = (const char *const *)pr.argv;
	o.cwd = pr.cwd;
	o.env = (const char *const *)env;
	o.flags = PROC_SETSID | PROC_PTY;
	o.stdio_fd = sfd;
	p->proc = proc_start(&o, pty_exit_cb, p, &err, &cause);
	close(sfd);
	strv_free(env);
	if (p->proc == NULL) {
		http_reply_error(req, proc_start_busy(err) ? 503 : 400,
		    proc_start_busy(err) ? "busy" : "exec_failed", "%s", cause);
		free(cause);
		close(master);
		free(p);
		procreq_clear(&pr);
		return;
	}
	pty_next_id++;
	p->pid = proc_pid(p->proc);
	p->shown = procreq_shown(&pr);
	p->started = time(NULL);
	p->in = evbuffer_new();
	p->backlog = evbuffer_new();
	fcntl(master, F_SETFL, O_NONBLOCK);
	p->ev_read = event_new(pty_base, master, EV_READ | EV_PERSIST,
	    pty_read_cb, p);
	p->ev_write = event_new(pty_base, master, EV_WRITE | EV_PERSIST,
	    pty_write_cb, p);
	pty_reading(p, 1);
	p->ev_attach = evtimer_new(pty_base, pty_attach_cb, p);
	evtimer_add(p->ev_attach, &tv);
	TAILQ_INSERT_TAIL(&pty_all, p, entry);
	pty_n++;
	log_info("terminal %u: pid %ld: %s (%dx%d)", p->id, (long)p->pid,
	    p->shown, p->cols, p->rows);
	procreq_clear(&pr);
	http_reply_json(req, 201, pty_json(p));
}

void
pty_cb(struct http_req *req, void *arg)
{
	struct pty	*p;
	json_t		*a;

	if (http_req_method(req) == HTTP_POST) {
		pty_post(req);
		return;
	}
	a = json_array();
	TAILQ_FOREACH(p, &pty_all, entry)
		json_array_append_new(a, pty_json(p));
	http_reply_json(req, 200, json_pack("{s:o, s:i}", "terminals", a,
	    "limit", DESKD_MAX_PTYS));
}

/* ---- the websocket ---- */

static void
pty_input(struct pty *p, const void *data, size_t len)
{
	if (p->master == -1 || len == 0)
		return;
	evbuffer_add(p->in, data, len);
	if (evbuffer_get_length(p->in) > DESKD_STREAM_MAX_STDIN) {
		ws_close(p->ws, WS_CLOSE_POLICY, "input backlog over %d bytes",
		    DESKD_STREAM_MAX_STDIN);
		return;
	}
	event_add(p->ev_write, NULL);
}

static void
pty_ws_error(struct pty *p, const char *msg)
{
	struct evbuffer	*b = evbuffer_new();

	evbuffer_add_printf(b, "{\"type\":\"error\",\"code\":\"bad_message\","
	    "\"message\":");
	proc_json_text(b, msg, strlen(msg), 0);
	evbuffer_add(b, "}", 1);
	ws_send_buffer(p->ws, WS_TEXT, b);
	evbuffer_free(b);
}

static void
pty_ws_message_cb(struct ws *ws, int opcode, const u_char *data, size_t len,
    void *arg)
{
	struct pty		*p = arg;
	struct procreq_msg	 m;
	char			*cause = NULL;
	pid_t			 fg;

	if (opcode == WS_BINARY) {
		pty_input(p, data, len);
		return;
	}
	if (procreq_message(data, len, &m, &cause) == -1) {
		pty_ws_error(p, cause);
		free(cause);
		return;
	}
	switch (m.type) {
	case PROCREQ_MSG_STDIN:
		pty_input(p, m.data, m.len);
		break;
	case PROCREQ_MSG_STDIN_CLOSE:
		/* A terminal's end of input is ^D at the line start. */
		pty_input(p, "\004", 1);
		break;
	case PROCREQ_MSG_SIGNAL:
		if (p->master != -1 && (fg = tcgetpgrp(p->master)) > 0)
			kill(-fg, m.sig);
		else
			proc_signal(p->proc, m.sig);
		break;
	case PROCREQ_MSG_RESIZE:
		if (pty_resize(p, m.cols, m.rows) == -1)
			pty_ws_error(p, strerror(errno));
		break;
	}
	procreq_msg_clear(&m);
}

static void
pty_ws_close_cb(struct ws *ws, int code, const char *reason, void *arg)
{
	struct pty	*p = arg;

	log_debug("terminal %u: websocket closed (%d %s): ending it", p->id,
	    code, reason != NULL ? reason : "");
	/* The websocket is freed by ws.c after this. */
	p->ws = NULL;
	pty_free(p);
}

static void
pty_ws_drain_cb(struct ws *ws, void *arg)
{
	struct pty	*p = arg;

	pty_reading(p, 1);
}

static void
pty_attach(struct http_req *req, struct pty *p)
{
	if (p->ws != NULL) {
		http_reply_error(req, 409, "attached", "terminal %u already "
		    "has a websocket", p->id);
		return;
	}
	if ((p->ws = ws_accept(req, NULL, pty_ws_message_cb, pty_ws_close_cb,
	    p)) == NULL)
		return;
	ws_set_drain_cb(p->ws, pty_ws_drain_cb);
	ws_set_ping_interval(p->ws, PTY_PING_S);
	evtimer_del(p->ev_attach);
	/* What came before anyone looked, then the live output. */
	if (evbuffer_get_length(p->backlog) > 0)
		ws_send_buffer(p->ws, WS_BINARY, p->backlog);
	if (p->done)
		pty_send_exit(p);
	else
		pty_reading(p, 1);
}

void
pty_id_cb(struct http_req *req, void *arg)
{
	struct pty	*p;
	json_t		*body, *c, *r;
	const char	*rest = http_req_path(req) + strlen("/v1/pty/");
	char		*id, *slash, *cause = NULL, what[8] = "";
	int		 m = http_req_method(req);

	id = xstrdup(rest);
	if ((slash = strchr(id, '/')) != NULL) {
		*slash = '\0';
		if (strlcpy(what, slash + 1, sizeof what) >= sizeof what)
			what[0] = '?';
	}
	if (strcmp(what, "") != 0 && strcmp(what, "ws") != 0 &&
	    strcmp(what, "resize") != 0) {
		http_reply_error(req, 404, "not_found", "no such route: %s",
		    http_req_path(req));
		free(id);
		return;
	}
	if ((p = pty_find(id)) == NULL) {
		http_reply_error(req, 404, "unknown_terminal", "no terminal "
		    "%.32s", id);
		free(id);
		return;
	}
	free(id);
	if (strcmp(what, "ws") == 0) {
		pty_attach(req, p);
		return;
	}
	if (strcmp(what, "resize") == 0) {
		if (m != HTTP_POST) {
			http_reply_error(req, 405, "method_not_allowed",
			    "resize with POST {\"cols\", \"rows\"}");
			return;
		}
		if ((body = http_req_json(req, 0, &cause)) == NULL) {
			http_reply_error(req, 400, "bad_json", "%s", cause);
			free(cause);
			return;
		}
		c = json_object_get(body, "cols");
		r = json_object_get(body, "rows");
		if (!json_is_integer(c) || !json_is_integer(r) ||
		    json_integer_value(c) < 1 || json_integer_value(r) < 1 ||
		    json_integer_value(c) > DESKD_PTY_MAX_SIZE ||
		    json_integer_value(r) > DESKD_PTY_MAX_SIZE) {
			json_decref(body);
			http_reply_error(req, 400, "bad_parameter", "cols and "
			    "rows must be integers from 1 to %d",
			    DESKD_PTY_MAX_SIZE);
			return;
		}
		pty_resize(p, (int)json_integer_value(c),
		    (int)json_integer_value(r));
		json_decref(body);
		http_reply_json(req, 200, pty_json(p));
		return;
	}
	if (m == HTTP_DELETE) {
		pty_free(p);
		http_reply(req, 204, NULL, NULL, 0);
		return;
	}
	if (m != HTTP_GET) {
		http_reply_error(req, 405, "method_not_allowed", "GET or "
		    "DELETE a terminal");
		return;
	}
	http_reply_json(req, 200, pty_json(p));
}

void
pty_init(struct event_base *base)
{
	pty_base = base;
}

void
pty_shutdown(void)
{
	struct pty	*p;

	while ((p = TAILQ_FIRST(&pty_all)) != NULL)
		pty_free(p);
}
