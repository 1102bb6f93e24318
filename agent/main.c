/*
 * main.c: deskd, the computer-use guest agent.  One process, one libevent
 * loop, one X connection; see ../README.md for the API.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "a11y_http.h"
#include "auth.h"
#include "capture.h"
#include "cdp.h"
#include "clipboard.h"
#include "compat.h"
#include "deskd.h"
#include "display.h"
#include "download.h"
#include "files.h"
#include "http.h"
#include "input.h"
#include "launch.h"
#include "lifetime.h"
#include "log.h"
#include "mcp.h"
#include "metrics.h"
#include "osworld.h"
#include "proc.h"
#include "pty.h"
#include "record.h"
#include "reset.h"
#include "seal.h"
#include "sink.h"
#include "v1.h"
#include "view.h"
#include "watch.h"
#include "window.h"
#include "worker.h"
#include "xmalloc.h"
#include "xvfb.h"

/*
 * Every route of the API port, surface by surface; each table is the one
 * place its routes are listed (the DevTools port's is in cdp.c).
 */
static const struct http_route_entry *const main_api[] = {
	v1_routes,	/* v1.c: deskd's own API, /health */
	osworld_routes,	/* osworld.c: OSWorld's control server */
	NULL
};

static struct event_base	*main_base;
static struct auth		*main_auth;
static struct http_server	*main_http;
static struct cdp		*main_cdp;

static void __attribute__((noreturn))
main_usage(int code)
{
	fprintf(code ? stderr : stdout,
"usage: deskd [options]\n"
"  --listen ADDR:PORT   HTTP API address (default %s)\n"
"  --display :N         X display to drive (default $DISPLAY)\n"
"  --xvfb               start a private Xvfb (automatic without DISPLAY)\n"
"  --screen WxH         size of the private Xvfb (default %dx%d)\n"
"  --token-file PATH    bearer token file (default %s if it exists)\n"
"  --token-create       make the token file (random, 0600) if it is missing\n"
"                       (default file with it: %s)\n"
"  --seal-to FILE       publish the token on /health sealed to this public\n"
"                       key (a pool's; base64)\n"
"  --seal-id ID|@FILE   this guest's identity inside the seal (instance id)\n"
"  --idle-shutdown MIN  run the shutdown command after MIN minutes (or 90s,\n"
"                       2h) without an authenticated request or X input\n"
"  --expires-at TIME    run it at TIME (RFC 3339 UTC, or epoch seconds)\n"
"  --shutdown-command C the command for both (default \"%s\")\n"
"  --reset-command C    what POST /v1/reset runs (after stopping the\n"
"                       recording): end the user's programs, restart...\n"
"  --allow CIDR         let this network in without a token (repeatable)\n"
"  --host-name NAME     also accept Host: NAME (repeatable; default only\n"
"                       IP addresses and localhost, against DNS rebinding)\n"
"  --no-auth            let anyone in (logs a warning)\n"
"  --workdir DIR        working directory of children (default $HOME)\n"
"  --cdp-listen A:P|off DevTools proxy address (default %s)\n"
"  --cdp-upstream H:P   Chrome's DevTools port (default %s)\n"
"  --log-level LEVEL    error, warn, info or debug (default info)\n"
"  --version            print the version\n",
	    DESKD_DEFAULT_LISTEN, DESKD_XVFB_W, DESKD_XVFB_H,
	    DESKD_DEFAULT_TOKEN, DESKD_CREATED_TOKEN,
	    LIFETIME_DEFAULT_COMMAND, DESKD_DEFAULT_CDP_LISTEN,
	    DESKD_DEFAULT_CDP_UPSTREAM);
	exit(code);
}

/*
 * Every finished request of the API port: counted for /metrics, and an
 * authenticated one is activity (it postpones --idle-shutdown).
 */
static void
main_request_done(const struct http_done *d, void *arg)
{
	metrics_request(d);
	if (d->authed)
		lifetime_touch();
}

static void
main_signal_cb(evutil_socket_t sig, short events, void *arg)
{
	log_info("signal %d: stopping", (int)sig);
	event_base_loopexit(main_base, NULL);
}

/*
 * Each DevTools session holds two descriptors and each client one; the
 * usual soft limit of 1024 would cap them well below the hard limit.
 */
