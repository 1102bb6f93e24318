/*
 * procreq.c: the JSON of a process request and of a process websocket's
 * control messages (see procreq.h).
 */
#include <sys/types.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "deskd.h"
#include "exec.h"
#include "procreq.h"
#include "strv.h"
#include "xmalloc.h"

extern char	**environ;

static const struct {
	const char	*name;
	int		 sig;
} procreq_signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "KILL", SIGKILL }, { "TERM", SIGTERM }, { "USR1", SIGUSR1 },
	{ "USR2", SIGUSR2 }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "WINCH", SIGWINCH }, { "ALRM", SIGALRM },
};

/* A JSON string without NUL bytes, or NULL. */
static const char *
procreq_cstring(json_t *v)
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
procreq_env(json_t *env, char **cause)
{
	const char	*key, *val, *eq;
	json_t		*v;
	char		**out;
	size_t		 n = 0, i, klen;

	json_object_foreach(env, key, v) {
		if (*key == '\0' || strchr(key, '=') != NULL ||
		    strlen(key) > PROCREQ_MAX_ENV) {
			xasprintf(cause, "env: bad variable name \"%.64s\"",
			    key);
			return (NULL);
		}
		if (!json_is_null(v) && procreq_cstring(v) == NULL) {
			xasprintf(cause, "env.%.64s must be a string (or null "
			    "to unset it)", key);
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
		if ((val = procreq_cstring(v)) != NULL)
			xasprintf(&out[n++], "%s=%s", key, val);
	}
	out[n] = NULL;
	return (out);
}

/* A number of seconds in (0, max] as ms; -1 if not. */
static long long
procreq_seconds(json_t *v, double max)
{
	double	 t;
	long long ms;

	if (!json_is_number(v))
		return (-1);
	t = json_number_value(v);
	if (!isfinite(t) || t <= 0 || t > max)
		return (-1);
	ms = llround(t * 1000);
	return (ms < 1 ? 1 : ms);
}

/* An integer in [1, max]; -1 if not. */
static int
procreq_size(json_t *v, int max)
{
	json_int_t	 n;

	if (!json_is_integer(v))
		return (-1);
	n = json_integer_value(v);
	if (n < 1 || n > max)
		return (-1);
	return ((int)n);
}

static int
procreq_allowed(const char *key, int flags)
{
	static const struct {
		const char	*key;
		int		 flag;
	} keys[] = {
		{ "argv", 0 }, { "command", 0 }, { "cwd", 0 }, { "env", 0 },
		{ "stdin", PROCREQ_STDIN }, { "timeout", PROCREQ_TIMEOUT },
		{ "stream", PROCREQ_STREAM },
		{ "wait_window", PROCREQ_WINDOW },
		{ "window_timeout", PROCREQ_WINDOW },
		{ "cols", PROCREQ_SIZE }, { "rows", PROCREQ_SIZE },
	};
	size_t	 i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (strcmp(keys[i].key, key) == 0)
			return (keys[i].flag == 0 || (flags & keys[i].flag));
	}
	return (0);
}

int
procreq_parse(json_t *body, int flags, const char *workdir,
    struct procreq *pr, char **cause)
{
	json_t		*v, *item;
	const char	*key, *s;
	size_t		 i, n;

	memset(pr, 0, sizeof *pr);
	if (!json_is_object(body)) {
		*cause = xstrdup("the body must be a JSON object");
		return (-1);
	}
	json_object_foreach(body, key, v) {
		if (!procreq_allowed(key, flags)) {
			xasprintf(cause, "%.64s: unknown parameter", key);
			return (-1);
		}
	}

