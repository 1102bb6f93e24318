/*
 * xvfb.c: the embedded X server.  With no DISPLAY (or --xvfb) deskd starts
 * its own Xvfb so a fresh machine runs the whole agent with one command.
 * Xvfb chooses a free display itself and writes its number to -displayfd,
 * which avoids racing other servers for a lock file.  The first start runs
 * before the loop, so waiting for it blocks nobody; if the server dies
 * later it is started again on the same display from the loop, and the
 * display module reconnects to it.
 *
 * Xvfb is a child like any other: proc.c forks it (argv and PATH built
 * before the fork, only async-signal-safe calls in the child, even while
 * the encoder's threads run), drains its output and tells us when it
 * exits.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "deskd.h"
#include "log.h"
#include "proc.h"
#include "xmalloc.h"
#include "xvfb.h"

#define XVFB_MAX_RESTARTS	5	/* within XVFB_RESTART_WINDOW_MS */
#define XVFB_RESTART_WINDOW_MS	60000
#define XVFB_RESTART_DELAY_MS	250	/* a crash loop is not a busy loop */
#define XVFB_OUTPUT_CAP		4096	/* the tail of its output, for logs */
#define XVFB_STOP_GRACE_MS	5000

static struct proc	*xvfb_proc;
static int		 xvfb_w, xvfb_h;
static char		 xvfb_display[16];
static struct event	*xvfb_ev;
static long long	 xvfb_restarts[XVFB_MAX_RESTARTS];

static void	xvfb_exit_cb(struct proc *, const struct proc_result *,
		    void *);

/*
 * Start Xvfb: on display, or with displayfd (a pipe's write end) passed
 * as its fd 3 for -displayfd when display is NULL.
 */
static struct proc *
xvfb_spawn(const char *display, int displayfd, char **cause)
{
	struct proc_opts	 o;
	const char		*argv[16];
	char			 screen[64];
	int			 n = 0, err;

	snprintf(screen, sizeof screen, "%dx%dx%d", xvfb_w, xvfb_h,
	    DESKD_XVFB_DEPTH);
	argv[n++] = "Xvfb";
	if (display != NULL)
		argv[n++] = display;
	else {
		argv[n++] = "-displayfd";
		argv[n++] = "3";
	}
	argv[n++] = "-screen";
	argv[n++] = "0";
	argv[n++] = screen;
	argv[n++] = "-nolisten";
	argv[n++] = "tcp";
	argv[n++] = "-noreset";
	argv[n++] = "-dpi";
	argv[n++] = "96";
	argv[n] = NULL;

	memset(&o, 0, sizeof o);
	o.argv = argv;
	o.cwd = "/";
	o.max_output = XVFB_OUTPUT_CAP;
	/* Its last words say why it died; it dies with deskd, even by -9. */
	o.flags = PROC_MERGE_STDERR | PROC_KEEP_TAIL | PROC_PDEATHSIG;
	if (displayfd != -1) {
		o.flags |= PROC_PASS_FD;
		o.pass_fd = displayfd;
	}
	return (proc_start(&o, xvfb_exit_cb, NULL, &err, cause));
}

static void
xvfb_restart_cb(evutil_socket_t fd, short events, void *arg)
{
	char	*cause = NULL;

	if ((xvfb_proc = xvfb_spawn(xvfb_display, -1, &cause)) == NULL) {
		log_warnx("Xvfb on %s cannot be started again: %s",
		    xvfb_display, cause);
		free(cause);
		return;
	}
	log_info("started Xvfb on %s again (pid %ld)", xvfb_display,
	    (long)proc_pid(xvfb_proc));
}

/*
 * Our Xvfb died (crashed, or killed by someone): start it again on the
 * same display, so the display module's reconnect finds it.  A server
 * that keeps dying is given up on.
 */
