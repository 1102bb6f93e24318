/*
 * osworld_exec.c: OSWorld's process routes: /execute and /setup/execute,
 * /execute_with_verification and its /setup/ twin, /setup/launch,
 * /run_python, /run_bash_script, and /terminal, /accessibility and
 * /platform (see osworld.h).
 *
 * Upstream runs subprocess.run() inside a Flask thread; here every child is
 * a proc (proc.h) and every wait is an event, so a screenshot answers while
 * a 120 s command runs.  Differences from upstream, all deliberate:
 * - output that is not UTF-8 gets U+FFFD instead of a 500;
 * - a timed-out /execute answers 200 with "error": "TimeoutExpired" (the
 *   host retries any non-200 and would replay a half-done action);
 *   /setup/execute keeps the 500 so a failed setup step never passes;
 * - malformed bodies, non-string list items and unbalanced quotes answer
 *   400 JSON instead of Werkzeug's HTML 500;
 * - /run_bash_script answers its intended 200 body (xlang-ai/OSWorld#300);
 * - a client that hangs up kills the command's process group.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>

#include "a11y_http.h"
#include "deskd.h"
#include "deskproto.h"
#include "http.h"
#include "log.h"
#include "osworld.h"
#include "proc.h"
#include "pyfmt.h"
#include "shlex.h"
#include "strv.h"
#include "window.h"
#include "xmalloc.h"

enum osworld_exec_kind {
	OSWORLD_EXEC_EXECUTE,
	OSWORLD_EXEC_VERIFY,
	OSWORLD_EXEC_PYTHON,
	OSWORLD_EXEC_BASH
};

/* One request waiting on children or timers. */
struct osworld_exec_req {
	struct http_req		*req;
	enum osworld_exec_kind	 kind;
	int			 setup;		/* under /setup/ */
	struct proc		*proc;
	char			*shown;		/* str(command) */
	char			*tmpfile;	/* script to unlink */
	json_t			*bash_timeout;	/* as given */

	/* execute_with_verification: the command's result, as JSON text */
	char			*out_json;
	char			*err_json;
	int			 rc;
	char			*window_exists;
	char			*command_success;
	long long		 max_wait_ms;
	json_t			*max_wait;	/* as given */
	long long		 interval_ms;
	long long		 verify_start;
	int			 verify_none;	/* absent or {} */
	int			 verify_ok;	/* this round passed */
	struct event		*timer;
};

static struct event_base	*osworld_exec_base;
static long long		 osworld_exec_timeout_ms =
				    OSWORLD_EXEC_TIMEOUT_MS;
static long long		 osworld_exec_python_timeout_ms =
				    OSWORLD_PYTHON_TIMEOUT_MS;

static void	osworld_exec_verify_step(struct osworld_exec_req *);
static void	osworld_exec_verify_window(struct osworld_exec_req *);
static void	osworld_exec_verify_command(struct osworld_exec_req *);

static void
osworld_exec_free(struct osworld_exec_req *r)
{
	if (r == NULL)
		return;
	if (r->proc != NULL)
		proc_kill(r->proc);
	if (r->timer != NULL)
		event_free(r->timer);
	if (r->tmpfile != NULL) {
		unlink(r->tmpfile);
		free(r->tmpfile);
	}
	free(r->out_json);
	free(r->err_json);
	json_decref(r->max_wait);
	json_decref(r->bash_timeout);
	free(r->window_exists);
	free(r->command_success);
	free(r->shown);
	free(r);
}

/* The client hung up: stop whatever we were running for it. */
static void
osworld_exec_close_cb(struct http_req *req, void *arg)
{
	struct osworld_exec_req	*r = arg;

	log_debug("%s: client gone, killing its command", __func__);
	osworld_exec_free(r);
}

/* Reply and forget the request. */
static void
osworld_exec_finish(struct osworld_exec_req *r, int code, json_t *body)
{
	http_req_set_close_cb(r->req, NULL, NULL);
	http_reply_json(r->req, code, body);
	osworld_exec_free(r);
}

