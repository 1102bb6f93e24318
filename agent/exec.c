/*
 * exec.c: POST /v1/exec (see exec.h).  Output is raw (no newline
 * translation) but always valid UTF-8: bad bytes become U+FFFD.
 */
#include <sys/types.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "deskd.h"
#include "exec.h"
#include "http.h"
#include "log.h"
#include "proc.h"
#include "xmalloc.h"

extern char	**environ;

struct exec_req {
	struct http_req	*req;
	struct proc	*proc;
};

static void
exec_close_cb(struct http_req *req, void *arg)
{
	struct exec_req	*x = arg;

	proc_kill(x->proc);
	free(x);
}

static void
exec_done(struct proc *p, const struct proc_result *res, void *arg)
{
	struct exec_req	*x = arg;
	struct evbuffer	*b;
	int		 cut;

	/* By hand: jansson's dump is slow on megabytes of output. */
	b = evbuffer_new();
	if (res->exited)
		evbuffer_add_printf(b, "{\"exit_code\":%d,\"signal\":null",
		    res->exit_code);
	else
		evbuffer_add_printf(b, "{\"exit_code\":null,\"signal\":%d",
		    res->signal);
	evbuffer_add_printf(b, ",\"stdout\":");
	cut = proc_json_text(b, res->out, res->out_len, 0);
	evbuffer_add_printf(b, ",\"stderr\":");
	cut |= proc_json_text(b, res->err, res->err_len, 0);
	evbuffer_add_printf(b, ",\"timed_out\":%s,\"duration_ms\":%lld,"
	    "\"truncated\":%s}\n", res->timed_out ? "true" : "false",
	    res->duration_ms, res->out_truncated || res->err_truncated ||
	    cut ? "true" : "false");
	http_req_set_close_cb(x->req, NULL, NULL);
	http_reply_buffer(x->req, 200, "application/json", b);
	evbuffer_free(b);
	free(x);
}

static void
exec_strv_free(char **v)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* A JSON string without NUL bytes, or NULL. */
static const char *
exec_cstring(json_t *v)
{
	const char	*s;

	if (!json_is_string(v))
		return (NULL);
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return (NULL);
	return (s);
}

/* deskd's environment with the request's object merged over it. */
static char **
exec_env(json_t *env, char **cause)
{
	const char	*key, *val, *eq;
	json_t		*v;
	char		**out;
	size_t		 n = 0, i, klen;

	json_object_foreach(env, key, v) {
		if (*key == '\0' || strchr(key, '=') != NULL ||
		    strlen(key) > 4096) {
			xasprintf(cause, "env: bad variable name \"%s\"", key);
			return (NULL);
		}
		if (!json_is_null(v) && exec_cstring(v) == NULL) {
			xasprintf(cause, "env.%s must be a string (or null to "
			    "unset it)", key);
			return (NULL);
		}
	}
	for (i = 0; environ[i] != NULL; i++)
		;
	out = xcalloc(i + json_object_size(env) + 1, sizeof *out);
	for (i = 0; environ[i] != NULL; i++) {
		if ((eq = strchr(environ[i], '=')) == NULL)
			continue;
		klen = eq - environ[i];
		json_object_foreach(env, key, v) {
			if (strlen(key) == klen &&
			    strncmp(key, environ[i], klen) == 0)
				break;
		}
		if (key == NULL)
			out[n++] = xstrdup(environ[i]);
	}
	json_object_foreach(env, key, v) {
		if ((val = exec_cstring(v)) != NULL)
			xasprintf(&out[n++], "%s=%s", key, val);
	}
	out[n] = NULL;
	return (out);
}

