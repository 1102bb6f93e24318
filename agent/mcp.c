/*
 * mcp.c: the Streamable HTTP transport, sessions and JSON-RPC dispatch of
 * deskd's MCP server (see mcp.h).  Section references are to the MCP
 * specification, revision 2025-06-18 (docs/specification/2025-06-18/ of
 * modelcontextprotocol/modelcontextprotocol) unless another is named.
 *
 * One POST is one exchange: the requests it carries are answered in it,
 * as one JSON object (a JSON array for a 2025-03-26 batch) or as SSE
 * events, and it ends when the last of them is answered.  Each request
 * that runs a tool is a call, listed in its session so that DELETE and
 * notifications/cancelled can find it.  Results are written by hand into
 * evbuffers: a screenshot is megabytes of base64, which jansson's dump
 * would copy and scan again on the loop.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/random.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>

#include "deskd.h"
#include "deskproto.h"
#include "http.h"
#include "jsonrpc.h"
#include "log.h"
#include "mcp.h"
#include "mcp_catalog.h"
#include "mcp_schema.h"
#include "mcp_tools.h"
#include "proc.h"
#include "vendor.h"
#include "xmalloc.h"

struct mcp_call;

struct mcp_session {
	TAILQ_ENTRY(mcp_session)	 entry;
	char				 id[MCP_SESSION_ID_BYTES * 2 + 1];
	const char			*version;	/* negotiated */
	int				 initialized;	/* heard initialized */
	char				*client;	/* "name version" */
	long long			 last_ms;
	TAILQ_HEAD(, mcp_call)		 calls;
};

/* One POST and the answers it is owed. */
struct mcp_exchange {
	struct http_req		*req;		/* NULL once the client left */
	int			 sse;		/* text/event-stream reply */
	int			 batch;		/* JSON array reply */
	u_int			 pending;	/* answers still owed, +1 */
	struct evbuffer		*out;		/* JSON: answers, commas */
	u_int			 nout;
	struct event		*keepalive;
};

struct mcp_call {
	TAILQ_ENTRY(mcp_call)	 entry;		/* in its session's list */
	struct mcp_exchange	*x;
	struct mcp_session	*s;
	const char		*version;
	json_t			*id;
	int			 tool;		/* catalog index */
	struct evbuffer		*content;	/* items, with commas */
	u_int			 ncontent;
	struct evbuffer		*structured;	/* NULL: none */
	mcp_cancel_cb		 cancel;
	void			*cancel_arg;
};

static const char *const mcp_versions[] = MCP_VERSIONS;
#define MCP_NVERSIONS (sizeof mcp_versions / sizeof mcp_versions[0])

static TAILQ_HEAD(, mcp_session) mcp_sessions =
    TAILQ_HEAD_INITIALIZER(mcp_sessions);
static u_int			 mcp_nsessions;
static u_int			 mcp_ncalls;
static struct event_base	*mcp_base;

static void	 mcp_exchange_done(struct mcp_exchange *);
static void	 mcp_call_abort(struct mcp_call *, int, const char *);

/* The supported revision named s, or NULL. */
static const char *
mcp_version_find(const char *s)
{
	size_t	 i;

	for (i = 0; s != NULL && i < MCP_NVERSIONS; i++) {
		if (strcmp(mcp_versions[i], s) == 0)
			return (mcp_versions[i]);
	}
	return (NULL);
}

/* Revisions compare as their dates do. */
static int
mcp_version_at_least(const char *v, const char *than)
{
	return (strcmp(v, than) >= 0);
}

/* A transport-level refusal: the HTTP status with a JSON-RPC error. */
static void __attribute__((format(printf, 5, 6)))
mcp_refuse(struct http_req *req, int status, json_t *id, int code,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	log_debug("mcp: %s: %d: %s", http_req_peer(req), status, msg);
	http_reply_json(req, status, proto_rpc_error_new(id, code, msg));
	free(msg);
}

/* --- Accept -------------------------------------------------------- */

