/*
 * proc.h: child processes without blocking the loop.
 *
 * Children are forked into their own process group, with stdin fed from a
 * buffer (or /dev/null) and stdout/stderr drained by libevent events into
 * capped buffers.  Exit is noticed by a SIGCHLD evsignal followed by a
 * WNOHANG waitpid on our own pids only, so a child someone else forked is
 * never stolen.  A timeout sends SIGTERM to the whole group and SIGKILL
 * after PROC_KILL_GRACE_MS.
 *
 * A command's exit is its answer.  What its background children ("xterm
 * &") inherited stays open after it: Python's subprocess.run would wait
 * for EOF on those pipes (cpython:Lib/subprocess.py, run() calls
 * communicate(), whose _communicate polls until both pipes close), so
 * upstream's /execute of "xterm &" answers only at its 120 s timeout, and
 * then the pipes are closed under the child, which dies of SIGPIPE at its
 * next write.  Here the answer comes when the command exits, with what
 * was in its pipes by then, and the pipes are drained and dropped until
 * the last background writer closes them: the child lives as it would
 * after a shell's "&".
 *
 * Every child of deskd is started here, the embedded Xvfb too: one
 * careful fork (argv and PATH candidates built before it, signals blocked
 * across it, only async-signal-safe calls in the child).
 */
#ifndef PROC_H
#define PROC_H

#include <sys/types.h>
#include <stddef.h>

struct event_base;
struct evbuffer;
struct proc;

/* Bytes kept per stream; the rest is read and dropped. */
#define PROC_MAX_OUTPUT		(16 * 1024 * 1024)
/*
 * Bytes all running children's captured output may hold together (tails,
 * which are small and bounded, count but are not stopped): past it, new
 * output is dropped and the stream marked truncated, like past its own
 * cap.  Four streams' worth.
 */
#define PROC_MAX_HELD		(4 * PROC_MAX_OUTPUT)
/*
 * Bytes of one JSON string written by proc_json_*: output as escaped JSON
 * grows up to 6 times (\u0000 for a NUL), so a reply is capped here, cut
 * at a character, rather than at six times the raw cap.
 */
#define PROC_MAX_JSON_STRING	PROC_MAX_OUTPUT
/* Running at once, detached ones included. */
#define PROC_MAX_CHILDREN	256
/*
 * Pipes left open by a finished command's background children, drained
 * at once; past this the oldest is closed (its writer then gets EPIPE).
 */
#define PROC_MAX_DRAINS		256
#define PROC_KILL_GRACE_MS	2000	/* SIGTERM to SIGKILL */
#define PROC_READ_CHUNK		65536
#define PROC_DEFAULT_PATH	"/bin:/usr/bin"	/* os.defpath */

/* proc_opts flags. */
#define PROC_MERGE_STDERR	0x01	/* stderr into the stdout pipe */
#define PROC_DETACH		0x02	/* inherit stdio, no callback */
/* Capped streams keep their last max_output bytes, not their first. */
#define PROC_KEEP_TAIL		0x04
/* With PROC_DETACH: stdin from /dev/null instead of deskd's. */
#define PROC_NULL_STDIN		0x08
/*
 * The child gets SIGTERM when deskd dies, even by SIGKILL (the embedded
 * Xvfb).  Linux ties it to the forking thread: start such children from
 * the loop's thread only.
 */
#define PROC_PDEATHSIG		0x10
/* pass_fd is the child's fd 3 (Xvfb's -displayfd). */
#define PROC_PASS_FD		0x20
/*
 * Its own session (setsid), not only its own group: a launched
 * application or a terminal's shell, which no terminal of ours hangs up.
 */
#define PROC_SETSID		0x40
/*
 * Output is handed to output_cb as it arrives (each call at most
 * PROC_READ_CHUNK bytes) instead of kept; proc_result's out and err are
 * then empty.  proc_pause stops reading (the child blocks on a full pipe).
 */
#define PROC_STREAM		0x80
/* stdin is a pipe fed by proc_write and closed by proc_close_stdin. */
#define PROC_STDIN_PIPE		0x100
/*
 * stdout and stderr onto stdio_fd (a launch's log), stdin /dev/null; no
 * pipes.  The callback still runs at exit.
 */
#define PROC_STDIO_FD		0x200
/*
 * stdio_fd is a terminal's slave side: stdin, stdout, stderr and, after
 * PROC_SETSID, the controlling terminal (TIOCSCTTY).
 */
#define PROC_PTY		0x400
/* Left running by proc_shutdown, as PROC_DETACH is (launches). */
#define PROC_SURVIVE		0x800

/* PROC_STREAM output: fd 1 or 2, bytes as read. */
typedef void (*proc_output_cb)(struct proc *, int fd, const char *, size_t,
    void *);

