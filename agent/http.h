/*
 * http.h: deskd's own HTTP/1.1 server on libevent bufferevents.
 *
 * Why not evhttp: it answers malformed requests and oversized bodies with
 * HTML pages, buffers whole request bodies in memory, and cannot hand a
 * connection over for a websocket relay.  This server checks limits while
 * parsing (OpenBSD httpd style), streams bodies both ways, and every error
 * it sends itself is JSON: {"error":{"code":"...","message":"..."}}.
 *
 * Lifetime: a struct http_req belongs to its connection.  It stays valid
 * until the handler has finished the reply (http_reply*, http_reply_end) or
 * until the close callback set with http_req_set_close_cb has run (client
 * hung up); after either the handler must not touch it again.  Handlers may
 * answer later, from a timer or a child's exit: nothing in a handler may
 * block.
 */
#ifndef HTTP_H
#define HTTP_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct event_base;
struct evbuffer;
struct bufferevent;
struct sockaddr;
struct http_server;
struct http_req;
struct auth;

/* Methods, as a bit mask in routes.  GET routes answer HEAD too. */
#define HTTP_GET	0x01
#define HTTP_POST	0x02
#define HTTP_PUT	0x04
#define HTTP_DELETE	0x08
#define HTTP_HEAD	0x10
#define HTTP_OPTIONS	0x20

/* Route flags. */
#define HTTP_OPEN	0x01	/* no auth needed (/health) */
#define HTTP_PREFIX	0x02	/* path is a prefix ("/devtools/") */
#define HTTP_STREAM	0x04	/* body is not buffered: see body_cb */
/*
 * The Origin rule (see http_host_allowed) holds even for requests with
 * the token: MCP's transport validates Origin on every request
 * (2025-11-25 basic/transports, "Security Warning").
 */
#define HTTP_ORIGIN	0x08

/*
 * Limits, checked while parsing (OpenBSD httpd's SERVER_MAX* block).
 * A line is the request line, one header, one chunk-size line or one
 * trailer; trailers are bounded like a head.
 */
#define HTTP_MAX_LINE		8192	/* request line or one header */
#define HTTP_MAX_HEADERS	100	/* header (and trailer) lines */
#define HTTP_MAX_HEAD		(64 * 1024)	/* a head, or the trailers */
#define HTTP_MAX_BODY		(16 * 1024 * 1024) /* buffered bodies */
#define HTTP_MAX_PARAMS		64	/* query or form pairs */
/*
 * JSON bodies: at most this many values (a token count taken before
 * jansson builds its tree, ~70 bytes a value) and this deep.  Bodies over
 * HTTP_JSON_LOOP_MAX are parsed on the worker thread, never on the loop.
 */
#define HTTP_MAX_JSON_VALUES	100000
#define HTTP_MAX_JSON_DEPTH	64
#define HTTP_JSON_LOOP_MAX	(16 * 1024)
/*
 * Time limits, in seconds.  A new connection must send its first byte
 * within HTTP_FIRST_BYTE_TIMEOUT and its whole first head within
 * HTTP_HEAD_TIMEOUT of being accepted: absolute deadlines, so a byte
 * every few seconds does not keep a slot.  Later heads on a keep-alive
 * connection get HTTP_HEAD_TIMEOUT from their first byte.  Bodies may
 * pause for HTTP_BODY_TIMEOUT between bytes (streamed uploads included).
 * Between requests a connection that has been let in (a route that needs
 * access answered it) may idle HTTP_IDLE_TIMEOUT; one that has not gets
 * HTTP_FIRST_BYTE_TIMEOUT again.
 */
#define HTTP_FIRST_BYTE_TIMEOUT	10
#define HTTP_HEAD_TIMEOUT	20
#define HTTP_BODY_TIMEOUT	20
#define HTTP_IDLE_TIMEOUT	300	/* keep-alive idle, let-in clients */
#define HTTP_WRITE_TIMEOUT	300	/* a client that stops reading */
#define HTTP_LINGER_MS		2000	/* read and drop after an error */
#define HTTP_LINGER_MAX		(64 * 1024 * 1024)
#define HTTP_PROBE_MS		100	/* hang-up checks after a FIN */
/*
 * Connection slots.  HTTP_MAX_CONNS in all; a peer that has not been let
 * in (one IPv4 address, or one IPv6 /64) may hold HTTP_MAX_PEER_CONNS of
 * them; loopback is not capped per peer.  Past either cap a new
 * connection is answered 503 (at most HTTP_MAX_REFUSING of those at
 * once; past that it is closed), except that at the global cap the oldest
 * connection still waiting for a head from a peer not let in is closed to
 * make room: a token holder keeps getting in while strangers hold slots.
 */