/* Do the parameters in [p, end) say q=0 (or 0.0, 0.000)? */
static int
mcp_accept_q0(const char *p, const char *end)
{
	const char	*q;

	for (q = p; q + 3 <= end; q++) {
		if ((q[0] != 'q' && q[0] != 'Q') || q[1] != '=' ||
		    (q > p && q[-1] != ';' && q[-1] != ' '))
			continue;
		for (q += 2; q < end && (*q == '0' || *q == '.'); q++)
			;
		return (q == end || *q == ';' || *q == ' ');
	}
	return (0);
}

/*
 * What the client takes (transports.mdx "Sending Messages to the
 * Server", 2: application/json and text/event-stream): *json and *sse.
 */
static void
mcp_accepts(struct http_req *req, int *json, int *sse)
{
	const char	*a, *p, *end, *semi;
	char		 type[128];
	size_t		 n;

	*json = *sse = 0;
	if ((a = http_req_header(req, "Accept")) == NULL)
		return;
	for (p = a; *p != '\0'; p = *end == ',' ? end + 1 : end) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		semi = memchr(p, ';', end - p);
		n = (semi != NULL ? semi : end) - p;
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n >= sizeof type)
			continue;
		memcpy(type, p, n);
		type[n] = '\0';
		/* An explicit q=0 is "not acceptable" (RFC 9110 12.4.2). */
		if (semi != NULL && mcp_accept_q0(semi, end))
			continue;
		if (strcasecmp(type, "*/*") == 0)
			*json = *sse = 1;
		else if (strcasecmp(type, "application/json") == 0 ||
		    strcasecmp(type, "application/*") == 0)
			*json = 1;
		else if (strcasecmp(type, "text/event-stream") == 0 ||
		    strcasecmp(type, "text/*") == 0)
			*sse = 1;
	}
}

/* --- Sessions ------------------------------------------------------ */

static void
mcp_session_free(struct mcp_session *s, const char *why)
{
	struct mcp_call	*c;

	log_info("mcp: session %.8s... (%s) ended: %s", s->id,
	    s->client != NULL ? s->client : "?", why);
	while ((c = TAILQ_FIRST(&s->calls)) != NULL)
		mcp_call_abort(c, PROTO_RPC_NO_SESSION, "the MCP session "
		    "ended while the call ran");
	TAILQ_REMOVE(&mcp_sessions, s, entry);
	mcp_nsessions--;
	free(s->client);
	free(s);
}

/* Expire idle sessions; with room, make, at the limit evict the LRU. */
static int
mcp_session_room(void)
{
	struct mcp_session	*s, *next, *lru = NULL;
	long long		 now = deskd_now_ms();

	/* glibc's sys/queue.h has no TAILQ_FOREACH_SAFE. */
	for (s = TAILQ_FIRST(&mcp_sessions); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (TAILQ_EMPTY(&s->calls) &&
		    now - s->last_ms > MCP_SESSION_IDLE_MS)
			mcp_session_free(s, "idle");
	}
	if (mcp_nsessions < MCP_MAX_SESSIONS)
		return (0);
	TAILQ_FOREACH(s, &mcp_sessions, entry) {
		if (TAILQ_EMPTY(&s->calls) &&
		    (lru == NULL || s->last_ms < lru->last_ms))
			lru = s;
	}
	if (lru == NULL)
		return (-1);
	mcp_session_free(lru, "the least recently used of too many");
	return (0);
}