/* Reply with a JSON body built by hand (see proc_json_string). */
static void
osworld_exec_finish_buf(struct osworld_exec_req *r, int code,
    struct evbuffer *b)
{
	http_req_set_close_cb(r->req, NULL, NULL);
	http_reply_buffer(r->req, code, "application/json", b);
	evbuffer_free(b);
	osworld_exec_free(r);
}

/* Is this an arm machine (upstream's _get_machine_architecture)? */
static int
osworld_exec_is_arm(void)
{
	struct utsname	 u;

	if (uname(&u) == -1)
		return (0);
	return (strcmp(u.machine, "aarch64") == 0 ||
	    strcmp(u.machine, "arm64") == 0 ||
	    strcmp(u.machine, "aarch32") == 0);
}

/*
 * {"command": list|str, "shell": bool} to an argv, as upstream does it:
 * a string without shell is shlex.split, list items starting with "~/"
 * are expanded, and shell runs /bin/sh -c list[0] list[1:].  *shown gets
 * what Python would print for the command (str() of the list or the
 * string); *joined, when asked, " ".join(list) for /setup/launch.
 */
static char **
osworld_exec_command(json_t *body, int launch, char **shown, char **cause)
{
	json_t		*cmd, *item;
	char		**list = NULL, **argv = NULL, *e;
	const char	*s;
	size_t		 i, n = 0, na = 0;
	int		 shell, argc;

	*shown = NULL;
	shell = proto_json_truthy(json_object_get(body, "shell"));
	cmd = json_object_get(body, "command");
	if (cmd == NULL || json_is_null(cmd)) {
		if (!shell) {
			*cause = xstrdup("command is required");
			return (NULL);
		}
		cmd = NULL;
	}
	if (cmd == NULL || json_is_string(cmd)) {
		s = cmd != NULL ? json_string_value(cmd) : "";
		if (cmd != NULL && strlen(s) != json_string_length(cmd)) {
			*cause = xstrdup("embedded null byte");
			return (NULL);
		}
		if (shell) {
			argv = strv_add(argv, &na, "/bin/sh");
			argv = strv_add(argv, &na, "-c");
			argv = strv_add(argv, &na, s);
			*shown = xstrdup(s);
			return (argv);
		}
		if ((list = shlex_split(s, strlen(s), &argc, cause)) == NULL)
			return (NULL);
		n = argc;
	} else if (json_is_array(cmd)) {
		list = xcalloc(1, sizeof *list);
		json_array_foreach(cmd, i, item) {
			if (!json_is_string(item)) {
				xasprintf(cause, "command[%zu] is not a string",
				    i);
				strv_free(list);
				return (NULL);
			}
			s = json_string_value(item);
			if (strlen(s) != json_string_length(item)) {
				*cause = xstrdup("embedded null byte");
				strv_free(list);
				return (NULL);
			}
			list = strv_add(list, &n, s);
		}
	} else {
		*cause = xstrdup("command must be a list of strings or a "
		    "string");
		return (NULL);
	}

	for (i = 0; i < n; i++) {
		if (strncmp(list[i], "~/", 2) == 0) {
			e = shlex_expanduser(list[i]);
			free(list[i]);
			list[i] = e;
		}
	}
	if (launch && !shell && osworld_exec_is_arm()) {
		/* No google-chrome build for arm64 (xlang-ai/OSWorld#89). */
		for (i = 0; i < n; i++) {
			if (strcmp(list[i], "google-chrome") == 0) {
				free(list[i]);
				list[i] = xstrdup("chromium");
				break;
			}
		}
	}
	if (shell) {
		argv = strv_add(argv, &na, "/bin/sh");
		argv = strv_add(argv, &na, "-c");
	} else if (n == 0) {
		*cause = xstrdup("command is empty");
		strv_free(list);
		return (NULL);
	}
	for (i = 0; i < n; i++)
		argv = strv_add(argv, &na, list[i]);
	*shown = pyfmt_list(list, launch && !shell);
	strv_free(list);
	return (argv);
}

/* Output as Python's text=True gives it, as a JSON string. */
static void
osworld_exec_json_text(struct evbuffer *b, const char *s, size_t len)
{
	/* UTF-8 with universal newlines, U+FFFD for bad bytes. */
	proc_json_text(b, s, len, PROC_TEXT_NEWLINES);
}

