/*
 * http.c: a small HTTP/1.1 server on libevent bufferevents.
 *
 * One struct http_conn per connection owns its bufferevent and at most one
 * struct http_req at a time (pipelined requests wait in the input buffer
 * until the current reply is done).  The head is parsed line by line with
 * limits checked while reading, as OpenBSD httpd does; bodies are either
 * buffered up to the route's limit or handed to the route chunk by chunk.
 * Errors the server sends itself are JSON, and every connection ends in
 * http_conn_close(conn, reason).
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <jansson.h>

#include "auth.h"
#include "deskd.h"
#include "deskproto.h"
#include "http.h"
#include "log.h"
#include "compat.h"
#include "worker.h"
#include "xmalloc.h"


struct http_route {
	TAILQ_ENTRY(http_route)	 entry;
	char			*path;
	size_t			 len;
	int			 methods;
	int			 flags;
	size_t			 max_body;
	http_cb			 cb;
	void			*arg;
};

struct http_server {
	struct event_base	*base;
	char			*name;
	struct auth		*auth;
	struct evconnlistener	*listener;
	struct event		*ev_backoff;
	int			 port;
	TAILQ_HEAD(, http_route) routes;
	TAILQ_HEAD(, http_conn)	 conns;	/* in accept order */
	/* Connections not let in yet, in accept order, and per peer. */
	TAILQ_HEAD(, http_conn)	 strangers;
	LIST_HEAD(, http_peer)	 peers[HTTP_PEER_BUCKETS];
	u_int			 nconns;
	u_int			 nrefusing;	/* 503s at accept, in conns */
	u_int			 nrefused;	/* refused or evicted, unlogged */
	long long		 refused_logged;	/* ms */
	struct event		*ev_trim;
	http_done_cb		 done_cb;
	void			*done_arg;
};

struct http_kv {
	char	*name;
	char	*value;
};

/* A peer's connections that no route needing access has served yet. */
struct http_peer {
	LIST_ENTRY(http_peer)	 entry;
	uint8_t			 key[17];
	u_int			 n;
};

enum req_state {
	REQ_HEAD = 0,		/* reading request line and headers */
	REQ_BODY,		/* reading the body */
	REQ_WAIT,		/* handler has it, no reply yet */
	REQ_STREAM,		/* reply head sent, body being written */
	REQ_DONE		/* reply complete */
};

enum chunk_state {
	CHUNK_SIZE = 0,
	CHUNK_DATA,
	CHUNK_DATA_CRLF,
	CHUNK_TRAILER,
	CHUNK_DONE
};

struct http_req {
	struct http_conn	*conn;
	enum req_state		 state;

	char			*method_name;
	int			 method;
	char			*uri;
	char			*path;
	int			 minor;
	struct http_kv		 headers[HTTP_MAX_HEADERS];
	u_int			 nheaders;
	size_t			 head_bytes;

	int64_t			 content_length;
	int			 chunked;
	enum chunk_state	 chunk_state;
	uint64_t		 chunk_left;
	size_t			 trailer_bytes;
	u_int			 ntrailers;
	uint64_t		 body_left;	/* Content-Length bodies */
	uint64_t		 body_seen;
	size_t			 max_body;
	int			 body_done;
	struct evbuffer		*body;
	int			 expect_continue;

	struct http_route	*route;
	int			 keepalive;

	struct http_kv		*query;
	u_int			 nquery;
	int			 query_parsed;
	struct http_kv		*form;
	u_int			 nform;
	int			 form_parsed;

	http_body_cb		 body_cb;
	void			*body_arg;
	http_close_cb		 close_cb;
	void			*close_arg;
	http_drain_cb		 drain_cb;
	void			*drain_arg;

	struct evbuffer		*out_headers;
	int			 reply_chunked;
	int			 head_only;
	int			 code;
	long long		 start_us;	/* for http_done */

	/* A large JSON body parsed off the loop before the handler ran. */
	struct http_json_job	*json_job;	/* while it is parsed */
	int			 json_done;
	json_t			*json;
	char			*json_error;
};

struct http_json_job {
	struct http_req		*req;	/* NULL once the request is gone */
	struct evbuffer		*body;
	json_t			*json;
	char			*error;
};

struct http_conn {
	TAILQ_ENTRY(http_conn)	 entry;
	struct http_server	*srv;
	struct bufferevent	*bev;
	struct sockaddr_storage	 peer;
	char			 peer_str[INET6_ADDRSTRLEN];
	uint8_t			 peer_key[17];	/* family, v4 or v6 /64 */
	struct http_peer	*stranger;	/* counted there, or NULL */
	TAILQ_ENTRY(http_conn)	 stranger_entry;
	int			 loopback;
	long long		 accept_ms;
	u_int			 nreqs;		/* requests started */
	int			 trusted;	/* let in by the access rules */
	int			 refusing;	/* answered 503 at accept */
	int			 eof;		/* the client sent FIN */
	int			 paused;	/* output over the pipeline mark */
	size_t			 out_peak;
	struct http_req		*req;
	struct event		*ev_next;	/* parse pipelined requests */
	struct event		*ev_linger;
	struct event		*ev_deadline;	/* head and idle limits */
	struct event		*ev_probe;	/* hang-up check after FIN */
	int			 close_after;	/* close once output drains */
	int			 lingering;
	size_t			 lingered;
	int			 in_process;
	int			 taken;		/* taken over while in_process */
};

static void	 http_conn_close(struct http_conn *, const char *);
static void	 http_refuse_log(struct http_server *, const char *,
		    const char *);
static void	 http_conn_process(struct http_conn *);
static int	 http_head_access(struct http_req *);
static void	 http_read_cb(struct bufferevent *, void *);
static void	 http_write_cb(struct bufferevent *, void *);
static void	 http_event_cb(struct bufferevent *, short, void *);
static void	 http_req_free(struct http_req *);
static void	 http_finish(struct http_req *);
static struct http_req *http_req_new(struct http_conn *);
static void	 http_abort(struct http_req *, int, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));

