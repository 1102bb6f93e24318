/*
 * fuzz-http: libFuzzer target for deskd's HTTP server (agent/http.c).
 * Each input is written as raw bytes into a connection the server adopts
 * (a socketpair), then the loop runs until the server has answered and
 * closed or gone quiet.  Routes cover buffered, JSON, form and streamed
 * bodies; ASan/UBSan catch the rest.
 * links: agent/http.c agent/auth.c agent/deskd.c agent/worker.c common/log.c common/xmalloc.c common/compat.c proto/error.c proto/utf8.c
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "auth.h"
#include "http.h"
#include "log.h"

static struct event_base	*base;
static struct http_server	*srv;

static void
plain_cb(struct http_req *req, void *arg)
{
	const char	*v = http_req_form(req, "a");

	(void)http_req_query(req, "q");
	(void)http_req_header(req, "Host");
	http_reply(req, 200, "text/plain", v ? v : "-", v ? strlen(v) : 1);
}

static void
json_cb(struct http_req *req, void *arg)
{
	char	*cause = NULL;
	json_t	*obj = http_req_json(req, 1, &cause);

	if (obj == NULL) {
		http_reply_error(req, 400, "bad_json", "%s",
		    cause ? cause : "empty");
		free(cause);
		return;
	}
	http_reply_json(req, 200, obj);
}

static int
stream_body_cb(struct http_req *req, struct evbuffer *data, int done,
    void *arg)
{
	if (done)
		http_reply(req, 200, "text/plain", "ok", 2);
	return (0);
}

static void
stream_cb(struct http_req *req, void *arg)
{
	http_req_set_body_cb(req, stream_body_cb, NULL);
}

static void
chunked_cb(struct http_req *req, void *arg)
{
	struct evbuffer	*b = evbuffer_new();

	http_reply_start(req, 200, "text/plain", -1);
	evbuffer_add(b, "hello", 5);
	http_reply_write(req, b);
	evbuffer_free(b);
	http_reply_end(req);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timeval	 tv = { 0, 1000 };
	char		 buf[65536];
	int		 sv[2], i;

	if (base == NULL) {
		signal(SIGPIPE, SIG_IGN);
		log_init(LOG_LEVEL_ERROR, "fuzz");
		base = event_base_new();
		srv = http_server_new(base, "fuzz", auth_new());
		http_route(srv, "/p", HTTP_GET | HTTP_POST, 0, 4096, plain_cb,
		    NULL);
		http_route(srv, "/j", HTTP_POST | HTTP_PUT, 0, 4096, json_cb,
		    NULL);
		http_route(srv, "/s", HTTP_PUT, HTTP_STREAM, 0, stream_cb,
		    NULL);
		http_route(srv, "/c", HTTP_GET, HTTP_OPEN, 0, chunked_cb,
		    NULL);
		http_route(srv, "/x/", HTTP_GET, HTTP_PREFIX, 0, plain_cb,
		    NULL);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return (0);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	http_server_adopt(srv, sv[1], NULL, 0);
	/* Small inputs fit in the socket buffer; larger ones are cut. */
	(void)!write(sv[0], data, size);
	shutdown(sv[0], SHUT_WR);
	for (i = 0; i < 50 && http_server_nconns(srv) > 0; i++) {
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
		while (read(sv[0], buf, sizeof buf) > 0)
			;
	}
	close(sv[0]);
	/* Whatever is left is closed by the peer's EOF next round. */
	for (i = 0; i < 5 && http_server_nconns(srv) > 0; i++) {
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	return (0);
}
