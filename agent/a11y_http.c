/*
 * a11y_http.c: GET /v1/accessibility and OSWorld's /accessibility and
 * /terminal (see a11y_http.h).
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>

#include "a11y.h"
#include "a11y_http.h"
#include "a11y_tree.h"
#include "health.h"
#include "http.h"
#include "log.h"
#include "xmalloc.h"

enum a11y_http_kind {
	A11Y_HTTP_AT,		/* OSWorld /accessibility */
	A11Y_HTTP_TERMINAL,	/* OSWorld /terminal */
	A11Y_HTTP_XML,		/* /v1/accessibility?format=xml */
	A11Y_HTTP_JSON		/* /v1/accessibility */
};

struct a11y_http_job;

/* One request waiting for a walk. */
struct a11y_http_wait {
	struct http_req			*req;
	struct a11y_http_job		*job;
	struct event			*timer;
	TAILQ_ENTRY(a11y_http_wait)	 entry;
};

/* One walk and the requests sharing it. */
struct a11y_http_job {
	enum a11y_http_kind		 kind;
	int				 budget_ms;
	char				*app;
	int				 visible;
	char				*role;
	char				*name;
	struct a11y_walk		*walk;
	int				 running;	/* join no more */

	/* Made by the finish callback, on the worker. */
	char				*body;
	size_t				 len;
	int				 partial;

	TAILQ_HEAD(, a11y_http_wait)	 waiting;
	TAILQ_ENTRY(a11y_http_job)	 entry;
};

static TAILQ_HEAD(, a11y_http_job) a11y_http_jobs =
    TAILQ_HEAD_INITIALIZER(a11y_http_jobs);
static struct event_base	*a11y_http_base;
static u_int			 a11y_http_nwaiting;

/* An error in the shape of the route that was asked. */
static void
a11y_http_error(struct http_req *req, enum a11y_http_kind kind, int status,
    const char *code, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (kind == A11Y_HTTP_AT || kind == A11Y_HTTP_TERMINAL) {
		/* OSWorld's own error shape (main.py:365). */
		http_reply_json(req, status, json_pack("{s:s, s:s}",
		    "status", "error", "message", msg));
	} else
		http_reply_error(req, status, code, "%s", msg);
	free(msg);
}

static void
a11y_http_job_free(struct a11y_http_job *job)
{
	TAILQ_REMOVE(&a11y_http_jobs, job, entry);
	free(job->app);
	free(job->role);
	free(job->name);
	free(job->body);
	free(job);
}

/* A request leaves its job; a job nobody waits for is dropped if it can. */
static void
a11y_http_leave(struct a11y_http_wait *wt)
{
	struct a11y_http_job	*job = wt->job;

	TAILQ_REMOVE(&job->waiting, wt, entry);
	a11y_http_nwaiting--;
	http_req_set_close_cb(wt->req, NULL, NULL);
	event_free(wt->timer);
	free(wt);
	if (TAILQ_EMPTY(&job->waiting) && job->walk != NULL &&
	    a11y_walk_cancel(job->walk)) {
		job->walk = NULL;
		a11y_http_job_free(job);
	}
}

static void
a11y_http_close_cb(struct http_req *req, void *arg)
{
	a11y_http_leave(arg);
}

static void
a11y_http_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct a11y_http_wait	*wt = arg;
	struct http_req		*req = wt->req;
	enum a11y_http_kind	 kind = wt->job->kind;
	int			 budget = wt->job->budget_ms;

	a11y_http_leave(wt);
	a11y_http_error(req, kind, 503, "timeout", "the accessibility walk "
	    "did not end within its budget of %d ms (an application or the "
	    "bus does not answer)", budget);
}

/* On the worker: the tree into the reply's body. */
static void
a11y_http_finish_cb(struct a11y_tree *t, void *arg)
{
	struct a11y_http_job	*job = arg;
	struct a11y_filter	 f;
	struct evbuffer		*b;
	json_t			*obj;
	char			*text;

	job->partial = t->partial;
	switch (job->kind) {
	case A11Y_HTTP_AT:
		job->body = a11y_tree_osworld_json(t, &job->len);
		break;
	case A11Y_HTTP_TERMINAL:
		text = a11y_tree_terminal_text(t);
		obj = json_pack("{s:s?, s:s}", "output", text, "status",
		    "success");
		free(text);
		job->body = json_dumps(obj, JSON_COMPACT);
		job->len = strlen(job->body);
		json_decref(obj);
		break;
	case A11Y_HTTP_XML:
		b = evbuffer_new();
		a11y_tree_xml(t, b);
		job->len = evbuffer_get_length(b);
		job->body = xmalloc(job->len + 1);
		evbuffer_remove(b, job->body, job->len);
		job->body[job->len] = '\0';
		evbuffer_free(b);
		break;
	case A11Y_HTTP_JSON:
		memset(&f, 0, sizeof f);
		f.role = job->role;
		f.name = job->name;
		f.visible = job->visible;
		obj = a11y_tree_json(t, &f);
		job->body = json_dumps(obj, JSON_COMPACT);
		job->len = strlen(job->body);
		json_decref(obj);
		break;
	}
}

