/*
 * cdp.c: the Chrome DevTools proxy.
 *
 * Chrome only listens on loopback, answers 500 to a Host that is not an IP
 * or localhost (since Chrome 66, puppeteer#2242) and 403 to an Origin it
 * was not told about (since Chrome 111), and builds the websocket URLs in
 * its /json replies from the Host header.  So every request goes upstream
 * with Host set to the upstream address and no Origin, and the URLs in the
 * replies are rewritten with jansson to the Host the client used.
 *
 * Two kinds of upstream connection, each owning its bufferevents:
 * - struct cdp_fetch: one HTTP request to Chrome (Connection: close), the
 *   reply parsed with limits, then answered through http.c.  The /health
 *   probe is a fetch without a client.
 * - struct cdp_relay: a /devtools/ websocket.  Chrome is connected first,
 *   so a dead Chrome gets a JSON 502 from http.c; then the client
 *   connection is taken over and bytes flow both ways, le-proxy style
 *   (libevent sample/le-proxy.c): stop reading a side while its partner has
 *   more than CDP_MAX_OUTPUT queued, resume from the partner's write
 *   watermark callback.  cdp_relay_close frees everything.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include <jansson.h>

#include "cdp.h"
#include "cdp_rewrite.h"
#include "deskd.h"
#include "deskproto.h"
#include "health.h"
#include "http.h"
#include "lifetime.h"
#include "log.h"
#include "xmalloc.h"

enum cdp_fetch_kind {
	CDP_FETCH_REWRITE,	/* /json replies: rewrite URLs */
	CDP_FETCH_PASS,		/* anything else: as Chrome sent it */
	CDP_FETCH_PROBE,	/* /health: no client */
	CDP_FETCH_URL		/* cdp_page_url: no client */
};

enum cdp_fetch_state {
	CDP_FETCH_CONNECTING,
	CDP_FETCH_HEAD,
	CDP_FETCH_BODY
};

struct cdp_fetch {
	struct cdp		*cdp;
	TAILQ_ENTRY(cdp_fetch)	 entry;
	enum cdp_fetch_kind	 kind;
	enum cdp_fetch_state	 state;
	struct http_req		*req;	/* NULL for the probe */
	struct bufferevent	*bev;
	char			*host;	/* client's Host, for the rewrite */
	char			*what;	/* "GET /json/version", for logs */
	int			 status;
	char			*ctype;
	int64_t			 clen;	/* -1: read to EOF */
	struct evbuffer		*body;
	cdp_url_cb		 url_cb;	/* CDP_FETCH_URL */
	void			*url_arg;
	char			*url;
};

struct cdp_relay {
	struct cdp		*cdp;
	TAILQ_ENTRY(cdp_relay)	 entry;
	u_int			 id;
	struct http_req		*req;	/* until the connection is taken */
	struct bufferevent	*client;
	struct bufferevent	*up;
	struct evbuffer		*head;	/* request head for Chrome */
	char			*path;
	char			 peer[64];
	size_t			 n_up;	/* bytes client to Chrome */
	size_t			 n_down;	/* bytes Chrome to client */
	int			 answered;	/* Chrome has sent something */
	int			 draining;
};

struct cdp {
	struct event_base	*base;
	struct http_server	*srv;
	char			*listen;
	int			 listening;
	struct event		*listen_ev;
	char			*upstream;	/* Host header for Chrome */
	struct sockaddr_storage	 up_ss;
	int			 up_sslen;

	int			 up_state;	/* -1 unknown, 0 down, 1 up */
	long long		 up_checked;	/* deskd_now_ms of last answer */
	char			*up_browser;	/* "HeadlessChrome/156..." */
	char			*up_error;	/* why it is down */
	struct cdp_fetch	*probe;
	struct event		*probe_ev;	/* every CDP_PROBE_INTERVAL_MS */

	TAILQ_HEAD(, cdp_fetch)	 fetches;
	TAILQ_HEAD(, cdp_relay)	 relays;
	u_int			 nrelays;
	u_int			 nfetches;	/* in flight, probe included */
	u_long			 fetches_total;	/* clients' /json requests */
	u_int			 next_id;
	u_long			 relays_total;
	u_long			 pauses;	/* backpressure engaged */
};

static void	cdp_fetch_free(struct cdp_fetch *);
static void	cdp_relay_close(struct cdp_relay *, const char *);
static void	cdp_probe(struct cdp *);
static void	cdp_relay_event_cb(struct bufferevent *, short, void *);
static void	cdp_relay_resume_cb(struct bufferevent *, void *);
static int	cdp_port(struct cdp *);

/* The proxy of this process, for cdp_page_url. */
static struct cdp	*cdp_self;

/*
 * The client's Host for URLs in replies: what it used to reach us.  An
 * HTTP/1.0 client without Host gets the loopback address of our port.
 */