static char *
osworld_exec_json_fragment(const char *s, size_t len)
{
	struct evbuffer	*b;
	char		*out;
	size_t		 n;

	b = evbuffer_new();
	osworld_exec_json_text(b, s, len);
	n = evbuffer_get_length(b);
	out = xmalloc(n + 1);
	evbuffer_remove(b, out, n);
	out[n] = '\0';
	evbuffer_free(b);
	return (out);
}

/*
 * The /execute body: status, output, error, returncode, and for a
 * verification its outcome and wait_time (a JSON number, as text).
 */
static void
osworld_exec_reply_result(struct osworld_exec_req *r, int code,
    const char *status, const char *verification, const char *wait_time)
{
	struct evbuffer	*b;

	b = evbuffer_new();
	evbuffer_add_printf(b, "{\"status\":\"%s\",\"output\":", status);
	evbuffer_add(b, r->out_json, strlen(r->out_json));
	evbuffer_add_printf(b, ",\"error\":");
	evbuffer_add(b, r->err_json, strlen(r->err_json));
	evbuffer_add_printf(b, ",\"returncode\":%d", r->rc);
	if (verification != NULL) {
		evbuffer_add_printf(b, ",\"verification\":\"%s\","
		    "\"wait_time\":%s", verification, wait_time);
	}
	evbuffer_add(b, "}\n", 2);
	osworld_exec_finish_buf(r, code, b);
}

static int
osworld_exec_returncode(const struct proc_result *res)
{
	/* Python: -N when killed by signal N. */
	return (res->exited ? res->exit_code : -res->signal);
}

static struct proc *
osworld_exec_start(struct osworld_exec_req *r, char *const *argv,
    const char *cwd, long long timeout_ms, int flags, proc_done_cb cb,
    char **cause, int *errnop)
{
	struct proc_opts	 o;

	memset(&o, 0, sizeof o);
	o.argv = (const char *const *)argv;
	o.cwd = cwd;
	o.timeout_ms = timeout_ms;
	o.flags = flags;
	return (proc_start(&o, cb, r, errnop, cause));
}

static int
osworld_exec_start_status(int err)
{
	return (proc_start_busy(err) ? 503 : 500);
}

/* /execute, /setup/execute: the main command has finished. */
static void
osworld_exec_execute_done(struct proc *p, const struct proc_result *res,
    void *arg)
{
	struct osworld_exec_req	*r = arg;
	struct evbuffer	*b;
	json_t		*j;
	char		*secs, *msg;

	r->proc = NULL;
	if (res->out_truncated || res->err_truncated)
		log_warnx("%s: output of %s capped at %d bytes", __func__,
		    r->shown, PROC_MAX_OUTPUT);
	if (res->timed_out) {
		secs = pyfmt_seconds(osworld_exec_timeout_ms);
		xasprintf(&msg, "Command '%s' timed out after %s seconds",
		    r->shown, secs);
		free(secs);
		if (r->setup) {
			j = json_pack("{s:s, s:s}", "status", "error",
			    "message", msg);
			free(msg);
			osworld_exec_finish(r, 500, j);
			return;
		}
		b = evbuffer_new();
		evbuffer_add_printf(b, "{\"status\":\"error\","
		    "\"error\":\"TimeoutExpired\",\"message\":");
		proc_json_text(b, msg, strlen(msg), 0);
		evbuffer_add_printf(b, ",\"output\":");
		osworld_exec_json_text(b, res->out, res->out_len);
		evbuffer_add_printf(b, ",\"returncode\":null}\n");
		free(msg);
		osworld_exec_finish_buf(r, 200, b);
		return;
	}
	r->out_json = osworld_exec_json_fragment(res->out, res->out_len);
	r->err_json = osworld_exec_json_fragment(res->err, res->err_len);
	r->rc = osworld_exec_returncode(res);
	/* "verification" absent or false ({}, []) is no verification. */
	if (r->kind == OSWORLD_EXEC_EXECUTE || r->verify_none) {
		osworld_exec_reply_result(r, 200, "success", NULL, NULL);
		return;
	}
	r->verify_start = deskd_now_ms();
	osworld_exec_verify_step(r);
}

