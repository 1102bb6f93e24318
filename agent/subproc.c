/*
 * subproc.c: helper children watched with pidfds and pipe events.
 *
 * A pidfd (Linux 5.3) becomes readable when its process exits, so the
 * child is waited for with waitpid(pid) on exactly that pid: /execute's
 * children and ours never steal each other's exit status.  Without pidfds
 * a 50 ms timer polls waitpid(pid, WNOHANG) instead.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "subproc.h"
#include "xmalloc.h"

#define SUBPROC_POLL_MS	50

struct subproc_stream {
	int			 fd;
	struct event		*ev;
	char			*buf;
	size_t			 len;
	size_t			 cap;
};

struct subproc {
	pid_t			 pid;
	int			 pidfd;
	struct event		*exit_ev;
	int			 running;
	int			 status;
	int			 orphan;	/* freed by its owner */
	char			 desc[64];
	struct subproc_stream	 out;
	struct subproc_stream	 err;
	subproc_cb		 cb;
	void			*arg;
	TAILQ_ENTRY(subproc)	 entry;
};

static TAILQ_HEAD(, subproc) subproc_all = TAILQ_HEAD_INITIALIZER(subproc_all);

static void	subproc_stream_close(struct subproc_stream *);

static void
subproc_stream_add(struct subproc_stream *s, const char *p, size_t n)
{
	/* Keep the last cap bytes: the end of stderr says why it failed. */
	if (n >= s->cap) {
		memcpy(s->buf, p + n - s->cap, s->cap);
		s->len = s->cap;
	} else {
		if (s->len + n > s->cap) {
			memmove(s->buf, s->buf + (s->len + n - s->cap),
			    s->cap - n);
			s->len = s->cap - n;
		}
		memcpy(s->buf + s->len, p, n);
		s->len += n;
	}
	s->buf[s->len] = '\0';
}

