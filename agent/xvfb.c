/*
 * xvfb.c: the embedded X server.  With no DISPLAY (or --xvfb) deskd starts
 * its own Xvfb so a fresh machine runs the whole agent with one command.
 * Xvfb chooses a free display itself and writes its number to -displayfd,
 * which avoids racing other servers for a lock file.  The first start runs
 * before the loop, so waiting for it blocks nobody; if the server dies
 * later it is started again on the same display without waiting, and the
 * display module reconnects to it.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "deskd.h"
#include "log.h"
#include "xmalloc.h"
#include "xvfb.h"

#define XVFB_CHECK_MS		1000
#define XVFB_MAX_RESTARTS	5	/* within XVFB_RESTART_WINDOW_MS */
#define XVFB_RESTART_WINDOW_MS	60000

static pid_t		 xvfb_pid = -1;
static int		 xvfb_w, xvfb_h;
static char		 xvfb_display[16];
static struct event	*xvfb_ev;
static long long	 xvfb_restarts[XVFB_MAX_RESTARTS];

/* The child's side: exec Xvfb with fd 3 for -displayfd when wanted. */
static void __attribute__((noreturn))
xvfb_exec(const char *display, int displayfd)
{
	char	 screen[64];
	int	 devnull;

	/* Die with deskd even if it is killed with SIGKILL. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	setpgid(0, 0);
	if (displayfd != -1) {
		if (displayfd != 3) {
			dup2(displayfd, 3);
			close(displayfd);
		} else
			fcntl(3, F_SETFD, 0);
	}
	if ((devnull = open("/dev/null", O_RDWR)) != -1) {
		dup2(devnull, 0);
		if (log_get_level() < LOG_LEVEL_DEBUG) {
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
	}
	snprintf(screen, sizeof screen, "%dx%dx%d", xvfb_w, xvfb_h,
	    DESKD_XVFB_DEPTH);
	if (displayfd != -1)
		execlp("Xvfb", "Xvfb", "-displayfd", "3", "-screen", "0",
		    screen, "-nolisten", "tcp", "-noreset", "-dpi", "96",
		    (char *)NULL);
	else
		execlp("Xvfb", "Xvfb", display, "-screen", "0", screen,
		    "-nolisten", "tcp", "-noreset", "-dpi", "96", (char *)NULL);
	fprintf(stderr, "deskd: cannot run Xvfb: %s\n", strerror(errno));
	_exit(127);
}

/*
 * Our Xvfb died (crashed, or killed by someone): start it again on the
 * same display, so the display module's reconnect finds it.  Nothing waits
 * here; a server that keeps dying is given up on.
 */
static void
xvfb_check_cb(evutil_socket_t fd, short events, void *arg)
{
	struct timeval	 tv = { XVFB_CHECK_MS / 1000, 0 };
	long long	 now = deskd_now_ms();
	int		 status, i, recent = 0;
	pid_t		 pid;

	if (xvfb_pid <= 0 || waitpid(xvfb_pid, &status, WNOHANG) !=
	    xvfb_pid) {
		evtimer_add(xvfb_ev, &tv);
		return;
	}
	for (i = 0; i < XVFB_MAX_RESTARTS; i++) {
		if (xvfb_restarts[i] != 0 &&
		    now - xvfb_restarts[i] < XVFB_RESTART_WINDOW_MS)
			recent++;
	}
	if (recent >= XVFB_MAX_RESTARTS) {
		log_warnx("Xvfb on %s exited %d times within %d s; not "
		    "restarting it again", xvfb_display, recent,
		    XVFB_RESTART_WINDOW_MS / 1000);
		xvfb_pid = -1;
		return;
	}
	memmove(xvfb_restarts + 1, xvfb_restarts,
	    (XVFB_MAX_RESTARTS - 1) * sizeof *xvfb_restarts);
	xvfb_restarts[0] = now;
	log_warnx("Xvfb on %s exited (%s %d); restarting it", xvfb_display,
	    WIFSIGNALED(status) ? "signal" : "status",
	    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	if ((pid = fork()) == -1) {
		log_warn("xvfb: fork");
		xvfb_pid = -1;
		return;
	}
	if (pid == 0)
		xvfb_exec(xvfb_display, -1);
	xvfb_pid = pid;
	evtimer_add(xvfb_ev, &tv);
}

int
xvfb_start(struct event_base *base, int w, int h, char **display,
    char **cause)
{
	char		 buf[32];
	struct pollfd	 pfd;
	long long	 deadline;
	size_t		 got = 0;
	ssize_t		 n;
	int		 fds[2], status;

	xvfb_w = w;
	xvfb_h = h;
	if (pipe2(fds, O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return (-1);
	}
	switch (xvfb_pid = fork()) {
	case -1:
		xasprintf(cause, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return (-1);
	case 0:
		xvfb_exec(NULL, fds[1]);
	}
	close(fds[1]);

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
			if (waitpid(xvfb_pid, &status, WNOHANG) == xvfb_pid) {
				xvfb_pid = -1;
				xasprintf(cause, "Xvfb exited (is the xvfb "
				    "package installed?)");
			} else
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
	xvfb_ev = evtimer_new(base, xvfb_check_cb, NULL);
	{
		struct timeval	 tv = { XVFB_CHECK_MS / 1000, 0 };

		evtimer_add(xvfb_ev, &tv);
	}
	log_info("started Xvfb on %s (%dx%d, pid %ld)", *display, w, h,
	    (long)xvfb_pid);
	return (0);
fail:
	close(fds[0]);
	xvfb_stop();
	return (-1);
}

void
xvfb_stop(void)
{
	int	 status, i;

	if (xvfb_ev != NULL) {
		event_free(xvfb_ev);
		xvfb_ev = NULL;
	}
	if (xvfb_pid <= 0)
		return;
	kill(xvfb_pid, SIGTERM);
	/* Shutdown only: the loop has already stopped. */
	for (i = 0; i < 50; i++) {
		if (waitpid(xvfb_pid, &status, WNOHANG) != 0)
			break;
		usleep(100 * 1000);
	}
	if (i == 50) {
		kill(xvfb_pid, SIGKILL);
		waitpid(xvfb_pid, &status, 0);
	}
	xvfb_pid = -1;
}