static void
a11y_http_done_cb(enum a11y_error error, const char *cause, void *arg)
{
	struct a11y_http_job	*job = arg;
	struct a11y_http_wait	*wt;
	struct http_req		*req;

	job->walk = NULL;
	while ((wt = TAILQ_FIRST(&job->waiting)) != NULL) {
		req = wt->req;
		a11y_http_leave(wt);
		if (error == A11Y_ENOBUS && job->kind == A11Y_HTTP_TERMINAL) {
			/* No bus, no terminal: the liveness probe stays 200. */
			http_reply_json(req, 200, json_pack("{s:n, s:s}",
			    "output", "status", "success"));
		} else if (error == A11Y_ENOBUS)
			a11y_http_error(req, job->kind, 503,
			    "no_accessibility_bus", "%s; %s", cause,
			    A11Y_HOWTO);
		else if (error != A11Y_OK)
			a11y_http_error(req, job->kind, 503, "shutting_down",
			    "%s", cause != NULL ? cause : "deskd is stopping");
		else {
			if (job->partial)
				http_add_header(req, "X-Deskd-Partial", "1");
			http_reply(req, 200, job->kind == A11Y_HTTP_XML ?
			    "application/xml; charset=utf-8" :
			    "application/json", job->body, job->len);
		}
	}
	a11y_http_job_free(job);
}

static int
a11y_http_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

/* Join a waiting walk that asks the same, or queue a new one. */
static void
a11y_http_submit(struct http_req *req, enum a11y_http_kind kind, int budget,
    const char *app, int visible, const char *role, const char *name)
{
	struct a11y_http_job	*job;
	struct a11y_http_wait	*wt;
	struct a11y_opts	 o;
	struct timeval		 tv;

	if (a11y_http_nwaiting >= A11Y_HTTP_MAX_WAITING) {
		a11y_http_error(req, kind, 429, "busy", "%u accessibility "
		    "requests are waiting already (the limit is %d); retry "
		    "later", a11y_http_nwaiting, A11Y_HTTP_MAX_WAITING);
		return;
	}
	TAILQ_FOREACH(job, &a11y_http_jobs, entry) {
		if (job->walk == NULL || job->running)
			continue;
		/* Started since it was queued?  Then it is too old. */
		if (!a11y_walk_queued(job->walk)) {
			job->running = 1;
			continue;
		}
		if (job->kind == kind && job->budget_ms == budget &&
		    job->visible == visible && a11y_http_streq(job->app, app) &&
		    a11y_http_streq(job->role, role) &&
		    a11y_http_streq(job->name, name))
			break;
	}
	if (job == NULL) {
		if (a11y_walks() >= A11Y_HTTP_MAX_WALKS) {
			a11y_http_error(req, kind, 429, "busy", "%u "
			    "accessibility walks are queued or running "
			    "already (the limit is %d); retry later",
			    a11y_walks(), A11Y_HTTP_MAX_WALKS);
			return;
		}
		job = xcalloc(1, sizeof *job);
		job->kind = kind;
		job->budget_ms = budget;
		job->app = app != NULL ? xstrdup(app) : NULL;
		job->visible = visible;
		job->role = role != NULL ? xstrdup(role) : NULL;
		job->name = name != NULL ? xstrdup(name) : NULL;
		TAILQ_INIT(&job->waiting);
		TAILQ_INSERT_TAIL(&a11y_http_jobs, job, entry);
		memset(&o, 0, sizeof o);
		o.budget_ms = budget;
		o.app = app;
		o.visible = visible;
		o.terminal = kind == A11Y_HTTP_TERMINAL;
		job->walk = a11y_walk_start(&o, a11y_http_finish_cb,
		    a11y_http_done_cb, job);
	}
	wt = xcalloc(1, sizeof *wt);
	wt->req = req;
	wt->job = job;
	wt->timer = evtimer_new(a11y_http_base, a11y_http_timer_cb, wt);
	tv.tv_sec = (budget + A11Y_HTTP_GRACE_MS) / 1000;
	tv.tv_usec = ((budget + A11Y_HTTP_GRACE_MS) % 1000) * 1000;
	evtimer_add(wt->timer, &tv);
	TAILQ_INSERT_TAIL(&job->waiting, wt, entry);
	a11y_http_nwaiting++;
	http_req_set_close_cb(req, a11y_http_close_cb, wt);
}

