/*
 * wait.c: waiting for guests.  Polls back off (exponentially, capped);
 * providers batch their own calls; /health probes of all guests in a
 * round run in parallel through a curl multi handle, each capped at the
 * time left.
 */
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskctl.h"
#include "log.h"
#include "provider.h"
#include "state.h"
#include "util.h"
#include "wait.h"
#include "xmalloc.h"

static size_t
wait_discard_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	return (size * nmemb);
}

char *
wait_map_addr(const char *map, const char *addr)
{
	char	*copy, *p, *ent, *eq, *out = NULL, *cause = NULL, *nl;

	if (map == NULL || addr == NULL)
		return (NULL);
	if (map[0] == '@') {
		if ((copy = util_read_file(map + 1, 1024 * 1024, NULL,
		    &cause)) == NULL) {
			log_debug("address map: %s", cause);
			free(cause);
			return (NULL);
		}
		while ((nl = strpbrk(copy, "\n\r")) != NULL)
			*nl = ',';
	} else
		copy = xstrdup(map);
	p = copy;
	while ((ent = strsep(&p, ",")) != NULL) {
		if ((eq = strchr(ent, '=')) == NULL || eq[1] == '\0')
			continue;
		*eq = '\0';
		if (strcmp(ent, "*") == 0 || strcmp(ent, addr) == 0) {
			out = xstrdup(eq + 1);
			break;
		}
	}
	free(copy);
	return (out);
}

void
wait_fail(struct wait_target *t, const char *fmt, ...)
{
	va_list	 ap;

	if (t->failed)
		return;
	t->failed = 1;
	free(t->error);
	va_start(ap, fmt);
	xvasprintf(&t->error, fmt, ap);
	va_end(ap);
}

static void
wait_set(json_t *rec, const char *key, const char *value)
{
	if (value != NULL)
		json_object_set_new(rec, key, json_string(value));
}

double
wait_seconds(struct wait_ctx *ctx)
{
	return ((util_now_ms() - ctx->start_ms) / 1000.0);
}

char *
wait_url(enum wait_addr which, const char *map, const char *private_ip,
    const char *public_ip)
{
	const char	*addr;
	char		*mapped, *url;

	if (which == WAIT_ADDR_PRIVATE)
		addr = private_ip;
	else if (which == WAIT_ADDR_PUBLIC)
		addr = public_ip;
	else
		addr = public_ip != NULL ? public_ip : private_ip;
	if (addr == NULL)
		return (NULL);
	if ((mapped = wait_map_addr(map, addr)) != NULL) {
		log_debug("address %s mapped to %s (test aid)", addr, mapped);
		xasprintf(&url, "http://%s", mapped);
		free(mapped);
	} else if (strchr(addr, ':') != NULL)
		xasprintf(&url, "http://[%s]:%d", addr, DESKCTL_AGENT_PORT);
	else
		xasprintf(&url, "http://%s:%d", addr, DESKCTL_AGENT_PORT);
	return (url);
}

void
wait_running(struct wait_ctx *ctx, struct wait_target *t,
    const char *private_ip, const char *public_ip)
{
	char	*url;

	wait_set(t->rec, "private_ip", private_ip);
	wait_set(t->rec, "public_ip", public_ip);
	if ((url = wait_url(ctx->addr, ctx->map, private_ip,
	    public_ip)) == NULL) {
		wait_fail(t, "no %s address", ctx->addr == WAIT_ADDR_PUBLIC ?
		    "public" : "private");
		return;
	}
	wait_set(t->rec, "url", url);
	free(url);
	t->running = 1;
}

