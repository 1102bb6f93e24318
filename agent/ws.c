/*
 * ws.c: websockets, server side (RFC 6455).
 *
 * One struct ws owns the bufferevent http.c handed over.  Frames are read
 * with a small state machine: the header is examined as soon as its bytes
 * are in, and everything RFC 6455 section 5 forbids (an unmasked client
 * frame, reserved bits with no extension, unknown opcodes, fragmented or
 * long control frames, a continuation with no message or a new message in
 * the middle of one) fails the connection before the payload is read, as
 * does a message over the limit.  The payload is read once the whole frame
 * is in, so the input never holds more than one message and one header.
 *
 * Closing (section 7): whoever closes first sends a close frame; the other
 * echoes it.  The server closes TCP first (7.1.1), after its output has
 * drained, or after WS_CLOSE_WAIT_MS when the peer does not answer.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "http.h"
#include "log.h"
#include "sha1.h"
#include "ws.h"
#include "xmalloc.h"

/* RFC 6455 1.3: appended to the client's key before hashing. */
#define WS_GUID	"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

enum ws_state {
	WS_OPEN = 0,
	WS_CLOSING,		/* our close frame sent, waiting for theirs */
	WS_FLUSHING,		/* over: write what is queued, then finish */
	WS_DONE
};

struct ws {
	struct bufferevent	*bev;
	struct event_base	*base;
	char			*peer;
	enum ws_state		 state;

	ws_message_cb		 message_cb;
	ws_close_cb		 close_cb;
	ws_drain_cb		 drain_cb;
	void			*arg;

	size_t			 max_message;
	size_t			 high;
	int			 want_drain;	/* owner saw the mark */

	struct evbuffer		*msg;		/* message being reassembled */
	int			 msg_opcode;	/* 0: none */
	u_int			 nfrags;

	int			 code;		/* for the close callback */
	char			*reason;

	struct event		*ev_close;	/* close handshake / flush */
	struct event		*ev_ping;
	int			 ping_secs;
	struct timeval		 last_rx;
	int			 depth;		/* inside our callbacks */
	int			 freed;		/* ws_free while inside */
};

static void	 ws_read_cb(struct bufferevent *, void *);
static void	 ws_write_cb(struct bufferevent *, void *);
static void	 ws_event_cb(struct bufferevent *, short, void *);
static void	 ws_finish(struct ws *);

/* The accept key: base64(SHA-1(key GUID)), RFC 6455 4.2.2 item 5.4. */
void
ws_accept_key(const char *key, char out[29])
{
	static const char	 b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	struct sha1		 s;
	uint8_t			 d[SHA1_DIGEST_LEN + 1];
	int			 i, o = 0;
	uint32_t		 v;

	sha1_init(&s);
	sha1_update(&s, key, strlen(key));
	sha1_update(&s, WS_GUID, strlen(WS_GUID));
	sha1_final(&s, d);
	d[SHA1_DIGEST_LEN] = 0;
	/* 20 bytes: six groups of three, then two bytes and one '='. */
	for (i = 0; i < 21; i += 3) {
		v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 |
		    (i + 2 < 21 ? d[i + 2] : 0);
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	out[27] = '=';
	out[28] = '\0';
}

int
ws_utf8_valid(const u_char *s, size_t len)
{
	size_t		 i = 0, n, k;
	uint32_t	 cp, min;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = s[i] & 0x1f;
			min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = s[i] & 0x0f;
			min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = s[i] & 0x07;
			min = 0x10000;
		} else
			return (0);
		if (len - i <= n)
			return (0);
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return (0);
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return (0);
		i += n + 1;
	}
	return (1);
}

/* Does a comma-separated header value hold this token? */
static int
ws_has_token(const char *value, const char *token)
{
	size_t		 len = strlen(token);
	const char	*p = value, *e;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		e = p;
		while (*e != '\0' && *e != ',')
			e++;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if ((size_t)(e - p) == len && strncasecmp(p, token, len) == 0)
			return (1);
		p = strchr(p, ',');
	}
	return (0);
}

/* A Sec-WebSocket-Key is 16 bytes in base64: 22 characters and "==". */
static int
ws_key_ok(const char *key)
{
	int	 i;

	if (strlen(key) != 24 || key[22] != '=' || key[23] != '=')
		return (0);
	for (i = 0; i < 22; i++) {
		if (!isalnum((u_char)key[i]) && key[i] != '+' && key[i] != '/')
			return (0);
	}
	/* The last character carries 2 bits: the other 4 must be zero. */
	return (strchr("AQgw", key[21]) != NULL);
}