static void
xvfb_exit_cb(struct proc *p, const struct proc_result *r, void *arg)
{
	struct timeval	 tv = { 0, XVFB_RESTART_DELAY_MS * 1000 };
	long long	 now = deskd_now_ms();
	const char	*last;
	char		 desc[64];
	size_t		 len = r->out_len;
	int		 i, recent = 0;

	/* proc.c frees it when this returns. */
	xvfb_proc = NULL;
	/* The last line of what it said. */
	while (len > 0 && (r->out[len - 1] == '\n' || r->out[len - 1] == '\r'))
		len--;
	for (last = r->out + len; last > r->out && last[-1] != '\n'; last--)
		;
	log_warnx("Xvfb on %s %s%s%.*s", xvfb_display, proc_describe(r, desc,
	    sizeof desc), len > 0 ? ": " : "", (int)(r->out + len - last),
	    last);

	for (i = 0; i < XVFB_MAX_RESTARTS; i++) {
		if (xvfb_restarts[i] != 0 &&
		    now - xvfb_restarts[i] < XVFB_RESTART_WINDOW_MS)
			recent++;
	}
	if (recent >= XVFB_MAX_RESTARTS) {
		log_warnx("Xvfb on %s exited %d times within %d s; not "
		    "restarting it again", xvfb_display, recent,
		    XVFB_RESTART_WINDOW_MS / 1000);
		return;
	}
	memmove(xvfb_restarts + 1, xvfb_restarts,
	    (XVFB_MAX_RESTARTS - 1) * sizeof *xvfb_restarts);
	xvfb_restarts[0] = now;
	log_warnx("restarting Xvfb on %s", xvfb_display);
	evtimer_add(xvfb_ev, &tv);
}

int
xvfb_start(struct event_base *base, int w, int h, char **display,
    char **cause)
{
	char		 buf[32];
	struct pollfd	 pfd;
	siginfo_t	 si;
	long long	 deadline;
	size_t		 got = 0;
	ssize_t		 n;
	int		 fds[2];

	xvfb_w = w;
	xvfb_h = h;
	if (pipe2(fds, O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return (-1);
	}
	xvfb_proc = xvfb_spawn(NULL, fds[1], cause);
	close(fds[1]);
	if (xvfb_proc == NULL) {
		close(fds[0]);
		return (-1);
	}

	/* Before the loop runs: waiting here keeps nobody waiting. */
	deadline = deskd_now_ms() + DESKD_XVFB_WAIT_MS;
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	while (got < sizeof buf - 1) {
		long long left = deadline - deskd_now_ms();

		if (left <= 0) {
			xasprintf(cause, "Xvfb did not start within %d ms",
			    DESKD_XVFB_WAIT_MS);
			goto fail;
		}
		if (poll(&pfd, 1, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			xasprintf(cause, "poll: %s", strerror(errno));
			goto fail;
		}
		n = read(fds[0], buf + got, sizeof buf - 1 - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* Exited (not reaped: WNOWAIT), or closed the pipe. */
			memset(&si, 0, sizeof si);
			if (waitid(P_PID, proc_pid(xvfb_proc), &si,
			    WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0)
				xasprintf(cause, "Xvfb exited at once");
			else
				xasprintf(cause, "Xvfb closed -displayfd");
			goto fail;
		}
		got += n;
		buf[got] = '\0';
		if (strchr(buf, '\n') != NULL)
			break;
	}
	close(fds[0]);
	buf[strcspn(buf, "\n")] = '\0';
	xasprintf(display, ":%s", buf);
	snprintf(xvfb_display, sizeof xvfb_display, "%s", *display);
	xvfb_ev = evtimer_new(base, xvfb_restart_cb, NULL);
	log_info("started Xvfb on %s (%dx%d, pid %ld)", *display, w, h,
	    (long)proc_pid(xvfb_proc));
	return (0);
fail:
	close(fds[0]);
	xvfb_stop();
	return (-1);
}

void
xvfb_stop(void)
{
	if (xvfb_ev != NULL) {
		event_free(xvfb_ev);
		xvfb_ev = NULL;
	}
	/* Shutdown only: the loop has already stopped. */
	proc_stop(xvfb_proc, XVFB_STOP_GRACE_MS);
	xvfb_proc = NULL;
}