static char *
cdp_client_host(struct cdp *c, struct http_req *req, char **cause)
{
	const char	*h;
	char		*s;

	h = http_req_header(req, "Host");
	if (h == NULL || *h == '\0') {
		xasprintf(&s, "127.0.0.1:%d", cdp_port(c));
		return (s);
	}
	if (!cdp_rewrite_host_valid(h)) {
		*cause = xstrdup("Host header is not a valid host[:port]");
		return (NULL);
	}
	/* Chrome's own DNS-rebinding rule, which Chrome cannot apply behind us. */
	if (!http_host_allowed(h)) {
		xasprintf(cause, "Host %s is not an IP address, localhost or "
		    "a --host-name (refused as Chrome does, against DNS "
		    "rebinding)", h);
		return (NULL);
	}
	return (xstrdup(h));
}

/*
 * Upstream state, for /health.
 */

static void
cdp_set_up(struct cdp *c, int up, const char *error)
{
	if (c->up_state != up)
		log_info("cdp: Chrome at %s is %s%s%s", c->upstream,
		    up ? "up" : "down", error != NULL ? ": " : "",
		    error != NULL ? error : "");
	/* A restarted Chrome may be another version: probe it again. */
	if (!up) {
		free(c->up_browser);
		c->up_browser = NULL;
	}
	c->up_state = up;
	c->up_checked = deskd_now_ms();
	free(c->up_error);
	c->up_error = error != NULL ? xstrdup(error) : NULL;
}

static void
cdp_health_cb(json_t *obj, void *arg)
{
	struct cdp	*c = arg;
	json_t		*o;

	o = json_object();
	json_object_set_new(o, "listen", json_string(c->listen));
	json_object_set_new(o, "listening", json_boolean(c->listening));
	json_object_set_new(o, "upstream", json_string(c->upstream));
	json_object_set_new(o, "ok", c->up_state == -1 ? json_null() :
	    json_boolean(c->up_state));
	if (c->up_state == 1 && c->up_browser != NULL)
		json_object_set_new(o, "browser", json_string(c->up_browser));
	if (c->up_state == 0 && c->up_error != NULL)
		json_object_set_new(o, "error", json_string(c->up_error));
	if (c->up_state != -1)
		json_object_set_new(o, "checked_ms_ago",
		    json_integer(deskd_now_ms() - c->up_checked));
	json_object_set_new(o, "relays", json_integer(c->nrelays));
	json_object_set_new(o, "relays_total", json_integer(c->relays_total));
	json_object_set_new(o, "fetches", json_integer(c->nfetches));
	json_object_set_new(o, "fetches_total",
	    json_integer(c->fetches_total));
	json_object_set_new(o, "backpressure_pauses", json_integer(c->pauses));
	json_object_set_new(obj, "chrome", o);

	/* Answer from the cache at once; refresh it for the next caller. */
	if (c->up_state == -1 || (c->up_state == 1 && c->up_browser == NULL) ||
	    deskd_now_ms() - c->up_checked > CDP_PROBE_STALE_MS)
		cdp_probe(c);
}

/*
 * Upstream connections.
 */

static struct bufferevent *
cdp_connect(struct cdp *c, bufferevent_data_cb readcb,
    bufferevent_data_cb writecb, bufferevent_event_cb eventcb, void *arg,
    char **cause)
{
	struct bufferevent	*bev;
	struct timeval		 tv = { CDP_TIMEOUT, 0 };

	bev = bufferevent_socket_new(c->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		*cause = xstrdup("bufferevent_socket_new failed");
		return (NULL);
	}
	/* The write timeout bounds the connect. */
	bufferevent_set_timeouts(bev, &tv, &tv);
	/*
	 * Callbacks are set only after connect returns: on some failures
	 * libevent 2.1 runs the event callback from inside
	 * bufferevent_socket_connect and still returns -1.  A refused
	 * loopback connect is reported later, from the loop.
	 */
	if (bufferevent_socket_connect(bev, (struct sockaddr *)&c->up_ss,
	    c->up_sslen) == -1) {
		xasprintf(cause, "connect to %s: %s", c->upstream,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		bufferevent_free(bev);
		return (NULL);
	}
	bufferevent_setcb(bev, readcb, writecb, eventcb, arg);
	return (bev);
}

static char *
cdp_event_error(struct cdp *c, short what)
{
	char	*s;
	int	 e = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_TIMEOUT)
		xasprintf(&s, "Chrome DevTools at %s timed out", c->upstream);
	else if ((what & BEV_EVENT_ERROR) && e != 0)
		xasprintf(&s, "Chrome DevTools at %s: %s", c->upstream,
		    evutil_socket_error_to_string(e));
	else
		xasprintf(&s, "Chrome DevTools at %s closed the connection",
		    c->upstream);
	return (s);
}

/*
 * One HTTP request to Chrome.
 */

static void
cdp_fetch_free(struct cdp_fetch *f)
{
	struct cdp	*c;

	if (f == NULL)
		return;
	c = f->cdp;
	/* A page URL asked for is answered, with "" when Chrome was not. */
	if (f->url_cb != NULL)
		f->url_cb(f->url != NULL ? f->url : "", f->url_arg);
	free(f->url);
	if (f->req != NULL)
		http_req_set_close_cb(f->req, NULL, NULL);
	if (c->probe == f)
		c->probe = NULL;
	TAILQ_REMOVE(&c->fetches, f, entry);
	c->nfetches--;
	if (f->bev != NULL)
		bufferevent_free(f->bev);
	evbuffer_free(f->body);
	free(f->host);
	free(f->what);
	free(f->ctype);
	free(f);
}