static void
osworld_exec_verify_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	osworld_exec_verify_step(arg);
}

/* One round of checks, as upstream's while loop does it. */
static void
osworld_exec_verify_step(struct osworld_exec_req *r)
{
	char	*wait;

	if (deskd_now_ms() - r->verify_start >= r->max_wait_ms) {
		/* wait_time is max_wait_time as the client gave it. */
		wait = json_dumps(r->max_wait, JSON_ENCODE_ANY);
		osworld_exec_reply_result(r, 500, "verification_failed",
		    "failed", wait != NULL ? wait : "null");
		free(wait);
		return;
	}
	r->verify_ok = 1;
	if (r->window_exists != NULL)
		osworld_exec_verify_window(r);
	else
		osworld_exec_verify_command(r);
}

static void
osworld_exec_verify_round_done(struct osworld_exec_req *r)
{
	struct timeval	 tv;
	char		*wait;

	if (r->verify_ok) {
		wait = pyfmt_float((deskd_now_ms() - r->verify_start) / 1000.0);
		osworld_exec_reply_result(r, 200, "success", "passed", wait);
		free(wait);
		return;
	}
	tv.tv_sec = r->interval_ms / 1000;
	tv.tv_usec = (r->interval_ms % 1000) * 1000;
	if (r->timer == NULL)
		r->timer = evtimer_new(osworld_exec_base,
		    osworld_exec_verify_timer_cb, r);
	evtimer_add(r->timer, &tv);
}

static void
osworld_exec_verify_window(struct osworld_exec_req *r)
{
	struct window	*w;
	char		*cause = NULL;
	size_t		 n, i;

	/*
	 * Upstream greps `wmctrl -l`: the titles of _NET_CLIENT_LIST,
	 * case-insensitively.  The same list, read directly.
	 */
	if (window_list(&w, &n, &cause) == -1) {
		log_debug("%s: %s", __func__, cause);
		free(cause);
		r->verify_ok = 0;
	} else {
		for (i = 0; i < n; i++) {
			if (strcasestr(w[i].title, r->window_exists) != NULL)
				break;
		}
		if (i == n)
			r->verify_ok = 0;
		window_list_free(w, n);
	}
	osworld_exec_verify_command(r);
}

static void
osworld_exec_verify_command_done(struct proc *p, const struct proc_result *res,
    void *arg)
{
	struct osworld_exec_req	*r = arg;

	r->proc = NULL;
	if (res->timed_out || !res->exited || res->exit_code != 0)
		r->verify_ok = 0;
	osworld_exec_verify_round_done(r);
}

static void
osworld_exec_verify_command(struct osworld_exec_req *r)
{
	char	*argv[] = { "/bin/sh", "-c", r->command_success, NULL };
	char	*cause = NULL;
	int	 err;

	if (r->command_success == NULL) {
		osworld_exec_verify_round_done(r);
		return;
	}
	r->proc = osworld_exec_start(r, argv, NULL,
	    OSWORLD_VERIFY_CMD_TIMEOUT_MS, 0, osworld_exec_verify_command_done,
	    &cause, &err);
	if (r->proc == NULL) {
		log_debug("%s: %s", __func__, cause);
		free(cause);
		r->verify_ok = 0;
		osworld_exec_verify_round_done(r);
	}
}

/* A non-negative number of seconds in [0, max] to ms; -1 if not. */
static long long
osworld_exec_seconds(json_t *v, double max)
{
	double	 d;

	if (!json_is_number(v))
		return (-1);
	d = json_number_value(v);
	if (!isfinite(d) || d < 0 || d > max)
		return (-1);
	return ((long long)llround(d * 1000));
}

