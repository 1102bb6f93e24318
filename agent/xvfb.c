/*
 * xvfb.c: the embedded X server.  With no DISPLAY (or --xvfb) deskd starts
 * its own Xvfb so a fresh machine runs the whole agent with one command.
 * Xvfb chooses a free display itself and writes its number to -displayfd,
 * which avoids racing other servers for a lock file.  This runs once at
 * start-up, before the loop, so waiting here blocks nobody.
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

#include "deskd.h"
#include "log.h"
#include "xmalloc.h"
#include "xvfb.h"

static pid_t	 xvfb_pid = -1;

int
xvfb_start(struct event_base *base, int w, int h, char **display,
    char **cause)
{
	char		 fdarg[16], screen[64], buf[32];
	struct pollfd	 pfd;
	long long	 deadline;
	size_t		 got = 0;
	ssize_t		 n;
	int		 fds[2], status, devnull;

	if (pipe2(fds, O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return (-1);
	}
	snprintf(screen, sizeof screen, "%dx%dx%d", w, h, DESKD_XVFB_DEPTH);
	switch (xvfb_pid = fork()) {
	case -1:
		xasprintf(cause, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return (-1);
	case 0:
		/* Die with deskd even if it is killed with SIGKILL. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		setpgid(0, 0);
		if (fds[1] != 3) {
			dup2(fds[1], 3);
			close(fds[1]);
		} else
			fcntl(3, F_SETFD, 0);
		if ((devnull = open("/dev/null", O_RDWR)) != -1) {
			dup2(devnull, 0);
			if (log_get_level() < LOG_LEVEL_DEBUG) {
				dup2(devnull, 1);
				dup2(devnull, 2);
			}
		}
		snprintf(fdarg, sizeof fdarg, "%d", 3);
		execlp("Xvfb", "Xvfb", "-displayfd", fdarg, "-screen", "0",
		    screen, "-nolisten", "tcp", "-noreset", "-dpi", "96",
		    (char *)NULL);
		fprintf(stderr, "deskd: cannot run Xvfb: %s\n",
		    strerror(errno));
		_exit(127);
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
