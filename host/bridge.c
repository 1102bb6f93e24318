/*
 * bridge.c: deskctl mcp, an MCP server on stdio that is the guest's /mcp.
 *
 * The stdio transport (MCP 2025-06-18 basic/transports.mdx "stdio") is
 * one JSON-RPC message per line each way; each line from the client is
 * POSTed to the guest's Streamable HTTP endpoint on its own transfer (a
 * long tools/call never holds up a ping), and what comes back is written
 * to stdout as it arrives: a JSON body as one line, an SSE stream event
 * by event.  The session id the guest gave is carried on every request,
 * with the negotiated MCP-Protocol-Version; a session the guest forgot
 * (404: it expired) is opened again by replaying the client's own
 * initialize, then the request is sent once more.  The token stays in
 * deskctl: an MCP client's configuration holds only "deskctl mcp ID".
 * When stdin closes, the bridge waits for the answers still owed, ends
 * the session (DELETE) and exits 0.
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bridge.h"
#include "client.h"
#include "cmd.h"
#include "deskctl.h"
#include "jsonrpc.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

struct bridge;

/* One message on its way to the guest, and what comes back. */
struct bridge_xfer {
	TAILQ_ENTRY(bridge_xfer) entry;
	struct bridge		*br;
	CURL			*h;
	struct curl_slist	*hl;
	char			*body;
	size_t			 len;
	json_t			*id;		/* NULL: nothing is owed */
	int			 init;		/* an initialize request */
	int			 retried;	/* sent again after a 404 */
	long			 status;
	int			 sse;
	struct util_buf		 buf;		/* JSON body, error body */
	char			*line;		/* SSE: the line being read */
	size_t			 llen;
	size_t			 lsize;
	int			 cr;		/* the last byte was \r */
	char			*data;		/* SSE: the event's data */
	size_t			 dlen;
	int			 has_data;
	int			 answered;	/* a response was relayed */
	char			 errbuf[CURL_ERROR_SIZE];
};

struct bridge {
	char			*url;		/* .../mcp */
	char			*token;
	char			*session;
	char			*version;
	char			*init;		/* the client's initialize */
	CURLM			*multi;
	TAILQ_HEAD(, bridge_xfer) xfers;
	char			*in;		/* stdin, no whole line yet */
	size_t			 inlen;
	size_t			 insize;
	int			 skipping;	/* dropping an over-long line */
	/* Lines that came while initialize was on its way: they wait. */
	int			 initializing;
	char			**held;
	size_t			*heldlen;
	size_t			 nheld;
};

static void	bridge_start(struct bridge *, const char *, size_t, int);

