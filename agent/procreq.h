/*
 * procreq.h: the JSON of a request to start a process, one parser for
 * POST /v1/exec (and its websocket), POST /v1/launch and POST /v1/pty, and
 * the control messages a websocket of a process or a terminal carries.
 *
 * A request is {"argv": [str, ...]} or {"command": "shell string"} (run
 * as /bin/sh -c), with "cwd" (relative to --workdir), "env" (an object
 * merged over deskd's environment, null unsets) and the keys the route
 * allows; a key the route does not allow is a 400, as is every type or
 * range error, before anything starts.
 *
 * A control message is a JSON object with "type": "stdin" or "input"
 * ({"data": str}), "stdin_close", "signal" ({"signal": "TERM" or 15}),
 * "resize" ({"cols", "rows"}).
 */
#ifndef PROCREQ_H
#define PROCREQ_H

#include <sys/types.h>
#include <stddef.h>

#include <jansson.h>

/* Which keys a route takes beyond argv, command, cwd and env. */
#define PROCREQ_STDIN		0x01
#define PROCREQ_TIMEOUT		0x02
#define PROCREQ_STREAM		0x04
#define PROCREQ_WINDOW		0x08	/* wait_window, window_timeout */
#define PROCREQ_SIZE		0x10	/* cols, rows */
#define PROCREQ_NO_ARGV		0x20	/* neither argv nor command: ok */

#define PROCREQ_MAX_ENV		4096	/* bytes of a variable name */

struct procreq {
	char		**argv;		/* NULL with PROCREQ_NO_ARGV */
	char		 *cwd;		/* NULL: the workdir */
	char		**env;		/* NULL: deskd's own */
	char		 *stdin_data;
	size_t		  stdin_len;
	long long	  timeout_ms;	/* 0: not given */
	int		  stream;
	int		  wait_window;
	long long	  window_ms;
	int		  cols;		/* 0: not given */
	int		  rows;
};

enum procreq_msg_type {
	PROCREQ_MSG_STDIN,		/* "stdin" or "input" */
	PROCREQ_MSG_STDIN_CLOSE,
	PROCREQ_MSG_SIGNAL,
	PROCREQ_MSG_RESIZE
};

struct procreq_msg {
	enum procreq_msg_type	 type;
	char			*data;	/* STDIN, raw bytes of the string */
	size_t			 len;
	int			 sig;
	int			 cols;
	int			 rows;
};

/*
 * Parse body (an object) for a route taking the keys in flags; workdir
 * resolves a relative cwd.  -1 with cause (a 400's message).
 */
int		 procreq_parse(json_t *body, int flags, const char *workdir,
		    struct procreq *, char **cause);
void		 procreq_clear(struct procreq *);
/* argv as one line for listings: the command, or argv joined by spaces. */
char		*procreq_shown(const struct procreq *);

/* A text message of a process's websocket; -1 with cause. */
int		 procreq_message(const u_char *, size_t, struct procreq_msg *,
		    char **cause);
void		 procreq_msg_clear(struct procreq_msg *);
/* "TERM", "SIGTERM" or "15" to 15; -1 when unknown. */
int		 procreq_signal(const char *);

#endif