static struct mcp_session *
mcp_session_new(const char *version, json_t *client_info)
{
	struct mcp_session	*s;
	u_char			 rnd[MCP_SESSION_ID_BYTES];
	const char		*name, *ver;
	size_t			 i, got = 0;
	ssize_t			 n;

	while (got < sizeof rnd) {
		n = getrandom(rnd + got, sizeof rnd - got, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			fatal("getrandom");
		got += n;
	}
	s = xcalloc(1, sizeof *s);
	for (i = 0; i < sizeof rnd; i++)
		snprintf(s->id + i * 2, 3, "%02x", rnd[i]);
	explicit_bzero(rnd, sizeof rnd);
	s->version = version;
	s->last_ms = deskd_now_ms();
	name = json_string_value(json_object_get(client_info, "name"));
	ver = json_string_value(json_object_get(client_info, "version"));
	xasprintf(&s->client, "%.64s %.32s", name != NULL ? name : "?",
	    ver != NULL ? ver : "?");
	TAILQ_INIT(&s->calls);
	TAILQ_INSERT_TAIL(&mcp_sessions, s, entry);
	mcp_nsessions++;
	return (s);
}

/*
 * The session a request names, after the transport's checks: NULL after
 * refusing it (400 without one, 404 for one that is gone, 400 for a
 * protocol version header that disagrees).
 */
static struct mcp_session *
mcp_session_of(struct http_req *req)
{
	struct mcp_session	*s;
	const char		*id, *v;

	if ((id = http_req_header(req, "Mcp-Session-Id")) == NULL) {
		mcp_refuse(req, 400, NULL, PROTO_RPC_SERVER_ERROR, "Bad "
		    "Request: the Mcp-Session-Id header is required (send "
		    "initialize first to get one)");
		return (NULL);
	}
	TAILQ_FOREACH(s, &mcp_sessions, entry) {
		if (strcmp(s->id, id) == 0)
			break;
	}
	if (s != NULL && TAILQ_EMPTY(&s->calls) &&
	    deskd_now_ms() - s->last_ms > MCP_SESSION_IDLE_MS) {
		mcp_session_free(s, "idle");
		s = NULL;
	}
	if (s == NULL) {
		/* transports.mdx "Session Management", 3: 404. */
		mcp_refuse(req, 404, NULL, PROTO_RPC_NO_SESSION, "Session not "
		    "found: it ended or expired; send initialize for a new "
		    "one");
		return (NULL);
	}
	/* "Protocol Version Header": an invalid or unsupported one is 400. */
	v = http_req_header(req, "MCP-Protocol-Version");
	if (v != NULL && strcmp(v, s->version) != 0) {
		mcp_refuse(req, 400, NULL, PROTO_RPC_SERVER_ERROR, "Bad "
		    "Request: MCP-Protocol-Version \"%.32s\" is %s; this "
		    "session speaks %s", v, mcp_version_find(v) == NULL ?
		    "not supported" : "not the one negotiated", s->version);
		return (NULL);
	}
	s->last_ms = deskd_now_ms();
	return (s);
}

/* --- Exchanges ----------------------------------------------------- */

static void
mcp_exchange_close_cb(struct http_req *req, void *arg)
{
	struct mcp_exchange	*x = arg;

	/* The calls go on (see mcp.h); their answers are dropped. */
	x->req = NULL;
	if (x->keepalive != NULL)
		evtimer_del(x->keepalive);
}

static void
mcp_exchange_keepalive_cb(evutil_socket_t fd, short events, void *arg)
{
	struct mcp_exchange	*x = arg;
	struct evbuffer		*b;
	struct timeval		 tv = { MCP_KEEPALIVE_MS / 1000,
				    (MCP_KEEPALIVE_MS % 1000) * 1000 };

	if (x->req == NULL)
		return;
	/* An SSE comment: no event, but traffic for idle-cutting proxies. */
	b = evbuffer_new();
	evbuffer_add_printf(b, ": keep-alive\n\n");
	http_reply_write(x->req, b);
	evbuffer_free(b);
	evtimer_add(x->keepalive, &tv);
}

static struct mcp_exchange *
mcp_exchange_new(struct http_req *req, int sse, int batch)
{
	struct mcp_exchange	*x;
	struct timeval		 tv = { MCP_KEEPALIVE_MS / 1000,
				    (MCP_KEEPALIVE_MS % 1000) * 1000 };

	x = xcalloc(1, sizeof *x);
	x->req = req;
	x->sse = sse;
	x->batch = batch;
	x->pending = 1;		/* until every message has been dispatched */
	x->out = evbuffer_new();
	if (sse) {
		http_add_header(req, "Cache-Control", "no-cache");
		http_reply_start(req, 200, "text/event-stream", -1);
		x->keepalive = evtimer_new(mcp_base, mcp_exchange_keepalive_cb,
		    x);
		evtimer_add(x->keepalive, &tv);
	}
	http_req_set_close_cb(req, mcp_exchange_close_cb, x);
	return (x);
}

/* Queue one answer (a whole JSON-RPC message, drained from msg). */
static void
mcp_exchange_send(struct mcp_exchange *x, struct evbuffer *msg)
{
	struct evbuffer	*b;

	if (x->req == NULL) {
		evbuffer_drain(msg, evbuffer_get_length(msg));
		return;
	}
	if (x->sse) {
		/* One line of JSON (no raw newlines in it) per event. */
		b = evbuffer_new();
		evbuffer_add_printf(b, "event: message\ndata: ");
		evbuffer_add_buffer(b, msg);
		evbuffer_add(b, "\n\n", 2);
		http_reply_write(x->req, b);
		evbuffer_free(b);
	} else {
		if (x->nout > 0)
			evbuffer_add(x->out, ",", 1);
		evbuffer_add_buffer(x->out, msg);
	}
	x->nout++;
}

static void
mcp_exchange_send_json(struct mcp_exchange *x, json_t *msg)
{
	struct evbuffer	*b;
	char		*s;

	if ((s = json_dumps(msg, JSON_COMPACT)) == NULL)
		fatalx("%s: out of memory", __func__);
	json_decref(msg);
	b = evbuffer_new();
	evbuffer_add(b, s, strlen(s));
	free(s);
	mcp_exchange_send(x, b);
	evbuffer_free(b);
}

/* {"jsonrpc":"2.0","id":ID,"result":RESULT}, RESULT drained. */
static void
mcp_exchange_result(struct mcp_exchange *x, json_t *id,
    struct evbuffer *result)
{
	struct evbuffer	*b;
	char		*s;

	if ((s = json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT)) == NULL)
		fatalx("%s: out of memory", __func__);
	b = evbuffer_new();
	evbuffer_add_printf(b, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":",
	    s);
	free(s);
	evbuffer_add_buffer(b, result);
	evbuffer_add(b, "}", 1);
	mcp_exchange_send(x, b);
	evbuffer_free(b);
}