static void
main_raise_nofile(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit(RLIMIT_NOFILE)");
	}
}

/* Tell a person at a terminal how to see it work. */
static void
main_print_try(void)
{
	const char	*port;
	char		 host[64];

	if ((port = strrchr(deskd_cfg.listen, ':')) == NULL)
		return;
	if (strncmp(deskd_cfg.listen, "0.0.0.0:", 8) == 0 ||
	    deskd_cfg.listen[0] == ':' || deskd_cfg.listen[0] == '[')
		strlcpy(host, "127.0.0.1", sizeof host);
	else
		snprintf(host, sizeof host, "%.*s",
		    (int)(port - deskd_cfg.listen), deskd_cfg.listen);
	if (auth_has_token(main_auth))
		log_info("try: curl -o screen.png -H \"Authorization: Bearer "
		    "$(cat %s)\" http://%s%s/screenshot", deskd_cfg.token_file,
		    host, port);
	else
		log_info("try: curl -o screen.png http://%s%s/screenshot",
		    host, port);
}

/* A DNS name (RFC 1123 letters, digits, '-' and '.'), no port. */
static int
main_host_name_ok(const char *s)
{
	size_t	 len = strlen(s);

	if (len == 0 || len > 253 || *s == '.' || *s == '-')
		return (0);
	for (; *s != '\0'; s++) {
		if (!isalnum((u_char)*s) && *s != '-' && *s != '.')
			return (0);
	}
	return (1);
}

static char			*main_rundir_path;
static pid_t			 main_pid;

static void	 main_rundir_remove(void);

/* deskd's private directory (deskd_cfg.rundir): made at start. */
static char *
main_rundir(void)
{
	const char	*tmp;
	char		*dir;

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	xasprintf(&dir, "%s/deskd.XXXXXX", tmp);
	/* mkdtemp: a new name, mode 0700, never an existing one. */
	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp %s", dir);
	main_rundir_path = dir;
	main_pid = getpid();
	atexit(main_rundir_remove);
	return (dir);
}

/*
 * ... and removed at exit with what is left in it (plain files only),
 * fatal exits included (atexit; children leave with _exit).
 */
static void
main_rundir_remove(void)
{
	struct dirent	*de;
	DIR		*d;
	char		*dir = main_rundir_path;
	int		 fd;

	if (dir == NULL || getpid() != main_pid)
		return;
	main_rundir_path = NULL;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		log_warn("%s", dir);
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			unlinkat(fd, de->d_name, 0);
	}
	closedir(d);
	if (rmdir(dir) == -1)
		log_warn("rmdir %s", dir);
	free(dir);
}

