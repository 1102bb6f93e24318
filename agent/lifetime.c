/*
 * lifetime.c: idle time and the guest's own end (lifetime.h).
 *
 * Activity is the later of two clocks: the last authenticated request
 * (main.c calls lifetime_touch from the HTTP server's done hook) and the
 * X server's IDLETIME system counter, the milliseconds since the last
 * input event it processed, real or XTest (xorg-server
 * os/WaitFor.c and Xext/sync.c, IdleTimeQueryValue), read through the
 * SYNC extension at most every LIFETIME_X_CACHE_MS.
 *
 * One timer decides: it fires when the guest could first be idle long
 * enough or expired, re-reads both clocks, and either runs the shutdown
 * command or sets itself again.  Nothing waits in the loop; the command
 * is a child of proc.c like any other.  Once it has succeeded deskd
 * stops counting: the machine is going down.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>
#include <X11/Xlib.h>
#include <X11/extensions/sync.h>

#include "deskd.h"
#include "display.h"
#include "health.h"
#include "lifetime.h"
#include "log.h"
#include "proc.h"
#include "shlex.h"
#include "strv.h"
#include "xmalloc.h"

static struct {
	long long	 idle_limit_ms;	/* 0: no --idle-shutdown */
	time_t		 expires;	/* 0: no --expires-at */
	char		**argv;		/* the shutdown command */
	char		*command;	/* as given, for logs */
	long long	 last_ms;	/* last authenticated request */
	struct event	*ev;
	struct proc	*proc;		/* the command, while it runs */
	int		 done;		/* it ran and succeeded */
	long long	 retry_ms;	/* not before (after a failure) */
	XSyncCounter	 x_counter;	/* IDLETIME, 0 when none */
	long long	 x_idle_ms;	/* as last read */
	long long	 x_read_ms;	/* when */
} lt;

/* "30" minutes, or "90s", "15m", "2h", "1h30m"; -1 when bad. */
static int
lifetime_parse_duration(const char *s, long long *ms)
{
	long long	 total = 0, n;
	int		 digits_only = 1;
	const char	*p;

	if (*s == '\0')
		return (-1);
	for (p = s; *p != '\0'; p++) {
		if (!isdigit((u_char)*p))
			digits_only = 0;
	}
	for (p = s; *p != '\0';) {
		if (!isdigit((u_char)*p))
			return (-1);
		for (n = 0; isdigit((u_char)*p); p++) {
			n = n * 10 + (*p - '0');
			if (n > LIFETIME_MAX_IDLE_S)
				return (-1);
		}
		switch (digits_only ? 'm' : *p++) {
		case 's':
			break;
		case 'm':
			n *= 60;
			break;
		case 'h':
			n *= 3600;
			break;
		case 'd':
			n *= 86400;
			break;
		default:
			return (-1);
		}
		total += n;
		if (total > LIFETIME_MAX_IDLE_S)
			return (-1);
	}
	*ms = total * 1000;
	return (0);
}

int
lifetime_set_idle(const char *s, char **cause)
{
	if (lifetime_parse_duration(s, &lt.idle_limit_ms) == -1) {
		xasprintf(cause, "--idle-shutdown: want minutes (30) or a "
		    "duration (90s, 15m, 2h, 1h30m) up to a year, not "
		    "\"%.32s\"", s);
		return (-1);
	}
	return (0);
}

int
lifetime_set_expires(const char *s, char **cause)
{
	struct tm	 tm;
	const char	*p;
	char		*end;
	long long	 v;

	memset(&tm, 0, sizeof tm);
	if (*s != '\0' && strspn(s, "0123456789") == strlen(s)) {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno != 0 || v <= 0 || v > INT_MAX)
			goto bad;
		lt.expires = (time_t)v;
		return (0);
	}
	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		goto bad;
	if (*p == '.') {
		for (p++; isdigit((u_char)*p); p++)
			;
	}
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		goto bad;
	if ((lt.expires = timegm(&tm)) <= 0)
		goto bad;
	return (0);