/* The verification part of /execute_with_verification. */
static int
osworld_exec_verify_parse(struct osworld_exec_req *r, json_t *body,
    char **cause)
{
	json_t	*v, *w, *c, *mw, *ci;

	/*
	 * Upstream's "if not verification" (main.py:156): any false value
	 * ({}, [], "", 0, false, null) is no verification.  A true value
	 * that is no object is refused (upstream: an HTML 500, or "passed"
	 * without a check for a string).
	 */
	v = json_object_get(body, "verification");
	r->verify_none = v == NULL || !proto_json_truthy(v);
	if (r->verify_none)
		return (0);
	if (!json_is_object(v)) {
		*cause = xstrdup("verification must be an object");
		return (-1);
	}
	w = json_object_get(v, "window_exists");
	c = json_object_get(v, "command_success");
	if (w != NULL && !json_is_string(w)) {
		*cause = xstrdup("verification.window_exists must be a string");
		return (-1);
	}
	if (c != NULL && !json_is_string(c)) {
		*cause = xstrdup("verification.command_success must be a "
		    "string");
		return (-1);
	}
	if (w != NULL)
		r->window_exists = xstrdup(json_string_value(w));
	if (c != NULL)
		r->command_success = xstrdup(json_string_value(c));

	mw = json_object_get(body, "max_wait_time");
	if (mw == NULL || json_is_null(mw))
		r->max_wait = json_integer(10);
	else
		r->max_wait = json_incref(mw);
	r->max_wait_ms = osworld_exec_seconds(r->max_wait,
	    OSWORLD_VERIFY_MAX_WAIT_S);
	if (r->max_wait_ms == -1) {
		xasprintf(cause, "max_wait_time must be a number of seconds "
		    "from 0 to %d", OSWORLD_VERIFY_MAX_WAIT_S);
		return (-1);
	}
	ci = json_object_get(body, "check_interval");
	if (ci == NULL || json_is_null(ci))
		r->interval_ms = 1000;
	else if ((r->interval_ms = osworld_exec_seconds(ci,
	    OSWORLD_VERIFY_MAX_WAIT_S)) == -1) {
		xasprintf(cause, "check_interval must be a number of seconds "
		    "from 0 to %d", OSWORLD_VERIFY_MAX_WAIT_S);
		return (-1);
	}
	if (r->interval_ms < OSWORLD_VERIFY_MIN_INTERVAL_MS)
		r->interval_ms = OSWORLD_VERIFY_MIN_INTERVAL_MS;
	return (0);
}

static void
osworld_exec_execute(struct http_req *req, enum osworld_exec_kind kind)
{
	struct osworld_exec_req	*r;
	json_t		*body;
	char		**argv, *cause = NULL;
	int		 err;

	if ((body = osworld_body(req, 0, &cause)) == NULL) {
		osworld_reply_status(req, 400, "error", "%s", cause);
		free(cause);
		return;
	}
	r = xcalloc(1, sizeof *r);
	r->req = req;
	r->kind = kind;
	r->setup = strncmp(http_req_path(req), "/setup/", 7) == 0;
	if (kind == OSWORLD_EXEC_VERIFY &&
	    osworld_exec_verify_parse(r, body, &cause) == -1) {
		osworld_reply_status(req, 400, "error", "%s", cause);
		goto out;
	}
	if ((argv = osworld_exec_command(body, 0, &r->shown, &cause)) == NULL) {
		osworld_reply_status(req, 400, "error", "%s", cause);
		goto out;
	}
	r->proc = osworld_exec_start(r, argv, NULL, osworld_exec_timeout_ms, 0,
	    osworld_exec_execute_done, &cause, &err);
	strv_free(argv);
	if (r->proc == NULL) {
		osworld_reply_status(req, osworld_exec_start_status(err),
		    "error", "%s", cause);
		goto out;
	}
	http_req_set_close_cb(req, osworld_exec_close_cb, r);
	json_decref(body);
	return;
out:
	free(cause);
	osworld_exec_free(r);
	json_decref(body);
}

void
osworld_exec_execute_cb(struct http_req *req, void *arg)
{
	osworld_exec_execute(req, OSWORLD_EXEC_EXECUTE);
}

void
osworld_exec_verify_cb(struct http_req *req, void *arg)
{
	osworld_exec_execute(req, OSWORLD_EXEC_VERIFY);
}