static void
cdp_fetch_fail(struct cdp_fetch *f, int status, const char *code,
    const char *msg)
{
	/* The probe's failures are the state /health shows; no log each s. */
	if (f->kind != CDP_FETCH_PROBE)
		log_debug("cdp: %s: %s", f->what, msg);
	if (f->req != NULL) {
		http_req_set_close_cb(f->req, NULL, NULL);
		http_reply_error(f->req, status, code, "%s", msg);
		f->req = NULL;
	}
	cdp_fetch_free(f);
}

static void
cdp_fetch_probe_done(struct cdp_fetch *f)
{
	struct cdp	*c = f->cdp;
	json_t		*j;
	const char	*b;
	char		*s;

	if (f->status != 200) {
		xasprintf(&s, "/json/version answered %d", f->status);
		cdp_set_up(c, 0, s);
		free(s);
		return;
	}
	cdp_set_up(c, 1, NULL);
	j = json_loadb((char *)evbuffer_pullup(f->body, -1),
	    evbuffer_get_length(f->body), 0, NULL);
	if (j != NULL && (b = json_string_value(json_object_get(j,
	    "Browser"))) != NULL) {
		free(c->up_browser);
		c->up_browser = xstrdup(b);
	}
	json_decref(j);
}

/*
 * /json/list lists the pages most recently active first (Chrome's
 * DevToolsAgentHost order): the first "page" is the one in front.
 */
static void
cdp_fetch_url_done(struct cdp_fetch *f)
{
	json_t		*j, *t;
	const char	*type, *url;
	size_t		 i;

	if (f->status != 200)
		return;
	j = json_loadb((char *)evbuffer_pullup(f->body, -1),
	    evbuffer_get_length(f->body), 0, NULL);
	json_array_foreach(j, i, t) {
		type = json_string_value(json_object_get(t, "type"));
		url = json_string_value(json_object_get(t, "url"));
		if (type != NULL && strcmp(type, "page") == 0 && url != NULL) {
			f->url = xstrdup(url);
			break;
		}
	}
	json_decref(j);
}

/* The whole reply is in: answer the client. */
static void
cdp_fetch_done(struct cdp_fetch *f)
{
	struct http_req	*req = f->req;
	json_t		*j = NULL;
	size_t		 len;
	char		*s;
	int		 n;

	/* Chrome answered: it is up, whatever the status. */
	if (f->kind == CDP_FETCH_PROBE) {
		cdp_fetch_probe_done(f);
		goto out;
	}
	if (f->kind == CDP_FETCH_URL) {
		cdp_fetch_url_done(f);
		goto out;
	}
	if (f->cdp->up_state != 1)
		cdp_set_up(f->cdp, 1, NULL);
	if (req == NULL)
		goto out;
	http_req_set_close_cb(req, NULL, NULL);
	f->req = NULL;

	len = evbuffer_get_length(f->body);
	if (f->kind == CDP_FETCH_REWRITE && f->status == 200 && len > 0)
		j = json_loadb((char *)evbuffer_pullup(f->body, -1), len, 0, NULL);
	if (j != NULL) {
		n = cdp_rewrite_urls(j, f->host);
		s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(j);
		if (s == NULL) {
			http_reply_error(req, 500, "internal",
			    "cannot serialise the reply");
			goto out;
		}
		log_debug("cdp: %s: %d, %d URLs rewritten to %s", f->what,
		    f->status, n, f->host);
		http_reply(req, f->status, "application/json; charset=UTF-8",
		    s, strlen(s));
		free(s);
		goto out;
	}
	log_debug("cdp: %s: %d, %zu bytes", f->what, f->status, len);
	http_reply_buffer(req, f->status, f->ctype != NULL ? f->ctype :
	    "text/plain", f->body);
out:
	cdp_fetch_free(f);
}

/* Parse the status line and headers; 1 when the head is complete. */
static int
cdp_fetch_parse_head(struct cdp_fetch *f, struct evbuffer *in, char **cause)
{
	char		*line, *v;
	char		 code[4];
	size_t		 n;
	long long	 ll;

	for (;;) {
		line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF);
		if (line == NULL) {
			if (evbuffer_get_length(in) > CDP_MAX_REPLY_HEAD) {
				*cause = xstrdup("reply head too long");
				return (-1);
			}
			return (0);
		}
		if (f->status == 0) {
			if (n >= 12) {
				memcpy(code, line + 9, 3);
				code[3] = '\0';
			}
			if (strncmp(line, "HTTP/1.", 7) != 0 || n < 12 ||
			    line[8] != ' ' ||
			    http_parse_int(code, 100, 599, &ll) == -1) {
				*cause = xstrdup("bad status line");
				free(line);
				return (-1);
			}
			f->status = ll;
			free(line);
			continue;
		}
		if (n == 0) {
			free(line);
			return (1);
		}
		if ((v = strchr(line, ':')) == NULL) {
			free(line);
			continue;
		}
		*v++ = '\0';
		v += strspn(v, " \t");
		if (strcasecmp(line, "Content-Type") == 0) {
			free(f->ctype);
			f->ctype = xstrdup(v);
		} else if (strcasecmp(line, "Content-Length") == 0) {
			if (http_parse_int(v, 0, CDP_MAX_REPLY, &ll) == -1) {
				*cause = xstrdup("bad or too large "
				    "Content-Length");
				free(line);
				return (-1);
			}
			f->clen = ll;
		} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
			/* Chrome's net::HttpServer never chunks. */
			*cause = xstrdup("chunked replies are not supported");
			free(line);
			return (-1);
		}
		free(line);
	}
}