static const struct {
	int		 code;
	const char	*text;
} http_statuses[] = {
	{ 100, "Continue" }, { 101, "Switching Protocols" },
	{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
	{ 204, "No Content" },
	{ 206, "Partial Content" },
	{ 301, "Moved Permanently" }, { 302, "Found" },
	{ 304, "Not Modified" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" },
	{ 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 408, "Request Timeout" },
	{ 409, "Conflict" }, { 411, "Length Required" },
	{ 413, "Content Too Large" }, { 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" }, { 416, "Range Not Satisfiable" },
	{ 422, "Unprocessable Content" }, { 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
	{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" }, { 505, "HTTP Version Not Supported" },
};

const char *
http_status_text(int code)
{
	size_t	 i;

	for (i = 0; i < sizeof http_statuses / sizeof http_statuses[0]; i++) {
		if (http_statuses[i].code == code)
			return (http_statuses[i].text);
	}
	return ("Unknown");
}

int
http_parse_int(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || isspace((u_char)*s))
		return (-1);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return (-1);
	*out = v;
	return (0);
}

/* Percent-decode in place; '+' is a space when plus is set.  -1 on %00. */
static int
http_decode(char *s, int plus)
{
	char	*d = s;
	int	 hi, lo;

	for (; *s != '\0'; s++) {
		if (*s == '%' && isxdigit((u_char)s[1]) &&
		    isxdigit((u_char)s[2])) {
			hi = isdigit((u_char)s[1]) ? s[1] - '0' :
			    tolower((u_char)s[1]) - 'a' + 10;
			lo = isdigit((u_char)s[2]) ? s[2] - '0' :
			    tolower((u_char)s[2]) - 'a' + 10;
			if (hi == 0 && lo == 0)
				return (-1);
			*d++ = (char)(hi << 4 | lo);
			s += 2;
		} else if (plus && *s == '+')
			*d++ = ' ';
		else
			*d++ = *s;
	}
	*d = '\0';
	return (0);
}

/* Split "a=1&b=2" into decoded pairs. */
static void
http_parse_params(const char *src, size_t len, struct http_kv **kv,
    u_int *n)
{
	char	*copy, *p, *next, *eq;

	*kv = NULL;
	*n = 0;
	if (src == NULL || len == 0)
		return;
	copy = xstrndup(src, len);
	for (p = copy; p != NULL && *n < HTTP_MAX_PARAMS; p = next) {
		if ((next = strchr(p, '&')) != NULL)
			*next++ = '\0';
		if (*p == '\0')
			continue;
		if ((eq = strchr(p, '=')) != NULL)
			*eq++ = '\0';
		if (http_decode(p, 1) == -1 ||
		    (eq != NULL && http_decode(eq, 1) == -1))
			continue;
		*kv = xreallocarray(*kv, *n + 1, sizeof **kv);
		(*kv)[*n].name = xstrdup(p);
		(*kv)[*n].value = xstrdup(eq != NULL ? eq : "");
		(*n)++;
	}
	free(copy);
}

static const char *
http_kv_get(struct http_kv *kv, u_int n, const char *name)
{
	u_int	 i;

	for (i = 0; i < n; i++) {
		if (strcmp(kv[i].name, name) == 0)
			return (kv[i].value);
	}
	return (NULL);
}

static void
http_kv_free(struct http_kv *kv, u_int n)
{
	u_int	 i;

	for (i = 0; i < n; i++) {
		free(kv[i].name);
		free(kv[i].value);
	}
	free(kv);
}

/* Server. */

static void
http_backoff_cb(evutil_socket_t fd, short events, void *arg)
{
	struct http_server	*srv = arg;

	evconnlistener_enable(srv->listener);
}

static void
http_accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct http_server	*srv = arg;
	struct timeval		 tv = { 1, 0 };
	int			 err = EVUTIL_SOCKET_ERROR();

	/* Out of descriptors: back off for a second instead of spinning. */
	log_warnx("%s: accept: %s", srv->name,
	    evutil_socket_error_to_string(err));
	if (err == EMFILE || err == ENFILE || err == ENOBUFS ||
	    err == ENOMEM) {
		evconnlistener_disable(l);
		evtimer_add(srv->ev_backoff, &tv);
	}
}

/*
 * Read inactivity limit (bodies) and write limit; secs 0: no read limit
 * (heads and idle time have the absolute ev_deadline instead).
 */
static void
http_conn_timeouts(struct http_conn *conn, int secs)
{
	struct timeval	 rd = { secs, 0 }, wr = { HTTP_WRITE_TIMEOUT, 0 };

	bufferevent_set_timeouts(conn->bev, secs > 0 ? &rd : NULL, &wr);
}

/* Arm the head/idle deadline ms from now; ms <= 0 cancels it. */
static void
http_conn_deadline(struct http_conn *conn, long long ms)
{
	struct timeval	 tv;

	if (ms <= 0) {
		evtimer_del(conn->ev_deadline);
		return;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(conn->ev_deadline, &tv);
}

static void
http_deadline_cb(evutil_socket_t fd, short events, void *arg)
{
	struct http_conn	*conn = arg;
	struct http_req		*req = conn->req;

	if (req != NULL && req->state == REQ_HEAD) {
		/* A head begun and not finished: say so (httpd does too). */
		http_abort(req, 408, "request_timeout", "the request head was "
		    "not complete within %d seconds", HTTP_HEAD_TIMEOUT);
		return;
	}
	http_conn_close(conn, conn->nreqs == 0 ? "nothing sent" :
	    "idle timeout");
}

static void
http_next_cb(evutil_socket_t fd, short events, void *arg)
{
	http_conn_process(arg);
}

/* Give freed memory back once a large reply has gone (glibc keeps it). */
static void
http_trim_cb(evutil_socket_t fd, short events, void *arg)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

static void
http_trim_later(struct http_server *srv)
{
	struct timeval	 tv = { HTTP_TRIM_MS / 1000,
			    (HTTP_TRIM_MS % 1000) * 1000 };

	if (!evtimer_pending(srv->ev_trim, NULL))
		evtimer_add(srv->ev_trim, &tv);
}

/*
 * Who a connection counts against: an IPv4 address (v4-mapped ones
 * included), or an IPv6 /64, since one host gets a whole /64 (RFC 4291).
 */
static void
http_peer_key(const struct sockaddr *sa, uint8_t key[17], int *loopback)
{
	const struct sockaddr_in6	*sin6;
	const uint8_t			*a;

	memset(key, 0, 17);
	*loopback = 0;
	key[0] = sa->sa_family;
	if (sa->sa_family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
		memcpy(key + 1, a, 4);
		*loopback = a[0] == 127;
	} else if (sa->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)sa;
		a = sin6->sin6_addr.s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			key[0] = AF_INET;
			memcpy(key + 1, a + 12, 4);
			*loopback = a[12] == 127;
		} else {
			memcpy(key + 1, a, 8);
			*loopback = IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
		}
	} else
		*loopback = 1;	/* a local socket (tests, fuzzing) */
}

static u_int
http_peer_hash(const uint8_t key[17])
{
	u_int	 h = 2166136261u, i;

	for (i = 0; i < 17; i++)
		h = (h ^ key[i]) * 16777619u;	/* FNV-1a */
	return (h % HTTP_PEER_BUCKETS);
}

static struct http_peer *
http_peer_find(struct http_server *srv, const uint8_t key[17])
{
	struct http_peer	*p;

	LIST_FOREACH(p, &srv->peers[http_peer_hash(key)], entry) {
		if (memcmp(p->key, key, 17) == 0)
			return (p);
	}
	return (NULL);
}

/* Connections of a peer that has not been let in. */
static u_int
http_peer_count(struct http_server *srv, const uint8_t key[17])
{
	struct http_peer	*p = http_peer_find(srv, key);

	return (p != NULL ? p->n : 0);
}

/* Count a new connection as a stranger's (per peer, and for eviction). */
static void
http_stranger_add(struct http_conn *conn)
{
	struct http_server	*srv = conn->srv;
	struct http_peer	*p;

	if ((p = http_peer_find(srv, conn->peer_key)) == NULL) {
		p = xcalloc(1, sizeof *p);
		memcpy(p->key, conn->peer_key, sizeof p->key);
		LIST_INSERT_HEAD(&srv->peers[http_peer_hash(p->key)], p, entry);
	}
	p->n++;
	conn->stranger = p;
	TAILQ_INSERT_TAIL(&srv->strangers, conn, stranger_entry);
}

/* It was let in, or it closes: it no longer counts. */
static void
http_stranger_remove(struct http_conn *conn)
{
	struct http_peer	*p = conn->stranger;

	if (p == NULL)
		return;
	TAILQ_REMOVE(&conn->srv->strangers, conn, stranger_entry);
	conn->stranger = NULL;
	if (--p->n == 0) {
		LIST_REMOVE(p, entry);
		free(p);
	}
}

/*
 * At the global cap: close the oldest connection that waits for a head
 * from a peer never let in.  A real client sends its head at once, so it
 * is never the oldest; silent and trickling ones are.  -1 if none.
 */
static int
http_evict(struct http_server *srv)
{
	struct http_conn	*c;

	TAILQ_FOREACH(c, &srv->strangers, stranger_entry) {
		if (c->lingering || c->close_after || c->eof)
			continue;
		if (c->req != NULL && c->req->state != REQ_HEAD)
			continue;
		http_refuse_log(srv, "connection cap reached, closing the "
		    "oldest connection still waiting for a head", c->peer_str);
		http_conn_close(c, "evicted at the connection cap");
		return (0);
	}
	return (-1);
}

/*
 * A flood of strangers must not flood the log: one line a second at most,
 * with how many were turned away since.
 */
static void
http_refuse_log(struct http_server *srv, const char *what, const char *peer)
{
	long long	 now = deskd_now_ms();

	srv->nrefused++;
	if (now - srv->refused_logged < 1000)
		return;
	log_info("%s: %s: %s (%u turned away since the last line)",
	    srv->name, peer, what, srv->nrefused);
	srv->nrefused = 0;
	srv->refused_logged = now;
}

/* Answer 503 on a connection that will not be served, then close it. */
static void
http_refuse(struct http_conn *conn, const char *fmt, ...)
{
	struct http_req	*req;
	va_list		 ap;
	char		*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	http_refuse_log(conn->srv, msg, conn->peer_str);
	conn->refusing = 1;
	conn->srv->nrefusing++;
	req = conn->req = http_req_new(conn);
	http_add_header(req, "Retry-After", "1");
	http_abort(req, 503, "too_many_connections", "%s", msg);
	free(msg);
}

static void
http_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct http_server	*srv = arg;
	struct http_conn	*conn;
	uint8_t			 key[17];
	u_int			 n = 0;
	int			 one = 1, loopback, full;

	http_peer_key(sa, key, &loopback);
	if (!loopback)
		n = http_peer_count(srv, key);
	full = srv->nconns - srv->nrefusing >= HTTP_MAX_CONNS;
	if (full && n < HTTP_MAX_PEER_CONNS && http_evict(srv) == 0)
		full = 0;
	if ((full || n >= HTTP_MAX_PEER_CONNS) &&
	    srv->nrefusing >= HTTP_MAX_REFUSING) {
		/* Refusing politely costs a slot too: past this, just close. */
		evutil_closesocket(fd);
		return;
	}

	conn = xcalloc(1, sizeof *conn);
	conn->srv = srv;
	conn->accept_ms = deskd_now_ms();
	memcpy(conn->peer_key, key, sizeof conn->peer_key);
	conn->loopback = loopback;
	if ((size_t)salen <= sizeof conn->peer)
		memcpy(&conn->peer, sa, salen);
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr,
		    conn->peer_str, sizeof conn->peer_str);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr,
		    conn->peer_str, sizeof conn->peer_str);
	else
		strlcpy(conn->peer_str, "local", sizeof conn->peer_str);
	/* Small replies (input actions) must not wait for Nagle. */
	if (sa->sa_family != AF_UNIX)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	conn->bev = bufferevent_socket_new(srv->base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (conn->bev == NULL) {
		evutil_closesocket(fd);
		free(conn);
		return;
	}
	conn->ev_next = evtimer_new(srv->base, http_next_cb, conn);
	conn->ev_deadline = evtimer_new(srv->base, http_deadline_cb, conn);
	TAILQ_INSERT_TAIL(&srv->conns, conn, entry);
	srv->nconns++;
	bufferevent_setcb(conn->bev, http_read_cb, http_write_cb,
	    http_event_cb, conn);
	bufferevent_setwatermark(conn->bev, EV_WRITE, HTTP_OUT_HIGH / 2, 0);
	http_conn_timeouts(conn, 0);
	bufferevent_enable(conn->bev, EV_READ | EV_WRITE);
	log_debug("%s: connection from %s", srv->name, conn->peer_str);
	if (n >= HTTP_MAX_PEER_CONNS)
		http_refuse(conn, "%s has %u connections open that have not "
		    "been let in (the limit is %d)", conn->peer_str, n,
		    HTTP_MAX_PEER_CONNS);
	else if (full)
		http_refuse(conn, "the server has %d connections open",
		    HTTP_MAX_CONNS);
	else {
		http_stranger_add(conn);
		http_conn_deadline(conn, HTTP_FIRST_BYTE_TIMEOUT * 1000LL);
	}
}

void
http_server_adopt(struct http_server *srv, int fd, const struct sockaddr *sa,
    int salen)
{
	struct sockaddr_storage	 ss;

	if (sa == NULL) {
		memset(&ss, 0, sizeof ss);
		ss.ss_family = AF_UNIX;
		sa = (struct sockaddr *)&ss;
		salen = sizeof(sa_family_t);
	}
	evutil_make_socket_nonblocking(fd);
	http_accept_cb(srv->listener, fd, (struct sockaddr *)sa, salen, srv);
}