struct ws *
ws_accept(struct http_req *req, const char *protocol, ws_message_cb mcb,
    ws_close_cb ccb, void *arg)
{
	struct bufferevent	*bev;
	struct ws		*ws;
	const char		*up, *conn, *ver, *key;
	char			 accept[29], *peer;

	up = http_req_header(req, "Upgrade");
	conn = http_req_header(req, "Connection");
	ver = http_req_header(req, "Sec-WebSocket-Version");
	key = http_req_header(req, "Sec-WebSocket-Key");
	if (http_req_method(req) != HTTP_GET) {
		http_reply_error(req, 405, "method_not_allowed",
		    "a websocket opens with GET");
		return (NULL);
	}
	if (up == NULL || !ws_has_token(up, "websocket")) {
		http_add_header(req, "Upgrade", "websocket");
		http_reply_error(req, 426, "upgrade_required",
		    "this path is a websocket: send Upgrade: websocket");
		return (NULL);
	}
	if (conn == NULL || !ws_has_token(conn, "upgrade")) {
		http_reply_error(req, 400, "bad_request",
		    "websocket handshake without Connection: Upgrade");
		return (NULL);
	}
	if (ver == NULL || strcmp(ver, "13") != 0) {
		/* RFC 6455 4.4: say which version we speak. */
		http_add_header(req, "Sec-WebSocket-Version", "13");
		http_reply_error(req, 426, "upgrade_required",
		    "websocket version %.16s is not supported (13 is)",
		    ver != NULL ? ver : "(none)");
		return (NULL);
	}
	if (key == NULL || !ws_key_ok(key)) {
		http_reply_error(req, 400, "bad_request",
		    "Sec-WebSocket-Key is missing or not 16 bytes in base64");
		return (NULL);
	}
	ws_accept_key(key, accept);
	peer = xstrdup(http_req_peer(req));
	http_req_set_close_cb(req, NULL, NULL);
	if ((bev = http_req_takeover(req)) == NULL) {
		free(peer);
		return (NULL);
	}
	evbuffer_add_printf(bufferevent_get_output(bev),
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n", accept);
	if (protocol != NULL)
		evbuffer_add_printf(bufferevent_get_output(bev),
		    "Sec-WebSocket-Protocol: %s\r\n", protocol);
	evbuffer_add(bufferevent_get_output(bev), "\r\n", 2);
	ws = ws_new(bev, peer, mcb, ccb, arg);
	free(peer);
	return (ws);
}

struct ws *
ws_new(struct bufferevent *bev, const char *peer, ws_message_cb mcb,
    ws_close_cb ccb, void *arg)
{
	struct ws	*ws;

	ws = xcalloc(1, sizeof *ws);
	ws->bev = bev;
	ws->base = bufferevent_get_base(bev);
	ws->peer = xstrdup(peer != NULL ? peer : "-");
	ws->message_cb = mcb;
	ws->close_cb = ccb;
	ws->arg = arg;
	ws->max_message = WS_MAX_MESSAGE;
	ws->high = WS_OUT_HIGH;
	ws->msg = evbuffer_new();
	ws->code = WS_CLOSE_ABNORMAL;
	event_base_gettimeofday_cached(ws->base, &ws->last_rx);
	bufferevent_set_timeouts(bev, NULL, NULL);
	bufferevent_setwatermark(bev, EV_READ, 0, 0);
	bufferevent_setwatermark(bev, EV_WRITE, ws->high / 2, 0);
	bufferevent_setcb(bev, ws_read_cb, ws_write_cb, ws_event_cb, ws);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	log_debug("ws: %s: open", ws->peer);
	/* The client may have sent frames right behind its handshake. */
	if (evbuffer_get_length(bufferevent_get_input(bev)) > 0)
		ws_read_cb(bev, ws);
	return (ws);
}

static void
ws_destroy(struct ws *ws)
{
	if (ws->bev != NULL)
		bufferevent_free(ws->bev);
	if (ws->ev_close != NULL)
		event_free(ws->ev_close);
	if (ws->ev_ping != NULL)
		event_free(ws->ev_ping);
	evbuffer_free(ws->msg);
	free(ws->reason);
	free(ws->peer);
	free(ws);
}

void
ws_free(struct ws *ws)
{
	if (ws == NULL)
		return;
	ws->close_cb = NULL;
	ws->message_cb = NULL;
	ws->drain_cb = NULL;
	if (ws->depth > 0) {
		/* Inside one of our callbacks: the caller frees on return. */
		ws->freed = 1;
		ws->state = WS_DONE;
		if (ws->bev != NULL)
			bufferevent_disable(ws->bev, EV_READ | EV_WRITE);
		return;
	}
	ws_destroy(ws);
}

/* Leave a callback section; frees the websocket if it was freed inside. */
static int
ws_leave(struct ws *ws)
{
	if (--ws->depth == 0 && ws->freed) {
		ws_destroy(ws);
		return (-1);
	}
	return (ws->freed ? -1 : 0);
}

void
ws_set_max_message(struct ws *ws, size_t n)
{
	ws->max_message = n;
}

void
ws_set_high_water(struct ws *ws, size_t n)
{
	ws->high = n;
	bufferevent_setwatermark(ws->bev, EV_WRITE, n / 2, 0);
}

void
ws_set_drain_cb(struct ws *ws, ws_drain_cb cb)
{
	ws->drain_cb = cb;
}

void
ws_set_stall_timeout(struct ws *ws, int secs)
{
	struct timeval	 tv = { secs, 0 };

	/* libevent's write timeout: no progress while output is queued. */
	bufferevent_set_timeouts(ws->bev, NULL, secs > 0 ? &tv : NULL);
}

static void
ws_ping_cb(evutil_socket_t fd, short events, void *arg)
{
	struct ws	*ws = arg;
	struct timeval	 now, tv = { ws->ping_secs, 0 };

	if (ws->state != WS_OPEN)
		return;
	event_base_gettimeofday_cached(ws->base, &now);
	if (now.tv_sec - ws->last_rx.tv_sec > 2 * ws->ping_secs) {
		log_info("ws: %s: closing: nothing received for %d s (ping)",
		    ws->peer, 2 * ws->ping_secs);
		ws->code = WS_CLOSE_ABNORMAL;
		free(ws->reason);
		ws->reason = xstrdup("peer did not answer pings");
		ws_finish(ws);
		return;
	}
	ws_send(ws, WS_PING, "deskd", 5);
	evtimer_add(ws->ev_ping, &tv);
}

void
ws_set_ping_interval(struct ws *ws, int secs)
{
	struct timeval	 tv = { secs, 0 };

	ws->ping_secs = secs;
	if (ws->ev_ping == NULL)
		ws->ev_ping = evtimer_new(ws->base, ws_ping_cb, ws);
	if (secs > 0)
		evtimer_add(ws->ev_ping, &tv);
	else
		evtimer_del(ws->ev_ping);
}

const char *
ws_peer(struct ws *ws)
{
	return (ws->peer);
}

size_t
ws_pending(struct ws *ws)
{
	return (evbuffer_get_length(bufferevent_get_output(ws->bev)));
}

int
ws_above_mark(struct ws *ws)
{
	if (ws_pending(ws) <= ws->high)
		return (0);
	ws->want_drain = 1;
	return (1);
}

/* A server frame: FIN set, never masked (RFC 6455 5.1). */
static void
ws_frame(struct ws *ws, int opcode, const void *data, size_t len,
    struct evbuffer *from)
{
	struct evbuffer	*out = bufferevent_get_output(ws->bev);
	u_char		 h[10];
	size_t		 n = 2;
	int		 i;

	h[0] = 0x80 | opcode;
	if (len < 126)
		h[1] = len;
	else if (len <= 0xffff) {
		h[1] = 126;
		h[2] = len >> 8;
		h[3] = len;
		n = 4;
	} else {
		h[1] = 127;
		for (i = 0; i < 8; i++)
			h[2 + i] = (uint64_t)len >> (56 - 8 * i);
		n = 10;
	}
	evbuffer_add(out, h, n);
	if (from != NULL)
		evbuffer_add_buffer(out, from);
	else if (len > 0)
		evbuffer_add(out, data, len);
}

int
ws_send(struct ws *ws, int opcode, const void *data, size_t len)
{
	if (ws->state != WS_OPEN)
		return (-1);
	ws_frame(ws, opcode, data, len, NULL);
	return (0);
}

int
ws_send_buffer(struct ws *ws, int opcode, struct evbuffer *buf)
{
	if (ws->state != WS_OPEN) {
		evbuffer_drain(buf, evbuffer_get_length(buf));
		return (-1);
	}
	ws_frame(ws, opcode, NULL, evbuffer_get_length(buf), buf);
	return (0);
}

/* Run the close callback once, then free. */
static void
ws_finish(struct ws *ws)
{
	ws_close_cb	 cb = ws->close_cb;

	if (ws->state == WS_DONE)
		return;
	ws->state = WS_DONE;
	ws->close_cb = NULL;
	log_debug("ws: %s: closed %d %s", ws->peer, ws->code,
	    ws->reason != NULL ? ws->reason : "");
	bufferevent_disable(ws->bev, EV_READ | EV_WRITE);
	ws->depth++;
	if (cb != NULL)
		cb(ws, ws->code, ws->reason != NULL ? ws->reason : "", ws->arg);
	ws->freed = 1;
	ws_leave(ws);
}

static void
ws_close_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct ws	*ws = arg;

	if (ws->state == WS_CLOSING)
		log_debug("ws: %s: no close frame from the peer", ws->peer);
	ws_finish(ws);
}