/* Consume what arrived; -1 once f is finished (and freed). */
static int
cdp_fetch_input(struct cdp_fetch *f, struct evbuffer *in)
{
	char	*cause = NULL;
	size_t	 have, want;
	int	 r;

	if (f->state == CDP_FETCH_HEAD) {
		if ((r = cdp_fetch_parse_head(f, in, &cause)) == -1) {
			cdp_fetch_fail(f, 502, "bad_upstream_reply", cause);
			free(cause);
			return (-1);
		}
		if (r == 0)
			return (0);
		f->state = CDP_FETCH_BODY;
		if (f->status == 204 || f->status == 304)
			f->clen = 0;
	}
	have = evbuffer_get_length(f->body);
	if (f->clen >= 0) {
		want = f->clen - have;
		if (want > evbuffer_get_length(in))
			want = evbuffer_get_length(in);
		evbuffer_remove_buffer(in, f->body, want);
		if (evbuffer_get_length(f->body) == (size_t)f->clen) {
			cdp_fetch_done(f);
			return (-1);
		}
		return (0);
	}
	if (have + evbuffer_get_length(in) > CDP_MAX_REPLY) {
		cdp_fetch_fail(f, 502, "bad_upstream_reply",
		    "reply too large");
		return (-1);
	}
	evbuffer_add_buffer(f->body, in);
	return (0);
}

static void
cdp_fetch_read_cb(struct bufferevent *bev, void *arg)
{
	cdp_fetch_input(arg, bufferevent_get_input(bev));
}

static void
cdp_fetch_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct cdp_fetch	*f = arg;
	struct cdp		*c = f->cdp;
	struct timeval		 tv = { CDP_TIMEOUT, 0 };
	char			*msg;

	if (what & BEV_EVENT_CONNECTED) {
		f->state = CDP_FETCH_HEAD;
		bufferevent_set_timeouts(bev, &tv, &tv);
		bufferevent_enable(bev, EV_READ);
		return;
	}
	if ((what & BEV_EVENT_EOF) && f->state == CDP_FETCH_BODY) {
		/* Anything still in the input belongs to the body. */
		if (cdp_fetch_input(f, bufferevent_get_input(bev)) == -1)
			return;
		/* Without Content-Length the reply ends at EOF. */
		if (f->clen < 0)
			cdp_fetch_done(f);
		else
			cdp_fetch_fail(f, 502, "bad_upstream_reply",
			    "Chrome closed the connection mid-reply");
		return;
	}
	msg = cdp_event_error(c, what);
	if (f->state == CDP_FETCH_CONNECTING ||
	    (what & BEV_EVENT_TIMEOUT)) {
		/* Nothing listens, or Chrome hangs: report it down. */
		cdp_set_up(c, 0, msg);
	}
	if (f->kind == CDP_FETCH_PROBE && f->state != CDP_FETCH_CONNECTING)
		cdp_set_up(c, 0, msg);
	if (what & BEV_EVENT_TIMEOUT)
		cdp_fetch_fail(f, 504, "chrome_timeout", msg);
	else
		cdp_fetch_fail(f, 502, "chrome_unavailable", msg);
	free(msg);
}

static void
cdp_fetch_req_close_cb(struct http_req *req, void *arg)
{
	struct cdp_fetch	*f = arg;

	log_debug("cdp: %s: client left", f->what);
	f->req = NULL;
	cdp_fetch_free(f);
}

/*
 * Start a request to Chrome.  uri is sent as is (it came through http.c's
 * parser: no spaces or line breaks).  Returns NULL after answering the
 * client (or, for the probe, after marking Chrome down).
 */
static struct cdp_fetch *
cdp_fetch_new(struct cdp *c, struct http_req *req, enum cdp_fetch_kind kind,
    const char *method, const char *uri, char *host)
{
	struct cdp_fetch	*f;
	char			*cause = NULL;

	f = xcalloc(1, sizeof *f);
	f->cdp = c;
	f->kind = kind;
	f->req = req;
	f->host = host;
	f->clen = -1;
	f->body = evbuffer_new();
	xasprintf(&f->what, "%s %s", method, uri);
	TAILQ_INSERT_TAIL(&c->fetches, f, entry);
	c->nfetches++;
	if (kind != CDP_FETCH_PROBE)
		c->fetches_total++;

	f->bev = cdp_connect(c, cdp_fetch_read_cb, NULL, cdp_fetch_event_cb,
	    f, &cause);
	if (f->bev == NULL) {
		cdp_set_up(c, 0, cause);
		cdp_fetch_fail(f, 502, "chrome_unavailable", cause);
		free(cause);
		return (NULL);
	}
	if (req != NULL)
		http_req_set_close_cb(req, cdp_fetch_req_close_cb, f);
	evbuffer_add_printf(bufferevent_get_output(f->bev),
	    "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n"
	    "User-Agent: deskd/%s\r\n%s\r\n", method, uri, c->upstream,
	    DESKD_VERSION, strcmp(method, "PUT") == 0 ?
	    "Content-Length: 0\r\n" : "");
	bufferevent_enable(f->bev, EV_WRITE);
	return (f);
}