struct http_server *
http_server_new(struct event_base *base, const char *name, struct auth *auth)
{
	struct http_server	*srv;
	u_int			 i;

	srv = xcalloc(1, sizeof *srv);
	srv->base = base;
	srv->name = xstrdup(name);
	srv->auth = auth;
	srv->ev_backoff = evtimer_new(base, http_backoff_cb, srv);
	srv->ev_trim = evtimer_new(base, http_trim_cb, srv);
	TAILQ_INIT(&srv->routes);
	TAILQ_INIT(&srv->conns);
	TAILQ_INIT(&srv->strangers);
	for (i = 0; i < HTTP_PEER_BUCKETS; i++)
		LIST_INIT(&srv->peers[i]);
	return (srv);
}

void
http_server_free(struct http_server *srv)
{
	struct http_route	*r;
	struct http_conn	*conn;

	if (srv == NULL)
		return;
	while ((conn = TAILQ_FIRST(&srv->conns)) != NULL)
		http_conn_close(conn, "server shutting down");
	while ((r = TAILQ_FIRST(&srv->routes)) != NULL) {
		TAILQ_REMOVE(&srv->routes, r, entry);
		free(r->path);
		free(r);
	}
	if (srv->listener != NULL)
		evconnlistener_free(srv->listener);
	event_free(srv->ev_backoff);
	event_free(srv->ev_trim);
	free(srv->name);
	free(srv);
}