/* /setup/launch: fire and forget; the child is reaped by proc.c. */
void
osworld_exec_launch_cb(struct http_req *req, void *arg)
{
	json_t		*body;
	char		**argv, *shown = NULL, *cause = NULL, *msg;
	int		 err;

	if ((body = osworld_body(req, 0, &cause)) == NULL) {
		osworld_reply_status(req, 400, "error", "%s", cause);
		free(cause);
		return;
	}
	if ((argv = osworld_exec_command(body, 1, &shown, &cause)) == NULL) {
		osworld_reply_status(req, 400, "error", "%s", cause);
		goto out;
	}
	/* Popen inherits the server's stdio: so does a detached proc. */
	if (osworld_exec_start(NULL, argv, NULL, 0, PROC_DETACH, NULL, &cause,
	    &err) == NULL) {
		osworld_reply_status(req, osworld_exec_start_status(err),
		    "error", "%s", cause);
		strv_free(argv);
		goto out;
	}
	strv_free(argv);
	xasprintf(&msg, "%s launched successfully", shown);
	http_reply(req, 200, OSWORLD_TEXT, msg, strlen(msg));
	free(msg);
out:
	free(shown);
	free(cause);
	json_decref(body);
}

/* Write a script to a new temporary file; NULL with cause. */
static char *
osworld_exec_write_temp(const char *dir, const char *prefix, const char *suffix,
    const char *head, const char *data, size_t len, int mode, char **cause)
{
	char	*path;
	size_t	 off = 0, hlen = head != NULL ? strlen(head) : 0;
	ssize_t	 n;
	int	 fd;

	xasprintf(&path, "%s/%sXXXXXX%s", dir, prefix, suffix);
	if ((fd = mkstemps(path, strlen(suffix))) == -1) {
		xasprintf(cause, "[Errno %d] %s: '%s'", errno,
		    strerror(errno), path);
		free(path);
		return (NULL);
	}
	/* Small files: a plain write is no longer than any other syscall. */
	while (off < hlen + len) {
		if (off < hlen)
			n = write(fd, head + off, hlen - off);
		else
			n = write(fd, data + off - hlen, hlen + len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xasprintf(cause, "[Errno %d] %s", errno,
			    strerror(errno));
			goto fail;
		}
		off += n;
	}
	if (fchmod(fd, mode) == -1) {
		xasprintf(cause, "[Errno %d] %s", errno, strerror(errno));
		goto fail;
	}
	close(fd);
	return (path);
fail:
	close(fd);
	unlink(path);
	free(path);
	return (NULL);
}

static void
osworld_exec_python_done(struct proc *p, const struct proc_result *res,
    void *arg)
{
	struct osworld_exec_req	*r = arg;
	struct evbuffer	*b;
	json_t		*j;
	char		*o, *e, *msg;
	size_t		 olen, elen, mlen;
	int		 rc;

	r->proc = NULL;
	if (res->timed_out) {
		j = json_pack("{s:s, s:s, s:s, s:b, s:n}", "status", "error",
		    "message", "Execution timeout: Code took too long to "
		    "execute", "error", "TimeoutExpired", "need_more", 0,
		    "output");
		osworld_exec_finish(r, 500, j);
		return;
	}
	rc = osworld_exec_returncode(res);
	o = proc_text(res->out, res->out_len, PROC_TEXT_NEWLINES, &olen);
	e = proc_text(res->err, res->err_len, PROC_TEXT_NEWLINES, &elen);
	if (rc != 0 && elen == 0) {
		free(e);
		elen = xasprintf(&e, "Process exited with code %d", rc);
	}
	/* Upstream's message: stdout, then stderr on its own line. */
	msg = xmalloc(olen + 1 + elen + 1);
	memcpy(msg, o, olen);
	mlen = olen;
	if (olen > 0 && elen > 0)
		msg[mlen++] = '\n';
	memcpy(msg + mlen, e, elen);
	mlen += elen;
	b = evbuffer_new();
	evbuffer_add_printf(b, "{\"status\":\"%s\",\"message\":",
	    rc == 0 ? "success" : "error");
	proc_json_string(b, msg, mlen);
	evbuffer_add_printf(b, ",\"need_more\":false,\"output\":");
	proc_json_string(b, o, olen);
	evbuffer_add_printf(b, ",\"error\":");
	proc_json_string(b, e, elen);
	evbuffer_add_printf(b, ",\"return_code\":%d}\n", rc);
	free(msg);
	free(o);
	free(e);
	osworld_exec_finish_buf(r, 200, b);
}

