/*
 * test-http-parse: the HTTP server (agent/http.c) and the access rules
 * (agent/auth.c) over a real loopback socket: raw request bytes in, raw
 * response bytes out.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "auth.h"
#include "deskd.h"
#include "http.h"
#include "tst.h"
#include "xmalloc.h"

static struct event_base	*base;
static struct http_server	*srv;
static int			 port;

static void
echo_cb(struct http_req *req, void *arg)
{
	char	 buf[128];

	snprintf(buf, sizeof buf, "%s %s len=%zu q=%s",
	    http_req_method_name(req), http_req_path(req),
	    evbuffer_get_length(http_req_body(req)),
	    http_req_query(req, "q") ? http_req_query(req, "q") : "-");
	http_reply(req, 200, "text/plain", buf, strlen(buf));
}

static void
json_cb(struct http_req *req, void *arg)
{
	char	*cause = NULL;
	json_t	*obj;

	if ((obj = http_req_json(req, 0, &cause)) == NULL) {
		http_reply_error(req, 400, "bad_json", "%s", cause);
		free(cause);
		return;
	}
	http_reply_json(req, 200, obj);
}

/* An asynchronous route: the reply comes from a timer 100 ms later. */
static void
later_fire_cb(evutil_socket_t fd, short events, void *arg)
{
	http_reply(arg, 200, "text/plain", "later", 5);
}

static int	 later_closed;
static struct timeval	 later_tv = { 0, 100000 }, slow_tv = { 2, 0 };

static void
later_close_cb(struct http_req *req, void *arg)
{
	later_closed++;
	event_free(arg);
}

static void
later_cb(struct http_req *req, void *arg)
{
	struct timeval	*tv = arg;
	struct event	*ev;

	ev = evtimer_new(base, later_fire_cb, req);
	http_req_set_close_cb(req, later_close_cb, ev);
	evtimer_add(ev, tv);
}

/* A streamed route: counts the body, answers once it has all of it. */
static int
stream_body_cb(struct http_req *req, struct evbuffer *data, int done,
    void *arg)
{
	size_t	*n = arg;
	char	 buf[64];

	*n += evbuffer_get_length(data);
	if (done) {
		snprintf(buf, sizeof buf, "streamed=%zu", *n);
		free(n);
		http_reply(req, 200, "text/plain", buf, strlen(buf));
	}
	return (0);
}

static void
stream_close_cb(struct http_req *req, void *arg)
{
	free(arg);
}

static void
stream_cb(struct http_req *req, void *arg)
{
	size_t	*n = xcalloc(1, sizeof *n);

	http_req_set_body_cb(req, stream_body_cb, n);
	http_req_set_close_cb(req, stream_close_cb, n);
}

static int	 rt_halfclose;

/* Send raw bytes, run the loop until the peer closes or quiet, return all. */
static char *
roundtrip(const char *data, size_t len, int wait_close)
{
	struct sockaddr_in	 sin;
	struct timeval		 tv = { 0, 20000 };
	static char		 out[65536];
	size_t			 got = 0;
	ssize_t			 n;
	int			 fd, i, idle = 0;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1)
		return (NULL);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	(void)!write(fd, data, len);
	if (rt_halfclose)
		shutdown(fd, SHUT_WR);
	for (i = 0; i < 300 && idle < (wait_close ? 100 : 10); i++) {
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
		n = read(fd, out + got, sizeof out - 1 - got);
		if (n == 0)
			break;
		if (n > 0) {
			got += n;
			idle = 0;
		} else
			idle++;
	}
	close(fd);
	/* Let the server notice the close. */
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	out[got] = '\0';
	return (out);
}

static char *
rt(const char *s)
{
	return (roundtrip(s, strlen(s), 0));
}

static int
count(const char *hay, const char *needle)
{
	int	 n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return (n);
}

/* auth_check without keeping the cause. */
static int
chk(struct auth *a, void *sa, const char *authz)
{
	char	*cause = NULL;
	int	 rc;

	rc = auth_check(a, sa, authz, &cause);
	free(cause);
	return (rc);
}

static int
allow(struct auth *a, const char *cidr)
{
	char	*cause = NULL;
	int	 rc;

	rc = auth_allow(a, cidr, &cause);
	free(cause);
	return (rc);
}