int
http_server_listen(struct http_server *srv, const char *spec, char **cause)
{
	struct sockaddr_storage	 ss;
	struct sockaddr		*sa = (struct sockaddr *)&ss;
	socklen_t		 sslen;
	char			 buf[256];
	int			 len, any;

	memset(&ss, 0, sizeof ss);
	if (spec[0] == ':')
		snprintf(buf, sizeof buf, "0.0.0.0%s", spec);
	else
		strlcpy(buf, spec, sizeof buf);
	len = strlen(buf);
	/* libevent refuses port 0; it means "any free port" here. */
	any = len > 2 && strcmp(buf + len - 2, ":0") == 0;
	if (any)
		buf[len - 1] = '1';
	len = sizeof ss;
	if (evutil_parse_sockaddr_port(buf, sa, &len) == -1) {
		xasprintf(cause, "bad address \"%s\" (expected ADDR:PORT)",
		    spec);
		return (-1);
	}
	if (any && sa->sa_family == AF_INET)
		((struct sockaddr_in *)sa)->sin_port = 0;
	else if (any && sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = 0;
	srv->listener = evconnlistener_new_bind(srv->base, http_accept_cb, srv,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    HTTP_LISTEN_BACKLOG, sa, len);
	if (srv->listener == NULL) {
		xasprintf(cause, "%s", strerror(errno));
		return (-1);
	}
	evconnlistener_set_error_cb(srv->listener, http_accept_error_cb);
	sslen = sizeof ss;
	if (getsockname(evconnlistener_get_fd(srv->listener), sa,
	    &sslen) == 0) {
		if (sa->sa_family == AF_INET)
			srv->port = ntohs(((struct sockaddr_in *)sa)->sin_port);
		else if (sa->sa_family == AF_INET6)
			srv->port =
			    ntohs(((struct sockaddr_in6 *)sa)->sin6_port);
	}
	return (0);
}

int
http_server_port(struct http_server *srv)
{
	return (srv->port);
}

u_int
http_server_nconns(struct http_server *srv)
{
	return (srv->nconns);
}

void
http_route(struct http_server *srv, const char *path, int methods,
    int flags, size_t max_body, http_cb cb, void *arg)
{
	struct http_route	*r;

	r = xcalloc(1, sizeof *r);
	r->path = xstrdup(path);
	r->len = strlen(path);
	r->methods = methods;
	r->flags = flags;
	r->max_body = max_body != 0 ? max_body : HTTP_MAX_BODY;
	r->cb = cb;
	r->arg = arg;
	TAILQ_INSERT_TAIL(&srv->routes, r, entry);
}

void
http_route_table(struct http_server *srv, const struct http_route_entry *t,
    void *arg)
{
	struct http_route	*r;

	for (; t->path != NULL; t++) {
		/* Two handlers for one path and method: a table is wrong. */
		TAILQ_FOREACH(r, &srv->routes, entry) {
			if (strcmp(r->path, t->path) == 0 &&
			    (r->methods & t->methods) != 0)
				fatalx("%s: %s: %s registered twice", __func__,
				    srv->name, t->path);
		}
		http_route(srv, t->path, t->methods, t->flags, t->max_body,
		    t->cb, arg);
	}
}

/* Connections. */

static void
http_linger_cb(evutil_socket_t fd, short events, void *arg)
{
	http_conn_close(arg, "linger done");
}

static void
http_conn_close(struct http_conn *conn, const char *reason)
{
	struct http_server	*srv = conn->srv;
	struct http_req		*req = conn->req;

	log_debug("%s: %s: close: %s", srv->name, conn->peer_str, reason);
	conn->req = NULL;
	if (req != NULL) {
		/* The handler still holds it: tell it, then it is gone. */
		if (req->close_cb != NULL &&
		    (req->state == REQ_BODY || req->state == REQ_WAIT ||
		    req->state == REQ_STREAM))
			req->close_cb(req, req->close_arg);
		http_req_free(req);
	}
	http_stranger_remove(conn);
	TAILQ_REMOVE(&srv->conns, conn, entry);
	srv->nconns--;
	if (conn->refusing)
		srv->nrefusing--;
	if (conn->out_peak >= HTTP_TRIM_MARK)
		http_trim_later(srv);
	if (conn->bev != NULL)
		bufferevent_free(conn->bev);
	if (conn->ev_next != NULL)
		event_free(conn->ev_next);
	if (conn->ev_linger != NULL)
		event_free(conn->ev_linger);
	if (conn->ev_deadline != NULL)
		event_free(conn->ev_deadline);
	if (conn->ev_probe != NULL)
		event_free(conn->ev_probe);
	free(conn);
}

/*
 * After an error reply the client may still be sending a body it was not
 * asked for.  Closing at once would reset the connection and the client
 * could lose the reply, so shut our side and drop what arrives for a
 * while (lingering close).
 */
static void
http_conn_linger(struct http_conn *conn)
{
	struct timeval	 tv = { HTTP_LINGER_MS / 1000,
			    (HTTP_LINGER_MS % 1000) * 1000 };

	if (conn->eof) {
		/* Nothing more can arrive: no need to wait for it. */
		http_conn_close(conn, "done");
		return;
	}
	conn->lingering = 1;
	http_conn_deadline(conn, 0);
	shutdown(bufferevent_getfd(conn->bev), SHUT_WR);
	bufferevent_disable(conn->bev, EV_WRITE);
	bufferevent_set_timeouts(conn->bev, NULL, NULL);
	bufferevent_enable(conn->bev, EV_READ);
	conn->ev_linger = evtimer_new(conn->srv->base, http_linger_cb, conn);
	evtimer_add(conn->ev_linger, &tv);
	evbuffer_drain(bufferevent_get_input(conn->bev),
	    evbuffer_get_length(bufferevent_get_input(conn->bev)));
}

static void
http_write_cb(struct bufferevent *bev, void *arg)
{
	struct http_conn	*conn = arg;
	struct http_req		*req = conn->req;
	struct evbuffer		*out = bufferevent_get_output(bev);

	if (req != NULL && req->state == REQ_STREAM && req->drain_cb != NULL &&
	    evbuffer_get_length(out) <= HTTP_OUT_HIGH / 2) {
		req->drain_cb(req, req->drain_arg);
		return;
	}
	if (evbuffer_get_length(out) == 0 && conn->out_peak >= HTTP_TRIM_MARK) {
		conn->out_peak = 0;
		http_trim_later(conn->srv);
	}
	if (conn->close_after && req == NULL && evbuffer_get_length(out) == 0) {
		if (conn->close_after == 2)
			http_conn_linger(conn);
		else
			http_conn_close(conn, "done");
		return;
	}
	if (conn->paused && evbuffer_get_length(out) <= HTTP_PIPELINE_HIGH) {
		/* The client reads its answers again: read its requests. */
		conn->paused = 0;
		bufferevent_enable(conn->bev, EV_READ);
		http_conn_process(conn);
	}
}

/*
 * After FIN with a request being handled: has the client really gone?
 * The 100 sent by http_conn_eof makes a closed socket answer RST, which
 * leaves an error on ours (EPIPE in CLOSE_WAIT, Linux tcp_reset); a
 * half-closed client just reads the 100.  recv() cannot tell: after a
 * FIN it returns 0 before it looks at the error.
 */
static void
http_probe_cb(evutil_socket_t fd, short events, void *arg)
{
	struct http_conn	*conn = arg;
	struct timeval		 tv = { 0, HTTP_PROBE_MS * 1000 };
	int			 err = 0;
	socklen_t		 len = sizeof err;

	if (conn->req == NULL || conn->req->state != REQ_WAIT)
		return;
	if (getsockopt(bufferevent_getfd(conn->bev), SOL_SOCKET, SO_ERROR,
	    &err, &len) == 0 && err != 0) {
		http_conn_close(conn, "client hung up");
		return;
	}
	evtimer_add(conn->ev_probe, &tv);
}

/*
 * The client sent FIN.  A client may half-close once its request is out
 * (nc -N, some HTTP/1.0 clients) and still read the answer, so EOF is a
 * hang-up only while a request is incomplete: one being handled is
 * answered, requests already in the input are served, then the
 * connection closes.  1 if the connection stays for now.
 *
 * A client that closed altogether looks the same until something is sent
 * to it, and a handler should hear that it left (a command is killed, held
 * keys released).  So an HTTP/1.1 request still waiting for its answer is
 * sent an interim "100 Continue", which every HTTP/1.1 client must skip
 * (RFC 9110 section 15.2) and to which a closed socket answers RST;
 * http_probe_cb looks for it.  HTTP/1.0 gets no 1xx (same section): its
 * handler hears only when the answer cannot be written.
 *
 * A streamed answer (a watch, an NDJSON exec, SSE) cannot be probed
 * without breaking its framing: a FIN while nothing of it waits to be
 * written (the stream is idle, as a watch is between events) is a
 * hang-up, so that the handler lets go of what it holds (the watch's
 * inotify instance, the command).  While output waits, writing it tells
 * (a closed socket answers RST); a client that half-closed before the
 * answer began was heard in REQ_WAIT and gets all of it.
 */
static int
http_conn_eof(struct http_conn *conn)
{
	struct http_req	*req = conn->req;
	struct timeval	 tv = { 0, HTTP_PROBE_MS * 1000 };

	conn->eof = 1;
	http_conn_deadline(conn, 0);
	if (conn->lingering || conn->close_after)
		return (0);
	if (req == NULL)
		return (evbuffer_get_length(bufferevent_get_input(conn->bev))
		    > 0);
	if (!req->body_done)
		return (0);
	if (req->state == REQ_WAIT && req->minor == 1) {
		evbuffer_add_printf(bufferevent_get_output(conn->bev),
		    "HTTP/1.1 100 Continue\r\n\r\n");
		if (conn->ev_probe == NULL)
			conn->ev_probe = evtimer_new(conn->srv->base,
			    http_probe_cb, conn);
		evtimer_add(conn->ev_probe, &tv);
	}
	if (req->state == REQ_STREAM)
		return (evbuffer_get_length(bufferevent_get_output(conn->bev)) >
		    0);
	return (req->state == REQ_WAIT);
}

static void
http_event_cb(struct bufferevent *bev, short events, void *arg)
{
	struct http_conn	*conn = arg;

	struct http_req		*req = conn->req;

	if (events & BEV_EVENT_TIMEOUT) {
		/* Only bodies and writes have bufferevent timeouts. */
		if ((events & BEV_EVENT_READING) && req != NULL &&
		    req->state == REQ_BODY) {
			http_abort(req, 408, "request_timeout", "no body bytes "
			    "for %d seconds", HTTP_BODY_TIMEOUT);
			return;
		}
		http_conn_close(conn, (events & BEV_EVENT_READING) ?
		    "timeout reading the body" : "timeout writing");
		return;
	}
	if (events & BEV_EVENT_EOF) {
		if (!http_conn_eof(conn))
			http_conn_close(conn, "client closed");
	} else if (events & BEV_EVENT_ERROR)
		http_conn_close(conn, evutil_socket_error_to_string(
		    EVUTIL_SOCKET_ERROR()));
}

static void
http_read_cb(struct bufferevent *bev, void *arg)
{
	struct http_conn	*conn = arg;

	if (conn->lingering) {
		size_t	 n = evbuffer_get_length(bufferevent_get_input(bev));

		conn->lingered += n;
		evbuffer_drain(bufferevent_get_input(bev), n);
		if (conn->lingered > HTTP_LINGER_MAX)
			http_conn_close(conn, "linger limit");
		return;
	}
	http_conn_process(conn);
}

/* Requests. */

static long long
http_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

static struct http_req *
http_req_new(struct http_conn *conn)
{
	struct http_req	*req;

	req = xcalloc(1, sizeof *req);
	req->conn = conn;
	req->start_us = http_now_us();
	req->content_length = -1;
	req->minor = 1;		/* until the request line says otherwise */
	req->body = evbuffer_new();
	req->out_headers = evbuffer_new();
	req->keepalive = 1;
	return (req);
}

static void
http_req_free(struct http_req *req)
{
	u_int	 i;

	if (req == NULL)
		return;
	for (i = 0; i < req->nheaders; i++) {
		free(req->headers[i].name);
		free(req->headers[i].value);
	}
	http_kv_free(req->query, req->nquery);
	http_kv_free(req->form, req->nform);
	free(req->method_name);
	free(req->uri);
	free(req->path);
	if (req->json_job != NULL)
		req->json_job->req = NULL;	/* its done frees it */
	if (req->json != NULL)
		json_decref(req->json);
	free(req->json_error);
	evbuffer_free(req->body);
	evbuffer_free(req->out_headers);
	free(req);
}

static int
http_method_bit(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return (HTTP_GET);
	if (strcmp(m, "POST") == 0)
		return (HTTP_POST);
	if (strcmp(m, "PUT") == 0)
		return (HTTP_PUT);
	if (strcmp(m, "DELETE") == 0)
		return (HTTP_DELETE);
	if (strcmp(m, "HEAD") == 0)
		return (HTTP_HEAD);
	if (strcmp(m, "OPTIONS") == 0)
		return (HTTP_OPTIONS);
	return (0);
}

/*
 * Send an error the server detected itself and close the connection
 * afterwards (the rest of the request cannot be trusted).
 */
static void
http_abort(struct http_req *req, int code, const char *ecode,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	log_debug("%s: %s: %d %s", req->conn->srv->name,
	    req->conn->peer_str, code, msg);
	req->keepalive = 0;
	req->expect_continue = 0;
	http_reply_error(req, code, ecode, "%s", msg);
	free(msg);
}

static int
http_parse_request_line(struct http_req *req, char *line)
{
	char	*method, *uri, *version, *q;

	method = line;
	if ((uri = strchr(method, ' ')) == NULL)
		goto bad;
	*uri++ = '\0';
	if ((version = strchr(uri, ' ')) == NULL)
		goto bad;
	*version++ = '\0';
	if (*method == '\0' || *uri == '\0')
		goto bad;
	if (strcmp(version, "HTTP/1.1") == 0)
		req->minor = 1;
	else if (strcmp(version, "HTTP/1.0") == 0) {
		req->minor = 0;
		req->keepalive = 0;
	} else if (strncmp(version, "HTTP/", 5) == 0) {
		http_abort(req, 505, "bad_version",
		    "HTTP version %.16s is not supported", version);
		return (-1);
	} else
		goto bad;
	req->method_name = xstrdup(method);
	req->method = http_method_bit(method);
	req->uri = xstrdup(uri);
	if (*uri != '/' && strcmp(uri, "*") != 0) {
		/* Absolute form: keep only the path. */
		if ((q = strstr(uri, "://")) != NULL &&
		    (q = strchr(q + 3, '/')) != NULL)
			uri = q;
		else
			goto bad;
	}
	if ((q = strchr(uri, '?')) != NULL)
		req->path = xstrndup(uri, q - uri);
	else
		req->path = xstrdup(uri);
	if (http_decode(req->path, 0) == -1) {
		http_abort(req, 400, "bad_request", "NUL byte in path");
		return (-1);
	}
	return (0);
bad:
	http_abort(req, 400, "bad_request", "malformed request line");
	return (-1);
}

static int
http_parse_header(struct http_req *req, char *line)
{
	char	*colon, *value, *end;

	if (*line == ' ' || *line == '\t') {
		http_abort(req, 400, "bad_request",
		    "obsolete header line folding");
		return (-1);
	}
	if ((colon = strchr(line, ':')) == NULL || colon == line) {
		http_abort(req, 400, "bad_request", "malformed header line");
		return (-1);
	}
	*colon = '\0';
	for (end = line; *end != '\0'; end++) {
		if (!isgraph((u_char)*end)) {
			http_abort(req, 400, "bad_request",
			    "bad header name");
			return (-1);
		}
	}
	value = colon + 1;
	while (*value == ' ' || *value == '\t')
		value++;
	end = value + strlen(value);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (req->nheaders == HTTP_MAX_HEADERS) {
		http_abort(req, 431, "headers_too_large",
		    "more than %d headers", HTTP_MAX_HEADERS);
		return (-1);
	}
	req->headers[req->nheaders].name = xstrdup(line);
	req->headers[req->nheaders].value = xstrdup(value);
	req->nheaders++;
	return (0);
}

/*
 * Every Transfer-Encoding header, as one list (RFC 9110 section 5.3):
 * exactly one coding, "chunked", is served.  chunked twice or not last
 * is a framing error (RFC 9112 section 6.3), another coding is 501, and
 * an HTTP/1.0 request with Transfer-Encoding has faulty framing (RFC 9112
 * section 6.1).  -1 after replying.
 */
static int
http_head_te(struct http_req *req)
{
	char		*list = NULL, *p, *tok, *end;
	const char	*other = NULL;
	int		 nchunked = 0, n = 0, last_chunked = 0, rc = -1;
	u_int		 i;

	if (req->minor == 0) {
		http_abort(req, 400, "bad_request", "Transfer-Encoding in an "
		    "HTTP/1.0 request");
		return (-1);
	}
	for (i = 0; i < req->nheaders; i++) {
		if (strcasecmp(req->headers[i].name, "Transfer-Encoding") != 0)
			continue;
		free(list);
		list = xstrdup(req->headers[i].value);
		for (p = list; (tok = strsep(&p, ",")) != NULL;) {
			while (*tok == ' ' || *tok == '\t')
				tok++;
			end = tok + strlen(tok);
			while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
				*--end = '\0';
			n++;
			last_chunked = strcasecmp(tok, "chunked") == 0;
			if (last_chunked)
				nchunked++;
			else if (other == NULL)
				other = req->headers[i].value;
		}
	}
	if (nchunked == 1 && last_chunked && n == 1)
		rc = 0;
	else if (nchunked == 1 && last_chunked)
		http_abort(req, 501, "not_implemented", "Transfer-Encoding "
		    "%.32s is not supported", other);
	else
		http_abort(req, 400, "bad_request", "Transfer-Encoding must "
		    "end in chunked, once");
	free(list);
	return (rc);
}

static int
http_route_match(const struct http_route *r, const char *path)
{
	if (r->flags & HTTP_PREFIX)
		return (strncmp(path, r->path, r->len) == 0);
	return (strcmp(path, r->path) == 0);
}

/*
 * The first route for path that takes method, or NULL; *methods gets the
 * methods of every route for path (0: an unknown path).
 */
static struct http_route *
http_find_route(struct http_server *srv, const char *path, int method,
    int *methods)
{
	struct http_route	*r, *found = NULL;

	*methods = 0;
	TAILQ_FOREACH(r, &srv->routes, entry) {
		if (!http_route_match(r, path))
			continue;
		*methods |= r->methods;
		if (found == NULL && (r->methods & method))
			found = r;
	}
	return (found);
}

/* Body framing and the connection's fate, from the headers. */
static int
http_head_framing(struct http_req *req)
{
	const char	*te, *cl, *c, *expect;
	long long	 len;
	u_int		 i;

	c = http_req_header(req, "Connection");
	if (c != NULL) {
		if (strcasestr(c, "close") != NULL)
			req->keepalive = 0;
		else if (req->minor == 0 &&
		    strcasestr(c, "keep-alive") != NULL)
			req->keepalive = 1;
	}

	te = http_req_header(req, "Transfer-Encoding");
	cl = NULL;
	for (i = 0; i < req->nheaders; i++) {
		if (strcasecmp(req->headers[i].name, "Content-Length") != 0)
			continue;
		if (cl != NULL && strcmp(cl, req->headers[i].value) != 0) {
			http_abort(req, 400, "bad_request",
			    "conflicting Content-Length headers");
			return (-1);
		}
		cl = req->headers[i].value;
	}
	if (te != NULL) {
		if (http_head_te(req) == -1)
			return (-1);
		if (cl != NULL) {
			http_abort(req, 400, "bad_request",
			    "both Transfer-Encoding and Content-Length");
			return (-1);
		}
		req->chunked = 1;
	} else if (cl != NULL) {
		for (c = cl; *c != '\0'; c++) {
			if (!isdigit((u_char)*c))
				break;
		}
		if (*c != '\0' || http_parse_int(cl, 0, INT64_MAX / 2,
		    &len) == -1) {
			http_abort(req, 400, "bad_request",
			    "bad Content-Length");
			return (-1);
		}
		req->content_length = len;
		req->body_left = len;
	}
	expect = http_req_header(req, "Expect");
	if (expect != NULL && strcasecmp(expect, "100-continue") == 0 &&
	    req->minor == 1)
		req->expect_continue = 1;
	return (0);
}

/*
 * The route, then access: a client that is not let in learns nothing
 * from the answer, neither which paths exist nor which methods they take
 * (401 before 404 and 405).
 */
static int
http_head_route(struct http_req *req)
{
	struct http_conn	*conn = req->conn;
	struct http_server	*srv = conn->srv;
	struct http_route	*r;
	char			*cause = NULL, allow[64];
	int			 m, methods;

	m = req->method == HTTP_HEAD ? HTTP_GET : req->method;
	r = http_find_route(srv, req->path, m, &methods);
	if (r == NULL || !(r->flags & HTTP_OPEN)) {
		if (auth_check(srv->auth, (struct sockaddr *)&conn->peer,
		    http_req_header(req, "Authorization"), &cause) == -1) {
			http_add_header(req, "WWW-Authenticate",
			    "Bearer realm=\"deskd\"");
			http_abort(req, 401, "unauthorized", "%s", cause);
			free(cause);
			return (-1);
		}
	}
	if (r == NULL && methods == 0) {
		http_abort(req, 404, "not_found", "no such path: %s",
		    req->path);
		return (-1);
	}
	if (r == NULL) {
		allow[0] = '\0';
		if (methods & HTTP_GET)
			strlcat(allow, "GET, HEAD, ", sizeof allow);
		if (methods & HTTP_POST)
			strlcat(allow, "POST, ", sizeof allow);
		if (methods & HTTP_PUT)
			strlcat(allow, "PUT, ", sizeof allow);
		if (methods & HTTP_DELETE)
			strlcat(allow, "DELETE, ", sizeof allow);
		if (strlen(allow) > 2)
			allow[strlen(allow) - 2] = '\0';
		http_add_header(req, "Allow", allow);
		http_abort(req, 405, "method_not_allowed",
		    "%s is not allowed on %s (allowed: %s)", req->method_name,
		    req->path, allow);
		return (-1);
	}
	if (req->method == HTTP_HEAD)
		req->head_only = 1;
	req->route = r;
	req->max_body = r->max_body;
	return (0);
}

/*
 * Framing, route, access (the token or the address, then the rules for
 * web pages) and body limit once the head is complete, before a 100
 * Continue invites the body.
 */
static int
http_head_done(struct http_req *req)
{
	struct http_conn	*conn = req->conn;

	/* Framing first: a bad frame makes the connection unusable. */
	if (http_head_framing(req) == -1 || http_head_route(req) == -1 ||
	    http_head_access(req) == -1)
		return (-1);
	if (!(req->route->flags & HTTP_STREAM) &&
	    req->content_length > (int64_t)req->max_body) {
		http_abort(req, 413, "body_too_large",
		    "request body of %" PRId64 " bytes is over the limit of "
		    "%zu", req->content_length, req->max_body);
		return (-1);
	}
	if (req->expect_continue && (req->chunked ||
	    req->content_length > 0)) {
		evbuffer_add_printf(bufferevent_get_output(conn->bev),
		    "HTTP/1.1 100 Continue\r\n\r\n");
	}
	req->expect_continue = 0;
	if (!req->chunked && req->content_length <= 0)
		req->body_done = 1;
	return (0);
}

/*
 * chunk-size [ chunk-ext ] (RFC 9112 section 7.1): 1*HEXDIG, then
 * nothing or BWS ";" and an extension we ignore.  No "0x", sign or
 * leading space, which strtoull would take and a proxy might not.
 */
static int
http_chunk_size(const char *line, size_t len, uint64_t *out)
{
	uint64_t	 v = 0;
	size_t		 i;
	int		 d;

	for (i = 0; i < len && isxdigit((u_char)line[i]); i++) {
		if (i == 15)
			return (-1);	/* 2^60: far over any limit */
		d = isdigit((u_char)line[i]) ? line[i] - '0' :
		    tolower((u_char)line[i]) - 'a' + 10;
		v = v << 4 | d;
	}
	if (i == 0)
		return (-1);
	if (i < len) {
		/* BWS is allowed only before an extension. */
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len || line[i] != ';')
			return (-1);
	}
	for (; i < len; i++) {
		if (((u_char)line[i] < 0x20 && line[i] != '\t') ||
		    line[i] == 0x7f)
			return (-1);
	}
	*out = v;
	return (0);
}

