/*
 * proc.c: child processes driven by the event loop (see proc.h).
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "deskd.h"
#include "log.h"
#include "proc.h"
#include "strv.h"
#include "utf8.h"
#include "xmalloc.h"

extern char	**environ;

struct proc_buf {
	char		*data;
	size_t		 len;
	size_t		 size;
	size_t		 max;
	int		 truncated;
	int		 tail;		/* PROC_KEEP_TAIL */
};

struct proc {
	pid_t		 pid;
	int		 flags;
	int		 cancelled;
	int		 timed_out;
	int		 killing;	/* SIGTERM sent, SIGKILL armed */
	int		 forgotten;	/* proc_forget: left to run */
	long long	 start_ms;

	int		 in_fd;
	int		 out_fd;
	int		 err_fd;
	struct event	*in_ev;
	struct event	*out_ev;
	struct event	*err_ev;
	struct event	*timeout_ev;
	struct event	*kill_ev;

	char		*in_data;
	size_t		 in_len;
	size_t		 in_off;
	struct evbuffer	*in_queue;	/* PROC_STDIN_PIPE */
	int		 in_closing;	/* close once in_queue is written */
	struct proc_buf	 out;
	struct proc_buf	 err;
	int		 paused;	/* PROC_STREAM: not reading */

	proc_output_cb	 output_cb;
	proc_done_cb	 cb;
	void		*arg;
	TAILQ_ENTRY(proc) entry;
};
TAILQ_HEAD(proc_list, proc);

/* A pipe a finished command's background child still writes to. */
struct proc_drain {
	int			 fd;
	struct event		*ev;
	pid_t			 pid;	/* the command it came from, for logs */
	size_t			 dropped;
	TAILQ_ENTRY(proc_drain)	 entry;
};
TAILQ_HEAD(proc_drains, proc_drain);

static struct event_base	*proc_base;
static char			*proc_cwd;	/* default cwd of children */
static struct event		*proc_sigchld;
static struct proc_list	 proc_all = TAILQ_HEAD_INITIALIZER(proc_all);
static u_int			 proc_n;
static size_t			 proc_held;	/* output bytes, all children */
static struct proc_drains	 proc_drains = TAILQ_HEAD_INITIALIZER(proc_drains);
static u_int			 proc_ndrain;

static void	proc_sigchld_cb(evutil_socket_t, short, void *);
static void	proc_free(struct proc *);
static void	proc_drain_free(struct proc_drain *);

void
proc_init(struct event_base *base, const char *cwd)
{
	if (proc_base != NULL)
		return;
	proc_base = base;
	free(proc_cwd);
	proc_cwd = xstrdup(cwd != NULL ? cwd : "/");
	proc_sigchld = evsignal_new(base, SIGCHLD, proc_sigchld_cb, NULL);
	if (proc_sigchld == NULL || evsignal_add(proc_sigchld, NULL) == -1)
		fatalx("%s: cannot watch SIGCHLD", __func__);
}

void
proc_shutdown(void)
{
	struct proc	*p;

	struct proc_drain	*d;

	while ((p = TAILQ_FIRST(&proc_all)) != NULL) {
		/* Launched apps outlive us; commands we were running do not. */
		if (!(p->flags & (PROC_DETACH | PROC_SURVIVE)) && !p->forgotten)
			kill(-p->pid, SIGKILL);
		proc_free(p);
	}
	while ((d = TAILQ_FIRST(&proc_drains)) != NULL)
		proc_drain_free(d);
	if (proc_sigchld != NULL)
		event_free(proc_sigchld);
	proc_sigchld = NULL;
	proc_base = NULL;
	free(proc_cwd);
	proc_cwd = NULL;
}

u_int
proc_count(void)
{
	return (proc_n);
}

pid_t
proc_pid(struct proc *p)
{
	return (p->pid);
}