/* budget_ms=, or the default; -1 after answering 400. */
static int
a11y_http_budget(struct http_req *req, enum a11y_http_kind kind)
{
	const char	*v;
	long long	 ms;

	if ((v = http_req_query(req, "budget_ms")) == NULL)
		return (A11Y_BUDGET_MS);
	if (http_parse_int(v, 1, A11Y_BUDGET_MAX_MS, &ms) == -1) {
		a11y_http_error(req, kind, 400, "bad_request", "budget_ms: "
		    "expected milliseconds from 1 to %d, got \"%.64s\"",
		    A11Y_BUDGET_MAX_MS, v);
		return (-1);
	}
	return ((int)ms);
}

void
a11y_http_accessibility(struct http_req *req)
{
	int	 budget;

	if ((budget = a11y_http_budget(req, A11Y_HTTP_AT)) == -1)
		return;
	a11y_http_submit(req, A11Y_HTTP_AT, budget, NULL, 0, NULL, NULL);
}

void
a11y_http_terminal(struct http_req *req)
{
	int	 budget;

	if ((budget = a11y_http_budget(req, A11Y_HTTP_TERMINAL)) == -1)
		return;
	a11y_http_submit(req, A11Y_HTTP_TERMINAL, budget, NULL, 0, NULL,
	    NULL);
}

/* A text filter: NULL when absent or empty, -1 after answering 400. */
static int
a11y_http_text(struct http_req *req, const char *key, const char **out)
{
	const char	*v;

	*out = NULL;
	if ((v = http_req_query(req, key)) == NULL || *v == '\0')
		return (0);
	if (strlen(v) > A11Y_HTTP_MAX_QUERY) {
		http_reply_error(req, 400, "bad_request", "%s: longer than "
		    "%d bytes", key, A11Y_HTTP_MAX_QUERY);
		return (-1);
	}
	*out = v;
	return (0);
}

/* GET /v1/accessibility?format=&app=&role=&name=&visible=&budget_ms= */
void
a11y_http_native_cb(struct http_req *req, void *arg)
{
	enum a11y_http_kind	 kind = A11Y_HTTP_JSON;
	const char		*v, *app, *role, *name;
	int			 budget, visible = 0;

	if ((v = http_req_query(req, "format")) != NULL) {
		if (strcmp(v, "xml") == 0)
			kind = A11Y_HTTP_XML;
		else if (strcmp(v, "json") != 0) {
			http_reply_error(req, 400, "bad_request", "format: "
			    "expected xml or json, got \"%.64s\"", v);
			return;
		}
	}
	if ((v = http_req_query(req, "visible")) != NULL) {
		if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
			visible = 1;
		else if (strcmp(v, "0") != 0 && strcmp(v, "false") != 0) {
			http_reply_error(req, 400, "bad_request", "visible: "
			    "expected 1 or 0, got \"%.64s\"", v);
			return;
		}
	}
	if (a11y_http_text(req, "app", &app) == -1 ||
	    a11y_http_text(req, "role", &role) == -1 ||
	    a11y_http_text(req, "name", &name) == -1)
		return;
	if (kind == A11Y_HTTP_XML && (role != NULL || name != NULL)) {
		http_reply_error(req, 400, "bad_request", "role= and name= "
		    "select nodes in the JSON form only (format=json)");
		return;
	}
	if ((budget = a11y_http_budget(req, kind)) == -1)
		return;
	a11y_http_submit(req, kind, budget, app, visible, role, name);
}

static void
a11y_http_health_cb(json_t *obj, void *arg)
{
	char	 reason[256];
	json_t	*o;
	int	 up;

	up = a11y_bus_state(reason, sizeof reason);
	o = json_pack("{s:o, s:i}", "bus", up < 0 ? json_null() :
	    json_boolean(up), "walks", (int)a11y_walks());
	if (up == 0)
		json_object_set_new(o, "reason", json_string(reason));
	json_object_set_new(obj, "accessibility", o);
}

void
a11y_http_init(struct event_base *base)
{
	a11y_http_base = base;
	a11y_init(base);
	health_add_extra(a11y_http_health_cb, NULL);
}

void
a11y_http_shutdown(void)
{
	/* Requests are gone with their connections; walks end here. */
	a11y_shutdown();
}