/*
 * One trailer line (RFC 9112 section 7.1.2): read, checked as a header
 * would be, bounded like a head, and dropped.  -1 after replying.
 */
static int
http_trailer_line(struct http_req *req, const char *line, size_t len)
{
	const char	*colon;
	size_t		 i;

	if (len == 0) {
		req->body_done = 1;
		return (0);
	}
	req->trailer_bytes += len + 2;
	if (++req->ntrailers > HTTP_MAX_HEADERS ||
	    req->trailer_bytes > HTTP_MAX_HEAD) {
		http_abort(req, 431, "headers_too_large", "trailers over %d "
		    "lines or %d bytes", HTTP_MAX_HEADERS, HTTP_MAX_HEAD);
		return (-1);
	}
	colon = memchr(line, ':', len);
	if (colon == NULL || colon == line) {
		http_abort(req, 400, "bad_request", "malformed trailer line");
		return (-1);
	}
	for (i = 0; line + i < colon; i++) {
		if (!isgraph((u_char)line[i]))
			goto bad;
	}
	for (i = colon - line; i < len; i++) {
		if (((u_char)line[i] < 0x20 && line[i] != '\t') ||
		    line[i] == 0x7f)
			goto bad;
	}
	return (0);
bad:
	http_abort(req, 400, "bad_request", "malformed trailer line");
	return (-1);
}

/*
 * Move body bytes from the connection's input to req->body, decoding
 * chunked framing.  Returns -1 on a framing error (after replying).
 */
static int
http_read_body(struct http_req *req, struct evbuffer *in)
{
	char		*line, crlf[2];
	size_t		 n, len;
	uint64_t	 v;
	int		 rc;

	while (!req->body_done) {
		if (!req->chunked) {
			n = evbuffer_get_length(in);
			if (n == 0)
				return (0);
			if (n > req->body_left)
				n = req->body_left;
			evbuffer_remove_buffer(in, req->body, n);
			req->body_left -= n;
			req->body_seen += n;
			if (req->body_left == 0)
				req->body_done = 1;
			continue;
		}
		switch (req->chunk_state) {
		case CHUNK_SIZE:
		case CHUNK_TRAILER:
			/* Chunked framing ends lines with CRLF only. */
			line = evbuffer_readln(in, &len,
			    EVBUFFER_EOL_CRLF_STRICT);
			if (line == NULL) {
				if (evbuffer_get_length(in) > HTTP_MAX_LINE + 1) {
					http_abort(req, 400, "bad_request",
					    "chunk line over %d bytes",
					    HTTP_MAX_LINE);
					return (-1);
				}
				return (0);
			}
			if (len > HTTP_MAX_LINE) {
				free(line);
				http_abort(req, 400, "bad_request",
				    "chunk line over %d bytes", HTTP_MAX_LINE);
				return (-1);
			}
			if (req->chunk_state == CHUNK_TRAILER) {
				rc = http_trailer_line(req, line, len);
				free(line);
				if (rc == -1)
					return (-1);
				continue;
			}
			rc = http_chunk_size(line, len, &v);
			free(line);
			if (rc == -1) {
				http_abort(req, 400, "bad_request",
				    "bad chunk size line");
				return (-1);
			}
			req->chunk_left = v;
			req->chunk_state = v == 0 ? CHUNK_TRAILER : CHUNK_DATA;
			break;
		case CHUNK_DATA:
			n = evbuffer_get_length(in);
			if (n == 0)
				return (0);
			if (n > req->chunk_left)
				n = req->chunk_left;
			evbuffer_remove_buffer(in, req->body, n);
			req->chunk_left -= n;
			req->body_seen += n;
			if (req->chunk_left == 0)
				req->chunk_state = CHUNK_DATA_CRLF;
			break;
		case CHUNK_DATA_CRLF:
			if (evbuffer_get_length(in) < 2)
				return (0);
			evbuffer_remove(in, crlf, 2);
			if (crlf[0] != '\r' || crlf[1] != '\n') {
				http_abort(req, 400, "bad_request",
				    "missing CRLF after chunk");
				return (-1);
			}
			req->chunk_state = CHUNK_SIZE;
			break;
		case CHUNK_DONE:
			req->body_done = 1;
			break;
		}
		/* Buffered routes: a chunked body may not pass the limit. */
		if (!(req->route->flags & HTTP_STREAM) &&
		    req->body_seen > req->max_body) {
			http_abort(req, 413, "body_too_large",
			    "request body is over the limit of %zu bytes",
			    req->max_body);
			return (-1);
		}
	}
	return (0);
}

