/*
 * subproc.h: small helper children for the files, windows and recording
 * routes (gsettings, xdg-open, ffmpeg).  fork/exec, output read by events
 * into capped buffers, exit seen through a pidfd (no SIGCHLD handler, so
 * it never reaps a child someone else waits on).  Nothing here blocks.
 */
#ifndef SUBPROC_H
#define SUBPROC_H

#include <sys/types.h>
#include <stddef.h>

struct event_base;
struct evbuffer;
struct subproc;

#define SUBPROC_OUT	0x01	/* capture stdout (else /dev/null) */
#define SUBPROC_ERR	0x02	/* capture stderr (else /dev/null) */
#define SUBPROC_INHERIT	0x04	/* stdout and stderr go where deskd's go */

/* Runs once the child has exited and its pipes are drained. */
typedef void (*subproc_cb)(struct subproc *, void *);

/*
 * Start argv[0] (searched in PATH) in its own process group, in cwd (NULL:
 * deskd's), stdin from /dev/null.  Captured output keeps the last cap
 * bytes of each stream.  NULL with cause when the program cannot run.
 */
struct subproc	*subproc_start(struct event_base *, char *const argv[],
		    const char *cwd, int flags, size_t cap, subproc_cb,
		    void *arg, char **cause);
/*
 * Forget the child: no callback will run.  A child still running is left
 * alone (not killed) and reaped when it exits.
 */
void		 subproc_free(struct subproc *);
pid_t		 subproc_pid(struct subproc *);
int		 subproc_running(struct subproc *);
/* Signal the child's process group. */
void		 subproc_kill(struct subproc *, int sig);
/* The waitpid status, or -1 when unknown (reaped elsewhere). */
int		 subproc_status(struct subproc *);
/* Captured output as a NUL-terminated string (belongs to the subproc). */
const char	*subproc_out(struct subproc *);
const char	*subproc_err(struct subproc *);
/* Describe how it ended: "exited 1", "killed by signal 9". */
const char	*subproc_describe(struct subproc *);
/* At exit: SIGKILL children still owned and reap them; forget orphans. */
void		 subproc_shutdown(void);

#endif