/* Stop reading; finish once the output is written (or after a while). */
static void
ws_flush_then_finish(struct ws *ws)
{
	struct timeval	 tv = { WS_CLOSE_WAIT_MS / 1000,
			    (WS_CLOSE_WAIT_MS % 1000) * 1000 };

	ws->state = WS_FLUSHING;
	bufferevent_disable(ws->bev, EV_READ);
	if (ws_pending(ws) == 0) {
		ws_finish(ws);
		return;
	}
	if (ws->ev_close == NULL)
		ws->ev_close = evtimer_new(ws->base, ws_close_timer_cb, ws);
	evtimer_add(ws->ev_close, &tv);
}

static void
ws_send_close(struct ws *ws, int code, const char *reason)
{
	u_char	 p[2 + WS_MAX_REASON];
	size_t	 n = 0, rl;

	if (code != WS_CLOSE_NO_STATUS) {
		p[0] = code >> 8;
		p[1] = code;
		rl = strlen(reason);
		if (rl > WS_MAX_REASON)
			rl = WS_MAX_REASON;
		/* Never cut a UTF-8 sequence in two. */
		while (rl > 0 && !ws_utf8_valid((const u_char *)reason, rl))
			rl--;
		memcpy(p + 2, reason, rl);
		n = 2 + rl;
	}
	ws_frame(ws, WS_CLOSE, p, n, NULL);
}