static void __attribute__((format(printf, 1, 2)))
bridge_log(const char *fmt, ...)
{
	va_list	 ap;

	/* stderr only: stdout carries nothing but MCP messages. */
	fprintf(stderr, "deskctl mcp: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* One message to the client: one line, no newline inside it. */
static void
bridge_emit(const char *msg, size_t len)
{
	json_t	*j;
	char	*s;

	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r' ||
	    msg[len - 1] == ' '))
		len--;
	if (len == 0)
		return;
	if (memchr(msg, '\n', len) != NULL || memchr(msg, '\r', len) != NULL) {
		/* Only whitespace can hold one: the compact form has none. */
		if ((j = json_loadb(msg, len, 0, NULL)) == NULL) {
			bridge_log("dropped a message that is not JSON");
			return;
		}
		s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
		json_decref(j);
		if (s == NULL)
			return;
		fwrite(s, 1, strlen(s), stdout);
		free(s);
	} else
		fwrite(msg, 1, len, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

/* A JSON-RPC error for the request x carries (the guest could not). */
static void __attribute__((format(printf, 3, 4)))
bridge_error(struct bridge_xfer *x, int code, const char *fmt, ...)
{
	va_list	 ap;
	json_t	*e;
	char	*msg, *s;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	bridge_log("%s", msg);
	if (x->id != NULL && !x->answered &&
	    (e = proto_rpc_error_new(x->id, code, msg)) != NULL) {
		if ((s = json_dumps(e, JSON_COMPACT)) != NULL) {
			bridge_emit(s, strlen(s));
			free(s);
		}
		json_decref(e);
		x->answered = 1;
	}
	free(msg);
}

/*
 * A message from the guest: relayed, after noting what it negotiates.
 * The guest sends nothing unasked, so a message on a request's answer is
 * that request's response; only initialize's is parsed (a screenshot's
 * is megabytes).
 */
static void
bridge_relay(struct bridge_xfer *x, const char *msg, size_t len)
{
	struct bridge		*br = x->br;
	struct proto_rpc	 m;
	json_t			*j, *v;

	if (x->id != NULL)
		x->answered = 1;
	if (x->init && (j = json_loadb(msg, len, 0, NULL)) != NULL) {
		if (proto_rpc_parse(j, &m, NULL) == 0 &&
		    m.kind == PROTO_RPC_RESULT &&
		    json_is_string(v = json_object_get(m.result,
		    "protocolVersion"))) {
			free(br->version);
			br->version = xstrdup(json_string_value(v));
		}
		json_decref(j);
	}
	bridge_emit(msg, len);
}

/* SSE (WHATWG HTML "event stream interpretation"): one line. */
static void
bridge_sse_line(struct bridge_xfer *x, char *line, size_t len)
{
	const char	*v;
	size_t		 vlen;

	if (len == 0) {
		/* Dispatch: only "message" events carry MCP messages. */
		if (x->has_data)
			bridge_relay(x, x->data, x->dlen);
		x->dlen = 0;
		x->has_data = 0;
		return;
	}
	if (line[0] == ':')
		return;		/* a comment: the keep-alive */
	if (len < 5 || strncmp(line, "data:", 5) != 0)
		return;		/* event:, id:, retry: need nothing here */
	v = line + 5;
	vlen = len - 5;
	if (vlen > 0 && *v == ' ') {
		v++;
		vlen--;
	}
	if (x->dlen + vlen + 2 > DESKCTL_MCP_MAX_LINE) {
		bridge_error(x, PROTO_RPC_INTERNAL_ERROR, "an event from the "
		    "guest is over %d bytes", DESKCTL_MCP_MAX_LINE);
		return;
	}
	x->data = xrealloc(x->data, x->dlen + vlen + 2);
	if (x->has_data)
		x->data[x->dlen++] = '\n';
	memcpy(x->data + x->dlen, v, vlen);
	x->dlen += vlen;
	x->data[x->dlen] = '\0';
	x->has_data = 1;
}

static void
bridge_sse_feed(struct bridge_xfer *x, const char *p, size_t n)
{
	const char	*end = p + n, *nl, *cr;
	size_t		 run;

	while (p < end) {
		/* Lines end in \r\n, \n or \r. */
		if (x->cr && *p == '\n') {
			x->cr = 0;
			p++;
			continue;
		}
		x->cr = 0;
		nl = memchr(p, '\n', end - p);
		cr = memchr(p, '\r', (nl != NULL ? nl : end) - p);
		if (cr != NULL)
			nl = cr;
		run = (nl != NULL ? nl : end) - p;
		if (x->llen + run + 1 > DESKCTL_MCP_MAX_LINE) {
			bridge_error(x, PROTO_RPC_INTERNAL_ERROR, "an event "
			    "from the guest is over %d bytes",
			    DESKCTL_MCP_MAX_LINE);
			x->llen = 0;
			return;
		}
		if (x->llen + run + 1 > x->lsize) {
			x->lsize = (x->llen + run + 1) * 2;
			x->line = xrealloc(x->line, x->lsize);
		}
		memcpy(x->line + x->llen, p, run);
		x->llen += run;
		x->line[x->llen] = '\0';
		p += run;
		if (nl == NULL)
			break;
		x->cr = *p == '\r';
		p++;
		bridge_sse_line(x, x->line, x->llen);
		x->llen = 0;
	}
}

static size_t
bridge_header_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct bridge_xfer	*x = arg;
	struct bridge		*br = x->br;
	size_t			 n = size * nmemb, len = n;
	long			 st;
	char			*v;

	while (len > 0 && (ptr[len - 1] == '\n' || ptr[len - 1] == '\r'))
		len--;
	if (len > 9 && strncmp(ptr, "HTTP/", 5) == 0 &&
	    sscanf(ptr, "HTTP/%*s %ld", &st) == 1) {
		x->status = st;
		x->sse = 0;
	} else if (len > 13 && strncasecmp(ptr, "Content-Type:", 13) == 0) {
		v = ptr + 13;
		while (*v == ' ')
			v++;
		x->sse = strncasecmp(v, "text/event-stream", 17) == 0;
	} else if (len > 15 && strncasecmp(ptr, "Mcp-Session-Id:", 15) == 0) {
		v = ptr + 15;
		while (*v == ' ' && v < ptr + len)
			v++;
		if (v < ptr + len) {
			free(br->session);
			br->session = xstrndup(v, ptr + len - v);
		}
	}
	return (n);
}

static size_t
bridge_write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct bridge_xfer	*x = arg;
	size_t			 n = size * nmemb;

	/* Events as they come; everything else whole, at the end. */
	if (x->sse && x->status >= 200 && x->status < 300) {
		bridge_sse_feed(x, ptr, n);
		return (n);
	}
	x->buf.max = DESKCTL_MCP_MAX_BODY;
	return (util_buf_write_cb(ptr, size, nmemb, &x->buf));
}