void
osworld_exec_python_cb(struct http_req *req, void *arg)
{
	struct osworld_exec_req	*r = NULL;
	json_t		*body, *code;
	char		*argv[3], *cause = NULL;
	int		 err;

	if ((body = osworld_body(req, 0, &cause)) == NULL) {
		osworld_reply_status(req, 400, "error", "%s", cause);
		free(cause);
		return;
	}
	code = json_object_get(body, "code");
	if (!proto_json_truthy(code)) {
		osworld_reply_status(req, 400, "error", "Code not supplied!");
		goto out;
	}
	if (!json_is_string(code)) {
		osworld_reply_status(req, 400, "error",
		    "code must be a string");
		goto out;
	}
	r = xcalloc(1, sizeof *r);
	r->req = req;
	r->kind = OSWORLD_EXEC_PYTHON;
	r->tmpfile = osworld_exec_write_temp("/tmp", "python_exec_", ".py",
	    NULL, json_string_value(code), json_string_length(code), 0600,
	    &cause);
	if (r->tmpfile == NULL)
		goto fail;
	argv[0] = OSWORLD_PYTHON;
	argv[1] = r->tmpfile;
	argv[2] = NULL;
	r->proc = osworld_exec_start(r, argv, NULL,
	    osworld_exec_python_timeout_ms, 0, osworld_exec_python_done, &cause,
	    &err);
	if (r->proc == NULL)
		goto fail;
	http_req_set_close_cb(req, osworld_exec_close_cb, r);
	json_decref(body);
	return;
fail:
	/* Upstream's intended body (its handler crashed on traceback). */
	http_reply_json(req, 500, json_pack("{s:s, s:s+, s:s, s:b, s:n}",
	    "status", "error", "message", "Execution error: ", cause,
	    "error", cause, "need_more", 0, "output"));
out:
	free(cause);
	osworld_exec_free(r);
	json_decref(body);
}

static void
osworld_exec_bash_done(struct proc *p, const struct proc_result *res, void *arg)
{
	struct osworld_exec_req	*r = arg;
	struct evbuffer	*b;
	json_t		*j;
	char		*secs, *msg;
	int		 rc;

	r->proc = NULL;
	if (res->timed_out) {
		secs = pyfmt_number(r->bash_timeout);
		xasprintf(&msg, "Script execution timed out after %s seconds",
		    secs);
		free(secs);
		j = json_pack("{s:s, s:s, s:s, s:i}", "status", "error",
		    "output", msg, "error", "", "returncode", -1);
		free(msg);
		/*
		 * Upstream answers 500 and its host retries any non-200,
		 * running the script again: 200 with status "error", as
		 * for /execute timeouts.
		 */
		osworld_exec_finish(r, 200, j);
		return;
	}
	rc = osworld_exec_returncode(res);
	b = evbuffer_new();
	evbuffer_add_printf(b, "{\"status\":\"%s\",\"output\":",
	    rc == 0 ? "success" : "error");
	osworld_exec_json_text(b, res->out, res->out_len);
	evbuffer_add_printf(b, ",\"error\":\"\",\"returncode\":%d}\n", rc);
	osworld_exec_finish_buf(r, 200, b);
}