/* Fail the connection (RFC 6455 7.1.7): say why, then close. */
static void
ws_fail(struct ws *ws, int code, const char *fmt, ...)
{
	va_list	 ap;

	free(ws->reason);
	va_start(ap, fmt);
	xvasprintf(&ws->reason, fmt, ap);
	va_end(ap);
	ws->code = code;
	log_info("ws: %s: closing (%d): %s", ws->peer, code, ws->reason);
	if (ws->state == WS_OPEN)
		ws_send_close(ws, code, ws->reason);
	ws_flush_then_finish(ws);
}

void
ws_close(struct ws *ws, int code, const char *fmt, ...)
{
	struct timeval	 tv = { WS_CLOSE_WAIT_MS / 1000,
			    (WS_CLOSE_WAIT_MS % 1000) * 1000 };
	va_list		 ap;

	if (ws->state != WS_OPEN)
		return;
	free(ws->reason);
	va_start(ap, fmt);
	xvasprintf(&ws->reason, fmt, ap);
	va_end(ap);
	ws->code = code;
	ws_send_close(ws, code, ws->reason);
	ws->state = WS_CLOSING;
	evbuffer_drain(ws->msg, evbuffer_get_length(ws->msg));
	ws->msg_opcode = 0;
	if (ws->ev_close == NULL)
		ws->ev_close = evtimer_new(ws->base, ws_close_timer_cb, ws);
	evtimer_add(ws->ev_close, &tv);
}

/* Valid close codes a peer may send (RFC 6455 7.4.1, 7.4.2). */
static int
ws_code_ok(int code)
{
	if (code >= 1000 && code <= 1003)
		return (1);
	if (code >= 1007 && code <= 1014)
		return (1);
	return (code >= 3000 && code <= 4999);
}