	if ((v = json_object_get(body, "argv")) != NULL) {
		if (json_object_get(body, "command") != NULL) {
			*cause = xstrdup("argv: give argv or command, not "
			    "both");
			goto fail;
		}
		if (!json_is_array(v) || json_array_size(v) == 0) {
			*cause = xstrdup("argv must be a non-empty array of "
			    "strings");
			goto fail;
		}
		n = json_array_size(v);
		pr->argv = xcalloc(n + 1, sizeof *pr->argv);
		json_array_foreach(v, i, item) {
			if ((s = procreq_cstring(item)) == NULL) {
				xasprintf(cause, "argv[%zu] must be a string "
				    "without NUL bytes", i);
				goto fail;
			}
			pr->argv[i] = xstrdup(s);
		}
		if (*pr->argv[0] == '\0') {
			*cause = xstrdup("argv[0] must not be empty");
			goto fail;
		}
	} else if ((v = json_object_get(body, "command")) != NULL) {
		if ((s = procreq_cstring(v)) == NULL) {
			*cause = xstrdup("command must be a string without "
			    "NUL bytes");
			goto fail;
		}
		pr->argv = xcalloc(4, sizeof *pr->argv);
		pr->argv[0] = xstrdup("/bin/sh");
		pr->argv[1] = xstrdup("-c");
		pr->argv[2] = xstrdup(s);
	} else if (!(flags & PROCREQ_NO_ARGV)) {
		*cause = xstrdup("argv: argv or command is required");
		goto fail;
	}

	if ((v = json_object_get(body, "cwd")) != NULL && !json_is_null(v)) {
		if ((s = procreq_cstring(v)) == NULL || *s == '\0') {
			*cause = xstrdup("cwd must be a non-empty string");
			goto fail;
		}
		/* Relative to the workdir, not to wherever deskd started. */
		if (*s == '/' || workdir == NULL)
			pr->cwd = xstrdup(s);
		else
			xasprintf(&pr->cwd, "%s/%s", workdir, s);
	}
	if ((v = json_object_get(body, "env")) != NULL && !json_is_null(v)) {
		if (!json_is_object(v)) {
			*cause = xstrdup("env must be an object of strings");
			goto fail;
		}
		if ((pr->env = procreq_env(v, cause)) == NULL)
			goto fail;
	}
	if ((v = json_object_get(body, "stdin")) != NULL && !json_is_null(v)) {
		if (!json_is_string(v)) {
			*cause = xstrdup("stdin must be a string");
			goto fail;
		}
		pr->stdin_len = json_string_length(v);
		pr->stdin_data = xmalloc(pr->stdin_len + 1);
		memcpy(pr->stdin_data, json_string_value(v),
		    pr->stdin_len + 1);
	}
	v = json_object_get(body, "timeout");
	if (v != NULL && !json_is_null(v) &&
	    (pr->timeout_ms = procreq_seconds(v, EXEC_MAX_TIMEOUT_S)) == -1) {
		xasprintf(cause, "timeout must be a number of seconds over 0 "
		    "and up to %d", EXEC_MAX_TIMEOUT_S);
		goto fail;
	}
	if ((v = json_object_get(body, "stream")) != NULL && !json_is_null(v)) {
		if (!json_is_boolean(v)) {
			*cause = xstrdup("stream must be true or false");
			goto fail;
		}
		pr->stream = json_is_true(v);
	}
	v = json_object_get(body, "wait_window");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_boolean(v)) {
			*cause = xstrdup("wait_window must be true or false");
			goto fail;
		}
		pr->wait_window = json_is_true(v);
	}
	pr->window_ms = DESKD_LAUNCH_WINDOW_S * 1000LL;
	v = json_object_get(body, "window_timeout");
	if (v != NULL && !json_is_null(v) && (pr->window_ms =
	    procreq_seconds(v, DESKD_LAUNCH_MAX_WINDOW_S)) == -1) {
		xasprintf(cause, "window_timeout must be a number of seconds "
		    "over 0 and up to %d", DESKD_LAUNCH_MAX_WINDOW_S);
		goto fail;
	}
	if ((v = json_object_get(body, "cols")) != NULL && !json_is_null(v) &&
	    (pr->cols = procreq_size(v, DESKD_PTY_MAX_SIZE)) == -1) {
		xasprintf(cause, "cols must be an integer from 1 to %d",
		    DESKD_PTY_MAX_SIZE);
		goto fail;
	}
	if ((v = json_object_get(body, "rows")) != NULL && !json_is_null(v) &&
	    (pr->rows = procreq_size(v, DESKD_PTY_MAX_SIZE)) == -1) {
		xasprintf(cause, "rows must be an integer from 1 to %d",
		    DESKD_PTY_MAX_SIZE);
		goto fail;
	}
	return (0);
fail:
	procreq_clear(pr);
	return (-1);
}

void
procreq_clear(struct procreq *pr)
{
	strv_free(pr->argv);
	strv_free(pr->env);
	free(pr->cwd);
	free(pr->stdin_data);
	memset(pr, 0, sizeof *pr);
}