static void
proc_close_fd(int *fd, struct event **ev)
{
	if (*ev != NULL) {
		event_free(*ev);
		*ev = NULL;
	}
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

static void
proc_free(struct proc *p)
{
	TAILQ_REMOVE(&proc_all, p, entry);
	proc_n--;
	proc_close_fd(&p->in_fd, &p->in_ev);
	proc_close_fd(&p->out_fd, &p->out_ev);
	proc_close_fd(&p->err_fd, &p->err_ev);
	if (p->timeout_ev != NULL)
		event_free(p->timeout_ev);
	if (p->kill_ev != NULL)
		event_free(p->kill_ev);
	free(p->in_data);
	proc_held -= p->out.len + p->err.len;
	if (p->in_queue != NULL)
		evbuffer_free(p->in_queue);
	free(p->out.data);
	free(p->err.data);
	free(p);
}

/* A tail buffer drops its oldest bytes, keeping the last max. */
static void
proc_buf_trim(struct proc_buf *b)
{
	if (!b->tail || b->len <= b->max)
		return;
	memmove(b->data, b->data + (b->len - b->max), b->max);
	proc_held -= b->len - b->max;
	b->len = b->max;
	b->truncated = 1;
}

/*
 * Read what is there now.  Past the cap the bytes are read and dropped, so
 * a chatty child never blocks on a full pipe: the newest ones, or with
 * PROC_KEEP_TAIL the oldest.  Returns 1 at EOF.
 */
static int
proc_read(int fd, struct proc_buf *b, size_t budget)
{
	char	 scratch[PROC_READ_CHUNK];
	char	*dst;
	size_t	 room, want, limit;
	ssize_t	 n;

	while (budget > 0) {
		limit = b->max;
		if (b->tail) {
			/*
			 * A tail fills a window of at least twice the cap and
			 * is cut back to the cap when full: each byte is moved
			 * about once, not once per read.
			 */
			limit += b->max > PROC_READ_CHUNK ? b->max :
			    PROC_READ_CHUNK;
			if (b->len + PROC_READ_CHUNK > limit)
				proc_buf_trim(b);
		}
		room = limit - b->len;
		/*
		 * What all children hold together is capped too, so a few
		 * chatty ones cannot add up; a tail (bounded, small) is exempt
		 * since it must keep its newest bytes.
		 */
		if (!b->tail && room > 0)
			room = proc_held < PROC_MAX_HELD ?
			    MIN(room, PROC_MAX_HELD - proc_held) : 0;
		if (room > 0) {
			want = room < PROC_READ_CHUNK ? room : PROC_READ_CHUNK;
			if (b->len + want + 1 > b->size) {
				b->size = b->size == 0 ? 4096 : b->size;
				while (b->size < b->len + want + 1)
					b->size *= 2;
				if (b->size > limit + 1)
					b->size = limit + 1;
				b->data = xrealloc(b->data, b->size);
			}
			dst = b->data + b->len;
		} else {
			want = sizeof scratch;
			dst = scratch;
		}
		n = read(fd, dst, want);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return (0);
			log_warn("%s: read", __func__);
			return (1);
		}
		if (n == 0)
			return (1);
		if (dst == scratch)
			b->truncated = 1;
		else {
			b->len += n;
			proc_held += n;
		}
		budget -= (size_t)n < budget ? (size_t)n : budget;
	}
	return (0);
}

/*
 * PROC_STREAM: hand what is there to output_cb, up to budget bytes.
 * Returns 1 at EOF.  The callback may pause the proc: stop then.
 */
static int
proc_stream_read(struct proc *p, int fd, int which, size_t budget)
{
	char	 buf[PROC_READ_CHUNK];
	ssize_t	 n;

	while (budget > 0 && !p->paused) {
		n = read(fd, buf, sizeof buf);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return (0);
			log_warn("%s: read", __func__);
			return (1);
		}
		if (n == 0)
			return (1);
		if (p->output_cb != NULL && !p->cancelled)
			p->output_cb(p, which, buf, n, p->arg);
		budget -= (size_t)n < budget ? (size_t)n : budget;
	}
	return (0);
}

static void
proc_out_cb(evutil_socket_t fd, short events, void *arg)
{
	struct proc	*p = arg;

	if (p->flags & PROC_STREAM) {
		if (proc_stream_read(p, fd, fd == p->out_fd ? 1 : 2,
		    4 * PROC_READ_CHUNK)) {
			if (fd == p->out_fd)
				proc_close_fd(&p->out_fd, &p->out_ev);
			else
				proc_close_fd(&p->err_fd, &p->err_ev);
		}
		return;
	}
	/* A budget per wakeup keeps one chatty child from starving others. */
	if (fd == p->out_fd) {
		if (proc_read(fd, &p->out, 4 * PROC_READ_CHUNK))
			proc_close_fd(&p->out_fd, &p->out_ev);
	} else {
		if (proc_read(fd, &p->err, 4 * PROC_READ_CHUNK))
			proc_close_fd(&p->err_fd, &p->err_ev);
	}
}

static void
proc_in_cb(evutil_socket_t fd, short events, void *arg)
{
	struct proc	*p = arg;
	ssize_t		 n;

	if (p->in_queue != NULL) {
		while (evbuffer_get_length(p->in_queue) > 0) {
			n = evbuffer_write(p->in_queue, fd);
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && errno == EAGAIN)
				return;
			if (n <= 0) {
				/* EPIPE: the child does not want the rest. */
				evbuffer_drain(p->in_queue,
				    evbuffer_get_length(p->in_queue));
				p->in_closing = 1;
				break;
			}
		}
		if (p->in_closing)
			proc_close_fd(&p->in_fd, &p->in_ev);
		else
			event_del(p->in_ev);
		return;
	}
	while (p->in_off < p->in_len) {
		n = write(fd, p->in_data + p->in_off, p->in_len - p->in_off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			/* EPIPE: the child does not want the rest. */
			break;
		}
		p->in_off += n;
	}
	proc_close_fd(&p->in_fd, &p->in_ev);
}