bad:
	xasprintf(cause, "--expires-at: want RFC 3339 UTC "
	    "(2026-11-24T08:00:00Z) or seconds since the epoch, not \"%.40s\"",
	    s);
	return (-1);
}

int
lifetime_set_command(const char *s, char **cause)
{
	char	**argv, *why = NULL;
	int	   argc;

	if ((argv = shlex_split(s, strlen(s), &argc, &why)) == NULL ||
	    argc == 0) {
		xasprintf(cause, "--shutdown-command: %s", why != NULL ? why :
		    "empty");
		free(why);
		strv_free(argv);
		return (-1);
	}
	strv_free(lt.argv);
	free(lt.command);
	lt.argv = argv;
	lt.command = xstrdup(s);
	return (0);
}

/* The SYNC extension's IDLETIME counter of a new connection. */
static void
lifetime_display_hook(Display *dpy, void *arg)
{
	XSyncSystemCounter	*list;
	int			 ev, err, major, minor, n, i;

	lt.x_counter = 0;
	lt.x_read_ms = 0;
	if (dpy == NULL)
		return;
	if (!XSyncQueryExtension(dpy, &ev, &err) ||
	    !XSyncInitialize(dpy, &major, &minor)) {
		log_info("X server has no SYNC extension: idle time counts "
		    "requests only");
		return;
	}
	if ((list = XSyncListSystemCounters(dpy, &n)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (strcmp(list[i].name, "IDLETIME") == 0)
			lt.x_counter = list[i].counter;
	}
	XSyncFreeSystemCounterList(list);
}

/* Milliseconds since the X server's last input, or -1 when unknown. */
static long long
lifetime_x_idle_ms(long long now)
{
	Display		*dpy;
	XSyncValue	 v;

	if (lt.x_counter == 0 || (dpy = display_get()) == NULL)
		return (-1);
	if (lt.x_read_ms != 0 && now - lt.x_read_ms < LIFETIME_X_CACHE_MS)
		return (lt.x_idle_ms + (now - lt.x_read_ms));
	display_trap_push();
	if (!XSyncQueryCounter(dpy, lt.x_counter, &v)) {
		display_trap_pop();
		return (-1);
	}
	if (display_trap_pop() != 0 || display_check_io() == -1)
		return (-1);
	lt.x_idle_ms = ((long long)XSyncValueHigh32(v) << 32) |
	    (unsigned int)XSyncValueLow32(v);
	lt.x_read_ms = now;
	display_kick();
	return (lt.x_idle_ms);
}

long long
lifetime_idle_ms(void)
{
	long long	 now = deskd_now_ms(), idle, x;

	idle = now - lt.last_ms;
	if ((x = lifetime_x_idle_ms(now)) >= 0 && x < idle)
		idle = x;
	return (idle < 0 ? 0 : idle);
}

void
lifetime_touch(void)
{
	lt.last_ms = deskd_now_ms();
}

static void
lifetime_health_cb(json_t *obj, void *arg)
{
	char	 buf[32];

	json_object_set_new(obj, "idle_s",
	    json_integer(lifetime_idle_ms() / 1000));
	if (lt.idle_limit_ms > 0)
		json_object_set_new(obj, "idle_shutdown_s",
		    json_integer(lt.idle_limit_ms / 1000));
	if (lt.expires > 0) {
		strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ",
		    gmtime(&lt.expires));
		json_object_set_new(obj, "expires_at", json_string(buf));
	}
}

static void	lifetime_arm(long long ms);

static void
lifetime_done_cb(struct proc *p, const struct proc_result *r, void *arg)
{
	char	 what[64];

	lt.proc = NULL;
	proc_describe(r, what, sizeof what);
	if (r->exited && r->exit_code == 0) {
		log_warnx("shutdown command \"%s\" ran (%s)", lt.command,
		    what);
		lt.done = 1;
		return;
	}
	log_warnx("shutdown command \"%s\" failed (%s): %.*s; trying again "
	    "in %d s", lt.command, what, (int)(r->err_len > 200 ? 200 :
	    r->err_len), r->err != NULL ? r->err : "",
	    LIFETIME_RETRY_MS / 1000);
	lt.retry_ms = deskd_now_ms() + LIFETIME_RETRY_MS;
	lifetime_arm(LIFETIME_RETRY_MS);
}

