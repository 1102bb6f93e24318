/*
 * exec.c: POST /v1/exec and its two streamed forms (see exec.h).  Output
 * is raw (no newline translation) but always valid UTF-8: bad bytes become
 * U+FFFD, and a streamed chunk that ends inside a character holds its
 * first bytes back until the next one, so a character is never split
 * into two U+FFFDs.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "deskd.h"
#include "exec.h"
#include "http.h"
#include "log.h"
#include "proc.h"
#include "procreq.h"
#include "ws.h"
#include "xmalloc.h"

#define EXEC_PING_S	30	/* websocket: a dead peer is noticed */

struct exec_req {
	struct http_req	*req;		/* POST, until replied */
	struct ws	*ws;		/* the websocket form */
	struct proc	*proc;
	int		 stream;
	int		 asked;		/* websocket: the request came */
	size_t		 sent;		/* raw bytes passed on */
	size_t		 dropped;	/* past DESKD_STREAM_MAX_OUTPUT */
	int		 capped;
	u_char		 carry[3][4];	/* by fd: an unfinished character */
	size_t		 ncarry[3];
};

static void
exec_free(struct exec_req *x)
{
	proc_kill(x->proc);
	free(x);
}

static void
exec_close_cb(struct http_req *req, void *arg)
{
	struct exec_req	*x = arg;

	/* The client went away: its command and the command's group go. */
	exec_free(x);
}

static void
exec_done(struct proc *p, const struct proc_result *res, void *arg)
{
	struct exec_req	*x = arg;
	struct evbuffer	*b;
	int		 cut;

	/* By hand: jansson's dump is slow on megabytes of output. */
	b = evbuffer_new();
	if (res->exited)
		evbuffer_add_printf(b, "{\"exit_code\":%d,\"signal\":null",
		    res->exit_code);
	else
		evbuffer_add_printf(b, "{\"exit_code\":null,\"signal\":%d",
		    res->signal);
	evbuffer_add_printf(b, ",\"stdout\":");
	cut = proc_json_text(b, res->out, res->out_len, 0);
	evbuffer_add_printf(b, ",\"stderr\":");
	cut |= proc_json_text(b, res->err, res->err_len, 0);
	evbuffer_add_printf(b, ",\"timed_out\":%s,\"duration_ms\":%lld,"
	    "\"truncated\":%s}\n", res->timed_out ? "true" : "false",
	    res->duration_ms, res->out_truncated || res->err_truncated ||
	    cut ? "true" : "false");
	http_req_set_close_cb(x->req, NULL, NULL);
	http_reply_buffer(x->req, 200, "application/json", b);
	evbuffer_free(b);
	free(x);
}

/*
 * How many bytes at the end of s begin a character that is not finished
 * yet (and may still be valid): they wait for the next chunk.
 */
static size_t
exec_utf8_hold(const u_char *s, size_t n)
{
	size_t	 i, k, need;

	for (k = 1; k <= 3 && k <= n; k++) {
		i = n - k;
		if ((s[i] & 0xc0) == 0x80)
			continue;	/* a continuation: look further back */
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			need = 2;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			need = 3;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			need = 4;
		else
			return (0);
		return (k < need ? k : 0);
	}
	return (0);
}

/* One event out, by whichever form; pause the child above the mark. */
static void
exec_emit(struct exec_req *x, struct evbuffer *b)
{
	if (x->ws != NULL) {
		ws_send_buffer(x->ws, WS_TEXT, b);
		if (ws_above_mark(x->ws))
			proc_pause(x->proc, 1);
	} else {
		http_reply_write(x->req, b);
		if (http_reply_pending(x->req) > HTTP_OUT_HIGH)
			proc_pause(x->proc, 1);
	}
}

/* A stdout or stderr event of raw bytes, carry first. */
static void
exec_emit_data(struct exec_req *x, int fd, const char *data, size_t len,
    int final)
{
	struct evbuffer	*b;
	u_char		*buf;
	size_t		 n, hold;

	buf = xmalloc(x->ncarry[fd] + len + 1);
	memcpy(buf, x->carry[fd], x->ncarry[fd]);
	memcpy(buf + x->ncarry[fd], data, len);
	n = x->ncarry[fd] + len;
	hold = final ? 0 : exec_utf8_hold(buf, n);
	memcpy(x->carry[fd], buf + n - hold, hold);
	x->ncarry[fd] = hold;
	n -= hold;
	if (n > 0) {
		b = evbuffer_new();
		evbuffer_add_printf(b, "{\"type\":\"%s\",\"data\":",
		    fd == 1 ? "stdout" : "stderr");
		proc_json_text(b, (char *)buf, n, 0);
		evbuffer_add_printf(b, "}\n");
		exec_emit(x, b);
		evbuffer_free(b);
	}
	free(buf);
}

