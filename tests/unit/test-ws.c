/*
 * test-ws: the websocket server (agent/ws.c) over a real socketpair: raw
 * client frames in, raw server frames out.  The examples are RFC 6455's
 * (section 1.3 for the handshake key, 5.7 for frames) and RFC 3174's for
 * SHA-1; the handshake itself goes through the real HTTP server.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "auth.h"
#include "http.h"
#include "sha1.h"
#include "ws.h"
#include "tst.h"

static struct event_base	*base;

/* What the server side saw. */
static struct {
	int	 nmsg;
	int	 opcode;
	char	 msg[70000];
	size_t	 len;
	int	 closed;
	int	 code;
	char	 reason[200];
	int	 drains;
	int	 free_in_cb;
	int	 close_in_cb;
} got;

static struct ws	*cur;

static void
msg_cb(struct ws *ws, int opcode, const u_char *p, size_t len, void *arg)
{
	got.nmsg++;
	got.opcode = opcode;
	if (len > sizeof got.msg)
		len = sizeof got.msg;
	memcpy(got.msg, p, len);
	got.len = len;
	if (got.free_in_cb) {
		ws_free(ws);
		cur = NULL;
	} else if (got.close_in_cb)
		ws_close(ws, WS_CLOSE_POLICY, "not %.*s", (int)len, p);
}

static void
close_cb(struct ws *ws, int code, const char *reason, void *arg)
{
	got.closed++;
	got.code = code;
	snprintf(got.reason, sizeof got.reason, "%s", reason);
	cur = NULL;
}

static void
drain_cb(struct ws *ws, void *arg)
{
	got.drains++;
}

static void
pump(int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

/* A websocket on one end of a socketpair; returns the client's end. */
static int
open_ws(void)
{
	struct bufferevent	*bev;
	int			 sv[2];

	memset(&got, 0, sizeof got);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	bev = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	cur = ws_new(bev, "test", msg_cb, close_cb, NULL);
	return (sv[1]);
}

/* A masked client frame. */
static size_t
frame(u_char *out, int first, const void *data, size_t len, int mask)
{
	static const u_char	 key[4] = { 0x37, 0xfa, 0x21, 0x3d };
	size_t			 n = 0, i;

	out[n++] = first;
	if (len < 126)
		out[n++] = (mask ? 0x80 : 0) | len;
	else if (len <= 0xffff) {
		out[n++] = (mask ? 0x80 : 0) | 126;
		out[n++] = len >> 8;
		out[n++] = len;
	} else {
		out[n++] = (mask ? 0x80 : 0) | 127;
		for (i = 0; i < 8; i++)
			out[n++] = (uint64_t)len >> (56 - 8 * i);
	}
	if (mask) {
		memcpy(out + n, key, 4);
		n += 4;
	}
	for (i = 0; i < len; i++)
		out[n + i] = ((const u_char *)data)[i] ^ (mask ? key[i & 3] : 0);
	return (n + len);
}

static void
put(int fd, const void *p, size_t len)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < len) {
		n = write(fd, (const u_char *)p + off, len - off);
		if (n > 0)
			off += n;
		else
			pump(5);
	}
	pump(30);
}

/* Everything the server wrote so far. */
static size_t
drain_fd(int fd, u_char *buf, size_t cap)
{
	size_t	 got_n = 0;
	ssize_t	 n;
	int	 idle = 0;

	/* Until nothing more comes for a while. */
	while (idle < 3 && got_n < cap) {
		pump(10);
		n = read(fd, buf + got_n, cap - got_n);
		if (n > 0) {
			got_n += n;
			idle = 0;
		} else
			idle++;
	}
	return (got_n);
}

/* The close code of the first close frame in buf, or -1. */
static int
close_code(const u_char *buf, size_t len)
{
	size_t	 i = 0, pl;

	while (i + 2 <= len) {
		pl = buf[i + 1] & 0x7f;
		if ((buf[i] & 0x0f) == WS_CLOSE)
			return (pl >= 2 ? buf[i + 2] << 8 | buf[i + 3] : 1005);
		if (pl >= 126)
			return (-1);
		i += 2 + pl;
	}
	return (-1);
}

