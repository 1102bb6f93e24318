/*
 * wait.c: waiting for guests.  Polls back off (exponentially, capped) and
 * batch all instance ids in one DescribeInstances; /health probes of all
 * guests in a round run in parallel through a curl multi handle.
 */
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "deskctl.h"
#include "ec2.h"
#include "local.h"
#include "log.h"
#include "state.h"
#include "wait.h"
#include "xmalloc.h"

char *
wait_map_addr(const char *map, const char *addr)
{
	char	*copy, *p, *ent, *eq, *out = NULL;

	if (map == NULL || addr == NULL)
		return (NULL);
	copy = p = xstrdup(map);
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

static void __attribute__((format(printf, 2, 3)))
wait_fail(struct wait_target *t, const char *fmt, ...)
{
	va_list	 ap;

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

/* Pick the address and URL of a running EC2 guest. */
static void
wait_choose(struct wait_target *t, struct ec2_instance *in,
    enum wait_addr how, const char *map)
{
	const char	*addr;
	char		*mapped, *url;

	wait_set(t->rec, "private_ip", in->private_ip);
	wait_set(t->rec, "public_ip", in->public_ip);
	if (how == WAIT_ADDR_PRIVATE)
		addr = in->private_ip;
	else if (how == WAIT_ADDR_PUBLIC)
		addr = in->public_ip;
	else
		addr = in->public_ip != NULL ? in->public_ip : in->private_ip;
	if (addr == NULL) {
		wait_fail(t, "no %s address", how == WAIT_ADDR_PUBLIC ?
		    "public" : "private");
		return;
	}
	if ((mapped = wait_map_addr(map, addr)) != NULL) {
		log_debug("%s: address %s mapped to %s (test aid)",
		    state_str(t->rec, "id"), addr, mapped);
		xasprintf(&url, "http://%s", mapped);
		free(mapped);
	} else if (strchr(addr, ':') != NULL)
		xasprintf(&url, "http://[%s]:%d", addr, DESKCTL_AGENT_PORT);
	else
		xasprintf(&url, "http://%s:%d", addr, DESKCTL_AGENT_PORT);
	wait_set(t->rec, "url", url);
	free(url);
}

/* One DescribeInstances for all EC2 guests of one endpoint still pending. */
static int
wait_ec2_round(struct wait_target *ts, size_t n, struct aws *a,
    enum wait_addr how, const char *map, long long start_ms, int *notfound)
{
	struct ec2_instance	*list = NULL;
	char			**ids, *code = NULL, *cause = NULL;
	size_t			 nids = 0, nl = 0, i, j;
	int			 found;

	ids = xcalloc(n, sizeof *ids);
	for (i = 0; i < n; i++) {
		if (ts[i].aws == a && !ts[i].running && !ts[i].failed)
			ids[nids++] = (char *)state_str(ts[i].rec, "id");
	}
	if (nids == 0) {
		free(ids);
		return (0);
	}
	if (ec2_describe(a, ids, nids, NULL, NULL, &list, &nl, &code,
	    &cause) == -1) {
		free(ids);
		if (util_interrupted) {
			free(code);
			free(cause);
			return (-2);
		}
		/* Eventual consistency: new ids are unknown for a while. */
		if (code != NULL &&
		    strcmp(code, "InvalidInstanceID.NotFound") == 0 &&
		    util_now_ms() - start_ms <
		    DESKCTL_NOTFOUND_GRACE_S * 1000LL) {
			log_debug("not visible yet: %s", cause);
			(*notfound)++;
			free(code);
			free(cause);
			return (0);
		}
		for (i = 0; i < n; i++) {
			if (ts[i].aws == a && !ts[i].running && !ts[i].failed)
				wait_fail(&ts[i], "%s", cause);
		}
		free(code);
		free(cause);
		return (-1);
	}
	free(ids);
	for (i = 0; i < n; i++) {
		if (ts[i].aws != a || ts[i].running || ts[i].failed)
			continue;
		found = 0;
		for (j = 0; j < nl; j++) {
			if (strcmp(list[j].id, state_str(ts[i].rec, "id")) != 0)
				continue;
			found = 1;
			wait_set(ts[i].rec, "state", list[j].state);
			if (list[j].state == NULL)
				break;
			if (strcmp(list[j].state, "running") == 0) {
				ts[i].running = 1;
				wait_choose(&ts[i], &list[j], how, map);
			} else if (strcmp(list[j].state, "pending") != 0)
				wait_fail(&ts[i], "instance is %s, not "
				    "starting", list[j].state);
			break;
		}
		if (!found && util_now_ms() - start_ms >=
		    DESKCTL_NOTFOUND_GRACE_S * 1000LL)
			wait_fail(&ts[i], "%s", "instance not found");
	}
	ec2_instances_free(list, nl);
	return (0);
}

static size_t
wait_discard_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	return (size * nmemb);
}

/* Probe /health of every running guest not yet ready, in parallel. */
static int
wait_health_round(struct wait_target *ts, size_t n, long long start_ms)
{
	CURLM		*m;
	CURL		**hs;
	CURLMsg		*msg;
	char		*url;
	const char	*base;
	long		 status;
	size_t		 i;
	int		 running, left;

	m = curl_multi_init();
	hs = xcalloc(n, sizeof *hs);
	for (i = 0; i < n; i++) {
		if (!ts[i].running || ts[i].ready || ts[i].failed)
			continue;
		if ((base = state_str(ts[i].rec, "url")) == NULL)
			continue;
		if (ts[i].aws == NULL && !local_alive(ts[i].rec)) {
			wait_fail(&ts[i], "deskd exited (see %s)",
			    state_str(ts[i].rec, "log"));
			continue;
		}
		hs[i] = curl_easy_init();
		xasprintf(&url, "%s/health", base);
		curl_easy_setopt(hs[i], CURLOPT_URL, url);
		free(url);
		curl_easy_setopt(hs[i], CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(hs[i], CURLOPT_NOPROXY, "*");
		curl_easy_setopt(hs[i], CURLOPT_TIMEOUT_MS,
		    (long)DESKCTL_HEALTH_TIMEOUT_MS);
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
	while ((msg = curl_multi_info_read(m, &left)) != NULL) {
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
			t->seconds = (util_now_ms() - start_ms) / 1000.0;
			wait_set(t->rec, "state", "ready");
		} else
			log_debug("%s: /health: curl %d HTTP %ld",
			    state_str(t->rec, "id"), (int)msg->data.result,
			    status);
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

int
wait_targets(struct wait_target *ts, size_t n, enum wait_addr how,
    const char *map, long long start_ms, long long timeout_s)
{
	long long	 deadline = util_now_ms() + timeout_s * 1000;
	long		 ec2_delay = DESKCTL_POLL_FIRST_MS;
	long		 health_delay = DESKCTL_HEALTH_FIRST_MS, delay;
	size_t		 i, j, todo, pending_ec2;
	int		 notfound, rv;

	for (i = 0; i < n; i++) {
		if (ts[i].aws == NULL)
			ts[i].running = 1;	/* local: to /health */
	}
	for (;;) {
		if (util_interrupted)
			return (-2);
		/* EC2: one call per distinct endpoint. */
		notfound = 0;
		for (i = 0; i < n; i++) {
			if (ts[i].aws == NULL || ts[i].running || ts[i].failed)
				continue;
			for (j = 0; j < i; j++) {
				if (ts[j].aws == ts[i].aws)
					break;
			}
			if (j < i)
				continue;
			rv = wait_ec2_round(ts, n, ts[i].aws, how, map,
			    start_ms, &notfound);
			if (rv == -2)
				return (-2);
		}
		if (wait_health_round(ts, n, start_ms) == -2)
			return (-2);

		todo = pending_ec2 = 0;
		for (i = 0; i < n; i++) {
			if (ts[i].ready || ts[i].failed)
				continue;
			todo++;
			if (!ts[i].running)
				pending_ec2++;
		}
		if (todo == 0)
			break;
		if (util_now_ms() >= deadline) {
			for (i = 0; i < n; i++) {
				if (!ts[i].ready && !ts[i].failed)
					wait_fail(&ts[i], "not ready after "
					    "the timeout (%s)", ts[i].running ?
					    "/health never answered 200" :
					    "instance not running");
			}
			break;
		}
		delay = pending_ec2 > 0 ? ec2_delay : health_delay;
		if (util_sleep_ms(delay) == -1)
			return (-2);
		if (pending_ec2 > 0) {
			ec2_delay = ec2_delay * 3 / 2;
			if (ec2_delay > DESKCTL_POLL_MAX_MS)
				ec2_delay = DESKCTL_POLL_MAX_MS;
		} else {
			health_delay = health_delay * 3 / 2;
			if (health_delay > DESKCTL_HEALTH_MAX_MS)
				health_delay = DESKCTL_HEALTH_MAX_MS;
		}
		(void)notfound;
	}
	for (i = 0; i < n; i++) {
		if (ts[i].failed)
			return (-1);
	}
	return (0);
}