/*
 * Before jansson: a body it would make a huge tree of (a 3 MB array of a
 * million {} takes 213 MB and 0.6 s) is refused on its token count, and
 * nesting is bounded.  Strings are skipped, escapes included; the syntax
 * is jansson's to check.  -1 with cause.
 */
static int
http_json_scan(const char *s, size_t len, char **cause)
{
	size_t	 i, values = 0;
	int	 depth = 0, word = 0;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '"':
			for (i++; i < len && s[i] != '"'; i++) {
				if (s[i] == '\\')
					i++;
			}
			values++;
			word = 0;
			break;
		case '{':
		case '[':
			if (++depth > HTTP_MAX_JSON_DEPTH) {
				xasprintf(cause, "JSON nested deeper than %d",
				    HTTP_MAX_JSON_DEPTH);
				return (-1);
			}
			values++;
			word = 0;
			break;
		case '}':
		case ']':
			depth--;
			word = 0;
			break;
		case ',':
		case ':':
		case ' ':
		case '\t':
		case '\r':
		case '\n':
			word = 0;
			break;
		default:
			if (!word)
				values++;	/* a number or a literal */
			word = 1;
			break;
		}
		if (values > HTTP_MAX_JSON_VALUES) {
			xasprintf(cause, "JSON of more than %d values",
			    HTTP_MAX_JSON_VALUES);
			return (-1);
		}
	}
	return (0);
}

/* Parse the body as JSON: scan, then jansson.  NULL with cause. */
static json_t *
http_json_parse(struct evbuffer *body, char **cause)
{
	json_error_t	 jerr;
	json_t		*obj;
	const char	*data;
	size_t		 len = evbuffer_get_length(body);

	data = (const char *)evbuffer_pullup(body, -1);
	if (http_json_scan(data, len, cause) == -1)
		return (NULL);
	obj = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL)
		xasprintf(cause, "malformed JSON at line %d column %d: %s",
		    jerr.line, jerr.column, jerr.text);
	return (obj);
}

/* On the worker thread: only the job's own buffer and jansson. */
static void
http_json_work(void *arg)
{
	struct http_json_job	*job = arg;

	job->json = http_json_parse(job->body, &job->error);
}

/* Back on the loop: hand the result to the request, run its handler. */
static void
http_json_done(void *arg)
{
	struct http_json_job	*job = arg;
	struct http_req		*req = job->req;

	if (req == NULL) {
		/* The client left meanwhile (or deskd is stopping). */
		if (job->json != NULL)
			json_decref(job->json);
		free(job->error);
		evbuffer_free(job->body);
		free(job);
		return;
	}
	req->json_job = NULL;
	evbuffer_free(req->body);
	req->body = job->body;
	req->json = job->json;
	req->json_error = job->error;
	req->json_done = 1;
	free(job);
	req->route->cb(req, req->route->arg);
}

/*
 * A JSON body too large to parse on the loop in a few ms (jansson takes
 * 7 ms for 64 KiB of small objects, 27 ms for a 1 MiB string here) is
 * parsed on the worker thread first, and the handler runs when it is
 * done, finding the result in http_req_json.  1 if so.
 */
static int
http_json_offload(struct http_req *req)
{
	struct http_json_job	*job;

	if ((req->route->flags & HTTP_STREAM) || !req->body_done ||
	    evbuffer_get_length(req->body) <= HTTP_JSON_LOOP_MAX ||
	    !http_req_ctype_is(req, "application/json"))
		return (0);
	req->state = REQ_WAIT;
	http_conn_timeouts(req->conn, 0);
	job = xcalloc(1, sizeof *job);
	job->req = req;
	job->body = req->body;
	req->body = evbuffer_new();
	req->json_job = job;
	worker_run(req->conn->srv->base, http_json_work, http_json_done, job);
	return (1);
}

static void
http_call_handler(struct http_req *req)
{
	if (http_json_offload(req))
		return;
	req->state = REQ_WAIT;
	/*
	 * A handler may take its time: no read limit meanwhile, except for
	 * a streamed body still arriving (it may pause, not stop).
	 */
	http_conn_timeouts(req->conn, req->body_done ? 0 : HTTP_BODY_TIMEOUT);
	req->route->cb(req, req->route->arg);
}

/*
 * Chrome's rule for its DevTools port since Chrome 66 (puppeteer#2242),
 * applied to both of deskd's ports: the Host must be an IP literal,
 * localhost, or a name given with --host-name, so that a web page cannot
 * reach deskd through a name of its own that resolves to the guest (DNS
 * rebinding).
 */
int
http_host_allowed(const char *h)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	const char	*end, *colon, *p;
	char		 name[256];
	size_t		 len;
	int		 i;

	if (h == NULL || *h == '\0' || strlen(h) >= sizeof name)
		return (0);
	if (h[0] == '[') {
		if ((end = strchr(h, ']')) == NULL)
			return (0);
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return (0);
		len = end - h - 1;
		memcpy(name, h + 1, len);
		name[len] = '\0';
		if (inet_pton(AF_INET6, name, &a6) != 1)
			return (0);
	} else {
		colon = strchr(h, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			return (0);
		len = colon != NULL ? (size_t)(colon - h) : strlen(h);
		memcpy(name, h, len);
		name[len] = '\0';
	}
	if (colon != NULL) {
		for (p = colon + 1; *p != '\0'; p++) {
			if (!isdigit((u_char)*p))
				return (0);
		}
		if (p == colon + 1 || p - colon > 6)
			return (0);
	}
	if (h[0] == '[')
		return (1);
	if (strcasecmp(name, "localhost") == 0 ||
	    inet_pton(AF_INET, name, &a4) == 1)
		return (1);
	for (i = 0; i < deskd_cfg.nhost_names; i++) {
		if (strcasecmp(name, deskd_cfg.host_names[i]) == 0)
			return (1);
	}
	return (0);
}

/* Host with its default port spelt out stripped: "a:80" is "a" on http. */
static size_t
http_host_len(const char *h, const char *dport)
{
	size_t	 len = strlen(h), dlen = strlen(dport);

	if (len > dlen && strcmp(h + len - dlen, dport) == 0)
		return (len - dlen);
	return (len);
}

/*
 * deskd's own pages (the live view) send Origin http://HOST, HOST being
 * what they used to reach deskd, so the Host header, and a Host that
 * passes the DNS-rebinding rule: a page on a rebound name has an Origin
 * equal to its Host too.  1 if so.
 */
static int
http_origin_own(const char *origin, const char *host)
{
	const char	*rest, *dport;
	size_t		 hlen;

	if (host == NULL || !http_host_allowed(host))
		return (0);
	if (strncasecmp(origin, "http://", 7) == 0) {
		rest = origin + 7;
		dport = ":80";
	} else if (strncasecmp(origin, "https://", 8) == 0) {
		rest = origin + 8;
		dport = ":443";
	} else
		return (0);	/* "null" (file:, sandboxed frames), others */
	hlen = http_host_len(host, dport);
	return (http_host_len(rest, dport) == hlen &&
	    strncasecmp(rest, host, hlen) == 0);
}

/*
 * What a web page in the guest's own browser could send: without the
 * token, a request must not come from a page on another origin (Origin,
 * sent by browsers on every cross-origin and every POST request, even
 * mode "no-cors", and on every websocket handshake, so no cross-site
 * websocket hijacking of /v1/exec/ws, /v1/pty/ID/ws or /v1/stream;
 * Sec-Fetch-Site, sent on every request to loopback) and must name deskd
 * by a Host a page cannot own (DNS rebinding).  deskd sends no CORS
 * headers, so a page could never read an answer; this also stops it from
 * causing one.  The one Origin policy of every route and both ports: MCP's
 * transport check (mcp.c) and the live view's (view.c) are this one.  A
 * request with the token is a program that has it, not a page, and is
 * let through, but for the Origin rule on HTTP_ORIGIN routes (/mcp); a
 * view token is not the token.  -1 after replying.
 */
