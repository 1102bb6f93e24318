/*
 * exec.h: POST /v1/exec, the native way to run a command.
 *
 * Request: {"argv": [str, ...]} or {"command": "shell string"}, and
 * optionally "cwd" (default the --workdir), "env" (object merged over
 * deskd's environment, null removes a variable), "stdin" (string) and
 * "timeout" (seconds, default 120, max 3600).  Reply: {"exit_code",
 * "signal", "stdout", "stderr", "timed_out", "duration_ms", "truncated"}.
 *
 * With "stream": true the reply starts at once, chunked NDJSON: a "start"
 * event (pid), "stdout"/"stderr" events of at most PROC_READ_CHUNK bytes
 * each as the command writes them, once "truncated" when the streams
 * together pass DESKD_STREAM_MAX_OUTPUT (the rest is read and dropped),
 * and "exit" (exit_code, signal, timed_out, duration_ms, truncated,
 * dropped_bytes).  A reader slower than the command stops the command's
 * pipes (it blocks on write, as under a terminal that stops scrolling)
 * rather than deskd buffering without bound.  GET /v1/exec/ws is the same
 * over a websocket whose first text message is the request and whose
 * later messages feed stdin (binary frames as bytes, or procreq.h's
 * control messages), up to DESKD_STREAM_MAX_STDIN queued.  Either way a
 * client that goes away kills the command's process group.
 */
#ifndef EXEC_H
#define EXEC_H

struct http_req;

#define EXEC_DEFAULT_TIMEOUT_S	120
#define EXEC_MAX_TIMEOUT_S	3600

/* POST /v1/exec and GET /v1/exec/ws (v1.c's table). */
void	 exec_cb(struct http_req *, void *);
void	 exec_ws_cb(struct http_req *, void *);

#endif