struct cdp_fetch *
cdp_page_url(cdp_url_cb cb, void *arg)
{
	struct cdp_fetch	*f;

	if (cdp_self == NULL) {
		cb("", arg);
		return (NULL);
	}
	/* A failed connect frees the fetch (and answers "") at once. */
	f = cdp_fetch_new(cdp_self, NULL, CDP_FETCH_URL, "GET", "/json/list",
	    NULL);
	if (f != NULL) {
		f->url_cb = cb;
		f->url_arg = arg;
	} else
		cb("", arg);
	return (f);
}

void
cdp_page_url_cancel(struct cdp_fetch *f)
{
	if (f == NULL)
		return;
	f->url_cb = NULL;
	cdp_fetch_free(f);
}

static void
cdp_probe(struct cdp *c)
{
	if (c->probe != NULL)
		return;
	c->probe = cdp_fetch_new(c, NULL, CDP_FETCH_PROBE, "GET",
	    "/json/version", NULL);
}

static void
cdp_probe_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	cdp_probe(arg);
}

/* /json, /json/list, /json/version, /json/new, /json/activate/... */
static void
cdp_json_cb(struct http_req *req, void *arg)
{
	struct cdp	*c = arg;
	const char	*method, *uri;
	char		*host, *cause = NULL, *alias = NULL;

	if ((host = cdp_client_host(c, req, &cause)) == NULL) {
		http_reply_error(req, 400, "bad_host", "%s", cause);
		free(cause);
		return;
	}
	/* HEAD is answered without a body by http.c; Chrome wants GET. */
	method = http_req_method(req) == HTTP_PUT ? "PUT" : "GET";
	uri = http_req_uri(req);
	if (strcmp(http_req_path(req), "/json/") == 0) {
		/* Chrome 156 answers /json/ with 404, but /json/list/ works. */
		xasprintf(&alias, "/json/list/%s", uri + strcspn(uri, "?"));
		uri = alias;
	}
	cdp_fetch_new(c, req, CDP_FETCH_REWRITE, method, uri, host);
	free(alias);
}

/*
 * Websocket relay.
 */

static struct bufferevent *
cdp_relay_partner(struct cdp_relay *r, struct bufferevent *bev)
{
	return (bev == r->client ? r->up : r->client);
}

static void
cdp_relay_close(struct cdp_relay *r, const char *reason)
{
	struct cdp	*c = r->cdp;

	log_debug("cdp: relay %u %s %s closed: %s (%zu bytes up, %zu down)",
	    r->id, r->peer, r->path, reason, r->n_up, r->n_down);
	if (r->req != NULL)
		http_req_set_close_cb(r->req, NULL, NULL);
	if (r->client != NULL)
		bufferevent_free(r->client);
	if (r->up != NULL)
		bufferevent_free(r->up);
	evbuffer_free(r->head);
	TAILQ_REMOVE(&c->relays, r, entry);
	c->nrelays--;
	free(r->path);
	free(r);
}

static void
cdp_relay_read_cb(struct bufferevent *bev, void *arg)
{
	struct cdp_relay	*r = arg;
	struct bufferevent	*partner = cdp_relay_partner(r, bev);
	struct evbuffer		*src = bufferevent_get_input(bev);
	struct evbuffer		*dst;
	size_t			 len = evbuffer_get_length(src);

	if (partner == NULL) {
		evbuffer_drain(src, len);
		return;
	}
	if (bev == r->client) {
		r->n_up += len;
		/* A client driving Chrome is using the guest. */
		lifetime_touch();
	} else {
		r->n_down += len;
		if (!r->answered && len > 0) {
			/* Chrome answered the upgrade: idle for ever now. */
			r->answered = 1;
			bufferevent_set_timeouts(bev, NULL, NULL);
		}
	}
	dst = bufferevent_get_output(partner);
	evbuffer_add_buffer(dst, src);
	if (evbuffer_get_length(dst) >= CDP_MAX_OUTPUT) {
		/* Backpressure: resume when the partner has sent half. */
		r->cdp->pauses++;
		bufferevent_setwatermark(partner, EV_WRITE, CDP_MAX_OUTPUT / 2,
		    CDP_MAX_OUTPUT);
		bufferevent_setcb(partner, cdp_relay_read_cb,
		    cdp_relay_resume_cb, cdp_relay_event_cb, r);
		bufferevent_disable(bev, EV_READ);
	}
}