static int
http_head_access(struct http_req *req)
{
	struct http_server	*srv = req->conn->srv;
	const char		*host = NULL, *origin, *site;
	u_int			 i, nhost = 0;
	int			 token;

	token = auth_token_ok(srv->auth, http_req_header(req, "Authorization"));
	if (token && !(req->route->flags & HTTP_ORIGIN))
		return (0);
	for (i = 0; i < req->nheaders; i++) {
		if (strcasecmp(req->headers[i].name, "Host") == 0) {
			host = req->headers[i].value;
			nhost++;
		}
	}
	if (nhost > 1) {
		http_abort(req, 400, "bad_request", "more than one Host header");
		return (-1);
	}
	/*
	 * The Origin first: a page is told 403 whatever Host it used, as
	 * MCP's transport asks of a server (2025-11-25 basic/transports,
	 * "Security Warning").
	 */
	origin = http_req_header(req, "Origin");
	if (origin != NULL && !http_origin_own(origin, host)) {
		http_abort(req, 403, "forbidden_origin", "a request from a web "
		    "page on another origin (%.64s) needs the bearer token "
		    "(against cross-site requests and DNS rebinding)", origin);
		return (-1);
	}
	if (token)
		return (0);	/* HTTP_ORIGIN: the Origin rule only */
	if (host != NULL && !http_host_allowed(host)) {
		http_abort(req, 400, "bad_host", "Host %.64s is not an IP "
		    "address, localhost or a --host-name (refused against DNS "
		    "rebinding)", host);
		return (-1);
	}
	site = http_req_header(req, "Sec-Fetch-Site");
	if (site != NULL && strcasecmp(site, "same-origin") != 0 &&
	    strcasecmp(site, "none") != 0) {
		http_abort(req, 403, "forbidden_origin", "a %.16s request from "
		    "a web page needs the bearer token", site);
		return (-1);
	}
	return (0);
}

/*
 * Stop reading pipelined requests while the answers to earlier ones are
 * not being read: a client that only sends would otherwise make the
 * output grow without bound.  http_write_cb resumes.  1 if paused.
 */
static int
http_conn_pause(struct http_conn *conn)
{
	if (evbuffer_get_length(bufferevent_get_output(conn->bev)) <=
	    HTTP_PIPELINE_HIGH)
		return (0);
	conn->paused = 1;
	bufferevent_disable(conn->bev, EV_READ);
	return (1);
}

/*
 * A request's first byte is in.  Its head is due by an absolute
 * deadline: from accept for the first request, from now for later ones.
 */
static void
http_conn_start(struct http_conn *conn)
{
	long long	 ms = HTTP_HEAD_TIMEOUT * 1000LL;

	conn->req = http_req_new(conn);
	if (conn->nreqs++ == 0)
		ms -= deskd_now_ms() - conn->accept_ms;
	http_conn_deadline(conn, ms > 0 ? ms : 1);
}

/*
 * The head is complete and let through: no head deadline any more; the
 * body may pause HTTP_BODY_TIMEOUT between bytes.  A connection whose
 * request passed the access rules is trusted from now on: it is never
 * evicted and no longer counts against its peer's cap.
 */
static void
http_head_passed(struct http_req *req)
{
	struct http_conn	*conn = req->conn;

	http_conn_deadline(conn, 0);
	if (!(req->route->flags & HTTP_OPEN)) {
		conn->trusted = 1;
		http_stranger_remove(conn);
	}
	http_conn_timeouts(conn, req->body_done ? 0 : HTTP_BODY_TIMEOUT);
}

/*
 * No NUL and no bare CR in a head line (RFC 9112 section 2.2): a NUL
 * would cut a value short here ("Content-Length: 1\0 00") and be read
 * whole by a proxy in front.  -1 after replying.
 */
static int
http_line_check(struct http_req *req, const char *line, size_t len)
{
	if (memchr(line, '\0', len) != NULL) {
		http_abort(req, 400, "bad_request", "NUL byte in the request "
		    "head");
		return (-1);
	}
	if (memchr(line, '\r', len) != NULL) {
		http_abort(req, 400, "bad_request", "bare CR in the request "
		    "head");
		return (-1);
	}
	return (0);
}

/*
 * After the client's FIN: once nothing more can be served, close (after
 * the output drains); a request cut short is a hang-up.
 */
static void
http_conn_after_eof(struct http_conn *conn)
{
	struct http_req	*req = conn->req;

	if (conn->lingering || conn->close_after)
		return;
	if (req == NULL) {
		if (conn->paused || evtimer_pending(conn->ev_next, NULL))
			return;
		if (evbuffer_get_length(bufferevent_get_output(conn->bev)) > 0) {
			conn->close_after = 1;
			return;
		}
		http_conn_close(conn, "client closed");
		return;
	}
	if (req->state == REQ_HEAD || !req->body_done)
		http_conn_close(conn, "client closed mid-request");
}

/*
 * Parse whatever the input holds.  Runs from the read callback and from
 * ev_next after a reply, so that pipelined requests are served in order.
 */
static void
http_conn_process(struct http_conn *conn)
{
	struct evbuffer	*in = bufferevent_get_input(conn->bev);
	struct http_req	*req;
	char		*line;
	size_t		 len;
	int		 streaming, rc;

	if (conn->in_process)
		return;
	conn->in_process = 1;
	for (;;) {
		if (conn->lingering || conn->close_after || conn->taken)
			break;
		if (conn->req == NULL) {
			if (evbuffer_get_length(in) == 0)
				break;
			if (http_conn_pause(conn))
				break;
			http_conn_start(conn);
		}
		req = conn->req;

		if (req->state == REQ_HEAD) {
			line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
			if (line == NULL) {
				if (evbuffer_get_length(in) > HTTP_MAX_LINE) {
					if (req->method_name == NULL)
						http_abort(req, 414,
						    "uri_too_long",
						    "request line over %d "
						    "bytes", HTTP_MAX_LINE);
					else
						http_abort(req, 431,
						    "headers_too_large",
						    "header line over %d "
						    "bytes", HTTP_MAX_LINE);
					continue;
				}
				break;
			}
			req->head_bytes += len + 2;
			if (req->head_bytes > HTTP_MAX_HEAD) {
				free(line);
				http_abort(req, 431, "headers_too_large",
				    "request head over %d bytes",
				    HTTP_MAX_HEAD);
				continue;
			}
			if (len > HTTP_MAX_LINE) {
				free(line);
				http_abort(req, req->method_name == NULL ?
				    414 : 431, "too_long", "line over %d bytes",
				    HTTP_MAX_LINE);
				continue;
			}
			if (http_line_check(req, line, len) == -1) {
				free(line);
				continue;
			}
			if (req->method_name == NULL) {
				/* Tolerate empty lines before a request. */
				if (len == 0) {
					req->head_bytes = 0;
					free(line);
					continue;
				}
				rc = http_parse_request_line(req, line);
			} else if (len == 0) {
				rc = http_head_done(req);
				if (rc == 0) {
					http_head_passed(req);
					req->state = REQ_BODY;
					if (req->route->flags & HTTP_STREAM)
						http_call_handler(req);
				}
			} else
				rc = http_parse_header(req, line);
			free(line);
			continue;
		}

		/*
		 * A streamed route hears the end of its body even when the
		 * body was empty and so done before its handler ran.
		 */
		if (req->state == REQ_BODY || (req->state == REQ_WAIT &&
		    req->body_cb != NULL)) {
			streaming = (req->route->flags & HTTP_STREAM) != 0;
			if (http_read_body(req, in) == -1)
				continue;
			if (streaming) {
				if (req->body_cb != NULL &&
				    (evbuffer_get_length(req->body) > 0 ||
				    req->body_done)) {
					rc = req->body_cb(req, req->body,
					    req->body_done, req->body_arg);
					if (conn->req != req)
						continue;	/* replied */
					evbuffer_drain(req->body,
					    evbuffer_get_length(req->body));
					if (rc == -1 || req->body_done)
						req->body_cb = NULL;
				}
				if (!req->body_done)
					break;
				if (req->state == REQ_BODY)
					req->state = REQ_WAIT;
				http_conn_timeouts(conn, 0);
				break;
			}
			if (!req->body_done)
				break;
			http_call_handler(req);
			continue;
		}
		/*
		 * REQ_WAIT or REQ_STREAM: the reply is on its way.  Pipelined
		 * requests wait in the input; a head's worth is enough.
		 */
		if (evbuffer_get_length(in) > HTTP_MAX_HEAD)
			bufferevent_disable(conn->bev, EV_READ);
		break;
	}
	conn->in_process = 0;
	if (conn->taken) {
		free(conn);
		return;
	}
	if (conn->eof)
		http_conn_after_eof(conn);
}

void
http_server_on_done(struct http_server *srv, http_done_cb cb, void *arg)
{
	srv->done_cb = cb;
	srv->done_arg = arg;
}

/* Tell the server's done callback about a finished request. */
static void
http_report_done(struct http_req *req)
{
	struct http_server	*srv = req->conn->srv;
	struct http_done	 d;

	if (srv->done_cb == NULL)
		return;
	d.server = srv->name;
	d.route = req->route != NULL ? req->route->path : NULL;
	d.method = req->method_name;
	d.status = req->code;
	d.usec = http_now_us() - req->start_us;
	d.authed = req->route != NULL && !(req->route->flags & HTTP_OPEN);
	srv->done_cb(&d, srv->done_arg);
}

/* The reply is complete: forget the request, then serve the next one. */
static void
http_finish(struct http_req *req)
{
	struct http_conn	*conn = req->conn;
	struct timeval		 tv = { 0, 0 };
	size_t			 out;
	int			 whole_body = req->body_done;

	http_report_done(req);
	req->state = REQ_DONE;
	conn->req = NULL;
	if (!req->keepalive || !whole_body) {
		/* Unread body bytes would be parsed as the next request. */
		conn->close_after = whole_body ? 1 : 2;
	}
	http_req_free(req);
	out = evbuffer_get_length(bufferevent_get_output(conn->bev));
	if (out > conn->out_peak)
		conn->out_peak = out;
	/* After the client's FIN, serve what is in the input, then close. */
	if (!conn->close_after && conn->eof &&
	    evbuffer_get_length(bufferevent_get_input(conn->bev)) == 0)
		conn->close_after = 1;
	if (conn->close_after) {
		http_conn_deadline(conn, 0);
		bufferevent_disable(conn->bev, EV_READ);
		if (out == 0) {
			if (conn->close_after == 2)
				http_conn_linger(conn);
			else
				http_conn_close(conn, "done");
		}
		return;
	}
	http_conn_timeouts(conn, 0);
	if (!conn->eof) {
		/* Strangers get the short wait for their next request. */
		http_conn_deadline(conn, (conn->trusted ? HTTP_IDLE_TIMEOUT :
		    HTTP_FIRST_BYTE_TIMEOUT) * 1000LL);
		bufferevent_enable(conn->bev, EV_READ);
	}
	if (evbuffer_get_length(bufferevent_get_input(conn->bev)) > 0)
		evtimer_add(conn->ev_next, &tv);
}