static void
proc_kill_cb(evutil_socket_t fd, short events, void *arg)
{
	struct proc	*p = arg;

	log_debug("%s: pid %ld did not stop, SIGKILL to its group", __func__,
	    (long)p->pid);
	kill(-p->pid, SIGKILL);
}

static void
proc_terminate(struct proc *p)
{
	struct timeval	 tv;

	if (p->killing)
		return;
	p->killing = 1;
	kill(-p->pid, SIGTERM);
	/* A stopped group would never see the SIGTERM. */
	kill(-p->pid, SIGCONT);
	tv.tv_sec = PROC_KILL_GRACE_MS / 1000;
	tv.tv_usec = (PROC_KILL_GRACE_MS % 1000) * 1000;
	p->kill_ev = evtimer_new(proc_base, proc_kill_cb, p);
	evtimer_add(p->kill_ev, &tv);
}

static void
proc_timeout_cb(evutil_socket_t fd, short events, void *arg)
{
	struct proc	*p = arg;

	log_debug("%s: pid %ld timed out", __func__, (long)p->pid);
	p->timed_out = 1;
	proc_terminate(p);
}

void
proc_kill(struct proc *p)
{
	if (p == NULL)
		return;
	p->cancelled = 1;
	p->cb = NULL;
	proc_terminate(p);
}

void
proc_signal(struct proc *p, int sig)
{
	/*
	 * Until it is reaped the child's pid, and so its group id, cannot be
	 * reused: this cannot hit a stranger.
	 */
	if (p == NULL)
		return;
	if (kill(-p->pid, sig) == -1 && errno == ESRCH)
		kill(p->pid, sig);
}

void
proc_pause(struct proc *p, int on)
{
	if (p == NULL || !(p->flags & PROC_STREAM) || p->paused == on)
		return;
	p->paused = on;
	if (p->out_ev != NULL) {
		if (on)
			event_del(p->out_ev);
		else
			event_add(p->out_ev, NULL);
	}
	if (p->err_ev != NULL) {
		if (on)
			event_del(p->err_ev);
		else
			event_add(p->err_ev, NULL);
	}
}

ssize_t
proc_write(struct proc *p, const void *data, size_t len)
{
	if (p == NULL || p->in_queue == NULL || p->in_closing ||
	    p->in_fd == -1)
		return (-1);
	evbuffer_add(p->in_queue, data, len);
	if (len > 0)
		event_add(p->in_ev, NULL);
	return ((ssize_t)evbuffer_get_length(p->in_queue));
}

void
proc_close_stdin(struct proc *p)
{
	if (p == NULL || p->in_queue == NULL || p->in_fd == -1)
		return;
	p->in_closing = 1;
	if (evbuffer_get_length(p->in_queue) == 0)
		proc_close_fd(&p->in_fd, &p->in_ev);
}

int
proc_kill_session(pid_t sid, int sig)
{
	DIR		*d;
	struct dirent	*de;
	char		*end;
	long		 v;
	pid_t		 pid;
	int		 n = 0;

	/*
	 * A session's jobs may each have a group of their own (an
	 * interactive bash puts every job in one), so the group kill that
	 * ends a command does not reach them: ask each process its session.
	 */
	if (sid <= 1 || (d = opendir("/proc")) == NULL)
		return (0);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		errno = 0;
		v = strtol(de->d_name, &end, 10);
		if (*end != '\0' || errno != 0 || v <= 0)
			continue;
		pid = (pid_t)v;
		if (getsid(pid) == sid && kill(pid, sig) == 0)
			n++;
	}
	closedir(d);
	return (n);
}

u_int
proc_ndrains(void)
{
	return (proc_ndrain);
}

static void
proc_drain_free(struct proc_drain *d)
{
	TAILQ_REMOVE(&proc_drains, d, entry);
	proc_ndrain--;
	event_free(d->ev);
	close(d->fd);
	free(d);
}

static void
proc_drain_cb(evutil_socket_t fd, short events, void *arg)
{
	struct proc_drain	*d = arg;
	char			 buf[PROC_READ_CHUNK];
	size_t			 budget = 4 * PROC_READ_CHUNK;
	ssize_t			 n;

	while (budget > 0) {
		n = read(fd, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			log_debug("%s: pid %ld's background output closed, "
			    "%zu bytes dropped", __func__, (long)d->pid,
			    d->dropped);
			proc_drain_free(d);
			return;
		}
		d->dropped += n;
		budget -= (size_t)n < budget ? (size_t)n : budget;
	}
}