static void
bridge_xfer_free(struct bridge_xfer *x)
{
	if (x->h != NULL) {
		curl_multi_remove_handle(x->br->multi, x->h);
		curl_easy_cleanup(x->h);
	}
	curl_slist_free_all(x->hl);
	json_decref(x->id);
	free(x->body);
	free(x->buf.data);
	free(x->line);
	free(x->data);
	free(x);
}

/* A transfer to the guest's /mcp with the bridge's headers. */
static CURL *
bridge_easy(struct bridge *br, struct curl_slist **hl, const char *method)
{
	CURL	*h;
	char	*s;

	if ((h = curl_easy_init()) == NULL)
		fatalx("curl_easy_init failed");
	curl_easy_setopt(h, CURLOPT_URL, br->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, DESKCTL_USER_AGENT);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	/* A tools/call may run for an hour (exec's limit): no timeout. */
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	*hl = curl_slist_append(*hl, "Content-Type: application/json");
	*hl = curl_slist_append(*hl, "Accept: application/json, "
	    "text/event-stream");
	/* The body is small and the guest reads it at once. */
	*hl = curl_slist_append(*hl, "Expect:");
	if (br->token != NULL) {
		xasprintf(&s, "Authorization: Bearer %s", br->token);
		*hl = curl_slist_append(*hl, s);
		util_free_secret(s);
	}
	if (br->session != NULL) {
		xasprintf(&s, "Mcp-Session-Id: %s", br->session);
		*hl = curl_slist_append(*hl, s);
		free(s);
	}
	if (br->version != NULL) {
		xasprintf(&s, "MCP-Protocol-Version: %s", br->version);
		*hl = curl_slist_append(*hl, s);
		free(s);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hl);
	return (h);
}

/*
 * Open the session again by replaying the client's initialize and its
 * initialized notification, waiting for both (rare: after a guest
 * expired or restarted).  0, or -1 with cause.
 */