/* The partner's output fell under half of CDP_MAX_OUTPUT: read again. */
static void
cdp_relay_resume_cb(struct bufferevent *bev, void *arg)
{
	struct cdp_relay	*r = arg;
	struct bufferevent	*partner = cdp_relay_partner(r, bev);

	bufferevent_setcb(bev, cdp_relay_read_cb, NULL, cdp_relay_event_cb,
	    r);
	bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
	if (partner != NULL)
		bufferevent_enable(partner, EV_READ);
}

/* One side has gone and the survivor's output is now empty. */
static void
cdp_relay_drained_cb(struct bufferevent *bev, void *arg)
{
	struct cdp_relay	*r = arg;

	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		cdp_relay_close(r, "closed after flushing");
}

/*
 * An error reply written straight to a taken-over client, in the same
 * JSON shape as http.c's.
 */
static void
cdp_relay_raw_error(struct cdp_relay *r, int status, const char *code,
    const char *msg)
{
	json_t	*j;
	char	*s;

	/* The shape http_reply_error sends, after the takeover. */
	if ((j = proto_error_new(code, msg)) == NULL ||
	    (s = json_dumps(j, JSON_COMPACT)) == NULL)
		fatalx("%s: out of memory", __func__);
	json_decref(j);
	evbuffer_add_printf(bufferevent_get_output(r->client),
	    "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", status,
	    http_status_text(status), strlen(s), s);
	free(s);
}

/* Chrome accepted the connection: take the client over and relay. */
static void
cdp_relay_start(struct cdp_relay *r)
{
	struct http_req	*req = r->req;
	struct timeval	 tv = { CDP_TIMEOUT, 0 };

	/* Until Chrome answers the upgrade, a hung Chrome is a 504. */
	bufferevent_set_timeouts(r->up, &tv, NULL);
	http_req_set_close_cb(req, NULL, NULL);
	r->req = NULL;
	if ((r->client = http_req_takeover(req)) == NULL) {
		cdp_relay_close(r, "takeover failed");
		return;
	}
	/* Websockets idle for as long as they like. */
	bufferevent_set_timeouts(r->client, NULL, NULL);
	bufferevent_setwatermark(r->client, EV_READ | EV_WRITE, 0, 0);
	bufferevent_setcb(r->client, cdp_relay_read_cb, NULL,
	    cdp_relay_event_cb, r);
	bufferevent_setcb(r->up, cdp_relay_read_cb, NULL, cdp_relay_event_cb,
	    r);

	bufferevent_write_buffer(r->up, r->head);
	/* Whatever the client sent after the head goes right after it. */
	if (evbuffer_get_length(bufferevent_get_input(r->client)) > 0)
		cdp_relay_read_cb(r->client, r);
	bufferevent_enable(r->client, EV_READ | EV_WRITE);
	bufferevent_enable(r->up, EV_READ | EV_WRITE);
	log_debug("cdp: relay %u %s %s started", r->id, r->peer, r->path);
}

static void
cdp_relay_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct cdp_relay	*r = arg;
	struct cdp		*c = r->cdp;
	struct bufferevent	*partner;
	struct timeval		 tv = { CDP_DRAIN_TIMEOUT, 0 };
	char			*msg;

	if (what & BEV_EVENT_CONNECTED) {
		if (c->up_state != 1)
			cdp_set_up(c, 1, NULL);
		cdp_relay_start(r);
		return;
	}
	if (r->req != NULL) {
		/* Chrome is not there: the client still has its request. */
		msg = cdp_event_error(c, what);
		cdp_set_up(c, 0, msg);
		http_req_set_close_cb(r->req, NULL, NULL);
		if (what & BEV_EVENT_TIMEOUT)
			http_reply_error(r->req, 504, "chrome_timeout", "%s",
			    msg);
		else
			http_reply_error(r->req, 502, "chrome_unavailable",
			    "%s", msg);
		r->req = NULL;
		cdp_relay_close(r, msg);
		free(msg);
		return;
	}

	partner = cdp_relay_partner(r, bev);
	if (partner == NULL || r->draining) {
		cdp_relay_close(r, what & BEV_EVENT_TIMEOUT ?
		    "flush timed out" : "peer gone while flushing");
		return;
	}
	/* Pass on what this side sent before it went. */
	if (what & BEV_EVENT_EOF)
		cdp_relay_read_cb(bev, r);
	if (bev == r->up && !r->answered) {
		/* The client has its connection back: answer it ourselves. */
		msg = cdp_event_error(c, what);
		cdp_set_up(c, 0, msg);
		cdp_relay_raw_error(r, what & BEV_EVENT_TIMEOUT ? 504 : 502,
		    what & BEV_EVENT_TIMEOUT ? "chrome_timeout" :
		    "chrome_unavailable", msg);
		free(msg);
	}
	if ((bev == r->client && (what & BEV_EVENT_ERROR)) ||
	    evbuffer_get_length(bufferevent_get_output(partner)) == 0) {
		cdp_relay_close(r, bev == r->client ? "client closed" :
		    "Chrome closed");
		return;
	}
	/* Free this side now; close the partner once its output drains. */
	log_debug("cdp: relay %u: %s closed, flushing %zu bytes", r->id,
	    bev == r->client ? "client" : "Chrome",
	    evbuffer_get_length(bufferevent_get_output(partner)));
	if (bev == r->client)
		r->client = NULL;
	else
		r->up = NULL;
	bufferevent_free(bev);
	r->draining = 1;
	bufferevent_disable(partner, EV_READ);
	bufferevent_setwatermark(partner, EV_WRITE, 0, 0);
	bufferevent_set_timeouts(partner, NULL, &tv);
	bufferevent_setcb(partner, NULL, cdp_relay_drained_cb,
	    cdp_relay_event_cb, r);
}

