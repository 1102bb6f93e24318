/*
 * fuzz-ws: libFuzzer target for the websocket server (agent/ws.c).  The
 * first byte picks the message limit and whether the owner closes or
 * frees the websocket from its message callback, or whether the bytes go
 * through the HTTP server's upgrade first (a valid handshake is put in
 * front); the rest is written as raw client bytes into a socketpair the
 * websocket runs on, then the loop
 * runs until the websocket is over or quiet.  ASan/UBSan catch the rest.
 * links: agent/ws.c agent/http.c agent/auth.c agent/deskd.c agent/worker.c common/sha1.c common/log.c common/xmalloc.c common/compat.c proto/error.c proto/utf8.c
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
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "auth.h"
#include "http.h"
#include "log.h"
#include "ws.h"

static struct event_base	*base;
static struct ws		*live;
static int			 mode;
static struct http_server	*srv;

static const char	 fuzz_head[] = "GET /ws HTTP/1.1\r\nHost: f\r\n"
    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";

static void
fuzz_msg_cb(struct ws *ws, int opcode, const u_char *p, size_t len,
    void *arg)
{
	/* Echo, as an owner would answer. */
	ws_send(ws, opcode, p, len);
	if (mode == 1)
		ws_close(ws, WS_CLOSE_POLICY, "fuzz %zu", len);
	else if (mode == 2) {
		ws_free(ws);
		live = NULL;
	}
}

static void
fuzz_close_cb(struct ws *ws, int code, const char *reason, void *arg)
{
	live = NULL;
}

static void
fuzz_upgrade_cb(struct http_req *req, void *arg)
{
	live = ws_accept(req, NULL, fuzz_msg_cb, fuzz_close_cb, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bufferevent	*bev;
	char			 buf[65536];
	int			 sv[2], i;

	if (base == NULL) {
		signal(SIGPIPE, SIG_IGN);
		log_init(LOG_LEVEL_ERROR, "fuzz");
		base = event_base_new();
		srv = http_server_new(base, "fuzz", auth_new());
		http_route(srv, "/ws", HTTP_GET, 0, 0, fuzz_upgrade_cb, NULL);
	}
	if (size < 1)
		return (0);
	mode = data[0] & 3;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return (0);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if (mode == 3) {
		/* The same bytes behind a real upgrade. */
		http_server_adopt(srv, sv[1], NULL, 0);
		(void)!write(sv[0], fuzz_head, sizeof fuzz_head - 1);
		(void)!write(sv[0], data + 1, size - 1);
		for (i = 0; i < 50 && live == NULL &&
		    http_server_nconns(srv) > 0; i++)
			event_base_loop(base, EVLOOP_NONBLOCK);
	} else {
		bev = bufferevent_socket_new(base, sv[1],
		    BEV_OPT_CLOSE_ON_FREE);
		live = ws_new(bev, "fuzz", fuzz_msg_cb, fuzz_close_cb, NULL);
		(void)!write(sv[0], data + 1, size - 1);
	}
	if (live != NULL)
		ws_set_max_message(live, (data[0] >> 2) * 64 + 1);
	/* The peer's EOF ends the websocket once its bytes are read. */
	shutdown(sv[0], SHUT_WR);
	for (i = 0; i < 200 && live != NULL; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		while (read(sv[0], buf, sizeof buf) > 0)
			;
	}
	if (live != NULL)
		ws_free(live);
	live = NULL;
	close(sv[0]);
	return (0);
}