/* Keep reading a pipe the command's background children hold. */
static void
proc_drain_add(struct proc *p, int *fd, struct event **ev)
{
	struct proc_drain	*d;
	char			 c;
	ssize_t			 n;

	if (*fd == -1)
		return;
	/* At EOF already (the usual case): nobody else holds it. */
	while ((n = read(*fd, &c, 1)) == -1 && errno == EINTR)
		;
	if (n == 0 || (n == -1 && errno != EAGAIN)) {
		proc_close_fd(fd, ev);
		return;
	}
	if (proc_ndrain >= PROC_MAX_DRAINS) {
		d = TAILQ_FIRST(&proc_drains);
		log_warnx("%s: over %d drained pipes, closing pid %ld's",
		    __func__, PROC_MAX_DRAINS, (long)d->pid);
		proc_drain_free(d);
	}
	if (*ev != NULL) {
		event_free(*ev);
		*ev = NULL;
	}
	d = xcalloc(1, sizeof *d);
	d->fd = *fd;
	d->pid = p->pid;
	d->dropped = n > 0 ? (size_t)n : 0;
	d->ev = event_new(proc_base, d->fd, EV_READ | EV_PERSIST,
	    proc_drain_cb, d);
	event_add(d->ev, NULL);
	TAILQ_INSERT_TAIL(&proc_drains, d, entry);
	proc_ndrain++;
	*fd = -1;
	log_debug("%s: pid %ld exited with its output still open: draining",
	    __func__, (long)p->pid);
}

void
proc_forget(struct proc *p)
{
	if (p == NULL)
		return;
	p->cb = NULL;
	p->forgotten = 1;
	/* Nobody reads its output any more. */
	proc_close_fd(&p->in_fd, &p->in_ev);
	proc_close_fd(&p->out_fd, &p->out_ev);
	proc_close_fd(&p->err_fd, &p->err_ev);
	if (p->timeout_ev != NULL) {
		event_free(p->timeout_ev);
		p->timeout_ev = NULL;
	}
}

void
proc_stop(struct proc *p, int grace_ms)
{
	int	 status, i, n = grace_ms / 100;
	pid_t	 pid;

	if (p == NULL)
		return;
	proc_signal(p, SIGTERM);
	/* The loop has stopped: nothing else is kept waiting. */
	for (i = 0; i < n; i++) {
		if ((pid = waitpid(p->pid, &status, WNOHANG)) != 0)
			break;
		usleep(100 * 1000);
	}
	if (i == n) {
		kill(-p->pid, SIGKILL);
		while (waitpid(p->pid, &status, 0) == -1 && errno == EINTR)
			;
	}
	proc_free(p);
}

const char *
proc_describe(const struct proc_result *r, char *buf, size_t len)
{
	if (r->exited)
		snprintf(buf, len, "exited %d", r->exit_code);
	else
		snprintf(buf, len, "killed by signal %d", r->signal);
	return (buf);
}

/*
 * The child has exited (a zombie still: its pid and group id are ours), or
 * with lost set, someone else reaped it and its status is unknown.
 */
static void
proc_exited(struct proc *p, int lost)
{
	struct proc_result	 r;
	int			 status = 0;
	pid_t			 pid = -1;

	/*
	 * While the leader is an unreaped zombie its pid cannot be reused, so
	 * killing the group now cannot hit a stranger: a timed-out or
	 * cancelled command leaves nothing behind.
	 */
	if ((p->timed_out || p->cancelled) && !lost)
		kill(-p->pid, SIGKILL);
	while (!lost && (pid = waitpid(p->pid, &status, WNOHANG)) == -1 &&
	    errno == EINTR)
		;
	if (pid != p->pid) {
		/* Reported as exit status 255 rather than never answering. */
		log_warnx("%s: pid %ld was reaped elsewhere", __func__,
		    (long)p->pid);
		status = 255 << 8;
	}

	/*
	 * Everything the child wrote is in the pipes by now.  Take what is
	 * there and stop: a background grandchild holding the pipe open must
	 * not hold the reply (Python's subprocess.run would wait for it).
	 */
	if (p->flags & PROC_STREAM) {
		/* Whatever the pipes hold now, paused or not. */
		p->paused = 0;
		if (p->out_fd != -1)
			proc_stream_read(p, p->out_fd, 1, (size_t)-1);
		if (p->err_fd != -1)
			proc_stream_read(p, p->err_fd, 2, (size_t)-1);
	} else {
		if (p->out_fd != -1)
			proc_read(p->out_fd, &p->out,
			    p->out.max + PROC_READ_CHUNK);
		if (p->err_fd != -1)
			proc_read(p->err_fd, &p->err,
			    p->err.max + PROC_READ_CHUNK);
	}

	if (p->cb != NULL && !p->cancelled) {
		memset(&r, 0, sizeof r);
		if (WIFEXITED(status)) {
			r.exited = 1;
			r.exit_code = WEXITSTATUS(status);
		} else if (WIFSIGNALED(status))
			r.signal = WTERMSIG(status);
		if (p->out.data == NULL)
			p->out.data = xstrdup("");
		if (p->err.data == NULL)
			p->err.data = xstrdup("");
		proc_buf_trim(&p->out);
		proc_buf_trim(&p->err);
		p->out.data[p->out.len] = '\0';
		p->err.data[p->err.len] = '\0';
		r.out = p->out.data;
		r.out_len = p->out.len;
		r.out_truncated = p->out.truncated;
		r.err = p->err.data;
		r.err_len = p->err.len;
		r.err_truncated = p->err.truncated;
		r.timed_out = p->timed_out;
		r.duration_ms = deskd_now_ms() - p->start_ms;
		p->cb(p, &r, p->arg);
	}
	/* Background children ("cmd &") keep writing: never a SIGPIPE. */
	proc_drain_add(p, &p->out_fd, &p->out_ev);
	proc_drain_add(p, &p->err_fd, &p->err_ev);
	proc_free(p);
}

