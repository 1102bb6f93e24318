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
/* --token-create without --token-file (deskd.service's StateDirectory). */
#define DESKD_CREATED_TOKEN	"/var/lib/deskd/token"
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
 * Bodies of the routes that do not take HTTP_MAX_BODY (16 MiB), each
 * named in its route table entry (v1.c) and nowhere else.
 *
 * POST /v1/computer and /v1/computer/VENDOR: 100 actions or calls
 * (PROTO_MAX_ACTIONS) with room for one 1 MiB text (PROTO_MAX_TEXT) even
 * \u-escaped (up to 3 bytes of JSON a byte).  A vendor's body is the
 * model's own output (its calls, an assistant message or a response), so
 * it fits the same limit.
 */
#define DESKD_COMPUTER_MAX_BODY	(4 * 1024 * 1024)
#define DESKD_MCP_MAX_BODY	(16 * 1024 * 1024) /* one POST /mcp */
#define DESKD_VIEW_TOKEN_MAX_BODY 4096	/* POST /v1/view/token */

/*
 * Processes, terminals, the clipboard and watches (exec.c, launch.c,
 * pty.c, clipboard.c, watch.c): each checked when a request is parsed,
 * and each named in the error a request over it gets.
 */
#define DESKD_STREAM_MAX_OUTPUT	(16 * 1024 * 1024) /* streamed exec, both
							   streams */
#define DESKD_STREAM_MAX_STDIN	(1024 * 1024)	/* queued, not yet read */
#define DESKD_MAX_LAUNCHES	64	/* launch records kept */
#define DESKD_LAUNCH_WINDOW_S	10	/* default wait for a window */
#define DESKD_LAUNCH_MAX_WINDOW_S 120
#define DESKD_LAUNCH_MAX_LOG_READ (16 * 1024 * 1024) /* one log GET */
#define DESKD_MAX_PTYS		16	/* terminals at once */
#define DESKD_PTY_MAX_SIZE	1000	/* columns or rows */
#define DESKD_PTY_BACKLOG	(256 * 1024) /* output kept until attached */
#define DESKD_PTY_ATTACH_S	60	/* a terminal nobody attaches ends */
#define DESKD_CLIP_MAX_BYTES	(16 * 1024 * 1024) /* text or PNG */
#define DESKD_CLIP_TIMEOUT_MS	2000	/* another owner's answer */
#define DESKD_CLIP_MAX_WAITING	16	/* reads queued behind one */
#define DESKD_CLIP_MAX_SENDS	8	/* INCR transfers at once */
#define DESKD_CLIP_PASTE_MS	1000	/* for the paste to be read */
#define DESKD_MAX_WATCHES	16	/* file watches at once */
#define DESKD_WATCH_MAX_DIRS	8192	/* directories in one watch */

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
	 * recording) never have fixed names in a directory
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

/*
 * The kind of a failure, returned beside its cause (as host/ec2.h returns
 * AWS's error code beside the message): a feature says what went wrong,
 * and each surface picks its own status and body for it, so nobody
 * re-derives a status from errno or from the words of a message.
 */
enum deskd_err {
	DESKD_EOK = 0,
	DESKD_EINPUT,		/* the request asks for something invalid */
	DESKD_EDENIED,		/* the system refused it: permissions */
	DESKD_ENOTFOUND,	/* what the request names is not there */
	DESKD_ESTATE,		/* not in the current state (already on...) */
	DESKD_EBUSY,		/* a limit is reached: later may work */
	DESKD_EDISPLAY,		/* the X display cannot be reached */
	DESKD_ESYSTEM		/* deskd or the system failed */
};

extern struct deskd_config	 deskd_cfg;
extern struct timespec		 deskd_started;	/* monotonic */

/* Milliseconds on the monotonic clock. */
long long	 deskd_now_ms(void);
/* The same clock in microseconds, for stage timings. */
double		 deskd_now_us(void);
/* The HTTP status the native surface gives a kind (400, 403, ... 500). */
int		 deskd_err_status(enum deskd_err);

#endif