static int
bridge_reopen(struct bridge *br, char **cause)
{
	struct bridge_xfer	 x;
	static const char	 note[] = "{\"jsonrpc\":\"2.0\","
	    "\"method\":\"notifications/initialized\"}";
	CURLcode		 rc;
	int			 pass;

	if (br->init == NULL) {
		*cause = xstrdup("the guest forgot the session and no "
		    "initialize was seen to open it again");
		return (-1);
	}
	free(br->session);
	br->session = NULL;
	for (pass = 0; pass < 2; pass++) {
		memset(&x, 0, sizeof x);
		x.br = br;
		x.h = bridge_easy(br, &x.hl, "POST");
		curl_easy_setopt(x.h, CURLOPT_POSTFIELDS, pass == 0 ?
		    br->init : note);
		curl_easy_setopt(x.h, CURLOPT_POSTFIELDSIZE, (long)strlen(
		    pass == 0 ? br->init : note));
		curl_easy_setopt(x.h, CURLOPT_TIMEOUT, 30L);
		curl_easy_setopt(x.h, CURLOPT_HEADERFUNCTION, bridge_header_cb);
		curl_easy_setopt(x.h, CURLOPT_HEADERDATA, &x);
		x.buf.max = DESKCTL_MCP_MAX_BODY;
		curl_easy_setopt(x.h, CURLOPT_WRITEFUNCTION,
		    util_buf_write_cb);
		curl_easy_setopt(x.h, CURLOPT_WRITEDATA, &x.buf);
		rc = curl_easy_perform(x.h);
		curl_easy_cleanup(x.h);
		curl_slist_free_all(x.hl);
		free(x.buf.data);
		if (rc != CURLE_OK || x.status < 200 || x.status >= 300) {
			xasprintf(cause, "opening the session again failed "
			    "(%s)", rc != CURLE_OK ? curl_easy_strerror(rc) :
			    "the guest refused");
			return (-1);
		}
		if (pass == 0 && br->session == NULL) {
			*cause = xstrdup("the guest gave no Mcp-Session-Id");
			return (-1);
		}
	}
	bridge_log("the guest had forgotten the session: opened a new one");
	return (0);
}

/* A transfer ended: relay what is left, or say why it failed. */
static void
bridge_done(struct bridge_xfer *x, CURLcode rc)
{
	struct bridge	*br = x->br;
	json_t		*j;
	const char	*msg;
	char		*cause = NULL;
	int		 code;

	if (rc != CURLE_OK) {
		bridge_error(x, PROTO_RPC_INTERNAL_ERROR, "POST %s: %s",
		    br->url, x->errbuf[0] != '\0' ? x->errbuf :
		    curl_easy_strerror(rc));
		return;
	}
	if (x->status == 404 && br->session != NULL && !x->init &&
	    !x->retried) {
		/* transports.mdx "Session Management", 4: a new session. */
		if (bridge_reopen(br, &cause) == -1) {
			bridge_error(x, PROTO_RPC_NO_SESSION, "%s", cause);
			free(cause);
			return;
		}
		bridge_start(br, x->body, x->len, 1);
		return;
	}
	if (x->status >= 200 && x->status < 300) {
		if (x->sse) {
			/* A last event without its blank line. */
			if (x->llen > 0)
				bridge_sse_line(x, x->line, x->llen);
			bridge_sse_line(x, "", 0);
		} else if (x->buf.len > 0)
			bridge_relay(x, x->buf.data, x->buf.len);
		if (x->id != NULL && !x->answered)
			bridge_error(x, PROTO_RPC_INTERNAL_ERROR, "the guest "
			    "answered HTTP %ld without a response", x->status);
		return;
	}
	/* The guest's own JSON-RPC error, moved onto the request's id. */
	code = PROTO_RPC_SERVER_ERROR;
	msg = NULL;
	j = x->buf.data != NULL ? json_loadb(x->buf.data, x->buf.len, 0,
	    NULL) : NULL;
	if (json_is_integer(json_object_get(json_object_get(j, "error"),
	    "code")))
		code = (int)json_integer_value(json_object_get(
		    json_object_get(j, "error"), "code"));
	msg = json_string_value(json_object_get(json_object_get(j, "error"),
	    "message"));
	if (x->status == 401)
		bridge_error(x, code, "the guest refused the token (HTTP 401)"
		    "%s%s: check deskctl's record or --token-file",
		    msg != NULL ? ": " : "", msg != NULL ? msg : "");
	else
		bridge_error(x, code, "the guest answered HTTP %ld%s%s",
		    x->status, msg != NULL ? ": " : "", msg != NULL ? msg : "");
	json_decref(j);
}