static void
mcp_exchange_result_text(struct mcp_exchange *x, json_t *id,
    const char *result)
{
	struct evbuffer	*b;

	b = evbuffer_new();
	evbuffer_add(b, result, strlen(result));
	mcp_exchange_result(x, id, b);
	evbuffer_free(b);
}

static void __attribute__((format(printf, 4, 5)))
mcp_exchange_error(struct mcp_exchange *x, json_t *id, int code,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	mcp_exchange_send_json(x, proto_rpc_error_new(id, code, msg));
	free(msg);
}

/* One answer fewer owed; the last one ends the reply. */
static void
mcp_exchange_done(struct mcp_exchange *x)
{
	struct http_req	*req = x->req;
	struct evbuffer	*b;

	if (--x->pending > 0)
		return;
	if (x->keepalive != NULL)
		event_free(x->keepalive);
	if (req != NULL) {
		http_req_set_close_cb(req, NULL, NULL);
		if (x->sse)
			http_reply_end(req);
		else if (x->nout == 0) {
			/* Only cancelled requests: nothing to say. */
			http_reply(req, 202, NULL, NULL, 0);
		} else {
			b = evbuffer_new();
			if (x->batch)
				evbuffer_add(b, "[", 1);
			evbuffer_add_buffer(b, x->out);
			evbuffer_add(b, x->batch ? "]\n" : "\n",
			    x->batch ? 2 : 1);
			http_reply_buffer(req, 200, "application/json", b);
			evbuffer_free(b);
		}
	}
	evbuffer_free(x->out);
	free(x);
}

/* --- Calls --------------------------------------------------------- */

void
mcp_call_set_cancel(struct mcp_call *c, mcp_cancel_cb cb, void *arg)
{
	c->cancel = cb;
	c->cancel_arg = arg;
}

static void
mcp_call_free(struct mcp_call *c)
{
	if (c->s != NULL) {
		TAILQ_REMOVE(&c->s->calls, c, entry);
		c->s->last_ms = deskd_now_ms();
	}
	mcp_ncalls--;
	json_decref(c->id);
	evbuffer_free(c->content);
	if (c->structured != NULL)
		evbuffer_free(c->structured);
	free(c);
}

/* Open the next content item: its comma. */
static void
mcp_call_item(struct mcp_call *c)
{
	if (c->ncontent++ > 0)
		evbuffer_add(c->content, ",", 1);
}