struct proc_opts {
	const char *const *argv;	/* argv[0] looked up in PATH */
	const char	*cwd;		/* NULL: proc_init's default */
	const char *const *env;		/* NULL: deskd's own */
	const char	*stdin_data;	/* NULL: /dev/null */
	size_t		 stdin_len;
	long long	 timeout_ms;	/* 0: none */
	size_t		 max_output;	/* 0: PROC_MAX_OUTPUT */
	int		 flags;
	int		 pass_fd;	/* with PROC_PASS_FD */
	int		 stdio_fd;	/* with PROC_STDIO_FD or PROC_PTY */
	proc_output_cb	 output_cb;	/* with PROC_STREAM */
};

struct proc_result {
	int		 exited;	/* 1: exit_code, 0: signal */
	int		 exit_code;
	int		 signal;
	const char	*out;		/* raw, NUL-terminated too */
	size_t		 out_len;
	int		 out_truncated;
	const char	*err;
	size_t		 err_len;
	int		 err_truncated;
	int		 timed_out;
	long long	 duration_ms;
};

/*
 * Called once when the child has exited and its pipes are drained; the
 * proc and the result's buffers are freed when the callback returns.
 */
typedef void (*proc_done_cb)(struct proc *, const struct proc_result *,
    void *);

void		 proc_init(struct event_base *, const char *cwd);
/* Kill the groups of running, non-detached children and free everything. */
void		 proc_shutdown(void);
/*
 * Start a child.  Errors from fork or exec (ENOENT, EACCES, a bad cwd) are
 * reported here, like Python's subprocess: NULL with cause
 * "[Errno 2] No such file or directory: 'x'" and *errnop set.  With
 * PROC_DETACH the result is still returned but the callback is never run.
 */
struct proc	*proc_start(const struct proc_opts *, proc_done_cb, void *,
		    int *errnop, char **cause);
/*
 * 1 if proc_start's errno is the server's condition (out of children,
 * descriptors or memory: 503), not the request's (a bad argv or cwd).
 */
int		 proc_start_busy(int err);
pid_t		 proc_pid(struct proc *);
/*
 * Cancel: SIGTERM to the child's group, SIGKILL after the grace time; the
 * callback will not run and the caller must forget the proc.
 */
void		 proc_kill(struct proc *);
/*
 * Send sig to the child's group (the child alone if the group is gone),
 * nothing else: the callback still runs when it exits.
 */
void		 proc_signal(struct proc *, int sig);
/*
 * Forget: the callback will not run and the caller must forget the proc,
 * but the child is not signalled.  It is reaped when it exits and left
 * alone by proc_shutdown, like a detached one; its pipes are closed and
 * any timeout is dropped.  Not after proc_kill.
 */
void		 proc_forget(struct proc *);
/*
 * Shutdown only, once the loop has stopped: SIGTERM to the child's group,
 * up to grace_ms for it to exit, then SIGKILL; the child is reaped here
 * and the callback does not run.
 */
void		 proc_stop(struct proc *, int grace_ms);
/* PROC_STREAM: stop (1) or resume (0) reading the child's output. */
void		 proc_pause(struct proc *, int);
/*
 * PROC_STDIN_PIPE: queue bytes for the child's stdin; returns the bytes
 * still queued (the caller bounds it), or -1 once stdin is closed.
 */
ssize_t		 proc_write(struct proc *, const void *, size_t);
/* Close stdin once what is queued has been written. */
void		 proc_close_stdin(struct proc *);
/*
 * Send sig to every process of session sid (a launch or a terminal, whose
 * jobs may sit in groups of their own); the count signalled.
 */
int		 proc_kill_session(pid_t sid, int sig);
/*
 * Pipes a finished command left open: a background child ("xterm &")
 * still holds them after the command exited.  They are read and dropped
 * until that child closes them, so it never gets SIGPIPE (the unit
 * tests).
 */
u_int		 proc_ndrains(void);
/* "exited 1", "killed by signal 9": for logs. */
const char	*proc_describe(const struct proc_result *, char *, size_t);
/* Running children (the unit tests). */
u_int		 proc_count(void);

/* proc_text flags. */
#define PROC_TEXT_NEWLINES	0x01	/* \r\n and \r become \n */

/*
 * Decode bytes as UTF-8 the way Python's errors="replace" does: each
 * maximal ill-formed subpart becomes one U+FFFD.  Returns a new
 * NUL-terminated string (it may hold NULs itself: use *outlen).
 */
char		*proc_text(const char *, size_t, int flags, size_t *outlen);
/*
 * Append text (valid UTF-8, as proc_text returns) to b as a quoted JSON
 * string of at most PROC_MAX_JSON_STRING bytes between the quotes, cut at
 * a character; 1 if it was cut.  Command output can be megabytes: this is
 * one pass at memcpy speed where jansson's dump takes ~20 ms a megabyte.
 */
int		 proc_json_string(struct evbuffer *, const char *, size_t);
/* proc_text then proc_json_string, piece by piece; 1 if it was cut. */
int		 proc_json_text(struct evbuffer *, const char *, size_t,
		    int flags);

#endif