static void
hexsha(const char *s, size_t len, char *out)
{
	struct sha1	 c;
	uint8_t		 d[20];
	int		 i;

	sha1_init(&c);
	sha1_update(&c, s, len);
	sha1_final(&c, d);
	for (i = 0; i < 20; i++)
		sprintf(out + 2 * i, "%02X", d[i]);
}

static void
test_sha1_and_key(void)
{
	char	 h[41], key[29], *mil;

	hexsha("abc", 3, h);
	TST_STR_EQ(h, "A9993E364706816ABA3E25717850C26C9CD0D89D",
	    "sha1: RFC 3174 test 1");
	hexsha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, h);
	TST_STR_EQ(h, "84983E441C3BD26EBAAE4AA1F95129E5E54670F1",
	    "sha1: RFC 3174 test 2 (two blocks)");
	mil = malloc(1000000);
	memset(mil, 'a', 1000000);
	hexsha(mil, 1000000, h);
	free(mil);
	TST_STR_EQ(h, "34AA973CD4C4DAA4F61EEB2BDBAD27316534016F",
	    "sha1: RFC 3174 test 3 (a million a)");
	ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", key);
	TST_STR_EQ(key, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
	    "accept key of RFC 6455 1.3's example");
}

static void
test_utf8(void)
{
	TST_OK(ws_utf8_valid((const u_char *)"h\xc3\xa9\xe2\x82\xac"
	    "\xf0\x9f\x98\x80", 10), "utf8: 1-4 byte sequences");
	TST_OK(!ws_utf8_valid((const u_char *)"\xc0\xaf", 2),
	    "utf8: overlong refused");
	TST_OK(!ws_utf8_valid((const u_char *)"\xed\xa0\x80", 3),
	    "utf8: surrogate refused");
	TST_OK(!ws_utf8_valid((const u_char *)"\xf4\x90\x80\x80", 4),
	    "utf8: past U+10FFFF refused");
	TST_OK(!ws_utf8_valid((const u_char *)"\xe2\x82", 2),
	    "utf8: truncated refused");
}