/* Read what is there; 1 at EOF or error, 0 when more may come. */
static int
subproc_stream_read(struct subproc_stream *s)
{
	char	 tmp[16384];
	ssize_t	 n;

	for (;;) {
		n = read(s->fd, tmp, sizeof tmp);
		if (n > 0) {
			subproc_stream_add(s, tmp, n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return (0);
		return (1);
	}
}

static void
subproc_stream_cb(evutil_socket_t fd, short events, void *arg)
{
	struct subproc_stream	*s = arg;

	if (subproc_stream_read(s))
		subproc_stream_close(s);
}

static void
subproc_stream_close(struct subproc_stream *s)
{
	if (s->ev != NULL) {
		event_free(s->ev);
		s->ev = NULL;
	}
	if (s->fd != -1) {
		close(s->fd);
		s->fd = -1;
	}
}

static void
subproc_destroy(struct subproc *sp)
{
	TAILQ_REMOVE(&subproc_all, sp, entry);
	if (sp->exit_ev != NULL)
		event_free(sp->exit_ev);
	if (sp->pidfd != -1)
		close(sp->pidfd);
	subproc_stream_close(&sp->out);
	subproc_stream_close(&sp->err);
	free(sp->out.buf);
	free(sp->err.buf);
	free(sp);
}

/* Returns 1 once the child has been reaped (or is known gone). */
static int
subproc_reap(struct subproc *sp)
{
	pid_t	 r;
	int	 st;

	r = waitpid(sp->pid, &st, WNOHANG);
	if (r == 0)
		return (0);
	if (r == -1 && errno == EINTR)
		return (0);
	sp->running = 0;
	if (r == sp->pid) {
		sp->status = st;
		if (WIFEXITED(st))
			snprintf(sp->desc, sizeof sp->desc, "exited %d",
			    WEXITSTATUS(st));
		else if (WIFSIGNALED(st))
			snprintf(sp->desc, sizeof sp->desc,
			    "killed by signal %d", WTERMSIG(st));
	} else {
		/* Someone reaped it with waitpid(-1): status unknown. */
		sp->status = -1;
		snprintf(sp->desc, sizeof sp->desc, "ended (status unknown)");
	}
	return (1);
}

static void
subproc_exit_cb(evutil_socket_t fd, short events, void *arg)
{
	struct subproc	*sp = arg;

	if (!subproc_reap(sp))
		return;
	event_del(sp->exit_ev);
	/*
	 * Whatever it wrote is in the pipes now; a grandchild holding them
	 * open (xdg-open's app) must not keep us waiting.
	 */
	if (sp->out.fd != -1)
		subproc_stream_read(&sp->out);
	if (sp->err.fd != -1)
		subproc_stream_read(&sp->err);
	subproc_stream_close(&sp->out);
	subproc_stream_close(&sp->err);
	if (sp->orphan) {
		subproc_destroy(sp);
		return;
	}
	if (sp->cb != NULL)
		sp->cb(sp, sp->arg);
}

static int
subproc_stream_open(struct event_base *base, struct subproc_stream *s,
    int *child_fd, size_t cap, char **cause)
{
	int	 p[2];

	s->cap = cap > 0 ? cap : 1;
	s->buf = xcalloc(1, s->cap + 1);
	s->fd = -1;
	if (pipe2(p, O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return (-1);
	}
	s->fd = p[0];
	*child_fd = p[1];
	fcntl(s->fd, F_SETFL, O_NONBLOCK);
	s->ev = event_new(base, s->fd, EV_READ|EV_PERSIST, subproc_stream_cb,
	    s);
	event_add(s->ev, NULL);
	return (0);
}

struct subproc *
subproc_start(struct event_base *base, char *const argv[], const char *cwd,
    int flags, size_t cap, subproc_cb cb, void *arg, char **cause)
{
	struct subproc	*sp;
	struct timeval	 tv;
	sigset_t	 set;
	int		 outfd = -1, errfd = -1, nullfd = -1;
	int		 errp[2] = { -1, -1 };
	int		 e;
	ssize_t		 n;

	sp = xcalloc(1, sizeof *sp);
	sp->pidfd = -1;
	sp->out.fd = sp->err.fd = -1;
	sp->status = -1;
	sp->cb = cb;
	sp->arg = arg;
	TAILQ_INSERT_TAIL(&subproc_all, sp, entry);

	if ((nullfd = open("/dev/null", O_RDWR|O_CLOEXEC)) == -1) {
		xasprintf(cause, "/dev/null: %s", strerror(errno));
		goto fail;
	}
	if ((flags & SUBPROC_OUT) &&
	    subproc_stream_open(base, &sp->out, &outfd, cap, cause) == -1)
		goto fail;
	if ((flags & SUBPROC_ERR) &&
	    subproc_stream_open(base, &sp->err, &errfd, cap, cause) == -1)
		goto fail;
	if (!(flags & SUBPROC_OUT) && sp->out.buf == NULL)
		sp->out.buf = xcalloc(1, 1);
	if (!(flags & SUBPROC_ERR) && sp->err.buf == NULL)
		sp->err.buf = xcalloc(1, 1);
	/* exec failure is reported through a close-on-exec pipe. */
	if (pipe2(errp, O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		goto fail;
	}

	switch (sp->pid = fork()) {
	case -1:
		xasprintf(cause, "fork: %s", strerror(errno));
		goto fail;
	case 0:
		setpgid(0, 0);
		/* deskd ignores SIGPIPE; exec keeps ignored signals. */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		sigemptyset(&set);
		sigprocmask(SIG_SETMASK, &set, NULL);
		dup2(nullfd, 0);
		if (outfd != -1)
			dup2(outfd, 1);
		else if (!(flags & SUBPROC_INHERIT))
			dup2(nullfd, 1);
		if (errfd != -1)
			dup2(errfd, 2);
		else if (!(flags & SUBPROC_INHERIT))
			dup2(nullfd, 2);
		if (cwd != NULL && chdir(cwd) == -1) {
			e = errno;
			(void)write(errp[1], &e, sizeof e);
			_exit(127);
		}
		execvp(argv[0], argv);
		e = errno;
		(void)write(errp[1], &e, sizeof e);
		_exit(127);
	}
	/* The parent side: the child's ends are its own now. */
	close(errp[1]);
	errp[1] = -1;
	if (outfd != -1)
		close(outfd);
	if (errfd != -1)
		close(errfd);
	outfd = errfd = -1;
	sp->running = 1;
	do
		n = read(errp[0], &e, sizeof e);
	while (n == -1 && errno == EINTR);
	close(errp[0]);
	errp[0] = -1;
	close(nullfd);
	nullfd = -1;
	if (n == sizeof e) {
		waitpid(sp->pid, NULL, 0);	/* it has already _exit()ed */
		sp->running = 0;
		if (cwd != NULL && e != ENOENT && e != EACCES)
			xasprintf(cause, "%s: %s", argv[0], strerror(e));
		else
			xasprintf(cause, "[Errno %d] %s: '%s'", e, strerror(e),
			    argv[0]);
		goto fail;
	}
	snprintf(sp->desc, sizeof sp->desc, "running");

	sp->pidfd = syscall(SYS_pidfd_open, sp->pid, 0);
	if (sp->pidfd != -1) {
		sp->exit_ev = event_new(base, sp->pidfd, EV_READ|EV_PERSIST,
		    subproc_exit_cb, sp);
		event_add(sp->exit_ev, NULL);
	} else {
		sp->exit_ev = event_new(base, -1, EV_PERSIST, subproc_exit_cb,
		    sp);
		tv.tv_sec = 0;
		tv.tv_usec = SUBPROC_POLL_MS * 1000;
		event_add(sp->exit_ev, &tv);
	}
	log_debug("%s: %s started as %ld", __func__, argv[0], (long)sp->pid);
	return (sp);

fail:
	if (nullfd != -1)
		close(nullfd);
	if (outfd != -1)
		close(outfd);
	if (errfd != -1)
		close(errfd);
	if (errp[0] != -1)
		close(errp[0]);
	if (errp[1] != -1)
		close(errp[1]);
	subproc_destroy(sp);
	return (NULL);
}

void
subproc_free(struct subproc *sp)
{
	if (sp == NULL)
		return;
	if (sp->running) {
		sp->orphan = 1;
		/* Nobody reads the pipes any more. */
		subproc_stream_close(&sp->out);
		subproc_stream_close(&sp->err);
		return;
	}
	subproc_destroy(sp);
}

pid_t
subproc_pid(struct subproc *sp)
{
	return (sp->pid);
}

int
subproc_running(struct subproc *sp)
{
	return (sp->running);
}

void
subproc_kill(struct subproc *sp, int sig)
{
	if (!sp->running)
		return;
	if (kill(-sp->pid, sig) == -1)
		kill(sp->pid, sig);
}

int
subproc_status(struct subproc *sp)
{
	return (sp->status);
}

const char *
subproc_out(struct subproc *sp)
{
	return (sp->out.buf);
}

const char *
subproc_err(struct subproc *sp)
{
	return (sp->err.buf);
}

const char *
subproc_describe(struct subproc *sp)
{
	return (sp->desc);
}

void
subproc_shutdown(void)
{
	struct subproc	*sp, *sp1;

	/*
	 * Orphans (an app open_file started) outlive deskd, as under the
	 * Python server; children still owned (ffmpeg) are stopped.
	 */
	for (sp = TAILQ_FIRST(&subproc_all); sp != NULL; sp = sp1) {
		sp1 = TAILQ_NEXT(sp, entry);
		if (sp->orphan) {
			subproc_destroy(sp);
			continue;
		}
		if (sp->running) {
			subproc_kill(sp, SIGKILL);
			waitpid(sp->pid, NULL, 0);
			sp->running = 0;
		}
	}
}
