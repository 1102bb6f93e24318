/*
 * metrics.h: GET /metrics, the Prometheus text exposition format 0.0.4,
 * under the same access rules as the rest of the API: requests by route
 * and status, request latency histograms per route (screenshots,
 * actions, commands...), screenshot encode time, the input queue depth,
 * idle seconds, X reconnects.
 */
#ifndef METRICS_H
#define METRICS_H

struct http_done;
struct http_req;

/* Distinct (server, route, method, status) and (server, route) kept. */
#define METRICS_MAX_SERIES	512

void	 metrics_init(void);
void	 metrics_shutdown(void);
/* One finished request (the HTTP server's done hook, via main.c). */
void	 metrics_request(const struct http_done *);
/* One PNG encode of a screenshot took USEC microseconds. */
void	 metrics_encode(long long usec);

/* GET /metrics (v1.c's table). */
void	 metrics_cb(struct http_req *, void *);

#endif