static void
ws_got_close(struct ws *ws, const u_char *p, size_t len)
{
	int	 code = WS_CLOSE_NO_STATUS;

	if (len == 1) {
		ws_fail(ws, WS_CLOSE_PROTOCOL, "close frame of one byte");
		return;
	}
	if (len >= 2) {
		code = p[0] << 8 | p[1];
		if (!ws_code_ok(code)) {
			ws_fail(ws, WS_CLOSE_PROTOCOL, "close code %d is not "
			    "allowed", code);
			return;
		}
		if (!ws_utf8_valid(p + 2, len - 2)) {
			ws_fail(ws, WS_CLOSE_BAD_DATA, "close reason is not "
			    "UTF-8");
			return;
		}
	}
	if (ws->state == WS_OPEN) {
		/* Their close: echo the code (5.5.1), report theirs. */
		ws->code = code;
		free(ws->reason);
		ws->reason = xstrndup(len > 2 ? (const char *)p + 2 : "",
		    len > 2 ? len - 2 : 0);
		ws_send_close(ws, code == WS_CLOSE_NO_STATUS ?
		    WS_CLOSE_NORMAL : code, "");
	}
	ws_flush_then_finish(ws);
}

/* Unmask and move len payload bytes from in to dst. */
static void
ws_unmask(struct evbuffer *in, struct evbuffer *dst, size_t len,
    const u_char key[4])
{
	u_char	 tmp[4096];
	size_t	 off = 0, n, i;

	while (off < len) {
		n = len - off;
		if (n > sizeof tmp)
			n = sizeof tmp;
		evbuffer_remove(in, tmp, n);
		for (i = 0; i < n; i++)
			tmp[i] ^= key[(off + i) & 3];
		evbuffer_add(dst, tmp, n);
		off += n;
	}
}

static int
ws_deliver(struct ws *ws)
{
	size_t		 len = evbuffer_get_length(ws->msg);
	const u_char	*p;
	int		 op = ws->msg_opcode;

	p = len > 0 ? evbuffer_pullup(ws->msg, -1) : (const u_char *)"";
	ws->msg_opcode = 0;
	ws->nfrags = 0;
	if (op == WS_TEXT && !ws_utf8_valid(p, len)) {
		ws_fail(ws, WS_CLOSE_BAD_DATA, "text message is not UTF-8");
		return (-1);
	}
	if (ws->message_cb != NULL) {
		ws->depth++;
		ws->message_cb(ws, op, p, len, ws->arg);
		if (ws_leave(ws) == -1)
			return (-1);
	}
	evbuffer_drain(ws->msg, evbuffer_get_length(ws->msg));
	return (0);
}

/*
 * One frame from the input: 1 when one was handled, 0 when more bytes
 * are needed, -1 when the connection failed or was freed.
 */
