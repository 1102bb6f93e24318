/*
 * verb.c: the agent verbs (screenshot, do, exec, cp): command line to
 * client.c calls.
 */
#include <sys/wait.h>

#include <curl/curl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "cmd.h"
#include "deskctl.h"
#include "log.h"
#include "util.h"
#include "verb.h"
#include "xmalloc.h"

static int
verb_target(struct cmd_opts *o, const char *target, char **url, char **token)
{
	char	*cause = NULL;

	if (client_resolve(target, o->token_file, url, token, &cause) == -1) {
		util_say("%s", cause);
		free(cause);
		return (-1);
	}
	return (0);
}

static void
verb_param(char **q, const char *key, const char *value)
{
	char	*esc, *nq;

	if (value == NULL)
		return;
	esc = curl_easy_escape(NULL, value, 0);
	xasprintf(&nq, "%s%s%s=%s", *q, **q != '\0' ? "&" : "", key, esc);
	curl_free(esc);
	free(*q);
	*q = nq;
}

int
verb_screenshot(struct cmd_opts *o, int argc, char **argv)
{
	char	*url, *token, *q, *cause = NULL;
	int	 status = DESKCTL_EXIT_OK;

	if (argc != 1 || o->out == NULL) {
		util_say("usage: deskctl screenshot ID -o FILE.png");
		return (DESKCTL_EXIT_USAGE);
	}
	if (verb_target(o, argv[0], &url, &token) == -1)
		return (DESKCTL_EXIT_FAIL);
	q = xstrdup("");
	verb_param(&q, "width", o->width);
	verb_param(&q, "height", o->height);
	verb_param(&q, "scale", o->scale);
	verb_param(&q, "region", o->sregion);
	verb_param(&q, "cursor", o->cursor);
	if (client_screenshot(url, token, q, o->out, &cause) == -1) {
		util_say("screenshot: %s", cause);
		free(cause);
		status = DESKCTL_EXIT_FAIL;
	}
	free(q);
	free(url);
	free(token);
	return (status);
}

int
verb_do(struct cmd_opts *o, int argc, char **argv)
{
	char	*url, *token, *json, *cause = NULL;
	int	 status = DESKCTL_EXIT_OK;

	if (argc != 2) {
		util_say("usage: deskctl do ID JSON (or - for stdin)");
		return (DESKCTL_EXIT_USAGE);
	}
	if (strcmp(argv[1], "-") == 0) {
		if ((json = util_read_file("/dev/stdin", 16 * 1024 * 1024,
		    NULL, &cause)) == NULL) {
			util_say("%s", cause);
			free(cause);
			return (DESKCTL_EXIT_FAIL);
		}
	} else
		json = xstrdup(argv[1]);
	if (verb_target(o, argv[0], &url, &token) == -1) {
		free(json);
		return (DESKCTL_EXIT_FAIL);
	}
	if (client_do(url, token, json, o->out, &cause) == -1) {
		util_say("do: %s", cause);
		free(cause);
		status = DESKCTL_EXIT_FAIL;
	}
	free(json);
	free(url);
	free(token);
	return (status);
}

int
verb_exec(struct cmd_opts *o, int argc, char **argv)
{
	long long	 timeout = o->timeout_set ? o->timeout : 0;
	json_t		*req, *a, *env;
	char		*url, *token, *in, *cause = NULL, *eq, *k;
	size_t		 i, len;
	int		 status = DESKCTL_EXIT_FAIL, st;

	if (argc < 2 || (o->shell && argc != 2)) {
		util_say("usage: deskctl exec ID -- CMD [ARG ...] (or "
		    "--shell ID 'COMMAND LINE')");
		return (DESKCTL_EXIT_USAGE);
	}
	req = json_object();
	if (o->shell)
		json_object_set_new(req, "command", json_string(argv[1]));
	else {
		a = json_array();
		for (i = 1; i < (size_t)argc; i++)
			json_array_append_new(a, json_string(argv[i]));
		json_object_set_new(req, "argv", a);
	}
	if (o->cwd != NULL)
		json_object_set_new(req, "cwd", json_string(o->cwd));
	if (o->nenv > 0) {
		env = json_object();
		for (i = 0; i < o->nenv; i++) {
			if ((eq = strchr(o->env[i], '=')) == NULL ||
			    eq == o->env[i]) {
				util_say("--env %s: want KEY=VALUE",
				    o->env[i]);
				json_decref(env);
				json_decref(req);
				return (DESKCTL_EXIT_USAGE);
			}
			k = xstrndup(o->env[i], eq - o->env[i]);
			json_object_set_new(env, k, json_string(eq + 1));
			free(k);
		}
		json_object_set_new(req, "env", env);
	}
	if (o->stdin_file != NULL) {
		in = util_read_file(strcmp(o->stdin_file, "-") == 0 ?
		    "/dev/stdin" : o->stdin_file, 64 * 1024 * 1024, &len,
		    &cause);
		if (in == NULL) {
			util_say("%s", cause);
			free(cause);
			json_decref(req);
			return (DESKCTL_EXIT_FAIL);
		}
		json_object_set_new(req, "stdin", json_stringn(in, len));
		free(in);
	}
	if (timeout > 0)
		json_object_set_new(req, "timeout", json_integer(timeout));
	if (verb_target(o, argv[0], &url, &token) == -1) {
		json_decref(req);
		return (DESKCTL_EXIT_FAIL);
	}
	if (client_exec(url, token, req, timeout > 0 ? (long)timeout : 120,
	    &st, &cause) == -1) {
		util_say("exec: %s", cause);
		free(cause);
	} else
		status = st;
	json_decref(req);
	free(url);
	free(token);
	return (status);
}