static void
exec_cb(struct http_req *req, void *arg)
{
	static const char *const keys[] = { "argv", "command", "cwd", "env",
	    "stdin", "timeout", NULL };
	struct proc_opts	 o;
	struct exec_req		*x = NULL;
	json_t			*body, *v, *item;
	const char		*key, *s;
	char			**argv = NULL, **envp = NULL, *cause = NULL;
	char			*cwd = NULL;
	double			 t = EXEC_DEFAULT_TIMEOUT_S;
	size_t			 i, n;
	int			 k, err, status = 400;
	const char		*code = "bad_parameter";

	if ((body = http_req_json(req, 0, &cause)) == NULL) {
		http_reply_error(req, 400, "bad_json", "%s",
		    cause != NULL ? cause : "a JSON body is required");
		free(cause);
		return;
	}
	memset(&o, 0, sizeof o);
	if (!json_is_object(body)) {
		cause = xstrdup("the body must be a JSON object");
		code = "bad_json";
		goto fail;
	}
	json_object_foreach(body, key, v) {
		for (k = 0; keys[k] != NULL; k++) {
			if (strcmp(keys[k], key) == 0)
				break;
		}
		if (keys[k] == NULL) {
			xasprintf(&cause, "%s: unknown parameter", key);
			goto fail;
		}
	}

	if ((v = json_object_get(body, "argv")) != NULL) {
		if (json_object_get(body, "command") != NULL) {
			cause = xstrdup("argv: give argv or command, not both");
			goto fail;
		}
		if (!json_is_array(v) || json_array_size(v) == 0) {
			cause = xstrdup("argv must be a non-empty array of "
			    "strings");
			goto fail;
		}
		n = json_array_size(v);
		argv = xcalloc(n + 1, sizeof *argv);
		json_array_foreach(v, i, item) {
			if ((s = exec_cstring(item)) == NULL) {
				xasprintf(&cause, "argv[%zu] must be a string "
				    "without NUL bytes", i);
				goto fail;
			}
			argv[i] = xstrdup(s);
		}
	} else if ((v = json_object_get(body, "command")) != NULL) {
		if ((s = exec_cstring(v)) == NULL) {
			cause = xstrdup("command must be a string without NUL "
			    "bytes");
			goto fail;
		}
		argv = xcalloc(4, sizeof *argv);
		argv[0] = xstrdup("/bin/sh");
		argv[1] = xstrdup("-c");
		argv[2] = xstrdup(s);
	} else {
		cause = xstrdup("argv: argv or command is required");
		goto fail;
	}

	if ((v = json_object_get(body, "cwd")) != NULL && !json_is_null(v)) {
		if ((s = exec_cstring(v)) == NULL || *s == '\0') {
			cause = xstrdup("cwd must be a non-empty string");
			goto fail;
		}
		/* Relative to the workdir, not to wherever deskd started. */
		if (*s == '/')
			cwd = xstrdup(s);
		else
			xasprintf(&cwd, "%s/%s", deskd_cfg.workdir, s);
	}
	if ((v = json_object_get(body, "env")) != NULL && !json_is_null(v)) {
		if (!json_is_object(v)) {
			cause = xstrdup("env must be an object of strings");
			goto fail;
		}
		if ((envp = exec_env(v, &cause)) == NULL)
			goto fail;
	}
	if ((v = json_object_get(body, "stdin")) != NULL && !json_is_null(v)) {
		if (!json_is_string(v)) {
			cause = xstrdup("stdin must be a string");
			goto fail;
		}
		o.stdin_data = json_string_value(v);
		o.stdin_len = json_string_length(v);
	}
	v = json_object_get(body, "timeout");
	if (v != NULL && !json_is_null(v)) {
		t = json_is_number(v) ? json_number_value(v) : -1;
		if (!isfinite(t) || t <= 0 || t > EXEC_MAX_TIMEOUT_S) {
			xasprintf(&cause, "timeout must be a number of seconds "
			    "over 0 and up to %d", EXEC_MAX_TIMEOUT_S);
			goto fail;
		}
	}

	x = xcalloc(1, sizeof *x);
	x->req = req;
	o.argv = (const char *const *)argv;
	o.cwd = cwd;
	o.env = (const char *const *)envp;
	o.timeout_ms = llround(t * 1000);
	if (o.timeout_ms < 1)
		o.timeout_ms = 1;
	x->proc = proc_start(&o, exec_done, x, &err, &cause);
	if (x->proc == NULL) {
		/* Out of children or descriptors: the server's, not the client's. */
		if (err == EAGAIN || err == EMFILE || err == ENFILE ||
		    err == ENOMEM) {
			status = 503;
			code = "busy";
		} else
			code = "exec_failed";
		free(x);
		goto fail;
	}
	http_req_set_close_cb(req, exec_close_cb, x);
	exec_strv_free(argv);
	exec_strv_free(envp);
	free(cwd);
	json_decref(body);
	return;

fail:
	http_reply_error(req, status, code, "%s", cause);
	free(cause);
	exec_strv_free(argv);
	exec_strv_free(envp);
	free(cwd);
	json_decref(body);
}

void
exec_init(struct http_server *hs)
{
	http_route(hs, "/v1/exec", HTTP_POST, 0, 0, exec_cb, NULL);
}