static void
exec_output_cb(struct proc *p, int fd, const char *data, size_t len,
    void *arg)
{
	struct exec_req	*x = arg;
	struct evbuffer	*b;
	size_t		 room;

	if (x->capped) {
		x->dropped += len;
		return;
	}
	room = DESKD_STREAM_MAX_OUTPUT - x->sent;
	if (len > room) {
		x->dropped += len - room;
		len = room;
		x->capped = 1;
	}
	x->sent += len;
	if (len > 0)
		exec_emit_data(x, fd, data, len, 0);
	if (x->capped) {
		/* Once: what follows is read and dropped until the exit. */
		b = evbuffer_new();
		evbuffer_add_printf(b, "{\"type\":\"truncated\",\"limit\":%d}"
		    "\n", DESKD_STREAM_MAX_OUTPUT);
		exec_emit(x, b);
		evbuffer_free(b);
	}
}

static void
exec_stream_done(struct proc *p, const struct proc_result *res, void *arg)
{
	struct exec_req	*x = arg;
	struct evbuffer	*b;
	int		 fd;

	x->proc = NULL;
	for (fd = 1; fd <= 2; fd++) {
		if (x->ncarry[fd] > 0)
			exec_emit_data(x, fd, "", 0, 1);
	}
	b = evbuffer_new();
	if (res->exited)
		evbuffer_add_printf(b, "{\"type\":\"exit\",\"exit_code\":%d,"
		    "\"signal\":null", res->exit_code);
	else
		evbuffer_add_printf(b, "{\"type\":\"exit\",\"exit_code\":null,"
		    "\"signal\":%d", res->signal);
	evbuffer_add_printf(b, ",\"timed_out\":%s,\"duration_ms\":%lld,"
	    "\"truncated\":%s,\"dropped_bytes\":%zu}\n",
	    res->timed_out ? "true" : "false", res->duration_ms,
	    x->capped ? "true" : "false", x->dropped);
	if (x->ws != NULL) {
		ws_send_buffer(x->ws, WS_TEXT, b);
		evbuffer_free(b);
		/* The close callback frees x. */
		ws_close(x->ws, WS_CLOSE_NORMAL, "exited");
		return;
	}
	http_reply_write(x->req, b);
	evbuffer_free(b);
	http_req_set_close_cb(x->req, NULL, NULL);
	http_req_set_drain_cb(x->req, NULL, NULL);
	http_reply_end(x->req);
	free(x);
}

static void
exec_drain_cb(struct http_req *req, void *arg)
{
	struct exec_req	*x = arg;

	proc_pause(x->proc, 0);
}

/* Start x's command for its form; -1 with status, code and cause. */
static int
exec_start(struct exec_req *x, struct procreq *pr, int *status,
    const char **code, char **cause)
{
	struct proc_opts	 o;
	int			 err;

	memset(&o, 0, sizeof o);
	o.argv = (const char *const *)pr->argv;
	o.cwd = pr->cwd;
	o.env = (const char *const *)pr->env;
	o.stdin_data = pr->stdin_data;
	o.stdin_len = pr->stdin_len;
	o.timeout_ms = pr->timeout_ms != 0 ? pr->timeout_ms :
	    EXEC_DEFAULT_TIMEOUT_S * 1000LL;
	if (x->stream) {
		o.flags = PROC_STREAM;
		o.output_cb = exec_output_cb;
		if (x->ws != NULL)
			o.flags |= PROC_STDIN_PIPE;
	}
	x->proc = proc_start(&o, x->stream ? exec_stream_done : exec_done, x,
	    &err, cause);
	if (x->proc == NULL) {
		if (proc_start_busy(err)) {
			*status = 503;
			*code = "busy";
		} else {
			*status = 400;
			*code = "exec_failed";
		}
		return (-1);
	}
	return (0);
}

static void
exec_start_event(struct exec_req *x)
{
	struct evbuffer	*b = evbuffer_new();

	evbuffer_add_printf(b, "{\"type\":\"start\",\"pid\":%ld}\n",
	    (long)proc_pid(x->proc));
	exec_emit(x, b);
	evbuffer_free(b);
}

void
exec_cb(struct http_req *req, void *arg)
{
	struct procreq		 pr;
	struct exec_req		*x;
	json_t			*body;
	char			*cause = NULL;
	const char		*code = "bad_parameter";
	int			 status = 400;

	if ((body = http_req_json(req, 0, &cause)) == NULL) {
		http_reply_error(req, 400, "bad_json", "%s",
		    cause != NULL ? cause : "a JSON body is required");
		free(cause);
		return;
	}
	if (procreq_parse(body, PROCREQ_STDIN | PROCREQ_TIMEOUT |
	    PROCREQ_STREAM, deskd_cfg.workdir, &pr, &cause) == -1) {
		http_reply_error(req, 400, json_is_object(body) ?
		    "bad_parameter" : "bad_json", "%s", cause);
		json_decref(body);
		free(cause);
		return;
	}
	json_decref(body);

	x = xcalloc(1, sizeof *x);
	x->req = req;
	x->stream = pr.stream;
	if (exec_start(x, &pr, &status, &code, &cause) == -1) {
		http_reply_error(req, status, code, "%s", cause);
		free(cause);
		free(x);
		procreq_clear(&pr);
		return;
	}
	procreq_clear(&pr);
	http_req_set_close_cb(req, exec_close_cb, x);
	if (x->stream) {
		/* Answered at once; events follow as the command runs. */
		http_req_set_drain_cb(req, exec_drain_cb, x);
		http_reply_start(req, 200, "application/x-ndjson", -1);
		exec_start_event(x);
	}
}

