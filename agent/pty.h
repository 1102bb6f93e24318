/*
 * pty.h: terminals, POST /v1/pty and a websocket per terminal.
 *
 * A terminal is a pseudo-terminal pair (posix_openpt) whose slave side is
 * the stdin, stdout, stderr and controlling terminal of a shell (or argv)
 * in a session of its own, with TERM=xterm-256color unless the request's
 * env says otherwise.  Its websocket (GET /v1/pty/ID/ws) carries the
 * output as binary messages, input as binary messages or {"type":
 * "input"} text messages, {"type": "resize", "cols", "rows"} (a
 * TIOCSWINSZ: the kernel sends SIGWINCH to the foreground group) and
 * {"type": "signal"} (to the foreground group); the end comes as a text
 * message {"type": "exit", "exit_code", "signal"} and a close.
 *
 * Closing the websocket ends the terminal as closing a terminal window
 * does: the master is closed (the kernel hangs the session up), SIGHUP
 * goes to every process of the session, and the shell's group gets
 * SIGTERM, then SIGKILL after PROC_KILL_GRACE_MS.  Output that comes
 * before anyone attaches is kept (up to DESKD_PTY_BACKLOG, then the
 * terminal stops being read, as a terminal nobody looks at blocks its
 * writer) and sent first; a terminal nobody attaches within
 * DESKD_PTY_ATTACH_S ends.  At most DESKD_MAX_PTYS run at once.
 */
#ifndef PTY_H
#define PTY_H

struct event_base;
struct http_req;

void	 pty_init(struct event_base *);
void	 pty_shutdown(void);

/* POST|GET /v1/pty, GET|POST|DELETE /v1/pty/ID[/ws|/resize]. */
void	 pty_cb(struct http_req *, void *);
void	 pty_id_cb(struct http_req *, void *);

#endif