int
verb_cp(struct cmd_opts *o, int argc, char **argv)
{
	char	*t1 = NULL, *p1 = NULL, *t2 = NULL, *p2 = NULL;
	char	*url = NULL, *token = NULL, *cause = NULL;
	int	 r1, r2, status = DESKCTL_EXIT_FAIL, rv;

	if (argc != 2) {
		util_say("usage: deskctl cp LOCAL ID:/PATH | "
		    "ID:/PATH LOCAL");
		return (DESKCTL_EXIT_USAGE);
	}
	r1 = client_split_remote(argv[0], &t1, &p1);
	r2 = client_split_remote(argv[1], &t2, &p2);
	if (r1 == r2) {
		util_say("cp: exactly one side must be ID:/PATH");
		status = DESKCTL_EXIT_USAGE;
		goto out;
	}
	if (verb_target(o, r1 ? t1 : t2, &url, &token) == -1)
		goto out;
	if (r1)
		rv = client_get(url, token, p1, argv[1], &cause);
	else
		rv = client_put(url, token, argv[0], p2, &cause);
	if (rv == -1) {
		util_say("cp: %s", cause);
		free(cause);
	} else
		status = DESKCTL_EXIT_OK;
out:
	free(t1);
	free(p1);
	free(t2);
	free(p2);
	free(url);
	free(token);
	return (status);
}

/*
 * view ID [--control] [--ttl D] [--open] [--json]: a share URL for the
 * agent's live view (a fresh view token; view-only unless --control).
 */
int
verb_view(struct cmd_opts *o, int argc, char **argv)
{
	extern char	**environ;
	json_t		*ans;
	char		*url, *token, *link, *cause = NULL;
	char		*args[3];
	pid_t		 pid;
	int		 st, status = DESKCTL_EXIT_OK;

	if (argc != 1) {
		util_say("usage: deskctl view ID [--control] [--ttl D] "
		    "[--open]");
		return (DESKCTL_EXIT_USAGE);
	}
	if (verb_target(o, argv[0], &url, &token) == -1)
		return (DESKCTL_EXIT_FAIL);
	if (client_view_token(url, token, o->view_control, o->ttl, &ans,
	    &cause) == -1) {
		util_say("view: %s", cause);
		free(cause);
		free(url);
		free(token);
		return (DESKCTL_EXIT_FAIL);
	}
	xasprintf(&link, "%s%s", url, json_string_value(json_object_get(ans,
	    "path")));
	if (o->json) {
		json_object_set_new(ans, "url", json_string(link));
		json_dumpf(ans, stdout, JSON_COMPACT);
		putchar('\n');
	} else
		printf("%s\n", link);
	fflush(stdout);
	if (o->view_open) {
		args[0] = "xdg-open";
		args[1] = link;
		args[2] = NULL;
		if ((st = posix_spawnp(&pid, "xdg-open", NULL, NULL, args,
		    environ)) != 0) {
			util_say("view: xdg-open: %s", strerror(st));
			status = DESKCTL_EXIT_FAIL;
		} else if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0) {
			util_say("view: xdg-open %s failed", link);
			status = DESKCTL_EXIT_FAIL;
		}
	}
	json_decref(ans);
	free(link);
	free(url);
	free(token);
	return (status);
}