/* ---- the websocket form ---- */

static void
exec_ws_error(struct exec_req *x, int wscode, const char *code,
    const char *msg)
{
	struct evbuffer	*b = evbuffer_new();

	evbuffer_add_printf(b, "{\"type\":\"error\",\"code\":\"%s\","
	    "\"message\":", code);
	proc_json_text(b, msg, strlen(msg), 0);
	evbuffer_add_printf(b, "}\n");
	ws_send_buffer(x->ws, WS_TEXT, b);
	evbuffer_free(b);
	if (wscode != 0)
		ws_close(x->ws, wscode, "%s", code);
}

/* The first message: the request, as POST /v1/exec takes it. */
static void
exec_ws_request(struct exec_req *x, const u_char *data, size_t len)
{
	struct procreq	 pr;
	json_error_t	 jerr;
	json_t		*body;
	char		*cause = NULL;
	const char	*code;
	int		 status;

	if ((body = json_loadb((const char *)data, len,
	    JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		xasprintf(&cause, "bad JSON: %s", jerr.text);
		exec_ws_error(x, WS_CLOSE_POLICY, "bad_json", cause);
		free(cause);
		return;
	}
	if (procreq_parse(body, PROCREQ_STDIN | PROCREQ_TIMEOUT,
	    deskd_cfg.workdir, &pr, &cause) == -1) {
		json_decref(body);
		exec_ws_error(x, WS_CLOSE_POLICY, "bad_parameter", cause);
		free(cause);
		return;
	}
	json_decref(body);
	if (exec_start(x, &pr, &status, &code, &cause) == -1) {
		exec_ws_error(x, WS_CLOSE_NORMAL, code, cause);
		free(cause);
		procreq_clear(&pr);
		return;
	}
	procreq_clear(&pr);
	exec_start_event(x);
}

static void
exec_ws_stdin(struct exec_req *x, const void *data, size_t len)
{
	char	*msg;

	if (proc_write(x->proc, data, len) > DESKD_STREAM_MAX_STDIN) {
		xasprintf(&msg, "stdin backlog over %d bytes: the command "
		    "does not read it", DESKD_STREAM_MAX_STDIN);
		exec_ws_error(x, WS_CLOSE_POLICY, "stdin_backlog", msg);
		free(msg);
	}
}

static void
exec_ws_message_cb(struct ws *ws, int opcode, const u_char *data,
    size_t len, void *arg)
{
	struct exec_req		*x = arg;
	struct procreq_msg	 m;
	char			*cause = NULL;

	if (!x->asked) {
		x->asked = 1;
		if (opcode == WS_TEXT)
			exec_ws_request(x, data, len);
		else
			exec_ws_error(x, WS_CLOSE_POLICY, "bad_message",
			    "the first message is the request, as JSON text");
		return;
	}
	if (x->proc == NULL)
		return;		/* exited: the close is on its way */
	if (opcode == WS_BINARY) {
		exec_ws_stdin(x, data, len);
		return;
	}
	if (procreq_message(data, len, &m, &cause) == -1) {
		exec_ws_error(x, 0, "bad_message", cause);
		free(cause);
		return;
	}
	switch (m.type) {
	case PROCREQ_MSG_STDIN:
		exec_ws_stdin(x, m.data, m.len);
		break;
	case PROCREQ_MSG_STDIN_CLOSE:
		proc_close_stdin(x->proc);
		break;
	case PROCREQ_MSG_SIGNAL:
		proc_signal(x->proc, m.sig);
		break;
	case PROCREQ_MSG_RESIZE:
		exec_ws_error(x, 0, "bad_message", "resize: a command has no "
		    "terminal (POST /v1/pty opens one)");
		break;
	}
	procreq_msg_clear(&m);
}

static void
exec_ws_close_cb(struct ws *ws, int code, const char *reason, void *arg)
{
	struct exec_req	*x = arg;

	exec_free(x);
}

static void
exec_ws_drain_cb(struct ws *ws, void *arg)
{
	struct exec_req	*x = arg;

	proc_pause(x->proc, 0);
}

void
exec_ws_cb(struct http_req *req, void *arg)
{
	struct exec_req	*x;

	x = xcalloc(1, sizeof *x);
	x->stream = 1;
	if ((x->ws = ws_accept(req, NULL, exec_ws_message_cb,
	    exec_ws_close_cb, x)) == NULL) {
		free(x);
		return;
	}
	ws_set_drain_cb(x->ws, exec_ws_drain_cb);
	ws_set_ping_interval(x->ws, EXEC_PING_S);
}
