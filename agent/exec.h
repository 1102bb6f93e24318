/*
 * exec.h: POST /v1/exec, the native way to run a command.
 *
 * Request: {"argv": [str, ...]} or {"command": "shell string"}, and
 * optionally "cwd" (default the --workdir), "env" (object merged over
 * deskd's environment, null removes a variable), "stdin" (string) and
 * "timeout" (seconds, default 120, max 3600).  Reply: {"exit_code",
 * "signal", "stdout", "stderr", "timed_out", "duration_ms", "truncated"}.
 */
#ifndef EXEC_H
#define EXEC_H

struct http_req;

#define EXEC_DEFAULT_TIMEOUT_S	120
#define EXEC_MAX_TIMEOUT_S	3600

/* POST /v1/exec (v1.c's table). */
void	 exec_cb(struct http_req *, void *);

#endif