static void
cdp_relay_req_close_cb(struct http_req *req, void *arg)
{
	struct cdp_relay	*r = arg;

	r->req = NULL;
	cdp_relay_close(r, "client left before Chrome answered");
}

static int
cdp_is_upgrade(struct http_req *req)
{
	const char	*v;

	v = http_req_header(req, "Upgrade");
	return (v != NULL && strcasecmp(v, "websocket") == 0);
}

/* GET /devtools/...: a websocket, or a DevTools frontend file. */
static void
cdp_devtools_cb(struct http_req *req, void *arg)
{
	struct cdp		*c = arg;
	struct cdp_relay	*r;
	const char		*name, *value;
	char			*cause = NULL, *host;
	u_int			 i;

	if ((host = cdp_client_host(c, req, &cause)) == NULL) {
		http_reply_error(req, 400, "bad_host", "%s", cause);
		free(cause);
		return;
	}
	free(host);
	if (!cdp_is_upgrade(req)) {
		cdp_fetch_new(c, req, CDP_FETCH_PASS, "GET", http_req_uri(req),
		    NULL);
		return;
	}
	if (http_req_method(req) != HTTP_GET) {
		http_reply_error(req, 405, "bad_method",
		    "websocket upgrades must be GET");
		return;
	}
	if (c->nrelays >= CDP_MAX_RELAYS) {
		http_reply_error(req, 503, "too_many_sessions",
		    "%u DevTools websockets are open already", c->nrelays);
		return;
	}

	r = xcalloc(1, sizeof *r);
	r->cdp = c;
	r->id = ++c->next_id;
	r->path = xstrdup(http_req_path(req));
	snprintf(r->peer, sizeof r->peer, "%s", http_req_peer(req));
	TAILQ_INSERT_TAIL(&c->relays, r, entry);
	c->nrelays++;
	c->relays_total++;

	/*
	 * The head for Chrome: Host is what Chrome accepts, and Origin is
	 * dropped because Chrome 111+ refuses unknown origins with 403.
	 */
	r->head = evbuffer_new();
	evbuffer_add_printf(r->head, "GET %s HTTP/1.1\r\nHost: %s\r\n",
	    http_req_uri(req), c->upstream);
	for (i = 0; http_req_header_at(req, i, &name, &value) == 0; i++) {
		if (strcasecmp(name, "Host") == 0 ||
		    strcasecmp(name, "Origin") == 0 ||
		    strcasecmp(name, "Authorization") == 0)
			continue;
		evbuffer_add_printf(r->head, "%s: %s\r\n", name, value);
	}
	evbuffer_add(r->head, "\r\n", 2);

	r->req = req;
	r->up = cdp_connect(c, NULL, NULL, cdp_relay_event_cb, r, &cause);
	if (r->up == NULL) {
		cdp_set_up(c, 0, cause);
		r->req = NULL;
		http_reply_error(req, 502, "chrome_unavailable", "%s", cause);
		cdp_relay_close(r, cause);
		free(cause);
		return;
	}
	http_req_set_close_cb(req, cdp_relay_req_close_cb, r);
	bufferevent_enable(r->up, EV_WRITE);
}

/*
 * Setup.
 */

/*
 * Every route of the DevTools port: Chrome's /json endpoints
 * (chromium/src:content/browser/devtools/devtools_http_handler.cc) and
 * the websocket relay.
 */
static const struct http_route_entry cdp_routes[] = {
	{ "/json", HTTP_GET, 0, 0, cdp_json_cb },
	{ "/json/", HTTP_GET, 0, 0, cdp_json_cb },
	{ "/json/list", HTTP_GET, 0, 0, cdp_json_cb },
	{ "/json/list/", HTTP_GET, 0, 0, cdp_json_cb },
	{ "/json/version", HTTP_GET, 0, 0, cdp_json_cb },
	{ "/json/version/", HTTP_GET, 0, 0, cdp_json_cb },
	{ "/json/protocol", HTTP_GET, 0, 0, cdp_json_cb },
	{ "/json/protocol/", HTTP_GET, 0, 0, cdp_json_cb },
	/* Chrome 111+ wants PUT for /json/new; older clients send GET. */
	{ "/json/new", HTTP_GET | HTTP_PUT, 0, 4096, cdp_json_cb },
	{ "/json/new/", HTTP_GET | HTTP_PUT, 0, 4096, cdp_json_cb },
	{ "/json/activate/", HTTP_GET, HTTP_PREFIX, 0, cdp_json_cb },
	{ "/json/close/", HTTP_GET, HTTP_PREFIX, 0, cdp_json_cb },
	{ "/devtools/", HTTP_GET, HTTP_PREFIX, 0, cdp_devtools_cb },
	{ NULL, 0, 0, 0, NULL }
};

