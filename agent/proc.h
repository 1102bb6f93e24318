/*
 * proc.h: child processes without blocking the loop.
 *
 * Children are forked into their own process group, with stdin fed from a
 * buffer (or /dev/null) and stdout/stderr drained by libevent events into
 * capped buffers.  Exit is noticed by a SIGCHLD evsignal followed by a
 * WNOHANG waitpid on our own pids only, so children started by other
 * modules (the embedded Xvfb) are never stolen.  A timeout sends SIGTERM
 * to the whole group and SIGKILL after PROC_KILL_GRACE_MS.
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

struct proc_opts {
	const char *const *argv;	/* argv[0] looked up in PATH */
	const char	*cwd;		/* NULL: proc_init's default */
	const char *const *env;		/* NULL: deskd's own */
	const char	*stdin_data;	/* NULL: /dev/null */
	size_t		 stdin_len;
	long long	 timeout_ms;	/* 0: none */
	size_t		 max_output;	/* 0: PROC_MAX_OUTPUT */
	int		 flags;
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
/* "exited 1", "killed by signal 9": for logs. */
const char	*proc_describe(const struct proc_result *, char *, size_t);
/* Running children (tests and /health). */
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