void
osworld_exec_bash_cb(struct http_req *req, void *arg)
{
	struct osworld_exec_req	*r = NULL;
	struct stat	 sb;
	json_t		*body, *script, *to, *wd;
	const char	*s, *tmpdir;
	char		*argv[3], *cause = NULL, *cwd = NULL;
	long long	 ms;
	size_t		 len;
	int		 err;

	if ((body = osworld_body(req, 0, &cause)) == NULL) {
		osworld_reply_status(req, 400, "error", "%s", cause);
		free(cause);
		return;
	}
	script = json_object_get(body, "script");
	if (!proto_json_truthy(script)) {
		osworld_reply_script(req, 400, "Script not supplied!");
		goto out;
	}
	if (!json_is_string(script)) {
		osworld_reply_script(req, 400, "script must be a string");
		goto out;
	}
	to = json_object_get(body, "timeout");
	if (to == NULL || json_is_null(to))
		to = json_integer(OSWORLD_BASH_TIMEOUT_S);
	else
		json_incref(to);
	ms = osworld_exec_seconds(to, OSWORLD_BASH_TIMEOUT_MAX_S);
	if (ms <= 0) {
		osworld_reply_script(req, 400, "timeout must be a number of "
		    "seconds over 0 and up to %d", OSWORLD_BASH_TIMEOUT_MAX_S);
		json_decref(to);
		goto out;
	}
	wd = json_object_get(body, "working_dir");
	if (proto_json_truthy(wd)) {
		if (!json_is_string(wd)) {
			osworld_reply_script(req, 400,
			    "working_dir must be a string");
			json_decref(to);
			goto out;
		}
		cwd = shlex_expanduser(json_string_value(wd));
		if (stat(cwd, &sb) == -1) {
			osworld_reply_script(req, 400,
			    "Working directory does not exist: %s", cwd);
			json_decref(to);
			goto out;
		}
	}

	r = xcalloc(1, sizeof *r);
	r->req = req;
	r->kind = OSWORLD_EXEC_BASH;
	r->bash_timeout = to;
	s = json_string_value(script);
	len = json_string_length(script);
	if ((tmpdir = getenv("TMPDIR")) == NULL || *tmpdir == '\0')
		tmpdir = "/tmp";
	r->tmpfile = osworld_exec_write_temp(tmpdir, "tmp", ".sh",
	    memmem(s, len, "#!/bin/bash", 11) == NULL ? "#!/bin/bash\n\n" :
	    NULL, s, len, 0755, &cause);
	if (r->tmpfile == NULL)
		goto fail;
	argv[0] = "/bin/bash";
	argv[1] = r->tmpfile;
	argv[2] = NULL;
	r->proc = osworld_exec_start(r, argv, cwd, ms, PROC_MERGE_STDERR,
	    osworld_exec_bash_done, &cause, &err);
	if (r->proc == NULL && err == ENOENT && cwd == NULL) {
		/* Upstream falls back to sh when there is no bash. */
		free(cause);
		cause = NULL;
		argv[0] = "sh";
		r->proc = osworld_exec_start(r, argv, cwd, ms,
		    PROC_MERGE_STDERR, osworld_exec_bash_done, &cause, &err);
	}
	if (r->proc == NULL)
		goto fail;
	http_req_set_close_cb(req, osworld_exec_close_cb, r);
	free(cwd);
	json_decref(body);
	return;
fail:
	osworld_reply_script(req, 500, "Failed to execute script: %s", cause);
out:
	free(cwd);
	free(cause);
	osworld_exec_free(r);
	json_decref(body);
}

void
osworld_exec_terminal_cb(struct http_req *req, void *arg)
{
	a11y_http_terminal(req);
}

void
osworld_exec_accessibility_cb(struct http_req *req, void *arg)
{
	a11y_http_accessibility(req);
}

void
osworld_exec_platform_cb(struct http_req *req, void *arg)
{
	http_reply(req, 200, OSWORLD_TEXT, "Linux", 5);
}

static long long
osworld_exec_env_ms(const char *name, long long def)
{
	const char	*s;
	long long	 v;

	if ((s = getenv(name)) == NULL || *s == '\0')
		return (def);
	if (http_parse_int(s, 1, 24LL * 3600 * 1000, &v) == -1) {
		log_warnx("%s: ignoring %s=%s", __func__, name, s);
		return (def);
	}
	log_warnx("%s=%lld: test timeout in effect", name, v);
	return (v);
}

void
osworld_exec_init(struct event_base *base)
{
	osworld_exec_base = base;
	osworld_exec_timeout_ms = osworld_exec_env_ms(
	    OSWORLD_TEST_EXEC_TIMEOUT_ENV, OSWORLD_EXEC_TIMEOUT_MS);
	osworld_exec_python_timeout_ms = osworld_exec_env_ms(
	    OSWORLD_TEST_PYTHON_TIMEOUT_ENV, OSWORLD_PYTHON_TIMEOUT_MS);
}
