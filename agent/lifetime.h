/*
 * lifetime.h: how long this guest has been idle, and when it ends.  Idle
 * is the time since the last authenticated request or the last input the
 * X server saw (its IDLETIME counter), whichever is later; /health says
 * it ("idle_s").  With --idle-shutdown or --expires-at deskd runs the
 * shutdown command itself (default "systemctl poweroff") from a timer, so
 * a guest stops billing even when the host that launched it is gone.
 */
#ifndef LIFETIME_H
#define LIFETIME_H

struct event_base;

#define LIFETIME_DEFAULT_COMMAND	"systemctl poweroff"
#define LIFETIME_COMMAND_TIMEOUT_MS	60000
#define LIFETIME_RETRY_MS		60000	/* after the command failed */
#define LIFETIME_MAX_TICK_MS		60000	/* wall clock re-read */
#define LIFETIME_X_CACHE_MS		500	/* IDLETIME read at most */
#define LIFETIME_MAX_IDLE_S		(366LL * 86400)

/*
 * Options, before lifetime_init.  --idle-shutdown takes minutes ("30")
 * or a duration ("90s", "15m", "2h", "1h30m"); 0 is off.  --expires-at
 * takes RFC 3339 UTC ("2026-11-24T08:00:00Z") or seconds since the
 * epoch.  -1 + cause.
 */
int		 lifetime_set_idle(const char *, char **cause);
int		 lifetime_set_expires(const char *, char **cause);
int		 lifetime_set_command(const char *, char **cause);

/* Arm the timers, add "idle_s" to /health. */
void		 lifetime_init(struct event_base *);
void		 lifetime_shutdown(void);
/* An authenticated request (or other use) happened now. */
void		 lifetime_touch(void);
/* Milliseconds idle (requests and X input). */
long long	 lifetime_idle_ms(void);

#endif