/* RFC 6455 5.7 examples, as a client must send them (masked). */
static void
test_examples(void)
{
	static const u_char	 hello[] = { 0x81, 0x85, 0x37, 0xfa, 0x21,
	    0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	static const u_char	 unmasked[] = { 0x81, 0x05, 0x48, 0x65, 0x6c,
	    0x6c, 0x6f };
	u_char			 b[70000], out[70000], big[65536];
	size_t			 n;
	int			 fd;

	fd = open_ws();
	put(fd, hello, sizeof hello);
	TST_OK(got.nmsg == 1 && got.opcode == WS_TEXT && got.len == 5 &&
	    memcmp(got.msg, "Hello", 5) == 0,
	    "5.7: a single-frame masked text message \"Hello\"");

	/* Fragmented "Hel" + "lo" with a ping between the fragments. */
	n = frame(b, 0x01, "Hel", 3, 1);
	n += frame(b + n, 0x89, "Hello", 5, 1);
	n += frame(b + n, 0x80, "lo", 2, 1);
	put(fd, b, n);
	n = drain_fd(fd, out, sizeof out);
	TST_OK(got.nmsg == 2 && got.len == 5 &&
	    memcmp(got.msg, "Hello", 5) == 0,
	    "5.7: a fragmented text message is reassembled");
	TST_OK(n == 7 && out[0] == 0x8a && out[1] == 0x05 &&
	    memcmp(out + 2, "Hello", 5) == 0,
	    "5.7: a ping mid-message is answered with an unmasked pong");

	/* Server frames: 256 and 65536 byte binary messages (5.7). */
	memset(big, 'x', sizeof big);
	ws_send(cur, WS_BINARY, big, 256);
	n = drain_fd(fd, out, sizeof out);
	TST_OK(n == 260 && out[0] == 0x82 && out[1] == 0x7e &&
	    out[2] == 0x01 && out[3] == 0x00,
	    "5.7: 256 bytes binary, 16-bit length 0x7E 0x0100");
	ws_send(cur, WS_BINARY, big, 65536);
	n = drain_fd(fd, out, sizeof out);
	TST_OK(n == 65546 && out[0] == 0x82 && out[1] == 0x7f &&
	    out[2] == 0 && out[7] == 0x01 && out[8] == 0 && out[9] == 0,
	    "5.7: 64 KiB binary, 64-bit length 0x7F 0x0000000000010000");

	/* A client's 64 KiB message in one frame. */
	n = frame(b, 0x82, big, 65536, 1);
	put(fd, b, n);
	TST_OK(got.nmsg == 3 && got.opcode == WS_BINARY && got.len == 65536,
	    "a 64 KiB masked binary frame (64-bit length) is read");

	put(fd, unmasked, sizeof unmasked);
	n = drain_fd(fd, out, sizeof out);
	TST_INT_EQ(close_code(out, n), WS_CLOSE_PROTOCOL,
	    "5.7's unmasked frame from a client: close 1002 (5.1)");
	pump(30);
	TST_OK(got.closed == 1 && got.code == WS_CLOSE_PROTOCOL,
	    "close callback once with 1002");
	TST_OK(read(fd, out, 1) == 0, "server closed the connection");
	close(fd);
}

/* Send one bad thing, expect the close code and the close callback. */
static void
bad(const void *p, size_t len, int want, const char *what)
{
	u_char	 out[4096];
	size_t	 n;
	int	 fd;

	fd = open_ws();
	put(fd, p, len);
	n = drain_fd(fd, out, sizeof out);
	TST_INT_EQ(close_code(out, n), want, "%s: close %d", what, want);
	pump(20);
	TST_OK(got.closed == 1 && got.code == want && got.nmsg == 0,
	    "%s: closed, no message delivered", what);
	close(fd);
	pump(10);
}

static void
test_bad_frames(void)
{
	u_char	 b[512], junk[300];
	size_t	 n;

	memset(junk, 'a', sizeof junk);
	n = frame(b, 0x83, "x", 1, 1);
	bad(b, n, WS_CLOSE_PROTOCOL, "opcode 0x3 (reserved)");
	n = frame(b, 0x8b, "x", 1, 1);
	bad(b, n, WS_CLOSE_PROTOCOL, "opcode 0xB (reserved control)");
	n = frame(b, 0xc1, "x", 1, 1);
	bad(b, n, WS_CLOSE_PROTOCOL, "RSV1 set with no extension");
	n = frame(b, 0x80, "x", 1, 1);
	bad(b, n, WS_CLOSE_PROTOCOL, "continuation with no message");
	n = frame(b, 0x01, "a", 1, 1);
	n += frame(b + n, 0x81, "b", 1, 1);
	bad(b, n, WS_CLOSE_PROTOCOL, "new message inside a fragmented one");
	n = frame(b, 0x09, "x", 1, 1);
	bad(b, n, WS_CLOSE_PROTOCOL, "fragmented ping");
	n = frame(b, 0x89, junk, 126, 1);
	bad(b, n, WS_CLOSE_PROTOCOL, "ping over 125 bytes");
	n = frame(b, 0x81, "\xc3\x28", 2, 1);
	bad(b, n, WS_CLOSE_BAD_DATA, "text that is not UTF-8");
	n = frame(b, 0x88, "\x03\xed", 2, 1);
	bad(b, n, WS_CLOSE_PROTOCOL, "close code 1005 on the wire");
	n = frame(b, 0x88, "\x03", 1, 1);
	bad(b, n, WS_CLOSE_PROTOCOL, "close payload of one byte");
}

static void
test_oversize(void)
{
	u_char	 b[4096], out[4096], junk[200];
	size_t	 n;
	int	 fd;

	/* Only the header of a 1 MB + 1 message: refused before its body. */
	fd = open_ws();
	b[0] = 0x82;
	b[1] = 0x80 | 127;
	memset(b + 2, 0, 8);
	b[7] = 0x10;
	b[9] = 0x01;
	memset(b + 10, 0x11, 4);
	put(fd, b, 14);
	n = drain_fd(fd, out, sizeof out);
	TST_INT_EQ(close_code(out, n), WS_CLOSE_TOO_BIG,
	    "a header announcing WS_MAX_MESSAGE + 1 bytes: close 1009 at once");
	close(fd);
	pump(10);

	/* Fragments adding up past a smaller limit. */
	memset(junk, 'a', sizeof junk);
	fd = open_ws();
	ws_set_max_message(cur, 100);
	n = frame(b, 0x01, junk, 60, 1);
	n += frame(b + n, 0x80, junk, 60, 1);
	put(fd, b, n);
	n = drain_fd(fd, out, sizeof out);
	TST_INT_EQ(close_code(out, n), WS_CLOSE_TOO_BIG,
	    "fragments over the limit: close 1009");
	TST_OK(got.nmsg == 0 && got.closed == 1, "nothing delivered");
	close(fd);
	pump(10);

	/* 64-bit length with the top bit set. */
	fd = open_ws();
	b[0] = 0x82;
	b[1] = 0x80 | 127;
	memset(b + 2, 0, 8);
	b[2] = 0x80;
	put(fd, b, 14);
	n = drain_fd(fd, out, sizeof out);
	TST_INT_EQ(close_code(out, n), WS_CLOSE_PROTOCOL,
	    "64-bit length with its top bit set: close 1002");
	close(fd);
	pump(10);
}

static void
test_close(void)
{
	u_char	 b[256], out[256];
	size_t	 n;
	int	 fd;

	fd = open_ws();
	n = frame(b, 0x88, "\x03\xe8" "bye", 5, 1);
	put(fd, b, n);
	n = drain_fd(fd, out, sizeof out);
	TST_INT_EQ(close_code(out, n), WS_CLOSE_NORMAL,
	    "peer's close 1000 is echoed");
	TST_OK(got.closed == 1 && got.code == 1000 &&
	    strcmp(got.reason, "bye") == 0,
	    "close callback has the peer's code and reason");
	TST_OK(read(fd, out, 1) == 0, "server closes TCP after the echo");
	close(fd);

	/* Our close: the peer answers, then the callback runs. */
	fd = open_ws();
	ws_close(cur, WS_CLOSE_GOING_AWAY, "shutting %s", "down");
	n = drain_fd(fd, out, sizeof out);
	TST_INT_EQ(close_code(out, n), WS_CLOSE_GOING_AWAY,
	    "ws_close sends its code");
	TST_OK(n == 4 + 13 && memcmp(out + 4, "shutting down", 13) == 0,
	    "... and its reason");
	TST_OK(got.closed == 0, "no callback before the peer answers");
	n = frame(b, 0x81, "late", 4, 1);
	n += frame(b + n, 0x88, "\x03\xe9", 2, 1);
	put(fd, b, n);
	TST_OK(got.closed == 1 && got.code == WS_CLOSE_GOING_AWAY &&
	    got.nmsg == 0, "peer's close ends it; data after ours dropped");
	TST_OK(read(fd, out, 1) == 0,
	    "connection closed");
	close(fd);

	/* A peer that hangs up: 1006. */
	fd = open_ws();
	close(fd);
	pump(30);
	TST_OK(got.closed == 1 && got.code == WS_CLOSE_ABNORMAL,
	    "peer hang-up: close callback with 1006");

	/* Free and close from inside the message callback. */
	fd = open_ws();
	got.free_in_cb = 1;
	n = frame(b, 0x81, "a", 1, 1);
	n += frame(b + n, 0x81, "b", 1, 1);
	put(fd, b, n);
	TST_OK(got.nmsg == 1 && cur == NULL && got.closed == 0,
	    "ws_free inside the message callback: nothing after it");
	TST_OK(read(fd, out, 1) == 0, "... and the connection is closed");
	close(fd);
	fd = open_ws();
	got.close_in_cb = 1;
	n = frame(b, 0x81, "ok", 2, 1);
	put(fd, b, n);
	n = drain_fd(fd, out, sizeof out);
	TST_INT_EQ(close_code(out, n), WS_CLOSE_POLICY,
	    "ws_close inside the message callback");
	close(fd);
	pump(30);
	TST_OK(got.closed == 1 && got.code == WS_CLOSE_POLICY,
	    "close callback after the peer hung up");
}

static void
test_backpressure(void)
{
	static u_char	 chunk[16384], out[65536];
	int		 fd, i, above = 0, sndbuf = 4096;
	ssize_t		 n;

	fd = open_ws();
	ws_set_high_water(cur, 32768);
	ws_set_drain_cb(cur, drain_cb);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof sndbuf);
	/* The peer reads nothing: the owner sees the mark and stops. */
	for (i = 0; i < 200 && !above; i++) {
		ws_send(cur, WS_BINARY, chunk, sizeof chunk);
		pump(2);
		above = ws_above_mark(cur);
	}
	TST_OK(above, "a peer that does not read puts the output over "
	    "the mark");
	TST_OK(ws_pending(cur) < 32768 + sizeof chunk + 16,
	    "queued output stays at the mark plus one message (%zu)",
	    ws_pending(cur));
	TST_INT_EQ(got.drains, 0, "no drain callback while over");
	for (i = 0; i < 200 && got.drains == 0; i++) {
		while ((n = read(fd, out, sizeof out)) > 0)
			;
		pump(5);
	}
	TST_INT_EQ(got.drains, 1, "drain callback once the peer reads");

	/* Stalled peer: closed after the stall timeout with 1006. */
	ws_set_stall_timeout(cur, 1);
	for (i = 0; i < 100; i++)
		ws_send(cur, WS_BINARY, chunk, sizeof chunk);
	for (i = 0; i < 40 && !got.closed; i++)
		pump(100);
	TST_OK(got.closed == 1 && got.code == WS_CLOSE_ABNORMAL &&
	    strstr(got.reason, "stopped reading") != NULL,
	    "a peer that stops reading is closed after the stall timeout");
	close(fd);
}