static int
main_parse_screen(const char *s, int *w, int *h)
{
	char	*end;
	long	 a, b;

	errno = 0;
	a = strtol(s, &end, 10);
	if (errno != 0 || *end != 'x' || a < 64 || a > 16384)
		return (-1);
	b = strtol(end + 1, &end, 10);
	if (errno != 0 || *end != '\0' || b < 64 || b > 16384)
		return (-1);
	*w = a;
	*h = b;
	return (0);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen",	required_argument, NULL, 'l' },
		{ "display",	required_argument, NULL, 'd' },
		{ "xvfb",	no_argument,	   NULL, 'X' },
		{ "screen",	required_argument, NULL, 's' },
		{ "token-file",	required_argument, NULL, 't' },
		{ "token-create", no_argument,	   NULL, 'T' },
		{ "seal-to",	required_argument, NULL, 'k' },
		{ "seal-id",	required_argument, NULL, 'i' },
		{ "idle-shutdown", required_argument, NULL, 'I' },
		{ "expires-at",	required_argument, NULL, 'E' },
		{ "shutdown-command", required_argument, NULL, 'S' },
		{ "reset-command", required_argument, NULL, 'R' },
		{ "allow",	required_argument, NULL, 'a' },
		{ "no-auth",	no_argument,	   NULL, 'N' },
		{ "host-name",	required_argument, NULL, 'H' },
		{ "workdir",	required_argument, NULL, 'w' },
		{ "cdp-listen",	required_argument, NULL, 'c' },
		{ "cdp-upstream", required_argument, NULL, 'u' },
		{ "log-level",	required_argument, NULL, 'L' },
		{ "version",	no_argument,	   NULL, 'V' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct event	*sigint, *sigterm;
	char		*cause = NULL, *xdisplay = NULL;
	const char	*env, *seal_to = NULL, *seal_id = NULL;
	int		 ch, level, i, token_create = 0;

	deskd_cfg.listen = DESKD_DEFAULT_LISTEN;
	deskd_cfg.screen_w = DESKD_XVFB_W;
	deskd_cfg.screen_h = DESKD_XVFB_H;
	deskd_cfg.cdp_listen = DESKD_DEFAULT_CDP_LISTEN;
	deskd_cfg.cdp_upstream = DESKD_DEFAULT_CDP_UPSTREAM;
	log_init(LOG_LEVEL_INFO, "deskd");
	clock_gettime(CLOCK_MONOTONIC, &deskd_started);
	main_auth = auth_new();

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			deskd_cfg.listen = optarg;
			break;
		case 'd':
			deskd_cfg.display = optarg;
			break;
		case 'X':
			deskd_cfg.xvfb = 1;
			break;
		case 's':
			if (main_parse_screen(optarg, &deskd_cfg.screen_w,
			    &deskd_cfg.screen_h) == -1)
				fatalx("--screen: expected WxH, got %s",
				    optarg);
			break;
		case 't':
			deskd_cfg.token_file = optarg;
			break;
		case 'T':
			token_create = 1;
			break;
		case 'k':
			seal_to = optarg;
			break;
		case 'i':
			seal_id = optarg;
			break;
		case 'I':
			if (lifetime_set_idle(optarg, &cause) == -1)
				fatalx("%s", cause);
			break;
		case 'E':
			if (lifetime_set_expires(optarg, &cause) == -1)
				fatalx("%s", cause);
			break;
		case 'S':
			if (lifetime_set_command(optarg, &cause) == -1)
				fatalx("%s", cause);
			break;
		case 'R':
			if (reset_set_command(optarg, &cause) == -1)
				fatalx("%s", cause);
			break;
		case 'a':
			if (auth_allow(main_auth, optarg, &cause) == -1)
				fatalx("--allow: %s", cause);
			break;
		case 'N':
			deskd_cfg.no_auth = 1;
			break;
		case 'H':
			if (!main_host_name_ok(optarg))
				fatalx("--host-name: expected a DNS name "
				    "without a port, got %s", optarg);
			if (deskd_cfg.nhost_names == DESKD_MAX_HOST_NAMES)
				fatalx("--host-name: more than %d names",
				    DESKD_MAX_HOST_NAMES);
			deskd_cfg.host_names[deskd_cfg.nhost_names++] = optarg;
			break;
		case 'w':
			deskd_cfg.workdir = optarg;
			break;
		case 'c':
			deskd_cfg.cdp_listen = optarg;
			break;
		case 'u':
			deskd_cfg.cdp_upstream = optarg;
			break;
		case 'L':
			if ((level = log_parse_level(optarg)) == -1)
				fatalx("--log-level: unknown level %s", optarg);
			log_init(level, NULL);
			break;
		case 'V':
			printf("deskd %s\n", DESKD_VERSION);
			return (0);
		case 'h':
			main_usage(0);
		default:
			main_usage(1);
		}
	}
	if (optind != argc)
		main_usage(1);

	/* Children and closed sockets must never kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	main_raise_nofile();

	if (deskd_cfg.token_file == NULL && token_create)
		deskd_cfg.token_file = DESKD_CREATED_TOKEN;
	if (deskd_cfg.token_file == NULL &&
	    access(DESKD_DEFAULT_TOKEN, F_OK) == 0)
		deskd_cfg.token_file = DESKD_DEFAULT_TOKEN;
	/* A pool guest makes its own: none can come in shared user data. */
	if (token_create) {
		switch (auth_create_token_file(deskd_cfg.token_file, &cause)) {
		case -1:
			fatalx("--token-create: %s", cause);
		case 1:
			log_info("made a new token in %s",
			    deskd_cfg.token_file);
			break;
		}
	}
	if (deskd_cfg.token_file != NULL &&
	    auth_set_token_file(main_auth, deskd_cfg.token_file, &cause) == -1)
		fatalx("%s", cause);
	if (seal_to != NULL && seal_init(seal_to, seal_id,
	    deskd_cfg.token_file, &cause) == -1)
		fatalx("%s", cause);
	if (seal_to == NULL && seal_id != NULL)
		fatalx("--seal-id without --seal-to");
	if (deskd_cfg.no_auth) {
		auth_set_open(main_auth, 1);
		log_warnx("--no-auth: ANYONE who can reach %s can drive this "
		    "desktop and run commands", deskd_cfg.listen);
	}
	if (deskd_cfg.workdir == NULL) {
		if ((env = getenv("HOME")) != NULL && *env != '\0')
			deskd_cfg.workdir = env;
		else
			deskd_cfg.workdir = "/";
	}

	if (evthread_use_pthreads() == -1)
		fatalx("evthread_use_pthreads failed");
	if ((main_base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	/* Every child, the embedded Xvfb too, is proc.c's. */
	proc_init(main_base, deskd_cfg.workdir);
	/* Before Xvfb starts: a bad --cdp-* leaves nothing behind. */
	if (strcmp(deskd_cfg.cdp_listen, "off") != 0 &&
	    (main_cdp = cdp_new(main_base, main_auth, deskd_cfg.cdp_listen,
	    deskd_cfg.cdp_upstream, &cause)) == NULL)
		fatalx("%s", cause);

	if (deskd_cfg.display == NULL && !deskd_cfg.xvfb) {
		env = getenv("DISPLAY");
		if (env == NULL || *env == '\0')
			deskd_cfg.xvfb = 1;
		else
			deskd_cfg.display = env;
	}
	if (deskd_cfg.xvfb) {
		if (xvfb_start(main_base, deskd_cfg.screen_w,
		    deskd_cfg.screen_h, &xdisplay, &cause) == -1)
			fatalx("xvfb: %s", cause);
		deskd_cfg.display = xdisplay;
	}
	/*
	 * Children (exec, launch) see the display deskd drives: the private
	 * Xvfb or the one --display named, not whatever $DISPLAY said.
	 */
	setenv("DISPLAY", deskd_cfg.display, 1);
	display_init(main_base, deskd_cfg.display);

	deskd_cfg.rundir = main_rundir();
	sink_init();
	download_init(main_base);
	input_init(main_base);

	capture_init(main_base);
	window_init();
	launch_init(main_base);
	pty_init(main_base);
	watch_init(main_base);
	clipboard_init(main_base);
	record_init(main_base);
	osworld_init(main_base);
	a11y_http_init(main_base);
	view_init(main_base);
	mcp_init(main_base);
	metrics_init();
	lifetime_init(main_base);

	main_http = http_server_new(main_base, "api", main_auth);
	http_server_on_done(main_http, main_request_done, NULL);
	for (i = 0; main_api[i] != NULL; i++)
		http_route_table(main_http, main_api[i], NULL);
	if (http_server_listen(main_http, deskd_cfg.listen, &cause) == -1)
		fatalx("listen %s: %s", deskd_cfg.listen, cause);

	sigint = evsignal_new(main_base, SIGINT, main_signal_cb, NULL);
	sigterm = evsignal_new(main_base, SIGTERM, main_signal_cb, NULL);
	evsignal_add(sigint, NULL);
	evsignal_add(sigterm, NULL);

	log_info("deskd %s listening on %s, display %s, %s", DESKD_VERSION,
	    deskd_cfg.listen, deskd_cfg.display, auth_describe(main_auth));
	main_print_try();
	event_base_dispatch(main_base);

	/* First: the tools' cancel hooks reach input, proc and a11y. */
	mcp_shutdown();
	view_shutdown();
	input_shutdown();
	lifetime_shutdown();
	reset_shutdown();
	http_server_free(main_http);
	a11y_http_shutdown();
	metrics_shutdown();
	seal_shutdown();
	cdp_free(main_cdp);
	launch_shutdown();
	pty_shutdown();
	watch_shutdown();
	clipboard_shutdown();
	worker_shutdown();
	files_shutdown();
	osworld_shutdown();
	download_shutdown();
	record_shutdown();
	capture_shutdown();
	display_shutdown();
	/* Xvfb gets SIGTERM and a grace time; the rest are killed. */
	xvfb_stop();
	proc_shutdown();
	event_free(sigint);
	event_free(sigterm);
	auth_free(main_auth);
	free(xdisplay);
	event_base_free(main_base);
	libevent_global_shutdown();
	log_info("stopped");
	return (0);
}
