/*
 * metrics.c: counters and histograms for GET /metrics, written in the
 * Prometheus text exposition format, version 0.0.4 (prometheus/docs:
 * content/docs/instrumenting/exposition_formats.md): "# HELP" and
 * "# TYPE" before each family, label values with \\, \" and \n escaped,
 * histogram buckets cumulative with "le" and a final "+Inf" equal to
 * _count.
 *
 * Series are keyed by route pattern, never by the raw path, so a client
 * cannot grow them (and there are at most METRICS_MAX_SERIES; what comes
 * after lands in one "other" series).  Everything runs on the loop
 * thread: a screenshot is counted when capture delivers it there, after
 * the encoder's workers are done with it.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <X11/Xlib.h>

#include "deskd.h"
#include "display.h"
#include "http.h"
#include "input.h"
#include "lifetime.h"
#include "log.h"
#include "metrics.h"
#include "xmalloc.h"

/* Seconds: from a cached screenshot (~1 ms) to a long /v1/exec. */
static const double metrics_req_le[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
	10, 30, 60, 120
};
#define METRICS_REQ_NB	(sizeof metrics_req_le / sizeof metrics_req_le[0])
/* A band-wise encode is ~1 ms for a small change, ~10 ms a full frame. */
static const double metrics_enc_le[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1
};
#define METRICS_ENC_NB	(sizeof metrics_enc_le / sizeof metrics_enc_le[0])

struct metrics_hist {
	uint64_t	 bucket[METRICS_REQ_NB];	/* not cumulative */
	uint64_t	 count;
	double		 sum;
};

struct metrics_count {
	char		*server;
	char		*route;
	char		*method;
	int		 status;
	uint64_t	 n;
};

struct metrics_route {
	char			*server;
	char			*route;
	struct metrics_hist	 h;
};

static struct {
	struct metrics_count	*counts;
	size_t			 ncounts;
	struct metrics_route	*routes;
	size_t			 nroutes;
	uint64_t		 count_other;	/* past METRICS_MAX_SERIES */
	struct metrics_hist	 encode;
	uint64_t		 x_connects;
	int			 x_up;
} mx;

static const char *
metrics_method(const char *m)
{
	static const char	*known[] = { "GET", "HEAD", "POST", "PUT",
				    "DELETE", "OPTIONS", NULL };
	int			 i;

	for (i = 0; m != NULL && known[i] != NULL; i++) {
		if (strcmp(m, known[i]) == 0)
			return (known[i]);
	}
	return ("other");
}

static void
metrics_observe(struct metrics_hist *h, const double *le, size_t nb,
    double v)
{
	size_t	 i;

	for (i = 0; i < nb && v > le[i]; i++)
		;
	if (i < nb)
		h->bucket[i]++;
	h->count++;
	h->sum += v;
}

void
metrics_request(const struct http_done *d)
{
	struct metrics_count	*c = NULL;
	struct metrics_route	*r = NULL;
	const char		*route, *method = metrics_method(d->method);
	size_t			 i;

	route = d->route != NULL ? d->route : "none";
	for (i = 0; i < mx.ncounts; i++) {
		c = &mx.counts[i];
		if (c->status == d->status && strcmp(c->route, route) == 0 &&
		    strcmp(c->method, method) == 0 &&
		    strcmp(c->server, d->server) == 0)
			break;
	}
	if (i == mx.ncounts && mx.ncounts == METRICS_MAX_SERIES)
		mx.count_other++;
	else {
		if (i == mx.ncounts) {
			mx.counts = xreallocarray(mx.counts, mx.ncounts + 1,
			    sizeof *mx.counts);
			c = &mx.counts[mx.ncounts++];
			c->server = xstrdup(d->server);
			c->route = xstrdup(route);
			c->method = xstrdup(method);
			c->status = d->status;
			c->n = 0;
		}
		c->n++;
	}
	for (i = 0; i < mx.nroutes; i++) {
		r = &mx.routes[i];
		if (strcmp(r->route, route) == 0 &&
		    strcmp(r->server, d->server) == 0)
			break;
	}
	if (i == mx.nroutes && mx.nroutes == METRICS_MAX_SERIES)
		return;
	if (i == mx.nroutes) {
		mx.routes = xreallocarray(mx.routes, mx.nroutes + 1,
		    sizeof *mx.routes);
		r = &mx.routes[mx.nroutes++];
		memset(r, 0, sizeof *r);
		r->server = xstrdup(d->server);
		r->route = xstrdup(route);
	}
	metrics_observe(&r->h, metrics_req_le, METRICS_REQ_NB,
	    d->usec / 1e6);
}

void
metrics_encode(long long usec)
{
	metrics_observe(&mx.encode, metrics_enc_le, METRICS_ENC_NB,
	    usec / 1e6);
}

/* Count the X connections: every one after the first is a reconnect. */
static void
metrics_display_hook(Display *dpy, void *arg)
{
	mx.x_up = dpy != NULL;
	if (dpy != NULL)
		mx.x_connects++;
}

void
metrics_init(void)
{
	display_add_hook(metrics_display_hook, NULL);
}

void
metrics_shutdown(void)
{
	size_t	 i;

	for (i = 0; i < mx.ncounts; i++) {
		free(mx.counts[i].server);
		free(mx.counts[i].route);
		free(mx.counts[i].method);
	}
	free(mx.counts);
	for (i = 0; i < mx.nroutes; i++) {
		free(mx.routes[i].server);
		free(mx.routes[i].route);
	}
	free(mx.routes);
	memset(&mx, 0, sizeof mx);
}