static void
test_auth_rules(void)
{
	struct auth		*a = auth_new();
	struct sockaddr_in	 v4;
	struct sockaddr_in6	 v6;

	memset(&v4, 0, sizeof v4);
	v4.sin_family = AF_INET;
	memset(&v6, 0, sizeof v6);
	v6.sin6_family = AF_INET6;

	inet_pton(AF_INET, "127.0.0.1", &v4.sin_addr);
	TST_OK(chk(a, (struct sockaddr *)&v4, NULL) == 0,
	    "no token, no allow: loopback is served");
	inet_pton(AF_INET, "10.1.2.3", &v4.sin_addr);
	TST_OK(chk(a, (struct sockaddr *)&v4, NULL) == -1,
	    "no token, no allow: a remote peer is refused");
	inet_pton(AF_INET6, "::ffff:10.1.2.3", &v6.sin6_addr);
	TST_OK(chk(a, (struct sockaddr *)&v6, NULL) == -1,
	    "v4-mapped remote peer is refused");

	TST_OK(allow(a, "10.0.0.0/8") == 0, "allow 10/8");
	TST_OK(allow(a, "10.0.0.0/33") == -1,
	    "allow rejects /33");
	TST_OK(allow(a, "nonsense") == -1,
	    "allow rejects a non-address");
	inet_pton(AF_INET, "10.200.0.1", &v4.sin_addr);
	TST_OK(chk(a, (struct sockaddr *)&v4, NULL) == 0,
	    "allowed network needs no token");
	TST_OK(chk(a, (struct sockaddr *)&v6, NULL) == 0,
	    "v4-mapped peer in an allowed network is served");
	inet_pton(AF_INET, "11.0.0.1", &v4.sin_addr);
	TST_OK(chk(a, (struct sockaddr *)&v4, NULL) == -1,
	    "peer outside the allowed network is refused");
	inet_pton(AF_INET, "127.0.0.1", &v4.sin_addr);
	TST_OK(chk(a, (struct sockaddr *)&v4, NULL) == -1,
	    "with --allow, loopback is no longer implicitly served");

	auth_set_token(a, "0123456789abcdef0123");
	inet_pton(AF_INET, "11.0.0.1", &v4.sin_addr);
	TST_OK(chk(a, (struct sockaddr *)&v4, "Bearer 0123456789abcdef0123") == 0, "right token");
	TST_OK(chk(a, (struct sockaddr *)&v4, "Bearer 0123456789abcdef012") == -1,
	    "token prefix refused");
	TST_OK(chk(a, (struct sockaddr *)&v4, "Bearer 0123456789abcdef01234") == -1,
	    "token with extra byte refused");
	TST_OK(chk(a, (struct sockaddr *)&v4, "Basic 0123456789abcdef0123") == -1,
	    "non-bearer scheme refused");
	TST_OK(auth_token_ok(a, "Bearer 0123456789abcdef0123") == 1,
	    "auth_token_ok: the token");
	TST_OK(auth_token_ok(a, "Bearer 0123456789abcdef012") == 0 &&
	    auth_token_ok(a, NULL) == 0, "auth_token_ok: not the token");
	auth_set_open(a, 1);
	TST_OK(chk(a, (struct sockaddr *)&v4, NULL) == 0,
	    "--no-auth lets anyone in");
	auth_free(a);

	/* --allow ::ffff:a.b.c.d/N matches v4 peers, mapped or not. */
	a = auth_new();
	TST_OK(allow(a, "::ffff:192.0.2.0/120") == 0,
	    "allow ::ffff:192.0.2.0/120");
	TST_OK(allow(a, "::ffff:0.0.0.0/90") == -1,
	    "allow refuses a v4-mapped network wider than /96");
	inet_pton(AF_INET, "192.0.2.7", &v4.sin_addr);
	TST_OK(chk(a, (struct sockaddr *)&v4, NULL) == 0,
	    "a v4 peer matches the v4-mapped network");
	inet_pton(AF_INET6, "::ffff:192.0.2.8", &v6.sin6_addr);
	TST_OK(chk(a, (struct sockaddr *)&v6, NULL) == 0,
	    "a v4-mapped peer matches the v4-mapped network");
	inet_pton(AF_INET, "192.0.3.1", &v4.sin_addr);
	TST_OK(chk(a, (struct sockaddr *)&v4, NULL) == -1,
	    "a v4 peer outside it does not");
	auth_free(a);
}