/* The handshake through the real HTTP server. */
static struct ws	*accepted;

static void
upgrade_cb(struct http_req *req, void *arg)
{
	accepted = ws_accept(req, NULL, msg_cb, close_cb, NULL);
}

static char *
http_rt(int port, const char *req)
{
	static char		 out[8192];
	struct sockaddr_in	 sin;
	size_t			 n = 0;
	ssize_t			 r;
	int			 fd, i;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	connect(fd, (struct sockaddr *)&sin, sizeof sin);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	(void)!write(fd, req, strlen(req));
	for (i = 0; i < 20; i++) {
		pump(10);
		while ((r = read(fd, out + n, sizeof out - 1 - n)) > 0)
			n += r;
		if (r == 0)
			break;
	}
	out[n] = '\0';
	close(fd);
	pump(10);
	return (out);
}

static void
test_handshake(void)
{
	struct auth		*a = auth_new();
	struct http_server	*srv;
	char			*cause = NULL, *r;
	int			 port;

	srv = http_server_new(base, "test", a);
	http_route(srv, "/ws", HTTP_GET, 0, 0, upgrade_cb, NULL);
	if (http_server_listen(srv, "127.0.0.1:0", &cause) == -1) {
		TST_OK(0, "listen: %s", cause);
		return;
	}
	port = http_server_port(srv);
	memset(&got, 0, sizeof got);
	r = http_rt(port, "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n"
	    "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58");
	TST_OK(strncmp(r, "HTTP/1.1 101 ", 13) == 0 &&
	    strstr(r, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n")
	    != NULL, "handshake: 101 with RFC 6455 1.3's accept value");
	TST_OK(accepted != NULL && got.nmsg == 1 &&
	    memcmp(got.msg, "Hello", 5) == 0,
	    "a frame right behind the handshake is read");
	TST_OK(http_server_nconns(srv) == 0,
	    "the HTTP server gave the connection up");
	pump(20);

	r = http_rt(port, "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 426 ", 13) == 0 &&
	    strstr(r, "\"upgrade_required\"") != NULL,
	    "plain GET: 426 JSON error");
	r = http_rt(port, "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 8\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 426 ", 13) == 0 &&
	    strstr(r, "Sec-WebSocket-Version: 13\r\n") != NULL,
	    "version 8: 426 naming version 13");
	r = http_rt(port, "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: short==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 400 ", 13) == 0,
	    "a key that is not 16 bytes: 400");
	r = http_rt(port, "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Upgrade: websocket\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 400 ", 13) == 0,
	    "no Connection: Upgrade: 400");
	/* Cross-site websocket hijacking: http.c's Origin rule holds here. */
	accepted = NULL;
	r = http_rt(port, "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Origin: http://evil.example\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 403 ", 13) == 0 &&
	    strstr(r, "\"forbidden_origin\"") != NULL && accepted == NULL,
	    "a handshake from a page on another origin: 403, not upgraded");
	r = http_rt(port, "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Origin: http://127.0.0.1\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 101 ", 13) == 0,
	    "one from deskd's own origin: 101");
	pump(20);
	http_server_free(srv);
	auth_free(a);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	test_sha1_and_key();
	test_utf8();
	test_examples();
	test_bad_frames();
	test_oversize();
	test_close();
	test_backpressure();
	test_handshake();
	event_base_free(base);
	return (tst_done());
}