void
mcp_result_text(struct mcp_call *c, const char *text, size_t len)
{
	char	*clean;
	size_t	 n;

	mcp_call_item(c);
	evbuffer_add_printf(c->content, "{\"type\":\"text\",\"text\":");
	/* Tools quote what clients sent: make it UTF-8 whatever it was. */
	clean = proc_text(text, len, 0, &n);
	proc_json_string(c->content, clean, n);
	free(clean);
	evbuffer_add(c->content, "}", 1);
}

void
mcp_result_printf(struct mcp_call *c, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	mcp_result_text(c, s, strlen(s));
	free(s);
}

void
mcp_result_json(struct mcp_call *c, struct evbuffer *doc)
{
	size_t	 len = evbuffer_get_length(doc);

	mcp_call_item(c);
	evbuffer_add_printf(c->content, "{\"type\":\"text\",\"text\":");
	proc_json_string(c->content, (const char *)evbuffer_pullup(doc, -1),
	    len);
	evbuffer_add(c->content, "}", 1);
	/* server/tools.mdx "Structured Content": the same, as JSON. */
	if (mcp_catalog_output(c->tool) != NULL && c->structured == NULL &&
	    mcp_version_at_least(c->version, "2025-06-18")) {
		c->structured = evbuffer_new();
		evbuffer_add_buffer(c->structured, doc);
	} else
		evbuffer_drain(doc, len);
}

void
mcp_result_base64(struct mcp_call *c, struct evbuffer *data)
{
	mcp_call_item(c);
	/* The base64 alphabet needs no JSON escaping. */
	evbuffer_add_printf(c->content, "{\"type\":\"text\",\"text\":\"");
	if (vendor_add_base64(c->content, data) == -1)
		fatalx("%s: out of memory", __func__);
	evbuffer_add(c->content, "\"}", 2);
}

void
mcp_result_image(struct mcp_call *c, struct evbuffer *png, const char *mime)
{
	mcp_call_item(c);
	evbuffer_add_printf(c->content, "{\"type\":\"image\",\"mimeType\":"
	    "\"%s\",\"data\":\"", mime);
	if (vendor_add_base64(c->content, png) == -1)
		fatalx("%s: out of memory", __func__);
	evbuffer_add(c->content, "\"}", 2);
}

void
mcp_call_finish(struct mcp_call *c, int is_error)
{
	struct mcp_exchange	*x = c->x;
	struct evbuffer		*r;

	r = evbuffer_new();
	evbuffer_add_printf(r, "{\"content\":[");
	evbuffer_add_buffer(r, c->content);
	evbuffer_add(r, "]", 1);
	if (c->structured != NULL) {
		evbuffer_add_printf(r, ",\"structuredContent\":");
		evbuffer_add_buffer(r, c->structured);
	}
	evbuffer_add_printf(r, ",\"isError\":%s}", is_error ? "true" :
	    "false");
	mcp_exchange_result(x, c->id, r);
	evbuffer_free(r);
	mcp_call_free(c);
	mcp_exchange_done(x);
}

void
mcp_call_fail(struct mcp_call *c, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	mcp_result_text(c, s, strlen(s));
	free(s);
	mcp_call_finish(c, 1);
}

/*
 * Stop a call: its tool forgets it, and its request gets an error with
 * code (0: no answer at all, as a cancelled request gets none:
 * basic/utilities/cancellation.mdx).
 */
static void
mcp_call_abort(struct mcp_call *c, int code, const char *msg)
{
	struct mcp_exchange	*x = c->x;

	if (c->cancel != NULL)
		c->cancel(c->cancel_arg);
	if (code != 0)
		mcp_exchange_error(x, c->id, code, "%s", msg);
	mcp_call_free(c);
	mcp_exchange_done(x);
}

/* --- Methods ------------------------------------------------------- */

static void
mcp_tools_call(struct mcp_exchange *x, struct mcp_session *s,
    struct proto_rpc *m)
{
	struct mcp_call			*c;
	const struct mcp_tool_def	*def;
	mcp_tool_fn			 fn;
	json_t				*name, *args;
	char				*cause = NULL;
	int				 tool;