static void
proc_sigchld_cb(evutil_socket_t sig, short events, void *arg)
{
	struct proc	*p, *next;
	siginfo_t	 si;

	/* Our own pids only: waitpid(-1) would steal others' children. */
	for (p = TAILQ_FIRST(&proc_all); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, p->pid, &si, WEXITED | WNOHANG | WNOWAIT)
		    == -1) {
			/* Someone's waitpid(-1) took it: do not hang. */
			if (errno == ECHILD)
				proc_exited(p, 1);
			continue;
		}
		if (si.si_pid == p->pid)
			proc_exited(p, 0);
	}
}

/* Pipe fds must not be 0-2, or the dup2 dance in the child clobbers them. */
static int
proc_fd_high(int fd)
{
	int	 nfd;

	if (fd > 2)
		return (fd);
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return (nfd);
}

static int
proc_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) == -1)
		return (-1);
	fds[0] = proc_fd_high(fds[0]);
	fds[1] = proc_fd_high(fds[1]);
	if (fds[0] == -1 || fds[1] == -1) {
		if (fds[0] != -1)
			close(fds[0]);
		if (fds[1] != -1)
			close(fds[1]);
		return (-1);
	}
	return (0);
}

static const char *
proc_env_path(const char *const *env)
{
	const char *const	*e;

	if (env == NULL)
		return (getenv("PATH"));
	for (e = env; *e != NULL; e++) {
		if (strncmp(*e, "PATH=", 5) == 0)
			return (*e + 5);
	}
	return (NULL);
}

/* Where to look for argv[0], computed before fork (no malloc after it). */
static char **
proc_candidates(const char *file, const char *const *env)
{
	const char	*path, *p, *colon;
	char		**c;
	size_t		 n = 0, len;

	if (strchr(file, '/') != NULL) {
		c = xcalloc(2, sizeof *c);
		c[0] = xstrdup(file);
		return (c);
	}
	if ((path = proc_env_path(env)) == NULL)
		path = PROC_DEFAULT_PATH;
	for (p = path; p != NULL; p = colon != NULL ? colon + 1 : NULL) {
		colon = strchr(p, ':');
		n++;
	}
	c = xcalloc(n + 1, sizeof *c);
	n = 0;
	for (p = path; p != NULL; p = colon != NULL ? colon + 1 : NULL) {
		colon = strchr(p, ':');
		len = colon != NULL ? (size_t)(colon - p) : strlen(p);
		if (len == 0)
			c[n++] = xstrdup(file);
		else
			xasprintf(&c[n++], "%.*s/%s", (int)len, p, file);
	}
	return (c);
}

/* Exec failure report from the child: errno and what failed. */
struct proc_failure {
	int	 err;
	int	 stage;		/* 0 exec, 1 chdir, 2 setup */
};