#define HTTP_MAX_CONNS		1024
#define HTTP_LISTEN_BACKLOG	1024	/* a burst of connects is not dropped */
#define HTTP_MAX_PEER_CONNS	64
#define HTTP_MAX_REFUSING	2048
#define HTTP_PEER_BUCKETS	256	/* hash of strangers' addresses */
/*
 * Output.  Streaming replies refill while the connection's output is
 * under HTTP_OUT_HIGH / 2; pipelined requests are not read while it is
 * over HTTP_PIPELINE_HIGH, so a client that sends and never reads holds
 * that much and no more.  After a reply of HTTP_TRIM_MARK or more has
 * been written, freed memory goes back to the system (malloc_trim), at
 * most once per HTTP_TRIM_MS.
 */
#define HTTP_OUT_HIGH		(4 * 1024 * 1024) /* streaming backpressure */
#define HTTP_PIPELINE_HIGH	(256 * 1024)
#define HTTP_TRIM_MARK		(4 * 1024 * 1024)
#define HTTP_TRIM_MS		1000

typedef void (*http_cb)(struct http_req *, void *);
/*
 * Streaming body chunk: data is the bytes that arrived (drain what you
 * use, the rest is dropped); done is 1 once the whole body has arrived.
 * Return -1 to abort (the handler has replied with an error by then).
 */
typedef int (*http_body_cb)(struct http_req *, struct evbuffer *data,
    int done, void *);
typedef void (*http_close_cb)(struct http_req *, void *);
typedef void (*http_drain_cb)(struct http_req *, void *);

struct http_server *http_server_new(struct event_base *, const char *name,
		    struct auth *);
void		 http_server_free(struct http_server *);
/* Bind "ADDR:PORT" ("0.0.0.0:5000", "[::1]:5000", ":5000"); -1 + cause. */
int		 http_server_listen(struct http_server *, const char *,
		    char **cause);
/*
 * Serve an already-connected socket as if it had been accepted (fuzzing,
 * tests); peer may be NULL for a local socket.
 */
void		 http_server_adopt(struct http_server *, int fd,
		    const struct sockaddr *peer, int peerlen);
/* The port actually bound (for ":0"). */
int		 http_server_port(struct http_server *);
/*
 * Add a route.  max_body 0 means HTTP_MAX_BODY; bodies over it get 413
 * before any of it is read.  For HTTP_STREAM routes the handler runs once
 * the head is in: it must call http_req_set_body_cb, or reply at once.
 * A request is routed, then let in or refused (401), and only then told
 * 404 or 405: a client without access learns nothing of the routes.
 */
void		 http_route(struct http_server *, const char *path,
		    int methods, int flags, size_t max_body, http_cb, void *);
/*
 * A surface's routes as one table, as tmux's cmd_table lists its commands:
 * each surface keeps its table in one place (osworld.c, v1.c, cdp.c) so
 * every route of a port can be read at once.  The last entry has a NULL
 * path.
 */
struct http_route_entry {
	const char	*path;
	int		 methods;
	int		 flags;
	size_t		 max_body;	/* 0: HTTP_MAX_BODY */
	http_cb		 cb;
};
/* http_route for each entry, arg to every handler; fatal on a duplicate. */
void		 http_route_table(struct http_server *,
		    const struct http_route_entry *, void *arg);
/* Count of connections open now (the unit tests' leak check). */
u_int		 http_server_nconns(struct http_server *);
/*
 * What the server tells of each finished request (metrics.c counts them,
 * lifetime.c takes an authenticated one as activity): once per reply
 * sent, its own errors included; not for a connection taken over.
 */
