/*
 * fuzz-query: libFuzzer target for query strings and urlencoded forms
 * (agent/http.c http_req_query, http_req_form).  The input, up to a NUL,
 * is the query (spaces and line ends become '+', so the request line
 * holds), the rest a form body; the request goes through the real server
 * on a socketpair.
 * links: agent/http.c agent/auth.c agent/deskd.c agent/worker.c common/log.c common/xmalloc.c common/compat.c proto/error.c proto/utf8.c
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
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
fz_touch(const char *v)
{
	volatile size_t	 n = 0;

	if (v != NULL)
		n = strlen(v);
	(void)n;
}

static void
fz_cb(struct http_req *req, void *arg)
{
	static const char *const names[] = { "a", "q", "", "x y", "path",
	    "file_path", "%00", NULL };
	int	 i;

	for (i = 0; names[i] != NULL; i++) {
		fz_touch(http_req_query(req, names[i]));
		fz_touch(http_req_form(req, names[i]));
	}
	http_reply(req, 200, "text/plain", "ok", 2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timeval	 tv = { 0, 1000 };
	char		 buf[65536], *q, *head;
	size_t		 qlen, blen, i;
	int		 sv[2], n;
	const uint8_t	*nul;

	if (base == NULL) {
		signal(SIGPIPE, SIG_IGN);
		log_init(LOG_LEVEL_ERROR, "fuzz");
		base = event_base_new();
		srv = http_server_new(base, "fuzz", auth_new());
		http_route(srv, "/p", HTTP_GET | HTTP_POST, 0, 8192, fz_cb,
		    NULL);
	}
	if (size > 8192)
		return (0);
	nul = memchr(data, '\0', size);
	qlen = nul != NULL ? (size_t)(nul - data) : size;
	blen = nul != NULL ? size - qlen - 1 : 0;
	q = malloc(qlen + 1);
	for (i = 0; i < qlen; i++)
		q[i] = strchr(" \r\n", data[i]) != NULL ? '+' : data[i];
	q[qlen] = '\0';
	n = asprintf(&head, "POST /p?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: %zu\r\n\r\n", q, blen);
	free(q);
	if (n < 0)
		return (0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
		free(head);
		return (0);
	}
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	http_server_adopt(srv, sv[1], NULL, 0);
	(void)!write(sv[0], head, n);
	if (blen > 0)
		(void)!write(sv[0], nul + 1, blen);
	free(head);
	shutdown(sv[0], SHUT_WR);
	for (i = 0; i < 50 && http_server_nconns(srv) > 0; i++) {
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
		while (read(sv[0], buf, sizeof buf) > 0)
			;
	}
	close(sv[0]);
	for (i = 0; i < 5 && http_server_nconns(srv) > 0; i++) {
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	return (0);
}