static void __attribute__((noreturn))
proc_child(const struct proc_opts *o, const char *cwd, char **cand,
    int in_fd, int out_fd, int err_fd, int pass_fd, int report_fd)
{
	struct proc_failure	 f;
	struct sigaction	 sa;
	struct rlimit		 rl;
	sigset_t		 none;
	char *const		*envp;
	int			 i, fd, max, low;

	/* Only async-signal-safe calls from here on. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	for (i = 1; i < NSIG; i++)
		sigaction(i, &sa, NULL);
	sigemptyset(&none);

	f.stage = 2;
	if (o->flags & PROC_SETSID) {
		if (setsid() == -1)
			goto fail;
	} else if (setpgid(0, 0) == -1)
		goto fail;
	/* After setsid: the first terminal a leader opens is not enough. */
	if ((o->flags & PROC_PTY) && ioctl(in_fd, TIOCSCTTY, 0) == -1)
		goto fail;
	if ((o->flags & PROC_PDEATHSIG) &&
	    prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		goto fail;
	if (in_fd != -1 && dup2(in_fd, 0) == -1)
		goto fail;
	if (out_fd != -1 && dup2(out_fd, 1) == -1)
		goto fail;
	if (err_fd != -1 && dup2(err_fd, 2) == -1)
		goto fail;
	/* pass_fd is above 3 (proc_start): dup2 clears its close-on-exec. */
	if (pass_fd != -1 && dup2(pass_fd, 3) == -1)
		goto fail;
	/* Nothing of deskd's (listeners, X socket) leaks into the child. */
	low = pass_fd != -1 ? 4 : 3;
	if (close_range(low, ~0U, CLOSE_RANGE_CLOEXEC) == -1) {
		max = 65536;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 65536)
			max = rl.rlim_cur;
		for (fd = low; fd < max; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	f.stage = 1;
	if (chdir(cwd) == -1)
		goto fail;
	sigprocmask(SIG_SETMASK, &none, NULL);

	envp = o->env != NULL ? (char *const *)o->env : environ;
	f.stage = 0;
	f.err = ENOENT;
	/* Python's rule: the first error other than "not there" wins. */
	for (i = 0; cand[i] != NULL; i++) {
		execve(cand[i], (char *const *)o->argv, envp);
		if (errno != ENOENT && errno != ENOTDIR && f.err == ENOENT)
			f.err = errno;
	}
	goto report;
fail:
	f.err = errno;
report:
	/* Nothing to do if this fails: the parent then sees a plain exit. */
	(void)!write(report_fd, &f, sizeof f);
	_exit(127);
}

int
proc_start_busy(int err)
{
	return (err == EAGAIN || err == EMFILE || err == ENFILE ||
	    err == ENOMEM);
}

struct proc *
proc_start(const struct proc_opts *o, proc_done_cb cb, void *arg,
    int *errnop, char **cause)
{
	struct proc		*p = NULL;
	struct proc_failure	 f;
	struct timeval		 tv;
	sigset_t		 all, old;
	char			**cand = NULL;
	const char		*cwd;
	int			 in[2] = { -1, -1 }, out[2] = { -1, -1 };
	int			 err[2] = { -1, -1 }, rep[2] = { -1, -1 };
	int			 child_in = -1, child_out = -1;
	int			 child_err = -1, pass = -1, stdio = -1;
	int			 saved, status;
	ssize_t			 n;
	size_t			 got;
	pid_t			 pid;

	*errnop = 0;
	if (proc_base == NULL)
		fatalx("%s: proc_init was not called", __func__);
	if (o->argv == NULL || o->argv[0] == NULL) {
		*errnop = EINVAL;
		*cause = xstrdup("empty command");
		return (NULL);
	}
	if (proc_n >= PROC_MAX_CHILDREN) {
		*errnop = EAGAIN;
		xasprintf(cause, "too many child processes (%d)",
		    PROC_MAX_CHILDREN);
		return (NULL);
	}
	cwd = o->cwd != NULL ? o->cwd : proc_cwd;

	if (proc_pipe(rep) == -1)
		goto syserr;
	if (o->flags & (PROC_STDIO_FD | PROC_PTY)) {
		/* Above 2, or the child's dup2 onto 0-2 would clobber it. */
		if ((stdio = fcntl(o->stdio_fd, F_DUPFD_CLOEXEC, 3)) == -1)
			goto syserr;
		if (o->flags & PROC_PTY)
			child_in = stdio;
		else {
			in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
			if (in[0] == -1 ||
			    (in[0] = proc_fd_high(in[0])) == -1)
				goto syserr;
			child_in = in[0];
		}
		child_out = child_err = stdio;
	} else if ((o->flags & PROC_DETACH) &&
	    (o->flags & PROC_NULL_STDIN)) {
		in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (in[0] == -1 || (in[0] = proc_fd_high(in[0])) == -1)
			goto syserr;
		child_in = in[0];
	}
	if (!(o->flags & (PROC_DETACH | PROC_STDIO_FD | PROC_PTY))) {
		if (o->stdin_data != NULL || (o->flags & PROC_STDIN_PIPE)) {
			if (proc_pipe(in) == -1)
				goto syserr;
			child_in = in[0];
		} else {
			in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
			if (in[0] == -1 ||
			    (in[0] = proc_fd_high(in[0])) == -1)
				goto syserr;
			child_in = in[0];
		}
		if (proc_pipe(out) == -1)
			goto syserr;
		child_out = out[1];
		if (o->flags & PROC_MERGE_STDERR)
			child_err = out[1];
		else {
			if (proc_pipe(err) == -1)
				goto syserr;
			child_err = err[1];
		}
	}
	/* Above fd 3, so the child's dup2 onto 3 cannot clobber it. */
	if ((o->flags & PROC_PASS_FD) &&
	    (pass = fcntl(o->pass_fd, F_DUPFD_CLOEXEC, 4)) == -1)
		goto syserr;
	cand = proc_candidates(o->argv[0], o->env);

	/*
	 * No signal handler of ours may run in the child between fork and
	 * exec: libevent's would write to the loop's socketpair.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0)
		proc_child(o, cwd, cand, child_in, child_out, child_err, pass,
		    rep[1]);
	saved = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid == -1) {
		errno = saved;
		goto syserr;
	}
	/*
	 * Both sides set the group, so a kill right now cannot miss.  Not
	 * for a new session: a group leader cannot call setsid, and the
	 * exec we wait for below comes after the child's setsid anyway.
	 */
	if (!(o->flags & PROC_SETSID))
		setpgid(pid, pid);
	close(rep[1]);
	rep[1] = -1;
	if (pass != -1) {
		close(pass);
		pass = -1;
	}
	if (stdio != -1) {
		close(stdio);
		stdio = -1;
	}

	/*
	 * Wait for exec (EOF on the close-on-exec pipe) or its error: this
	 * takes as long as fork+exec, never as long as the child runs.
	 */
	got = 0;
	while (got < sizeof f) {
		n = read(rep[0], (char *)&f + got, sizeof f - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(rep[0]);
	rep[0] = -1;
	if (got == sizeof f) {
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
		*errnop = f.err;
		if (f.stage == 1)
			xasprintf(cause, "[Errno %d] %s: '%s'", f.err,
			    strerror(f.err), cwd);
		else if (f.stage == 0)
			xasprintf(cause, "[Errno %d] %s: '%s'", f.err,
			    strerror(f.err), o->argv[0]);
		else
			xasprintf(cause, "[Errno %d] %s", f.err,
			    strerror(f.err));
		goto fail;
	}
	strv_free(cand);
	cand = NULL;

	p = xcalloc(1, sizeof *p);
	p->pid = pid;
	p->flags = o->flags;
	p->start_ms = deskd_now_ms();
	p->cb = (o->flags & PROC_DETACH) ? NULL : cb;
	p->output_cb = (o->flags & PROC_STREAM) ? o->output_cb : NULL;
	p->arg = arg;
	p->in_fd = p->out_fd = p->err_fd = -1;
	p->out.max = p->err.max =
	    o->max_output != 0 ? o->max_output : PROC_MAX_OUTPUT;
	p->out.tail = p->err.tail = (o->flags & PROC_KEEP_TAIL) != 0;
	TAILQ_INSERT_TAIL(&proc_all, p, entry);
	proc_n++;

	if (!(o->flags & (PROC_DETACH | PROC_STDIO_FD | PROC_PTY))) {
		/* The parent keeps only its own ends. */
		if (o->flags & PROC_STDIN_PIPE) {
			close(in[0]);
			p->in_fd = in[1];
			fcntl(p->in_fd, F_SETFL, O_NONBLOCK);
			p->in_queue = evbuffer_new();
			if (o->stdin_data != NULL)
				evbuffer_add(p->in_queue, o->stdin_data,
				    o->stdin_len);
			p->in_ev = event_new(proc_base, p->in_fd,
			    EV_WRITE | EV_PERSIST, proc_in_cb, p);
			if (evbuffer_get_length(p->in_queue) > 0)
				event_add(p->in_ev, NULL);
		} else if (o->stdin_data != NULL) {
			close(in[0]);
			p->in_fd = in[1];
			fcntl(p->in_fd, F_SETFL, O_NONBLOCK);
			p->in_data = xmalloc(o->stdin_len + 1);
			memcpy(p->in_data, o->stdin_data, o->stdin_len);
			p->in_len = o->stdin_len;
			p->in_ev = event_new(proc_base, p->in_fd,
			    EV_WRITE | EV_PERSIST, proc_in_cb, p);
			event_add(p->in_ev, NULL);
		} else
			close(in[0]);
		close(out[1]);
		p->out_fd = out[0];
		fcntl(p->out_fd, F_SETFL, O_NONBLOCK);
		p->out_ev = event_new(proc_base, p->out_fd,
		    EV_READ | EV_PERSIST, proc_out_cb, p);
		event_add(p->out_ev, NULL);
		if (err[1] != -1) {
			close(err[1]);
			p->err_fd = err[0];
			fcntl(p->err_fd, F_SETFL, O_NONBLOCK);
			p->err_ev = event_new(proc_base, p->err_fd,
			    EV_READ | EV_PERSIST, proc_out_cb, p);
			event_add(p->err_ev, NULL);
		}
	} else if (in[0] != -1)
		close(in[0]);
	if (o->timeout_ms > 0) {
		tv.tv_sec = o->timeout_ms / 1000;
		tv.tv_usec = (o->timeout_ms % 1000) * 1000;
		p->timeout_ev = evtimer_new(proc_base, proc_timeout_cb, p);
		evtimer_add(p->timeout_ev, &tv);
	}
	log_debug("%s: pid %ld %s", __func__, (long)pid, o->argv[0]);
	return (p);

syserr:
	*errnop = errno;
	xasprintf(cause, "[Errno %d] %s", errno, strerror(errno));
fail:
	strv_free(cand);
	if (pass != -1)
		close(pass);
	if (stdio != -1)
		close(stdio);
	if (rep[0] != -1)
		close(rep[0]);
	if (rep[1] != -1)
		close(rep[1]);
	if (in[0] != -1)
		close(in[0]);
	if (in[1] != -1)
		close(in[1]);
	if (out[0] != -1)
		close(out[0]);
	if (out[1] != -1)
		close(out[1]);
	if (err[0] != -1)
		close(err[0]);
	if (err[1] != -1)
		close(err[1]);
	return (NULL);
}

char *
proc_text(const char *src, size_t len, int flags, size_t *outlen)
{
	const u_char	*s = (const u_char *)src;
	char		*out;
	size_t		 i = 0, n, o = 0;
	uint32_t	 cp;

	/* Worst case: every byte becomes a 3-byte U+FFFD. */
	out = xreallocarray(NULL, len + 1, 3);
	while (i < len) {
		if (s[i] < 0x80) {
			if ((flags & PROC_TEXT_NEWLINES) && s[i] == '\r') {
				out[o++] = '\n';
				i++;
				if (i < len && s[i] == '\n')
					i++;
				continue;
			}
			out[o++] = s[i++];
			continue;
		}
		n = proto_utf8_next(src + i, len - i, &cp);
		if (cp != PROTO_UTF8_BAD) {
			memcpy(out + o, s + i, n);
			o += n;
		} else {
			/* One U+FFFD for the maximal ill-formed subpart. */
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
		}
		i += n;
	}
	out[o] = '\0';
	*outlen = o;
	return (out);
}

/*
 * Escape valid UTF-8 into b, at most max bytes of it, never splitting a
 * character.  Returns the bytes written; *cut is set if text was left.
 */
static size_t
proc_json_escape(struct evbuffer *b, const char *s, size_t len, size_t max,
    int *cut)
{
	static const char	 hex[] = "0123456789abcdef";
	const u_char		*p = (const u_char *)s;
	size_t			 i = 0, run = 0, out = 0, n;
	char			 esc[6];

	while (i < len) {
		if (p[i] >= 0x20 && p[i] != '"' && p[i] != '\\') {
			n = p[i] < 0x80 ? 1 : p[i] >= 0xf0 ? 4 :
			    p[i] >= 0xe0 ? 3 : 2;
			if (out + n > max)
				break;
			out += n;
			i += n;
			continue;
		}
		esc[0] = '\\';
		switch (p[i]) {
		case '"':
		case '\\':
			esc[1] = p[i];
			n = 2;
			break;
		case '\n':
			esc[1] = 'n';
			n = 2;
			break;
		case '\r':
			esc[1] = 'r';
			n = 2;
			break;
		case '\t':
			esc[1] = 't';
			n = 2;
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[p[i] >> 4];
			esc[5] = hex[p[i] & 0xf];
			n = 6;
			break;
		}
		if (out + n > max)
			break;
		if (i > run)
			evbuffer_add(b, p + run, i - run);
		evbuffer_add(b, esc, n);
		out += n;
		run = ++i;
	}
	if (i > run)
		evbuffer_add(b, p + run, i - run);
	if (i < len)
		*cut = 1;
	return (out);
}

int
proc_json_string(struct evbuffer *b, const char *s, size_t len)
{
	int	 cut = 0;

	evbuffer_expand(b, MIN(len, PROC_MAX_JSON_STRING) + 2);
	evbuffer_add(b, "\"", 1);
	proc_json_escape(b, s, len, PROC_MAX_JSON_STRING, &cut);
	evbuffer_add(b, "\"", 1);
	return (cut);
}

/*
 * Where raw bytes may be cut without changing how they decode: before a
 * byte that is not a continuation byte (a sequence never spans one), and
 * not between \r and \n (universal newlines).  At most want bytes.
 */
static size_t
proc_text_cut(const u_char *s, size_t len, size_t want)
{
	size_t	 i;

	if (len <= want)
		return (len);
	for (i = want; i > want - 4; i--) {
		if ((s[i] & 0xc0) != 0x80)
			break;
	}
	if ((s[i] & 0xc0) == 0x80)
		i = want;	/* 4 continuations: the last is a stray one */
	if (i > 1 && s[i - 1] == '\r')
		i--;
	return (i);
}

int
proc_json_text(struct evbuffer *b, const char *raw, size_t len, int flags)
{
	const u_char	*s = (const u_char *)raw;
	size_t		 off = 0, n, tlen, left = PROC_MAX_JSON_STRING;
	char		*t;
	int		 cut = 0;

	/*
	 * Piece by piece: decoding can triple the bytes (U+FFFD for each bad
	 * one) and escaping multiply them by six (\u0000), so the whole
	 * text is never held at once and the string stops at the cap.
	 */
	evbuffer_add(b, "\"", 1);
	while (off < len && !cut) {
		n = proc_text_cut(s + off, len - off, PROC_READ_CHUNK);
		t = proc_text(raw + off, n, flags, &tlen);
		left -= proc_json_escape(b, t, tlen, left, &cut);
		free(t);
		off += n;
	}
	if (off < len)
		cut = 1;
	evbuffer_add(b, "\"", 1);
	return (cut);
}
