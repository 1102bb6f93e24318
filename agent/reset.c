/*
 * reset.c: POST /v1/reset (reset.h).  One reset at a time: a second
 * while one runs is 409.  The answer says what was done:
 * {"recording_stopped": bool, "command": null | {"exit_code", "signal",
 * "timed_out", "duration_ms"}}; a command that fails is 500 with its
 * stderr's tail, so the pool does not hand the guest on.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "deskd.h"
#include "http.h"
#include "log.h"
#include "proc.h"
#include "record.h"
#include "reset.h"
#include "shlex.h"
#include "strv.h"
#include "xmalloc.h"

static struct {
	char		**argv;
	char		*command;
	struct http_req	*req;		/* the reset running, or NULL */
	struct proc	*proc;
	int		 busy;		/* from the request to the end */
	int		 stopped;	/* a recording was stopped */
} rs;

int
reset_set_command(const char *s, char **cause)
{
	char	**argv, *why = NULL;
	int	   argc;

	if ((argv = shlex_split(s, strlen(s), &argc, &why)) == NULL ||
	    argc == 0) {
		xasprintf(cause, "--reset-command: %s", why != NULL ? why :
		    "empty");
		free(why);
		strv_free(argv);
		return (-1);
	}
	strv_free(rs.argv);
	free(rs.command);
	rs.argv = argv;
	rs.command = xstrdup(s);
	return (0);
}

static void
reset_finish(int status, json_t *command, const char *error)
{
	struct http_req	*req = rs.req;

	rs.req = NULL;
	rs.busy = 0;
	if (req == NULL) {
		json_decref(command);
		return;
	}
	http_req_set_close_cb(req, NULL, NULL);
	if (error != NULL) {
		json_decref(command);
		http_reply_error(req, status, "reset_failed", "%s", error);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:b, s:o}", "recording_stopped",
	    rs.stopped, "command", command != NULL ? command : json_null()));
}

static void
reset_done_cb(struct proc *p, const struct proc_result *r, void *arg)
{
	json_t	*c;
	char	 what[64], *err;

	rs.proc = NULL;
	c = json_pack("{s:i, s:i, s:b, s:I}", "exit_code", r->exited ?
	    r->exit_code : -1, "signal", r->exited ? 0 : r->signal,
	    "timed_out", r->timed_out, "duration_ms",
	    (json_int_t)r->duration_ms);
	if (r->exited && r->exit_code == 0) {
		log_info("reset: \"%s\" done", rs.command);
		reset_finish(200, c, NULL);
		return;
	}
	proc_describe(r, what, sizeof what);
	xasprintf(&err, "--reset-command \"%s\" %s: %.*s", rs.command, what,
	    (int)(r->err_len > 400 ? 400 : r->err_len), r->err != NULL ?
	    r->err : "");
	reset_finish(500, c, err);
	free(err);
}

static void
reset_command(void)
{
	struct proc_opts	 o;
	char			*cause = NULL, *err;
	int			 e;

	if (rs.argv == NULL) {
		reset_finish(200, NULL, NULL);
		return;
	}
	memset(&o, 0, sizeof o);
	o.argv = (const char *const *)rs.argv;
	o.timeout_ms = RESET_COMMAND_TIMEOUT_MS;
	o.max_output = 64 * 1024;
	o.flags = PROC_KEEP_TAIL;
	if ((rs.proc = proc_start(&o, reset_done_cb, NULL, &e,
	    &cause)) == NULL) {
		xasprintf(&err, "--reset-command \"%s\": %s", rs.command,
		    cause);
		reset_finish(500, NULL, err);
		free(err);
		free(cause);
	}
}

static void
reset_record_cb(const struct record_result *r, void *arg)
{
	/* Thrown away: the next holder must not get this one's video. */
	if (r->fd != -1)
		close(r->fd);
	rs.stopped = 1;
	reset_command();
}

static void
reset_close_cb(struct http_req *req, void *arg)
{
	/* The client left: the reset goes on, with nobody to tell. */
	rs.req = NULL;
}

void
reset_cb(struct http_req *req, void *arg)
{
	enum deskd_err	 kind;
	char		*cause = NULL;

	if (rs.busy) {
		http_reply_error(req, 409, "busy", "a reset is running");
		return;
	}
	rs.busy = 1;
	rs.req = req;
	rs.stopped = 0;
	http_req_set_close_cb(req, reset_close_cb, NULL);
	if (record_stop(reset_record_cb, &rs, &kind, &cause) == 0)
		return;
	/* Nothing recording (DESKD_ESTATE) is fine: on to the command. */
	free(cause);
	reset_command();
}

void
reset_shutdown(void)
{
	if (rs.proc != NULL) {
		proc_kill(rs.proc);
		rs.proc = NULL;
	}
	strv_free(rs.argv);
	rs.argv = NULL;
	free(rs.command);
	rs.command = NULL;
}