char *
procreq_shown(const struct procreq *pr)
{
	char	*out, *t;
	size_t	 i;

	if (pr->argv == NULL)
		return (xstrdup(""));
	if (strcmp(pr->argv[0], "/bin/sh") == 0 && pr->argv[1] != NULL &&
	    strcmp(pr->argv[1], "-c") == 0 && pr->argv[2] != NULL &&
	    pr->argv[3] == NULL)
		return (xstrdup(pr->argv[2]));
	out = xstrdup(pr->argv[0]);
	for (i = 1; pr->argv[i] != NULL; i++) {
		xasprintf(&t, "%s %s", out, pr->argv[i]);
		free(out);
		out = t;
	}
	return (out);
}

int
procreq_signal(const char *s)
{
	char	*end;
	long	 n;
	size_t	 i;

	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof procreq_signals / sizeof procreq_signals[0];
	    i++) {
		if (strcasecmp(procreq_signals[i].name, s) == 0)
			return (procreq_signals[i].sig);
	}
	if (*s < '1' || *s > '9')
		return (-1);
	n = strtol(s, &end, 10);
	if (*end != '\0' || n < 1 || n >= NSIG)
		return (-1);
	return ((int)n);
}

int
procreq_message(const u_char *data, size_t len, struct procreq_msg *m,
    char **cause)
{
	json_error_t	 jerr;
	json_t		*j, *v;
	const char	*type;
	char		 num[16];

	memset(m, 0, sizeof *m);
	if ((j = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES |
	    JSON_ALLOW_NUL, &jerr)) == NULL) {
		xasprintf(cause, "bad JSON: %s", jerr.text);
		return (-1);
	}
	if (!json_is_object(j) ||
	    !json_is_string(v = json_object_get(j, "type"))) {
		*cause = xstrdup("a message is an object with a \"type\"");
		goto fail;
	}
	type = json_string_value(v);
	if (strcmp(type, "stdin") == 0 || strcmp(type, "input") == 0) {
		if (!json_is_string(v = json_object_get(j, "data"))) {
			xasprintf(cause, "%s: data must be a string", type);
			goto fail;
		}
		m->type = PROCREQ_MSG_STDIN;
		m->len = json_string_length(v);
		m->data = xmalloc(m->len + 1);
		memcpy(m->data, json_string_value(v), m->len + 1);
	} else if (strcmp(type, "stdin_close") == 0 ||
	    strcmp(type, "eof") == 0)
		m->type = PROCREQ_MSG_STDIN_CLOSE;
	else if (strcmp(type, "signal") == 0) {
		m->type = PROCREQ_MSG_SIGNAL;
		v = json_object_get(j, "signal");
		if (json_is_integer(v) && json_integer_value(v) > 0 &&
		    json_integer_value(v) < NSIG) {
			snprintf(num, sizeof num, "%d",
			    (int)json_integer_value(v));
			m->sig = procreq_signal(num);
		} else if (json_is_string(v) &&
		    strlen(json_string_value(v)) == json_string_length(v))
			m->sig = procreq_signal(json_string_value(v));
		else
			m->sig = -1;
		if (m->sig == -1) {
			*cause = xstrdup("signal: a name (\"TERM\") or a "
			    "number is required");
			goto fail;
		}
	} else if (strcmp(type, "resize") == 0) {
		m->type = PROCREQ_MSG_RESIZE;
		m->cols = procreq_size(json_object_get(j, "cols"),
		    DESKD_PTY_MAX_SIZE);
		m->rows = procreq_size(json_object_get(j, "rows"),
		    DESKD_PTY_MAX_SIZE);
		if (m->cols == -1 || m->rows == -1) {
			xasprintf(cause, "resize: cols and rows must be "
			    "integers from 1 to %d", DESKD_PTY_MAX_SIZE);
			goto fail;
		}
	} else {
		xasprintf(cause, "unknown message type \"%.32s\"", type);
		goto fail;
	}
	json_decref(j);
	return (0);
fail:
	json_decref(j);
	procreq_msg_clear(m);
	return (-1);
}

void
procreq_msg_clear(struct procreq_msg *m)
{
	free(m->data);
	m->data = NULL;
	m->len = 0;
}