/* A label value, escaped as the format says. */
static void
metrics_label(struct evbuffer *b, const char *name, const char *v)
{
	evbuffer_add_printf(b, "%s=\"", name);
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			evbuffer_add_printf(b, "\\%c", *v);
		else if (*v == '\n')
			evbuffer_add(b, "\\n", 2);
		else
			evbuffer_add(b, v, 1);
	}
	evbuffer_add(b, "\"", 1);
}

static void
metrics_family(struct evbuffer *b, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

/* LABELS is "" or 'k="v",' (with the comma), for the le label after it. */
static void
metrics_hist_out(struct evbuffer *b, const char *name, const char *labels,
    const struct metrics_hist *h, const double *le, size_t nb)
{
	uint64_t	 cum = 0;
	size_t		 i;
	size_t		 ll = strlen(labels);

	for (i = 0; i < nb; i++) {
		cum += h->bucket[i];
		evbuffer_add_printf(b, "%s_bucket{%sle=\"%g\"} %llu\n", name,
		    labels, le[i], (unsigned long long)cum);
	}
	evbuffer_add_printf(b, "%s_bucket{%sle=\"+Inf\"} %llu\n", name, labels,
	    (unsigned long long)h->count);
	/* The same labels without the trailing comma. */
	evbuffer_add_printf(b, "%s_sum%s%.*s%s %.6f\n", name, ll > 0 ? "{" :
	    "", ll > 0 ? (int)ll - 1 : 0, labels, ll > 0 ? "}" : "", h->sum);
	evbuffer_add_printf(b, "%s_count%s%.*s%s %llu\n", name, ll > 0 ? "{" :
	    "", ll > 0 ? (int)ll - 1 : 0, labels, ll > 0 ? "}" : "",
	    (unsigned long long)h->count);
}

void
metrics_cb(struct http_req *req, void *arg)
{
	struct evbuffer	*b, *lb;
	char		 code[16], *labels;
	size_t		 i, len;

	b = evbuffer_new();
	metrics_family(b, "deskd_http_requests_total", "counter",
	    "HTTP requests answered, by route pattern, method and status.");
	for (i = 0; i < mx.ncounts; i++) {
		evbuffer_add_printf(b, "deskd_http_requests_total{");
		metrics_label(b, "server", mx.counts[i].server);
		evbuffer_add(b, ",", 1);
		metrics_label(b, "route", mx.counts[i].route);
		evbuffer_add(b, ",", 1);
		metrics_label(b, "method", mx.counts[i].method);
		snprintf(code, sizeof code, "%d", mx.counts[i].status);
		evbuffer_add(b, ",", 1);
		metrics_label(b, "code", code);
		evbuffer_add_printf(b, "} %llu\n",
		    (unsigned long long)mx.counts[i].n);
	}
	if (mx.count_other > 0)
		evbuffer_add_printf(b, "deskd_http_requests_total{server=\"\","
		    "route=\"other\",method=\"other\",code=\"0\"} %llu\n",
		    (unsigned long long)mx.count_other);
	metrics_family(b, "deskd_http_request_duration_seconds", "histogram",
	    "From the first byte of a request to the end of its reply.");
	for (i = 0; i < mx.nroutes; i++) {
		lb = evbuffer_new();
		metrics_label(lb, "server", mx.routes[i].server);
		evbuffer_add(lb, ",", 1);
		metrics_label(lb, "route", mx.routes[i].route);
		evbuffer_add(lb, ",", 1);
		len = evbuffer_get_length(lb);
		labels = xmalloc(len + 1);
		evbuffer_remove(lb, labels, len);
		labels[len] = '\0';
		evbuffer_free(lb);
		metrics_hist_out(b, "deskd_http_request_duration_seconds",
		    labels, &mx.routes[i].h, metrics_req_le, METRICS_REQ_NB);
		free(labels);
	}
	metrics_family(b, "deskd_screenshot_encode_seconds", "histogram",
	    "PNG encoding of a screenshot (cached, band-wise or whole).");
	metrics_hist_out(b, "deskd_screenshot_encode_seconds", "", &mx.encode,
	    metrics_enc_le, METRICS_ENC_NB);
	metrics_family(b, "deskd_input_queue_depth", "gauge",
	    "Input jobs queued or running.");
	evbuffer_add_printf(b, "deskd_input_queue_depth %u\n",
	    input_queue_depth());
	metrics_family(b, "deskd_idle_seconds", "gauge",
	    "Since the last authenticated request or X input.");
	evbuffer_add_printf(b, "deskd_idle_seconds %.3f\n",
	    lifetime_idle_ms() / 1000.0);
	metrics_family(b, "deskd_x_reconnects_total", "counter",
	    "Connections to the X server after the first.");
	evbuffer_add_printf(b, "deskd_x_reconnects_total %llu\n",
	    (unsigned long long)(mx.x_connects > 0 ? mx.x_connects - 1 : 0));
	metrics_family(b, "deskd_x_connected", "gauge",
	    "1 while the X display answers.");
	evbuffer_add_printf(b, "deskd_x_connected %d\n", mx.x_up);
	metrics_family(b, "deskd_uptime_seconds", "gauge",
	    "Since deskd started.");
	evbuffer_add_printf(b, "deskd_uptime_seconds %.3f\n",
	    (deskd_now_ms() - ((long long)deskd_started.tv_sec * 1000 +
	    deskd_started.tv_nsec / 1000000)) / 1000.0);
	metrics_family(b, "deskd_build_info", "gauge",
	    "Always 1; the version is the label.");
	evbuffer_add_printf(b, "deskd_build_info{version=\"%s\"} 1\n",
	    DESKD_VERSION);
	http_add_header(req, "Cache-Control", "no-store");
	http_reply_buffer(req, 200, "text/plain; version=0.0.4; charset=utf-8",
	    b);
	evbuffer_free(b);
}