	name = json_object_get(m->params, "name");
	args = json_object_get(m->params, "arguments");
	if (!json_is_string(name)) {
		mcp_exchange_error(x, m->id, PROTO_RPC_INVALID_PARAMS,
		    "tools/call needs params.name, the tool's name");
		return;
	}
	/* server/tools.mdx "Error Handling": an unknown tool is -32602. */
	if ((def = mcp_catalog_find(json_string_value(name), &tool)) ==
	    NULL) {
		mcp_exchange_error(x, m->id, PROTO_RPC_INVALID_PARAMS,
		    "Unknown tool: %.64s (tools/list names them)",
		    json_string_value(name));
		return;
	}
	if (args != NULL && !json_is_object(args) && !json_is_null(args)) {
		mcp_exchange_error(x, m->id, PROTO_RPC_INVALID_PARAMS,
		    "params.arguments must be an object");
		return;
	}
	if (mcp_ncalls >= MCP_MAX_CALLS) {
		mcp_exchange_error(x, m->id, PROTO_RPC_SERVER_ERROR, "%u tool "
		    "calls are running already (the limit is %d); retry "
		    "later", mcp_ncalls, MCP_MAX_CALLS);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->x = x;
	c->s = s;
	c->version = s->version;
	c->id = json_incref(m->id);
	c->tool = tool;
	c->content = evbuffer_new();
	TAILQ_INSERT_TAIL(&s->calls, c, entry);
	mcp_ncalls++;
	x->pending++;

	args = args != NULL && json_is_object(args) ? json_incref(args) :
	    json_object();
	/*
	 * Bad arguments are the tool's error, so the model can correct
	 * itself (2025-11-25 changelog, SEP-1303); nothing has run.
	 */
	if (mcp_schema_check(mcp_catalog_input(tool), args, "arguments",
	    &cause) == -1) {
		mcp_call_fail(c, "invalid arguments for %s: %s", def->name,
		    cause);
		free(cause);
	} else if ((fn = mcp_tools_find(def->name)) == NULL)
		mcp_call_fail(c, "%s is not available", def->name);
	else
		fn(c, args);
	json_decref(args);
}

/* A request in an open session. */
static void
mcp_request(struct mcp_exchange *x, struct mcp_session *s,
    struct proto_rpc *m)
{
	if (strcmp(m->method, "ping") == 0)
		mcp_exchange_result_text(x, m->id, "{}");
	else if (strcmp(m->method, "tools/list") == 0)
		mcp_exchange_result_text(x, m->id, mcp_catalog_list(
		    mcp_version_at_least(s->version, "2025-06-18")));
	else if (strcmp(m->method, "tools/call") == 0)
		mcp_tools_call(x, s, m);
	else if (strcmp(m->method, "initialize") == 0)
		mcp_exchange_error(x, m->id, PROTO_RPC_INVALID_REQUEST,
		    "initialize opens a session: send it alone, without "
		    "Mcp-Session-Id");
	else
		mcp_exchange_error(x, m->id, PROTO_RPC_METHOD_NOT_FOUND,
		    "Method not found: %.64s (deskd serves ping, tools/list "
		    "and tools/call)", m->method);
}

/* A notification, or a response to a request deskd never sends. */
static void
mcp_notification(struct mcp_session *s, struct proto_rpc *m)
{
	struct mcp_call	*c;
	json_t		*rid;

	if (m->kind != PROTO_RPC_NOTIFICATION)
		return;
	if (strcmp(m->method, "notifications/initialized") == 0)
		s->initialized = 1;
	else if (strcmp(m->method, "notifications/cancelled") == 0) {
		rid = json_object_get(m->params, "requestId");
		TAILQ_FOREACH(c, &s->calls, entry) {
			if (rid != NULL && json_equal(c->id, rid))
				break;
		}
		if (c != NULL) {
			log_debug("mcp: session %.8s...: request cancelled",
			    s->id);
			mcp_call_abort(c, 0, NULL);
		}
	}
	/* Others (progress, roots/list_changed...) need nothing. */
}

static void
mcp_initialize(struct http_req *req, struct proto_rpc *m)
{
	struct mcp_session	*s;
	struct evbuffer		*b;
	json_t			*v, *res;
	const char		*version;
	char			*ids, *rs;

	v = json_object_get(m->params, "protocolVersion");
	if (!json_is_string(v)) {
		mcp_refuse(req, 400, m->id, PROTO_RPC_INVALID_PARAMS,
		    "initialize needs params.protocolVersion");
		return;
	}
	/* lifecycle.mdx "Version Negotiation": the same, or our latest. */
	if ((version = mcp_version_find(json_string_value(v))) == NULL)
		version = MCP_VERSION_LATEST;
	if (mcp_session_room() == -1) {
		mcp_refuse(req, 503, m->id, PROTO_RPC_SERVER_ERROR, "%d MCP "
		    "sessions are all running tools; retry later",
		    MCP_MAX_SESSIONS);
		return;
	}
	s = mcp_session_new(version, json_object_get(m->params,
	    "clientInfo"));
	log_info("mcp: session %.8s... for %s from %s, protocol %s", s->id,
	    s->client, http_req_peer(req), version);

	res = json_pack("{s:s, s:{s:{s:b}}, s:{s:s, s:s, s:s}, s:s}",
	    "protocolVersion", version,
	    "capabilities", "tools", "listChanged", 0,
	    "serverInfo", "name", "deskd", "title", "deskd computer-use "
	    "agent", "version", DESKD_VERSION,
	    "instructions", "This server drives a computer's desktop. Take "
	    "a screenshot first; the computer tool's coordinates are pixels "
	    "of the screenshots this server returns. exec runs commands, "
	    "read_file and write_file move files, windows and "
	    "accessibility_tree describe what is on screen.");
	if ((rs = json_dumps(res, JSON_COMPACT)) == NULL ||
	    (ids = json_dumps(m->id, JSON_ENCODE_ANY)) == NULL)
		fatalx("%s: out of memory", __func__);
	json_decref(res);
	b = evbuffer_new();
	evbuffer_add_printf(b, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":"
	    "%s}\n", ids, rs);
	free(ids);
	free(rs);
	http_add_header(req, "Mcp-Session-Id", s->id);
	http_reply_buffer(req, 200, "application/json", b);
	evbuffer_free(b);
}

/* --- POST and DELETE ----------------------------------------------- */

/* A 2025-03-26 batch (that revision's transports.mdx, 3). */
static void
mcp_post_batch(struct http_req *req, json_t *body, int take_json,
    int take_sse)
{
	struct mcp_session	*s;
	struct mcp_exchange	*x;
	struct proto_rpc	*ms;
	char			*cause;
	size_t			 i, n = json_array_size(body);
	int			*bad, nreq = 0, calls = 0;

	if ((s = mcp_session_of(req)) == NULL)
		return;
	if (mcp_version_at_least(s->version, "2025-06-18")) {
		/* 2025-06-18 changelog, 1: batching removed (PR #416). */
		mcp_refuse(req, 400, NULL, PROTO_RPC_INVALID_REQUEST,
		    "Invalid Request: MCP %s has no JSON-RPC batches (send "
		    "one message per POST)", s->version);
		return;
	}
	if (n == 0 || n > MCP_MAX_BATCH) {
		mcp_refuse(req, 400, NULL, PROTO_RPC_INVALID_REQUEST,
		    "Invalid Request: a batch holds 1 to %d messages",
		    MCP_MAX_BATCH);
		return;
	}
	ms = xcalloc(n, sizeof *ms);
	bad = xcalloc(n, sizeof *bad);
	for (i = 0; i < n; i++) {
		if (proto_rpc_parse(json_array_get(body, i), &ms[i], NULL) ==
		    -1 || (ms[i].kind == PROTO_RPC_REQUEST &&
		    strcmp(ms[i].method, "initialize") == 0))
			bad[i] = 1;
		if (bad[i] || ms[i].kind == PROTO_RPC_REQUEST)
			nreq++;
		if (!bad[i] && ms[i].kind == PROTO_RPC_REQUEST &&
		    strcmp(ms[i].method, "tools/call") == 0)
			calls++;
	}
	if (nreq == 0) {
		for (i = 0; i < n; i++)
			mcp_notification(s, &ms[i]);
		http_reply(req, 202, NULL, NULL, 0);
		goto out;
	}
	x = mcp_exchange_new(req, (calls > 0 && take_sse) || !take_json, 1);
	for (i = 0; i < n; i++) {
		if (bad[i]) {
			cause = NULL;
			(void)proto_rpc_parse(json_array_get(body, i), &ms[i],
			    &cause);
			mcp_exchange_error(x, ms[i].id,
			    PROTO_RPC_INVALID_REQUEST, "Invalid Request: %s",
			    cause != NULL ? cause : "initialize must not be "
			    "part of a batch");
			free(cause);
		} else if (ms[i].kind == PROTO_RPC_REQUEST)
			mcp_request(x, s, &ms[i]);
		else
			mcp_notification(s, &ms[i]);
	}
	mcp_exchange_done(x);
out:
	free(ms);
	free(bad);
}

void
mcp_post_cb(struct http_req *req, void *arg)
{
	struct mcp_session	*s;
	struct mcp_exchange	*x;
	struct proto_rpc	 m;
	json_t			*body;
	char			*cause = NULL;
	int			 take_json, take_sse;

	/*
	 * The Origin check against DNS rebinding that the transport requires
	 * (2025-11-25 basic/transports, "Security Warning": 403) is http.c's,
	 * the one every route has, here with the token too (HTTP_ORIGIN in
	 * v1.c): a page on another origin is refused before any handler runs.
	 */
	mcp_accepts(req, &take_json, &take_sse);
	if (!take_json && !take_sse) {
		mcp_refuse(req, 406, NULL, PROTO_RPC_SERVER_ERROR, "Not "
		    "Acceptable: Accept must list application/json and "
		    "text/event-stream");
		return;
	}
	if (!http_req_ctype_is(req, "application/json")) {
		mcp_refuse(req, 415, NULL, PROTO_RPC_SERVER_ERROR,
		    "Unsupported Media Type: the body must be "
		    "application/json");
		return;
	}
	if ((body = http_req_json(req, 0, &cause)) == NULL) {
		mcp_refuse(req, 400, NULL, PROTO_RPC_PARSE_ERROR, "Parse "
		    "error: %s", cause);
		free(cause);
		return;
	}
	if (json_is_array(body)) {
		mcp_post_batch(req, body, take_json, take_sse);
		json_decref(body);
		return;
	}
	if (proto_rpc_parse(body, &m, &cause) == -1) {
		mcp_refuse(req, 400, m.id, PROTO_RPC_INVALID_REQUEST, "Invalid "
		    "Request: %s", cause);
		free(cause);
		goto out;
	}
	if (m.kind == PROTO_RPC_REQUEST &&
	    strcmp(m.method, "initialize") == 0) {
		mcp_initialize(req, &m);
		goto out;
	}
	if ((s = mcp_session_of(req)) == NULL)
		goto out;
	if (m.kind != PROTO_RPC_REQUEST) {
		/* transports.mdx "Sending Messages", 4: 202, no body. */
		mcp_notification(s, &m);
		http_reply(req, 202, NULL, NULL, 0);
		goto out;
	}
	x = mcp_exchange_new(req, (strcmp(m.method, "tools/call") == 0 &&
	    take_sse) || !take_json, 0);
	mcp_request(x, s, &m);
	mcp_exchange_done(x);
out:
	json_decref(body);
}

void
mcp_delete_cb(struct http_req *req, void *arg)
{
	struct mcp_session	*s;

	if ((s = mcp_session_of(req)) == NULL)
		return;
	mcp_session_free(s, "deleted by the client");
	http_reply(req, 200, NULL, NULL, 0);
}

void
mcp_init(struct event_base *base)
{
	mcp_base = base;
	mcp_catalog_init();
	mcp_tools_init(base);
}

void
mcp_shutdown(void)
{
	struct mcp_session	*s;

	/* Before input and proc: the tools' cancel hooks use them. */
	while ((s = TAILQ_FIRST(&mcp_sessions)) != NULL)
		mcp_session_free(s, "deskd is stopping");
	mcp_catalog_free();
}