struct http_done {
	const char	*server;	/* the server's name ("api") */
	const char	*route;		/* the route's path, NULL: none */
	const char	*method;	/* NULL when the line was unreadable */
	int		 status;
	long long	 usec;		/* the head's first byte to the reply */
	int		 authed;	/* a route that is not HTTP_OPEN */
};
typedef void (*http_done_cb)(const struct http_done *, void *);
void		 http_server_on_done(struct http_server *, http_done_cb,
		    void *);

/* Request accessors.  Strings belong to the request. */
int		 http_req_method(struct http_req *);
const char	*http_req_method_name(struct http_req *);
const char	*http_req_uri(struct http_req *);	/* raw, with query */
const char	*http_req_path(struct http_req *);	/* decoded, no query */
const char	*http_req_query(struct http_req *, const char *name);
const char	*http_req_header(struct http_req *, const char *name);
/* Iterate headers: returns 0 with name/value while i < count. */
int		 http_req_header_at(struct http_req *, u_int i,
		    const char **name, const char **value);
const char	*http_req_peer(struct http_req *);	/* "1.2.3.4" */
struct evbuffer	*http_req_body(struct http_req *);	/* buffered body */
/* 1 if Content-Type is this media type (parameters ignored). */
int		 http_req_ctype_is(struct http_req *, const char *type);
/*
 * The body as JSON.  An empty body gives NULL with *cause NULL when
 * allow_empty is set; otherwise NULL with cause on any error, a body not
 * sent as Content-Type: application/json included.
 */
json_t		*http_req_json(struct http_req *, int allow_empty,
		    char **cause);
/* A field of an application/x-www-form-urlencoded body (or query). */
const char	*http_req_form(struct http_req *, const char *name);

void		 http_req_set_body_cb(struct http_req *, http_body_cb,
		    void *);
void		 http_req_set_close_cb(struct http_req *, http_close_cb,
		    void *);

/* Replies.  Headers are added before the reply starts. */
void		 http_add_header(struct http_req *, const char *name,
		    const char *value);
void		 http_reply(struct http_req *, int code, const char *ctype,
		    const void *data, size_t len);
/* Moves the contents of buf into the reply. */
void		 http_reply_buffer(struct http_req *, int code,
		    const char *ctype, struct evbuffer *buf);
/* Steals obj. */
void		 http_reply_json(struct http_req *, int code, json_t *obj);
/* {"error":{"code":code,"message":...}} */
void		 http_reply_error(struct http_req *, int status,
		    const char *code, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
/*
 * Streaming replies: length -1 means chunked.  http_reply_write moves the
 * buffer's contents; the drain callback runs when the connection's output
 * falls under HTTP_OUT_HIGH / 2, so a file can be sent piece by piece.
 */
void		 http_reply_start(struct http_req *, int code,
		    const char *ctype, int64_t length);
void		 http_reply_write(struct http_req *, struct evbuffer *);
size_t		 http_reply_pending(struct http_req *);
void		 http_req_set_drain_cb(struct http_req *, http_drain_cb,
		    void *);
void		 http_reply_end(struct http_req *);
/*
 * Take the connection over (websocket relay): returns its bufferevent,
 * callbacks cleared, with whatever the client sent after the head still in
 * its input.  The server forgets the connection; the caller frees the
 * bufferevent (BEV_OPT_CLOSE_ON_FREE is set).
 */
struct bufferevent *http_req_takeover(struct http_req *);
/*
 * Run the server's access rules (auth.h) on a request to an HTTP_OPEN
 * route that lets in more than one kind of caller (the live view takes a
 * view token or what every other route takes): 0 or -1 with cause.
 */
int		 http_req_auth(struct http_req *, char **cause);

/*
 * 1 if a Host header value is an IP literal, localhost or a --host-name
 * (deskd_cfg), with an optional port: the DNS-rebinding rule of both
 * ports.  Requests without the token must pass it, and must not come
 * from a web page on another origin (Origin, Sec-Fetch-Site): 400
 * bad_host, 403 forbidden_origin.
 */
int		 http_host_allowed(const char *);

/* Helpers shared by the handlers. */
const char	*http_status_text(int);
/* Strict parse of a decimal integer in [min, max]; -1 if not. */
int		 http_parse_int(const char *, long long min, long long max,
		    long long *out);

#endif