static void
lifetime_fire(const char *why)
{
	struct proc_opts	 o;
	char			*cause = NULL;
	int			 err;

	log_warnx("%s: running the shutdown command \"%s\"", why, lt.command);
	memset(&o, 0, sizeof o);
	o.argv = (const char *const *)lt.argv;
	o.timeout_ms = LIFETIME_COMMAND_TIMEOUT_MS;
	o.max_output = 4096;
	o.flags = PROC_KEEP_TAIL;
	if ((lt.proc = proc_start(&o, lifetime_done_cb, NULL, &err,
	    &cause)) == NULL) {
		log_warnx("shutdown command \"%s\": %s; trying again in %d s",
		    lt.command, cause, LIFETIME_RETRY_MS / 1000);
		free(cause);
		lt.retry_ms = deskd_now_ms() + LIFETIME_RETRY_MS;
		lifetime_arm(LIFETIME_RETRY_MS);
	}
}

static void
lifetime_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	long long	 now = deskd_now_ms(), idle, left;
	long long	 next = LIFETIME_MAX_TICK_MS;
	time_t		 wall = time(NULL);
	char		 why[128];

	if (lt.done || lt.proc != NULL)
		return;
	if (now < lt.retry_ms) {
		lifetime_arm(lt.retry_ms - now);
		return;
	}
	if (lt.expires > 0 && wall >= lt.expires) {
		snprintf(why, sizeof why, "expired (--expires-at %lld)",
		    (long long)lt.expires);
		lifetime_fire(why);
		return;
	}
	if (lt.idle_limit_ms > 0) {
		idle = lifetime_idle_ms();
		if (idle >= lt.idle_limit_ms) {
			snprintf(why, sizeof why, "idle for %lld s "
			    "(--idle-shutdown %lld s)", idle / 1000,
			    lt.idle_limit_ms / 1000);
			lifetime_fire(why);
			return;
		}
		/* The earliest it could reach the limit. */
		if (lt.idle_limit_ms - idle < next)
			next = lt.idle_limit_ms - idle;
	}
	if (lt.expires > 0) {
		left = ((long long)lt.expires - wall) * 1000;
		if (left < next)
			next = left;
	}
	lifetime_arm(next);
}

static void
lifetime_arm(long long ms)
{
	struct timeval	 tv;

	if (ms < 50)
		ms = 50;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(lt.ev, &tv);
}

void
lifetime_init(struct event_base *base)
{
	char	*cause = NULL;

	lt.last_ms = deskd_now_ms();
	display_add_hook(lifetime_display_hook, NULL);
	health_add_extra(lifetime_health_cb, NULL);
	if (lt.idle_limit_ms == 0 && lt.expires == 0)
		return;
	if (lt.argv == NULL && lifetime_set_command(LIFETIME_DEFAULT_COMMAND,
	    &cause) == -1)
		fatalx("%s", cause);
	lt.ev = evtimer_new(base, lifetime_timer_cb, NULL);
	if (lt.idle_limit_ms > 0)
		log_info("idle shutdown after %lld s idle: \"%s\"",
		    lt.idle_limit_ms / 1000, lt.command);
	if (lt.expires > 0)
		log_info("expires at %lld (epoch seconds): \"%s\"",
		    (long long)lt.expires, lt.command);
	lifetime_arm(0);
}

void
lifetime_shutdown(void)
{
	if (lt.proc != NULL) {
		proc_kill(lt.proc);
		lt.proc = NULL;
	}
	if (lt.ev != NULL) {
		event_free(lt.ev);
		lt.ev = NULL;
	}
	strv_free(lt.argv);
	lt.argv = NULL;
	free(lt.command);
	lt.command = NULL;
}