/* Accessors. */

int
http_req_method(struct http_req *req)
{
	return (req->method);
}

const char *
http_req_method_name(struct http_req *req)
{
	return (req->method_name);
}

const char *
http_req_uri(struct http_req *req)
{
	return (req->uri);
}

const char *
http_req_path(struct http_req *req)
{
	return (req->path);
}

const char *
http_req_query(struct http_req *req, const char *name)
{
	const char	*q;

	if (!req->query_parsed) {
		req->query_parsed = 1;
		if ((q = strchr(req->uri, '?')) != NULL)
			http_parse_params(q + 1, strlen(q + 1), &req->query,
			    &req->nquery);
	}
	return (http_kv_get(req->query, req->nquery, name));
}

const char *
http_req_header(struct http_req *req, const char *name)
{
	u_int	 i;

	for (i = 0; i < req->nheaders; i++) {
		if (strcasecmp(req->headers[i].name, name) == 0)
			return (req->headers[i].value);
	}
	return (NULL);
}

int
http_req_header_at(struct http_req *req, u_int i, const char **name,
    const char **value)
{
	if (i >= req->nheaders)
		return (-1);
	*name = req->headers[i].name;
	*value = req->headers[i].value;
	return (0);
}

const char *
http_req_peer(struct http_req *req)
{
	return (req->conn->peer_str);
}

struct evbuffer *
http_req_body(struct http_req *req)
{
	return (req->body);
}

int
http_req_ctype_is(struct http_req *req, const char *type)
{
	const char	*ct = http_req_header(req, "Content-Type");
	size_t		 len;

	if (ct == NULL)
		return (0);
	len = strcspn(ct, "; \t");
	if (len != strlen(type) || strncasecmp(ct, type, len) != 0)
		return (0);
	ct += len;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return (*ct == '\0' || *ct == ';');
}

json_t *
http_req_json(struct http_req *req, int allow_empty, char **cause)
{
	size_t		 len = evbuffer_get_length(req->body);
	const char	*ct;

	*cause = NULL;
	if (req->json_done) {
		/* Parsed off the loop already (http_json_offload). */
		if (req->json_error != NULL) {
			*cause = xstrdup(req->json_error);
			return (NULL);
		}
		return (json_incref(req->json));
	}
	if (len == 0) {
		if (!allow_empty)
			*cause = xstrdup("request body must be JSON, got an "
			    "empty body");
		return (NULL);
	}
	/*
	 * A page may POST text/plain, forms and multipart cross-origin
	 * without asking (a CORS "simple" request); application/json needs a
	 * preflight deskd never grants.  So JSON must say it is JSON.
	 */
	if (!http_req_ctype_is(req, "application/json")) {
		ct = http_req_header(req, "Content-Type");
		xasprintf(cause, "the body must be sent with Content-Type: "
		    "application/json (got %.64s)", ct != NULL ? ct : "none");
		return (NULL);
	}
	return (http_json_parse(req->body, cause));
}

const char *
http_req_form(struct http_req *req, const char *name)
{
	const char	*ct, *v;
	size_t		 len;

	if (!req->form_parsed) {
		req->form_parsed = 1;
		ct = http_req_header(req, "Content-Type");
		len = evbuffer_get_length(req->body);
		if (ct != NULL && strncasecmp(ct,
		    "application/x-www-form-urlencoded", 33) == 0 && len > 0)
			http_parse_params(
			    (const char *)evbuffer_pullup(req->body, -1), len,
			    &req->form, &req->nform);
	}
	if ((v = http_kv_get(req->form, req->nform, name)) != NULL)
		return (v);
	return (http_req_query(req, name));
}

void
http_req_set_body_cb(struct http_req *req, http_body_cb cb, void *arg)
{
	req->body_cb = cb;
	req->body_arg = arg;
}

void
http_req_set_close_cb(struct http_req *req, http_close_cb cb, void *arg)
{
	req->close_cb = cb;
	req->close_arg = arg;
}

void
http_req_set_drain_cb(struct http_req *req, http_drain_cb cb, void *arg)
{
	req->drain_cb = cb;
	req->drain_arg = arg;
}

/* Replies. */

void
http_add_header(struct http_req *req, const char *name, const char *value)
{
	/* Header injection: values never carry line breaks. */
	if (strpbrk(value, "\r\n") != NULL || strpbrk(name, "\r\n:") != NULL)
		return;
	evbuffer_add_printf(req->out_headers, "%s: %s\r\n", name, value);
}

static void
http_write_head(struct http_req *req, int code, const char *ctype,
    int64_t length)
{
	struct evbuffer	*out = bufferevent_get_output(req->conn->bev);

	req->code = code;
	evbuffer_add_printf(out, "HTTP/1.%d %d %s\r\nServer: deskd/%s\r\n",
	    req->minor, code, http_status_text(code), DESKD_VERSION);
	if (ctype != NULL)
		evbuffer_add_printf(out, "Content-Type: %s\r\n", ctype);
	if (length >= 0)
		evbuffer_add_printf(out, "Content-Length: %" PRId64 "\r\n",
		    length);
	else if (req->minor == 1) {
		evbuffer_add_printf(out, "Transfer-Encoding: chunked\r\n");
		req->reply_chunked = 1;
	} else
		req->keepalive = 0;	/* HTTP/1.0: length is the close */
	if (!req->keepalive || (!req->body_done && req->state != REQ_HEAD))
		evbuffer_add_printf(out, "Connection: close\r\n");
	else if (req->minor == 0)
		evbuffer_add_printf(out, "Connection: keep-alive\r\n");
	evbuffer_add_buffer(out, req->out_headers);
	evbuffer_add(out, "\r\n", 2);
	log_debug("%s: %s: %s %s -> %d", req->conn->srv->name,
	    req->conn->peer_str, req->method_name ? req->method_name : "-",
	    req->uri ? req->uri : "-", code);
}

void
http_reply(struct http_req *req, int code, const char *ctype,
    const void *data, size_t len)
{
	http_write_head(req, code, ctype, len);
	if (!req->head_only && len > 0)
		evbuffer_add(bufferevent_get_output(req->conn->bev), data, len);
	http_finish(req);
}

void
http_reply_buffer(struct http_req *req, int code, const char *ctype,
    struct evbuffer *buf)
{
	http_write_head(req, code, ctype, evbuffer_get_length(buf));
	if (!req->head_only)
		evbuffer_add_buffer(bufferevent_get_output(req->conn->bev),
		    buf);
	else
		evbuffer_drain(buf, evbuffer_get_length(buf));
	http_finish(req);
}

void
http_reply_json(struct http_req *req, int code, json_t *obj)
{
	char	*s;
	size_t	 len;

	s = json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(obj);
	if (s == NULL) {
		static const char	 fail[] = "{\"error\":{\"code\":"
		    "\"internal\",\"message\":\"JSON encoding failed\"}}\n";

		http_reply(req, 500, "application/json", fail,
		    sizeof fail - 1);
		return;
	}
	len = strlen(s);
	s = xrealloc(s, len + 2);
	s[len++] = '\n';
	s[len] = '\0';
	http_reply(req, code, "application/json", s, len);
	free(s);
}

void
http_reply_error(struct http_req *req, int status, const char *code,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	http_reply_json(req, status, proto_error_new(code, msg));
	free(msg);
}

void
http_reply_start(struct http_req *req, int code, const char *ctype,
    int64_t length)
{
	http_write_head(req, code, ctype, length);
	req->state = REQ_STREAM;
	if (req->head_only)
		http_finish(req);
}

void
http_reply_write(struct http_req *req, struct evbuffer *buf)
{
	struct evbuffer	*out = bufferevent_get_output(req->conn->bev);
	size_t		 len = evbuffer_get_length(buf);

	if (len == 0)
		return;
	if (req->reply_chunked) {
		evbuffer_add_printf(out, "%zx\r\n", len);
		evbuffer_add_buffer(out, buf);
		evbuffer_add(out, "\r\n", 2);
	} else
		evbuffer_add_buffer(out, buf);
}

size_t
http_reply_pending(struct http_req *req)
{
	return (evbuffer_get_length(bufferevent_get_output(req->conn->bev)));
}

void
http_reply_end(struct http_req *req)
{
	if (req->reply_chunked)
		evbuffer_add(bufferevent_get_output(req->conn->bev),
		    "0\r\n\r\n", 5);
	http_finish(req);
}

struct bufferevent *
http_req_takeover(struct http_req *req)
{
	struct http_conn	*conn = req->conn;
	struct http_server	*srv = conn->srv;
	struct bufferevent	*bev = conn->bev;

	bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
	bufferevent_set_timeouts(bev, NULL, NULL);
	bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
	conn->bev = NULL;
	conn->req = NULL;
	http_req_free(req);
	http_stranger_remove(conn);
	TAILQ_REMOVE(&srv->conns, conn, entry);
	srv->nconns--;
	event_free(conn->ev_next);
	if (conn->ev_linger != NULL)
		event_free(conn->ev_linger);
	event_free(conn->ev_deadline);
	if (conn->ev_probe != NULL)
		event_free(conn->ev_probe);
	/*
	 * A handler that takes over at once (websocket upgrade) runs inside
	 * http_conn_process, which frees the connection when it returns.
	 */
	if (conn->in_process)
		conn->taken = 1;
	else
		free(conn);
	return (bev);
}

int
http_req_auth(struct http_req *req, char **cause)
{
	struct http_conn	*conn = req->conn;

	return (auth_check(conn->srv->auth, (struct sockaddr *)&conn->peer,
	    http_req_header(req, "Authorization"), cause));
}