/* Send one message from the client (retried: the second time). */
static void
bridge_start(struct bridge *br, const char *line, size_t len, int retried)
{
	struct bridge_xfer	*x;
	struct proto_rpc	 m;
	json_t			*j;
	json_error_t		 jerr;
	char			*cause = NULL;

	if ((j = json_loadb(line, len, 0, &jerr)) == NULL) {
		bridge_log("not JSON from the client (column %d: %s): "
		    "dropped", jerr.column, jerr.text);
		return;
	}
	/*
	 * Until initialize is answered there is no session to name (a
	 * client should wait for it: lifecycle.mdx, "Initialization").
	 */
	if (br->initializing) {
		json_decref(j);
		br->held = xreallocarray(br->held, br->nheld + 1,
		    sizeof *br->held);
		br->heldlen = xreallocarray(br->heldlen, br->nheld + 1,
		    sizeof *br->heldlen);
		br->held[br->nheld] = xstrndup(line, len);
		br->heldlen[br->nheld++] = len;
		return;
	}
	x = xcalloc(1, sizeof *x);
	x->br = br;
	x->retried = retried;
	/* A batch (2025-03-26) is owed answers too; the guest gives them. */
	if (proto_rpc_parse(j, &m, &cause) == 0 &&
	    m.kind == PROTO_RPC_REQUEST) {
		x->id = json_incref(m.id);
		if (strcmp(m.method, "initialize") == 0) {
			x->init = 1;
			br->initializing = 1;
			free(br->init);
			br->init = xstrndup(line, len);
			/* A new session from the start. */
			free(br->session);
			br->session = NULL;
			free(br->version);
			br->version = NULL;
		}
	}
	free(cause);
	json_decref(j);
	x->body = xmalloc(len + 1);
	memcpy(x->body, line, len);
	x->body[len] = '\0';
	x->len = len;
	x->h = bridge_easy(br, &x->hl, "POST");
	curl_easy_setopt(x->h, CURLOPT_POSTFIELDS, x->body);
	curl_easy_setopt(x->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(x->h, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->h, CURLOPT_HEADERFUNCTION, bridge_header_cb);
	curl_easy_setopt(x->h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, bridge_write_cb);
	curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->h, CURLOPT_PRIVATE, x);
	TAILQ_INSERT_TAIL(&br->xfers, x, entry);
	curl_multi_add_handle(br->multi, x->h);
}

/* initialize was answered: send what waited for it, in order. */
static void
bridge_release(struct bridge *br)
{
	char	**held = br->held;
	size_t	*heldlen = br->heldlen, n = br->nheld, i;

	br->initializing = 0;
	br->held = NULL;
	br->heldlen = NULL;
	br->nheld = 0;
	for (i = 0; i < n; i++) {
		bridge_start(br, held[i], heldlen[i], 0);
		free(held[i]);
	}
	free(held);
	free(heldlen);
}

/* Whole lines from stdin become messages; 0 at end of input. */
static int
bridge_read(struct bridge *br)
{
	char	*nl, *p;
	ssize_t	 n;
	size_t	 len;

	if (br->insize - br->inlen < 65536) {
		br->insize = br->inlen + 65536;
		br->in = xrealloc(br->in, br->insize);
	}
	n = read(STDIN_FILENO, br->in + br->inlen, br->insize - br->inlen);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return (1);
	if (n <= 0)
		return (0);
	br->inlen += n;
	p = br->in;
	while ((nl = memchr(p, '\n', br->in + br->inlen - p)) != NULL) {
		len = nl - p;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (br->skipping)
			br->skipping = 0;
		else if (len > 0)
			bridge_start(br, p, len, 0);
		p = nl + 1;
	}
	br->inlen -= p - br->in;
	memmove(br->in, p, br->inlen);
	if (br->inlen > DESKCTL_MCP_MAX_LINE) {
		bridge_log("a message from the client is over %d bytes: "
		    "dropped", DESKCTL_MCP_MAX_LINE);
		br->inlen = 0;
		br->skipping = 1;
	}
	return (1);
}