static int
ws_parse(struct ws *ws, struct evbuffer *in)
{
	u_char		 h[14], key[4], ctl[WS_MAX_CONTROL];
	size_t		 have = evbuffer_get_length(in), hl = 2, i;
	uint64_t	 len;
	int		 fin, op;

	if (have < 2)
		return (0);
	evbuffer_copyout(in, h, 2);
	fin = h[0] & 0x80;
	op = h[0] & 0x0f;
	len = h[1] & 0x7f;
	if (h[0] & 0x70) {
		ws_fail(ws, WS_CLOSE_PROTOCOL, "reserved bits set (0x%02x) "
		    "with no extension agreed", h[0] & 0x70);
		return (-1);
	}
	if (op != WS_CONT && op != WS_TEXT && op != WS_BINARY &&
	    op != WS_CLOSE && op != WS_PING && op != WS_PONG) {
		ws_fail(ws, WS_CLOSE_PROTOCOL, "unknown opcode 0x%x", op);
		return (-1);
	}
	/* 5.1: "a client MUST mask all frames that it sends". */
	if (!(h[1] & 0x80)) {
		ws_fail(ws, WS_CLOSE_PROTOCOL, "client frame is not masked");
		return (-1);
	}
	if (op >= WS_CLOSE && (!fin || len > WS_MAX_CONTROL)) {
		ws_fail(ws, WS_CLOSE_PROTOCOL, "control frame fragmented or "
		    "over %d bytes", WS_MAX_CONTROL);
		return (-1);
	}
	if (len == 126)
		hl += 2;
	else if (len == 127)
		hl += 8;
	hl += 4;
	if (have < hl)
		return (0);
	evbuffer_copyout(in, h, hl);
	if (len == 126)
		len = (uint64_t)h[2] << 8 | h[3];
	else if (len == 127) {
		len = 0;
		for (i = 0; i < 8; i++)
			len = len << 8 | h[2 + i];
		if (len >> 63) {
			ws_fail(ws, WS_CLOSE_PROTOCOL, "payload length has "
			    "its top bit set");
			return (-1);
		}
	}
	memcpy(key, h + hl - 4, 4);

	if (op < WS_CLOSE) {
		if (op == WS_CONT && ws->msg_opcode == 0) {
			ws_fail(ws, WS_CLOSE_PROTOCOL, "continuation frame "
			    "with no message started");
			return (-1);
		}
		if (op != WS_CONT && ws->msg_opcode != 0) {
			ws_fail(ws, WS_CLOSE_PROTOCOL, "new message in the "
			    "middle of a fragmented one");
			return (-1);
		}
		/* Checked before the payload is read: it may never come. */
		if (len > ws->max_message ||
		    evbuffer_get_length(ws->msg) + len > ws->max_message) {
			ws_fail(ws, WS_CLOSE_TOO_BIG, "message over the limit "
			    "of %zu bytes", ws->max_message);
			return (-1);
		}
		if (++ws->nfrags > WS_MAX_FRAGMENTS) {
			ws_fail(ws, WS_CLOSE_TOO_BIG, "message in more than "
			    "%d fragments", WS_MAX_FRAGMENTS);
			return (-1);
		}
	}
	if (have < hl + len)
		return (0);
	evbuffer_drain(in, hl);
	event_base_gettimeofday_cached(ws->base, &ws->last_rx);

	if (op >= WS_CLOSE) {
		for (i = 0; i < len; i++) {
			evbuffer_remove(in, &ctl[i], 1);
			ctl[i] ^= key[i & 3];
		}
		switch (op) {
		case WS_PING:
			if (ws->state == WS_OPEN)
				ws_frame(ws, WS_PONG, ctl, len, NULL);
			break;
		case WS_PONG:
			break;
		case WS_CLOSE:
			ws_got_close(ws, ctl, len);
			return (ws->state == WS_DONE ? -1 : 0);
		}
		return (1);
	}
	if (ws->state != WS_OPEN) {
		/* Closing: what arrives now is read and dropped. */
		evbuffer_drain(in, len);
		return (1);
	}
	if (op != WS_CONT)
		ws->msg_opcode = op;
	ws_unmask(in, ws->msg, len, key);
	if (fin && ws_deliver(ws) == -1)
		return (-1);
	return (1);
}

static void
ws_read_cb(struct bufferevent *bev, void *arg)
{
	struct ws	*ws = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);

	ws->depth++;
	while (ws->state == WS_OPEN || ws->state == WS_CLOSING) {
		if (ws_parse(ws, in) <= 0)
			break;
	}
	ws_leave(ws);
}

static void
ws_write_cb(struct bufferevent *bev, void *arg)
{
	struct ws	*ws = arg;

	if (ws->state == WS_FLUSHING) {
		if (ws_pending(ws) == 0)
			ws_finish(ws);
		return;
	}
	if (ws->state == WS_OPEN && ws->want_drain &&
	    ws_pending(ws) <= ws->high / 2) {
		ws->want_drain = 0;
		if (ws->drain_cb != NULL) {
			ws->depth++;
			ws->drain_cb(ws, ws->arg);
			ws_leave(ws);
		}
	}
}

static void
ws_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ws	*ws = arg;
	const char	*why;

	if (what & BEV_EVENT_TIMEOUT) {
		log_info("ws: %s: closing: the peer stopped reading (%zu "
		    "bytes queued)", ws->peer, ws_pending(ws));
		why = "peer stopped reading";
	} else if (what & BEV_EVENT_EOF)
		why = "peer closed the connection";
	else
		why = evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR());
	if (ws->state == WS_OPEN || ws->state == WS_CLOSING ||
	    (what & BEV_EVENT_TIMEOUT)) {
		if (ws->state != WS_CLOSING)
			ws->code = WS_CLOSE_ABNORMAL;
		free(ws->reason);
		ws->reason = xstrdup(why);
	}
	ws_finish(ws);
}