static int
cdp_resolve(struct cdp *c, const char *upstream, char **cause)
{
	struct addrinfo	 hints, *res = NULL, *ai, *pick;
	char		*host, *port;
	int		 error;

	host = xstrdup(upstream);
	if ((port = strrchr(host, ':')) == NULL || port[1] == '\0') {
		xasprintf(cause, "--cdp-upstream: expected HOST:PORT, got %s",
		    upstream);
		free(host);
		return (-1);
	}
	*port++ = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((error = getaddrinfo(host, port, &hints, &res)) != 0) {
		xasprintf(cause, "--cdp-upstream %s: %s", upstream,
		    gai_strerror(error));
		free(host);
		return (-1);
	}
	/* Chrome listens on 127.0.0.1: prefer IPv4 for "localhost". */
	pick = res;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			pick = ai;
			break;
		}
	}
	memcpy(&c->up_ss, pick->ai_addr, pick->ai_addrlen);
	c->up_sslen = pick->ai_addrlen;
	freeaddrinfo(res);
	free(host);
	return (0);
}

static int
cdp_listen(struct cdp *c)
{
	char	*cause = NULL;

	if (http_server_listen(c->srv, c->listen, &cause) == -1) {
		if (c->listen_ev == NULL)
			log_warnx("cdp: listen %s: %s; retrying every %d s",
			    c->listen, cause, CDP_LISTEN_RETRY);
		free(cause);
		return (-1);
	}
	c->listening = 1;
	log_info("cdp: DevTools proxy on %s for Chrome at %s", c->listen,
	    c->upstream);
	return (0);
}

static void
cdp_listen_retry_cb(evutil_socket_t fd, short events, void *arg)
{
	struct cdp	*c = arg;
	struct timeval	 tv = { CDP_LISTEN_RETRY, 0 };

	if (cdp_listen(c) == -1)
		evtimer_add(c->listen_ev, &tv);
}

struct cdp *
cdp_new(struct event_base *base, struct auth *auth, const char *listen,
    const char *upstream, char **cause)
{
	struct cdp		*c;
	struct sockaddr_storage	 ss;
	struct timeval		 tv = { CDP_LISTEN_RETRY, 0 };
	struct timeval		 ptv = { CDP_PROBE_INTERVAL_MS / 1000,
				    (CDP_PROBE_INTERVAL_MS % 1000) * 1000 };
	char			*spec;
	int			 sslen;

	/* A typo is fatal; only a port that is taken is retried. */
	memset(&ss, 0, sizeof ss);
	sslen = sizeof ss;
	xasprintf(&spec, "%s%s", listen[0] == ':' ? "0.0.0.0" : "", listen);
	if (evutil_parse_sockaddr_port(spec, (struct sockaddr *)&ss,
	    &sslen) == -1 || strrchr(spec, ':') == NULL ||
	    strrchr(spec, ':')[1] == '\0' || spec[strlen(spec) - 1] == ']') {
		xasprintf(cause, "--cdp-listen: expected ADDR:PORT or off, "
		    "got %s", listen);
		free(spec);
		return (NULL);
	}
	free(spec);

	c = xcalloc(1, sizeof *c);
	c->base = base;
	c->up_state = -1;
	TAILQ_INIT(&c->fetches);
	TAILQ_INIT(&c->relays);
	if (cdp_resolve(c, upstream, cause) == -1) {
		free(c);
		return (NULL);
	}
	c->upstream = xstrdup(upstream);
	c->listen = xstrdup(listen);

	c->srv = http_server_new(base, "cdp", auth);
	http_route_table(c->srv, cdp_routes, c);

	health_add_extra(cdp_health_cb, c);
	if (cdp_listen(c) == -1) {
		c->listen_ev = evtimer_new(base, cdp_listen_retry_cb, c);
		evtimer_add(c->listen_ev, &tv);
	}
	cdp_probe(c);
	cdp_self = c;
	c->probe_ev = event_new(base, -1, EV_PERSIST, cdp_probe_timer_cb, c);
	event_add(c->probe_ev, &ptv);
	return (c);
}

void
cdp_free(struct cdp *c)
{
	struct cdp_relay	*r;
	struct cdp_fetch	*f;

	if (c == NULL)
		return;
	if (cdp_self == c)
		cdp_self = NULL;
	while ((r = TAILQ_FIRST(&c->relays)) != NULL)
		cdp_relay_close(r, "shutting down");
	while ((f = TAILQ_FIRST(&c->fetches)) != NULL)
		cdp_fetch_free(f);
	if (c->listen_ev != NULL)
		event_free(c->listen_ev);
	if (c->probe_ev != NULL)
		event_free(c->probe_ev);
	http_server_free(c->srv);
	free(c->listen);
	free(c->upstream);
	free(c->up_browser);
	free(c->up_error);
	free(c);
}

/* Port bound (for ":0"), 0 while not listening. */
static int
cdp_port(struct cdp *c)
{
	return (c->listening ? http_server_port(c->srv) : 0);
}