/* A token file with a NUL byte would cut the token short: refused. */
static void
test_token_file(void)
{
	static const char	 nul[] = "abc\0" "0123456789abcdef0123456789abcdef\n";
	struct auth		*a = auth_new();
	char			 path[] = "/tmp/test-http-token.XXXXXX", *cause = NULL;
	int			 fd;

	fd = mkstemp(path);
	(void)!write(fd, nul, sizeof nul - 1);
	close(fd);
	TST_OK(auth_set_token_file(a, path, &cause) == -1 &&
	    cause != NULL && strstr(cause, "NUL") != NULL,
	    "a token file holding a NUL byte is refused (%s)",
	    cause != NULL ? cause : "accepted");
	TST_OK(auth_has_token(a) == 0, "and no token is set");
	free(cause);
	unlink(path);
	auth_free(a);
}

static int
status_is(const char *r, const char *code)
{
	return (strncmp(r, "HTTP/1.1 ", 9) == 0 && strncmp(r + 9, code, 3) == 0);
}

/* RFC 9112 framing, read strictly so no proxy in front reads it otherwise. */
static void
test_framing(void)
{
	static const char	 nul_cl[] = "POST /echo HTTP/1.1\r\n"
	    "Content-Length: 1\0 00\r\n\r\nx";
	static const char	 nul_hdr[] = "GET /echo HTTP/1.1\r\n"
	    "X-A: a\0b\r\n\r\n";
	char			*r, req[40000];
	int			 n, i;

	r = rt("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "0x5\r\nhello\r\n0\r\n\r\n");
	TST_OK(status_is(r, "400"), "chunk size 0x5: 400");
	r = rt("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    " 5\r\nhello\r\n0\r\n\r\n");
	TST_OK(status_is(r, "400"), "chunk size with a leading space: 400");
	r = rt("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "+5\r\nhello\r\n0\r\n\r\n");
	TST_OK(status_is(r, "400"), "chunk size +5: 400");
	r = rt("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5 \r\nhello\r\n0\r\n\r\n");
	TST_OK(status_is(r, "400"), "chunk size with trailing space, no "
	    "extension: 400");
	r = rt("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "00000000000000005\r\nhello\r\n0\r\n\r\n");
	TST_OK(status_is(r, "400"), "chunk size of 17 digits: 400");
	r = rt("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5 ;a=b\r\nhello\r\n0\r\n\r\n");
	TST_OK(status_is(r, "200") && strstr(r, "len=5") != NULL,
	    "chunk extension after BWS is accepted");
	r = rt("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5\nhello\r\n0\r\n\r\n");
	TST_OK(status_is(r, "400"), "chunk size line ended by a bare LF: 400");
	r = rt("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5\r\nhello\n0\r\n\r\n");
	TST_OK(status_is(r, "400"), "chunk data ended by a bare LF: 400");

	/* A complete over-long chunk line is refused, not only a partial. */
	n = snprintf(req, sizeof req, "POST /echo HTTP/1.1\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n5;");
	for (i = 0; i < HTTP_MAX_LINE + 10; i++)
		req[n++] = 'x';
	n += snprintf(req + n, sizeof req - n, "\r\nhello\r\n0\r\n\r\n");
	r = roundtrip(req, n, 0);
	TST_OK(status_is(r, "400"), "complete chunk line over the limit: 400");

	/* Trailers are bounded like a head. */
	n = snprintf(req, sizeof req, "POST /echo HTTP/1.1\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n");
	for (i = 0; i < HTTP_MAX_HEADERS + 5; i++)
		n += snprintf(req + n, sizeof req - n, "X-%d: y\r\n", i);
	n += snprintf(req + n, sizeof req - n, "\r\n");
	r = roundtrip(req, n, 0);
	TST_OK(status_is(r, "431"), "more trailer lines than headers: 431");
	r = rt("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "0\r\nnot a field\r\n\r\n");
	TST_OK(status_is(r, "400"), "malformed trailer line: 400");

	r = rt("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
	TST_OK(status_is(r, "400"), "chunked twice (two headers): 400");
	r = rt("POST /echo HTTP/1.1\r\nTransfer-Encoding: identity\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
	TST_OK(status_is(r, "501"), "an unknown coding in a second "
	    "Transfer-Encoding header: 501");
	r = rt("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: gzip\r\n\r\n0\r\n\r\n");
	TST_OK(status_is(r, "400") || status_is(r, "501"),
	    "chunked not the last coding: refused");
	r = rt("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked, chunked"
	    "\r\n\r\n0\r\n\r\n");
	TST_OK(status_is(r, "400"), "\"chunked, chunked\": 400");
	r = rt("POST /echo HTTP/1.1\r\nTransfer-Encoding:  Chunked \r\n\r\n"
	    "2\r\nhi\r\n0\r\n\r\n");
	TST_OK(status_is(r, "200") && strstr(r, "len=2") != NULL,
	    "Transfer-Encoding is case-insensitive");
	r = roundtrip("POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n0\r\n\r\n", 56, 1);
	TST_OK(strstr(r, " 400 ") != NULL, "Transfer-Encoding in HTTP/1.0: "
	    "400");

	r = roundtrip(nul_cl, sizeof nul_cl - 1, 0);
	TST_OK(status_is(r, "400"), "NUL in Content-Length: 400");
	r = roundtrip(nul_hdr, sizeof nul_hdr - 1, 0);
	TST_OK(status_is(r, "400"), "NUL in a header value: 400");
	r = rt("GET /echo HTTP/1.1\r\nX-A: a\rb\r\n\r\n");
	TST_OK(status_is(r, "400"), "bare CR in a header value: 400");
	r = rt("POST /echo HTTP/1.1\r\nContent-Length: 1,1\r\n\r\nx");
	TST_OK(status_is(r, "400"), "Content-Length list: 400");
	r = rt("POST /echo HTTP/1.1\r\nContent-Length: +1\r\n\r\nx");
	TST_OK(status_is(r, "400"), "Content-Length +1: 400");
}

/* Pages in a browser: Origin, Sec-Fetch-Site and Host (item 1, 2). */
static void
test_access(void)
{
	char	*r;

	r = rt("GET /echo HTTP/1.1\r\nHost: rebind.attacker.example\r\n\r\n");
	TST_OK(status_is(r, "400") && strstr(r, "bad_host") != NULL,
	    "Host that is a DNS name: 400 bad_host");
	r = rt("GET /open HTTP/1.1\r\nHost: rebind.attacker.example:5000\r\n"
	    "\r\n");
	TST_OK(status_is(r, "400"), "also on an open route");
	r = rt("GET /echo HTTP/1.1\r\nHost: localhost:5000\r\n\r\n");
	TST_OK(status_is(r, "200"), "Host localhost:5000: 200");
	r = rt("GET /echo HTTP/1.1\r\nHost: [::1]:5000\r\n\r\n");
	TST_OK(status_is(r, "200"), "Host [::1]:5000: 200");
	r = rt("GET /echo HTTP/1.1\r\nHost: 10.1.2.3\r\n\r\n");
	TST_OK(status_is(r, "200"), "Host 10.1.2.3: 200");
	r = rt("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.1\r\n"
	    "\r\n");
	TST_OK(status_is(r, "400"), "two Host headers: 400");
	r = rt("GET /echo HTTP/1.1\r\nHost: 127.0.0.1:5x\r\n\r\n");
	TST_OK(status_is(r, "400"), "Host with a bad port: 400");
	deskd_cfg.host_names[0] = "guest.example";
	deskd_cfg.nhost_names = 1;
	r = rt("GET /echo HTTP/1.1\r\nHost: Guest.Example:5000\r\n\r\n");
	TST_OK(status_is(r, "200"), "a --host-name name: 200");
	deskd_cfg.nhost_names = 0;
	/* The rule itself, the DevTools port's too (cdp.c). */
	TST_INT_EQ(http_host_allowed("127.0.0.1:9222"), 1,
	    "allowed: IPv4:port");
	TST_INT_EQ(http_host_allowed("10.1.2.3"), 1, "allowed: IPv4");
	TST_INT_EQ(http_host_allowed("[::1]:9222"), 1,
	    "allowed: [IPv6]:port");
	TST_INT_EQ(http_host_allowed("[fd00::5]"), 1, "allowed: [IPv6]");
	TST_INT_EQ(http_host_allowed("localhost:9222"), 1,
	    "allowed: localhost");
	TST_INT_EQ(http_host_allowed("LocalHost"), 1,
	    "allowed: LocalHost");
	TST_INT_EQ(http_host_allowed("agent.example:9222"), 0,
	    "refused: a DNS name (rebinding)");
	TST_INT_EQ(http_host_allowed("localhost.evil.example"), 0,
	    "refused: localhost.evil.example");
	TST_INT_EQ(http_host_allowed("127.0.0.1.nip.io:9222"), 0,
	    "refused: 127.0.0.1.nip.io");
	TST_INT_EQ(http_host_allowed("1.2.3:80"), 0, "refused: 1.2.3");
	TST_INT_EQ(http_host_allowed("::1"), 0,
	    "refused: IPv6 without []");
	TST_INT_EQ(http_host_allowed("[::1]x"), 0, "refused: [::1]x");
	TST_INT_EQ(http_host_allowed("[nope]:1"), 0, "refused: [nope]");
	TST_INT_EQ(http_host_allowed("[::1"), 0, "refused: [::1");
	TST_INT_EQ(http_host_allowed(""), 0, "refused: empty");
	TST_INT_EQ(http_host_allowed("127.0.0.1:5x"), 0, "refused: bad port");

	r = rt("POST /echo HTTP/1.1\r\nHost: rebind.example:5000\r\n"
	    "Origin: http://rebind.example:5000\r\nContent-Length: 0\r\n\r\n");
	TST_OK(status_is(r, "403") && strstr(r, "forbidden_origin") != NULL,
	    "an Origin equal to a DNS-name Host (rebinding): 403, not 400");

	r = rt("POST /echo HTTP/1.1\r\nHost: 127.0.0.1:5000\r\n"
	    "Origin: http://127.0.0.1:8000\r\nContent-Length: 0\r\n\r\n");
	TST_OK(status_is(r, "403") && strstr(r, "forbidden_origin") != NULL,
	    "Origin of another local port: 403 forbidden_origin");
	r = rt("POST /echo HTTP/1.1\r\nHost: 127.0.0.1:5000\r\n"
	    "Origin: null\r\nContent-Length: 0\r\n\r\n");
	TST_OK(status_is(r, "403"), "Origin null (a file: page): 403");
	r = rt("POST /echo HTTP/1.1\r\nHost: 127.0.0.1:5000\r\n"
	    "Origin: http://127.0.0.1:5000\r\nContent-Length: 0\r\n\r\n");
	TST_OK(status_is(r, "200"), "deskd's own origin: 200");
	r = rt("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Origin: http://127.0.0.1:80\r\nContent-Length: 0\r\n\r\n");
	TST_OK(status_is(r, "200"), "own origin with the default port spelt "
	    "out: 200");
	r = rt("POST /echo HTTP/1.1\r\nOrigin: http://127.0.0.1:5000\r\n"
	    "Content-Length: 0\r\n\r\n");
	TST_OK(status_is(r, "403"), "an Origin with no Host to match: 403");
	r = rt("GET /echo HTTP/1.1\r\nHost: 127.0.0.1:5000\r\n"
	    "Sec-Fetch-Site: same-site\r\n\r\n");
	TST_OK(status_is(r, "403"), "Sec-Fetch-Site same-site (another port "
	    "of the same host): 403");
	r = rt("GET /echo HTTP/1.1\r\nHost: 127.0.0.1:5000\r\n"
	    "Sec-Fetch-Site: none\r\n\r\n");
	TST_OK(status_is(r, "200"), "Sec-Fetch-Site none (typed in the bar): "
	    "200");

}

/* The same with a token configured: the token lifts the page rules. */
static void
test_access_token(void)
{
	char	*r;

	r = rt("POST /echo HTTP/1.1\r\n"
	    "Host: rebind.attacker.example\r\nOrigin: http://evil.example\r\n"
	    "Sec-Fetch-Site: cross-site\r\n"
	    "Authorization: Bearer 0123456789abcdef0123\r\n"
	    "Content-Length: 0\r\n\r\n");
	TST_OK(status_is(r, "200"), "with the token, Host, Origin and "
	    "Sec-Fetch-Site do not matter");
	r = rt("POST /origin HTTP/1.1\r\nHost: 127.0.0.1:5000\r\n"
	    "Origin: http://evil.example\r\n"
	    "Authorization: Bearer 0123456789abcdef0123\r\n"
	    "Content-Length: 0\r\n\r\n");
	TST_OK(status_is(r, "403") && strstr(r, "forbidden_origin") != NULL,
	    "but an HTTP_ORIGIN route (/mcp) refuses a foreign Origin even "
	    "with the token");
	r = rt("POST /origin HTTP/1.1\r\nHost: 127.0.0.1:5000\r\n"
	    "Origin: http://127.0.0.1:5000\r\n"
	    "Authorization: Bearer 0123456789abcdef0123\r\n"
	    "Content-Length: 0\r\n\r\n");
	TST_OK(status_is(r, "200"), "  and takes its own origin");
	r = rt("POST /origin HTTP/1.1\r\nHost: rebind.attacker.example\r\n"
	    "Authorization: Bearer 0123456789abcdef0123\r\n"
	    "Content-Length: 0\r\n\r\n");
	TST_OK(status_is(r, "200"), "  and, with the token, any Host");
	r = rt("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Origin: http://evil.example\r\nContent-Length: 0\r\n\r\n");
	TST_OK(status_is(r, "401"), "without it, auth answers first (401)");
}

/* A client that half-closes after its request still gets the answer. */
static void
test_halfclose(void)
{
	char	*r;

	rt_halfclose = 1;
	r = rt("GET /later HTTP/1.1\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200", 37) == 0
	    && strstr(r, "later") != NULL, "half-close after the request: a "
	    "100, then the asynchronous answer");
	r = roundtrip("GET /later HTTP/1.0\r\n\r\n", 24, 1);
	TST_OK(strncmp(r, "HTTP/1.0 200", 12) == 0,
	    "half-close after an HTTP/1.0 request: the answer, no 1xx");
	r = rt("GET /later HTTP/1.1\r\n\r\nGET /echo?q=2 HTTP/1.1\r\n\r\n");
	TST_OK(count(r, "HTTP/1.1 200") == 2 && strstr(r, "later") <
	    strstr(r, "q=2"), "half-close after two pipelined requests: both "
	    "answered, in order");
	r = rt("GET /later HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
	TST_OK(*r == '\0' || status_is(r, "400"),
	    "half-close in the middle of a body is a hang-up");
	rt_halfclose = 0;
}

/* A client that closes altogether mid-request is heard (close_cb). */
static void
test_hangup(void)
{
	struct sockaddr_in	 sin;
	struct timeval		 tv = { 0, 20000 };
	int			 fd, i;

	later_closed = 0;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1)
		return;
	(void)!write(fd, "GET /slow HTTP/1.1\r\n\r\n", 23);
	for (i = 0; i < 2; i++) {
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	close(fd);
	for (i = 0; i < 25 && later_closed == 0; i++) {
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	TST_OK(later_closed == 1, "a client that closes while its request is "
	    "handled: the handler hears it before the answer is due");
}

int
main(void)
{
	struct auth	*a;
	char		*r, *cause = NULL, big[20000];

	signal(SIGPIPE, SIG_IGN);
	test_auth_rules();
	test_token_file();

	base = event_base_new();
	a = auth_new();
	srv = http_server_new(base, "test", a);
	http_route(srv, "/echo", HTTP_GET | HTTP_POST, 0, 1000, echo_cb, NULL);
	http_route(srv, "/json", HTTP_POST, 0, 0, json_cb, NULL);
	http_route(srv, "/open", HTTP_GET, HTTP_OPEN, 0, echo_cb, NULL);
	http_route(srv, "/origin", HTTP_POST, HTTP_ORIGIN, 0, echo_cb, NULL);
	http_route(srv, "/later", HTTP_GET, 0, 0, later_cb, &later_tv);
	http_route(srv, "/slow", HTTP_GET, 0, 0, later_cb, &slow_tv);
	http_route(srv, "/stream", HTTP_PUT, HTTP_STREAM, 0, stream_cb, NULL);
	TST_OK(http_server_listen(srv, "127.0.0.1:0", &cause) == 0, "listen %s",
	    cause ? cause : "");
	port = http_server_port(srv);

	r = rt("GET /echo?q=a%20b+c HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0, "simple GET 200");
	TST_OK(strstr(r, "GET /echo len=0 q=a b c") != NULL,
	    "query decoded (%%20 and +)");

	r = rt("GET /echo?q=1 HTTP/1.1\r\n\r\nGET /echo?q=2 HTTP/1.1\r\n\r\n");
	TST_OK(count(r, "HTTP/1.1 200") == 2, "two pipelined requests");
	TST_OK(strstr(r, "q=1") < strstr(r, "q=2"), "answered in order");

	r = rt("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-T: 1\r\n\r\n");
	TST_OK(strstr(r, "POST /echo len=11") != NULL, "chunked body decoded");

	r = rt("POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
	TST_OK(strstr(r, "len=5") != NULL, "Content-Length body");

	r = rt("POST /echo HTTP/1.1\r\nContent-Length: 5000\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 413", 12) == 0, "body over limit: 413");
	TST_OK(strstr(r, "\"code\":\"body_too_large\"") != NULL,
	    "413 is a JSON error");

	r = rt("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "7d0\r\n");
	/* 2000 bytes announced: the chunked path checks as it reads. */
	memset(big, 'a', 2000);
	{
		char	 req[4096];

		big[2000] = '\0';
		snprintf(req, sizeof req, "POST /echo HTTP/1.1\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n7d0\r\n%.2000s"
		    "\r\n0\r\n\r\n", big);
		r = rt(req);
		TST_OK(strncmp(r, "HTTP/1.1 413", 12) == 0,
		    "chunked body over limit: 413");
	}

	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "GET /", 5);
	r = rt(big);
	TST_OK(strncmp(r, "HTTP/1.1 414", 12) == 0, "long request line: 414");

	r = rt("GET /echo HTTP/1.1\r\nNoColonHere\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 400", 12) == 0, "malformed header: 400");

	r = rt("POST /echo HTTP/1.1\r\nContent-Length: 3\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 400", 12) == 0,
	    "TE and CL together: 400 (no smuggling)");

	r = rt("POST /echo HTTP/1.1\r\nContent-Length: 3\r\n"
	    "Content-Length: 4\r\n\r\nabcd");
	TST_OK(strncmp(r, "HTTP/1.1 400", 12) == 0,
	    "conflicting Content-Length: 400");

	r = rt("POST /echo HTTP/1.1\r\nContent-Length: -1\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 400", 12) == 0,
	    "negative Content-Length: 400");

	r = rt("GET /nowhere HTTP/1.1\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 404", 12) == 0 &&
	    strstr(r, "\"code\":\"not_found\"") != NULL, "unknown path: 404 JSON");

	r = rt("DELETE /echo HTTP/1.1\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 405", 12) == 0, "wrong method: 405");
	TST_OK(strstr(r, "Allow: GET, HEAD, POST") != NULL,
	    "405 lists the allowed methods");

	r = rt("HEAD /echo HTTP/1.1\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 200", 12) == 0 &&
	    strstr(r, "Content-Length: 20\r\n") != NULL &&
	    strstr(r, "len=") == NULL, "HEAD: length but no body");

	r = roundtrip("GET /echo HTTP/1.0\r\n\r\n", 22, 1);
	TST_OK(strncmp(r, "HTTP/1.0 200", 12) == 0, "HTTP/1.0 answered");

	r = rt("POST /echo HTTP/1.1\r\nContent-Length: 2\r\n"
	    "Expect: 100-continue\r\n\r\nhi");
	TST_OK(strncmp(r, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200", 37) == 0,
	    "Expect: 100-continue answered");

	r = rt("GET /ec%00ho HTTP/1.1\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 400", 12) == 0, "%%00 in path: 400");

	r = rt("GET /echo HTTP/2.0\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 505", 12) == 0 ||
	    strncmp(r, "HTTP/1.0 505", 12) == 0, "HTTP/2.0 head: 505");

	{
		char	 req[16384];
		int	 i, n;

		n = snprintf(req, sizeof req, "GET /echo HTTP/1.1\r\n");
		for (i = 0; i < HTTP_MAX_HEADERS + 5; i++)
			n += snprintf(req + n, sizeof req - n, "X-%d: y\r\n",
			    i);
		snprintf(req + n, sizeof req - n, "\r\n");
		r = rt(req);
		TST_OK(strncmp(r, "HTTP/1.1 431", 12) == 0,
		    "too many headers: 431");
	}

	r = rt("POST /json HTTP/1.1\r\nContent-Length: 9\r\n"
	    "Content-Type: application/json\r\n\r\n{\"a\": [1}");
	TST_OK(strncmp(r, "HTTP/1.1 400", 12) == 0 &&
	    strstr(r, "malformed JSON") != NULL, "malformed JSON: 400");
	r = rt("POST /json HTTP/1.1\r\nContent-Length: 8\r\n"
	    "Content-Type: Application/JSON; charset=utf-8\r\n\r\n{\"a\": 1}");
	TST_OK(strstr(r, "{\"a\":1}") != NULL, "JSON echoed");
	r = rt("POST /json HTTP/1.1\r\nContent-Length: 8\r\n\r\n{\"a\": 1}");
	TST_OK(status_is(r, "400") && strstr(r, "Content-Type") != NULL,
	    "JSON without Content-Type: 400 naming it");
	r = rt("POST /json HTTP/1.1\r\nContent-Length: 8\r\n"
	    "Content-Type: text/plain\r\n\r\n{\"a\": 1}");
	TST_OK(status_is(r, "400"), "JSON sent as text/plain (a CORS simple "
	    "request): 400");
	r = rt("POST /json HTTP/1.1\r\nContent-Length: 8\r\n"
	    "Content-Type: application/jsonx\r\n\r\n{\"a\": 1}");
	TST_OK(status_is(r, "400"), "application/jsonx is not JSON");

	test_access();
	r = rt("POST /json HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 400", 12) == 0, "empty JSON body: 400");

	r = rt("PUT /stream HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
	TST_OK(status_is(r, "200") && strstr(r, "streamed=0") != NULL,
	    "streamed route, empty body: the handler hears the end");
	r = rt("PUT /stream HTTP/1.1\r\n\r\n");
	TST_OK(status_is(r, "200") && strstr(r, "streamed=0") != NULL,
	    "streamed route, no body at all: the handler hears the end");
	r = rt("PUT /stream HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3\r\nabc\r\n0\r\n\r\n");
	TST_OK(status_is(r, "200") && strstr(r, "streamed=3") != NULL,
	    "streamed route, chunked body");

	test_framing();
	test_halfclose();
	test_hangup();

	auth_set_token(a, "0123456789abcdef0123");
	test_access_token();
	r = rt("GET /echo HTTP/1.1\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 401", 12) == 0 &&
	    strstr(r, "WWW-Authenticate: Bearer") != NULL,
	    "token set: missing token is 401");
	r = rt("GET /echo HTTP/1.1\r\nAuthorization: Bearer nope\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 401", 12) == 0, "wrong token is 401");
	r = rt("GET /echo HTTP/1.1\r\n"
	    "Authorization: Bearer 0123456789abcdef0123\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 200", 12) == 0, "right token is 200");
	r = rt("GET /open HTTP/1.1\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 200", 12) == 0,
	    "open route needs no token");
	r = rt("GET /nowhere HTTP/1.1\r\n\r\n");
	TST_OK(strncmp(r, "HTTP/1.1 401", 12) == 0,
	    "unknown path without token: 401, not 404 (no probing)");

	TST_OK(http_server_nconns(srv) == 0, "every connection was freed");
	http_server_free(srv);
	auth_free(a);
	event_base_free(base);
	free(cause);
	return (tst_done());
}