/* End the guest's session: the client is done with it. */
static void
bridge_delete(struct bridge *br)
{
	struct curl_slist	*hl = NULL;
	CURL			*h;

	if (br->session == NULL)
		return;
	h = bridge_easy(br, &hl, "DELETE");
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, util_buf_write_cb);
	{
		struct util_buf	 b;

		memset(&b, 0, sizeof b);
		b.max = 65536;
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
		(void)curl_easy_perform(h);
		free(b.data);
	}
	curl_easy_cleanup(h);
	curl_slist_free_all(hl);
}

static int
bridge_run(struct bridge *br)
{
	struct curl_waitfd	 wfd;
	struct bridge_xfer	*x;
	CURLMsg			*msg;
	int			 open = 1, running, left, numfds;

	fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) |
	    O_NONBLOCK);
	while (open || !TAILQ_EMPTY(&br->xfers) || br->nheld > 0) {
		if (util_interrupted)
			break;
		memset(&wfd, 0, sizeof wfd);
		wfd.fd = STDIN_FILENO;
		wfd.events = CURL_WAIT_POLLIN;
		if (curl_multi_wait(br->multi, open ? &wfd : NULL, open ? 1 : 0,
		    1000, &numfds) != CURLM_OK)
			break;
		if (open && (wfd.revents & (CURL_WAIT_POLLIN |
		    CURL_WAIT_POLLPRI)) != 0)
			open = bridge_read(br);
		curl_multi_perform(br->multi, &running);
		while ((msg = curl_multi_info_read(br->multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&x);
			TAILQ_REMOVE(&br->xfers, x, entry);
			bridge_done(x, msg->data.result);
			if (x->init)
				bridge_release(br);
			bridge_xfer_free(x);
		}
	}
	while ((x = TAILQ_FIRST(&br->xfers)) != NULL) {
		TAILQ_REMOVE(&br->xfers, x, entry);
		bridge_xfer_free(x);
	}
	bridge_delete(br);
	return (util_interrupted ? DESKCTL_EXIT_INTERRUPTED : DESKCTL_EXIT_OK);
}

int
bridge_exec(struct cmd_opts *o, int argc, char **argv)
{
	struct bridge	 br;
	const char	*target;
	char		*url, *cause = NULL;
	size_t		 len;
	int		 status;

	if ((o->url != NULL) == (argc == 1) || argc > 1) {
		util_say("usage: deskctl mcp ID | --url URL [--token-file F]");
		return (DESKCTL_EXIT_USAGE);
	}
	target = o->url != NULL ? o->url : argv[0];
	if (o->url != NULL && strncmp(target, "http://", 7) != 0 &&
	    strncmp(target, "https://", 8) != 0) {
		util_say("--url %s: want http://HOST:PORT or https://...",
		    target);
		return (DESKCTL_EXIT_USAGE);
	}
	memset(&br, 0, sizeof br);
	if (client_resolve(target, o->token_file, &url, &br.token, &cause) ==
	    -1) {
		util_say("%s", cause);
		free(cause);
		return (DESKCTL_EXIT_FAIL);
	}
	/* The agent's URL, or the endpoint itself. */
	len = strlen(url);
	if (len >= 4 && strcmp(url + len - 4, "/mcp") == 0)
		br.url = url;
	else {
		xasprintf(&br.url, "%s/mcp", url);
		free(url);
	}
	TAILQ_INIT(&br.xfers);
	if ((br.multi = curl_multi_init()) == NULL)
		fatalx("curl_multi_init failed");
	status = bridge_run(&br);
	curl_multi_cleanup(br.multi);
	free(br.url);
	util_free_secret(br.token);
	free(br.session);
	free(br.version);
	free(br.init);
	free(br.in);
	return (status);
}
