/*
 * deskd.h: process-wide configuration, limits and defaults, and the few
 * process globals (deskd.c).  main.c fills deskd_cfg once at start; the
 * event base is not here: each module is given it at its *_init.
 */
#ifndef DESKD_H
#define DESKD_H

#include <time.h>

#ifndef DESKD_VERSION
#define DESKD_VERSION "0.0.0"
#endif

#define DESKD_DEFAULT_LISTEN	"0.0.0.0:5000"
#define DESKD_DEFAULT_TOKEN	"/etc/deskd/token"
#define DESKD_XVFB_W		1920
#define DESKD_XVFB_H		1080
#define DESKD_XVFB_DEPTH	24
#define DESKD_XVFB_WAIT_MS	10000
#define DESKD_X_RETRY_MS	1000	/* reconnect period while X is down */
/*
 * A hung X server (SIGSTOP, a wedged driver) must not wedge deskd: the
 * loop pings it every DESKD_X_PING_MS without waiting (display.c) and
 * gives it DESKD_X_PING_DEADLINE_MS to answer, and a watchdog thread
 * unblocks the loop when an X call has waited longer than
 * DESKD_X_DEADLINE_MS and the server does not answer a connection setup
 * within DESKD_X_PROBE_MS either.  Either way the display counts as lost
 * ("not answering") and is reconnected, off the loop, once it answers.
 */
#define DESKD_X_PING_MS		500
#define DESKD_X_PING_DEADLINE_MS 5000	/* a busy server may be slow */
#define DESKD_X_DEADLINE_MS	2000
#define DESKD_X_PROBE_MS	1000	/* the watchdog's own setup probe */
#define DESKD_DEFAULT_CDP_LISTEN	"0.0.0.0:9222"
#define DESKD_DEFAULT_CDP_UPSTREAM	"127.0.0.1:1337"
#define DESKD_MAX_HOST_NAMES	16	/* --host-name, repeatable */
/*
 * POST /v1/computer's body: 100 actions (PROTO_MAX_ACTIONS) with room for
 * one 1 MiB text (PROTO_MAX_TEXT) even \u-escaped (up to 3 bytes of JSON
 * a byte), not the 16 MiB other bodies get.
 */
#define DESKD_COMPUTER_MAX_BODY	(4 * 1024 * 1024)

struct deskd_config {
	const char	*listen;
	const char	*display;	/* NULL: $DISPLAY or embedded Xvfb */
	int		 xvfb;
	int		 screen_w;
	int		 screen_h;
	const char	*token_file;
	int		 no_auth;
	const char	*workdir;	/* children's cwd; default $HOME */
	/*
	 * deskd's own directory, made at start (mkdtemp, 0700, under
	 * $TMPDIR) and removed at exit: files deskd names itself (the
	 * recording, the upload spool) never have fixed names in a directory
	 * others can write, where a planted symlink or directory would
	 * redirect or break them.
	 */
	const char	*rundir;
	const char	*cdp_listen;	/* "0.0.0.0:9222" or "off" */
	const char	*cdp_upstream;	/* "127.0.0.1:1337" */
	/* --host-name: Host values let in besides IP literals, localhost. */
	const char	*host_names[DESKD_MAX_HOST_NAMES];
	int		 nhost_names;
};

extern struct deskd_config	 deskd_cfg;
extern struct timespec		 deskd_started;	/* monotonic */

/* Milliseconds on the monotonic clock. */
long long	 deskd_now_ms(void);

#endif