/* Probe /health of every running guest not yet ready, in parallel. */
static int
wait_health_round(struct wait_ctx *ctx, struct wait_target *ts, size_t n)
{
	CURLM		*m;
	CURL		**hs;
	CURLMsg		*msg;
	char		*url;
	const char	*base;
	long		 status, tmo;
	long long	 left;
	size_t		 i;
	int		 running, nleft;

	/* Never past the deadline (--timeout means what it says). */
	left = ctx->deadline_ms - util_now_ms();
	tmo = left < DESKCTL_HEALTH_TIMEOUT_MS ? (long)left :
	    DESKCTL_HEALTH_TIMEOUT_MS;
	if (tmo < 100)
		tmo = 100;
	m = curl_multi_init();
	hs = xcalloc(n, sizeof *hs);
	for (i = 0; i < n; i++) {
		if (!ts[i].running || ts[i].ready || ts[i].failed)
			continue;
		if ((base = state_str(ts[i].rec, "url")) == NULL)
			continue;
		hs[i] = curl_easy_init();
		xasprintf(&url, "%s/health", base);
		curl_easy_setopt(hs[i], CURLOPT_URL, url);
		free(url);
		curl_easy_setopt(hs[i], CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(hs[i], CURLOPT_NOPROXY, "*");
		curl_easy_setopt(hs[i], CURLOPT_TIMEOUT_MS, tmo);
		curl_easy_setopt(hs[i], CURLOPT_WRITEFUNCTION, wait_discard_cb);
		curl_easy_setopt(hs[i], CURLOPT_USERAGENT, DESKCTL_USER_AGENT);
		curl_easy_setopt(hs[i], CURLOPT_PRIVATE, (void *)&ts[i]);
		curl_multi_add_handle(m, hs[i]);
	}
	do {
		curl_multi_perform(m, &running);
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	} while (running > 0 && !util_interrupted);
	while ((msg = curl_multi_info_read(m, &nleft)) != NULL) {
		struct wait_target	*t;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&t);
		status = 0;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
		    &status);
		if (msg->data.result == CURLE_OK && status == 200) {
			t->ready = 1;
			t->seconds = wait_seconds(ctx);
			wait_set(t->rec, "state", "ready");
		} else {
			if (msg->data.result == CURLE_OK)
				t->up = 1;
			log_debug("%s: /health: curl %d HTTP %ld",
			    state_str(t->rec, "id"), (int)msg->data.result,
			    status);
		}
	}
	for (i = 0; i < n; i++) {
		if (hs[i] != NULL) {
			curl_multi_remove_handle(m, hs[i]);
			curl_easy_cleanup(hs[i]);
		}
	}
	free(hs);
	curl_multi_cleanup(m);
	return (util_interrupted ? -2 : 0);
}

/* Tell what changed since the last round; report the finished ones. */
static void
wait_report(struct wait_ctx *ctx, struct wait_target *ts, size_t n)
{
	const char	*st;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (ts[i].reported)
			continue;
		if (ts[i].failed)
			st = "failed";
		else if (ts[i].ready)
			st = "ready";
		else if (ts[i].up)
			st = "agent up";
		else if (ts[i].running)
			st = "running";
		else if ((st = state_str(ts[i].rec, "state")) == NULL)
			st = "pending";
		if (ts[i].shown == NULL || strcmp(ts[i].shown, st) != 0) {
			/* A copy: the record's string goes when it changes. */
			free(ts[i].shown);
			ts[i].shown = xstrdup(st);
			if (ctx->progress != NULL)
				ctx->progress(ctx, &ts[i], st);
		}
		if (ts[i].ready || ts[i].failed) {
			ts[i].reported = 1;
			if (ctx->done != NULL)
				ctx->done(ctx, &ts[i]);
		}
	}
}

int
wait_targets(struct wait_ctx *ctx, struct wait_target *ts, size_t n)
{
	const struct provider	*p;
	long			 pend_delay = DESKCTL_POLL_FIRST_MS;
	long			 health_delay = DESKCTL_HEALTH_FIRST_MS, delay;
	long long		 left;
	size_t			 i, j, todo, pending;

	wait_report(ctx, ts, n);
	for (;;) {
		if (util_interrupted)
			return (-2);
		/* Each provider once per round, over its own targets. */
		for (i = 0; i < n; i++) {
			p = ts[i].prov;
			for (j = 0; j < i; j++) {
				if (ts[j].prov == p)
					break;
			}
			if (j < i || p == NULL)
				continue;
			if (p->poll(ctx, ts, n) == -2)
				return (-2);
		}
		wait_report(ctx, ts, n);
		if (wait_health_round(ctx, ts, n) == -2)
			return (-2);
		wait_report(ctx, ts, n);

		todo = pending = 0;
		for (i = 0; i < n; i++) {
			if (ts[i].ready || ts[i].failed)
				continue;
			todo++;
			if (!ts[i].running)
				pending++;
		}
		if (todo == 0)
			break;
		left = ctx->deadline_ms - util_now_ms();
		if (left <= 0) {
			for (i = 0; i < n; i++) {
				if (!ts[i].ready && !ts[i].failed)
					wait_fail(&ts[i], "not ready after "
					    "the timeout (%s)", ts[i].running ?
					    "/health never answered 200" :
					    "instance not running");
			}
			wait_report(ctx, ts, n);
			break;
		}
		delay = pending > 0 ? pend_delay : health_delay;
		if (delay > left)
			delay = (long)left;
		if (util_sleep_ms(delay) == -1)
			return (-2);
		if (pending > 0) {
			pend_delay = pend_delay * 3 / 2;
			if (pend_delay > DESKCTL_POLL_MAX_MS)
				pend_delay = DESKCTL_POLL_MAX_MS;
		} else {
			health_delay = health_delay * 3 / 2;
			if (health_delay > DESKCTL_HEALTH_MAX_MS)
				health_delay = DESKCTL_HEALTH_MAX_MS;
		}
	}
	for (i = 0; i < n; i++) {
		if (ts[i].failed)
			return (-1);
	}
	return (0);
}
