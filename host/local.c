/*
 * local.c: the no-cloud provider (provider.h): each guest is a deskd
 * --xvfb on this machine.  The token reaches deskd through a 0600 file
 * (--token-file), never through argv, where ps would show it.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "deskctl.h"
#include "local.h"
#include "log.h"
#include "provider.h"
#include "state.h"
#include "util.h"
#include "wait.h"
#include "xmalloc.h"

#define LOCAL_STOP_MS	10000

char *
local_find_deskd(const char *flag)
{
	const char	*env;
	char		*dir, *p;

	if (flag != NULL)
		return (xstrdup(flag));
	if ((env = getenv("DESKD")) != NULL && *env != '\0')
		return (xstrdup(env));
	if ((dir = util_exe_dir()) != NULL) {
		xasprintf(&p, "%s/deskd", dir);
		if (access(p, X_OK) == 0) {
			free(dir);
			return (p);
		}
		free(p);
		/* Build tree: _build/host/deskctl, _build/agent/deskd. */
		xasprintf(&p, "%s/../agent/deskd", dir);
		free(dir);
		if (access(p, X_OK) == 0)
			return (p);
		free(p);
	}
	return (xstrdup("deskd"));
}

static int
local_free_port(char **cause)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	int			 fd, port;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return (-1);
	}
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		xasprintf(cause, "bind 127.0.0.1:0: %s", strerror(errno));
		close(fd);
		return (-1);
	}
	port = ntohs(sin.sin_port);
	close(fd);
	return (port);
}

json_t *
local_launch(const char *deskd, const char *statedir, char **cause)
{
	json_t		*rec;
	char		*hex = NULL, *token = NULL, *id = NULL;
	char		*tfile = NULL;
	char		*logf = NULL, *listen = NULL, *url = NULL, *now;
	const char	*argv[12];
	pid_t		 pid;
	int		 port, fd;

	if ((hex = util_random_hex(4, cause)) == NULL)
		return (NULL);
	xasprintf(&id, "local-%s", hex);
	if ((token = util_random_hex(DESKCTL_TOKEN_BYTES, cause)) == NULL)
		goto fail;
	xasprintf(&tfile, "%s/%s.token", statedir, id);
	if (util_write_file(tfile, token, strlen(token), 0600, cause) == -1)
		goto fail;
	if ((port = local_free_port(cause)) == -1)
		goto fail;
	xasprintf(&listen, "127.0.0.1:%d", port);
	xasprintf(&url, "http://127.0.0.1:%d", port);
	xasprintf(&logf, "%s/%s.log", statedir, id);

	argv[0] = deskd;
	argv[1] = "--xvfb";
	argv[2] = "--listen";
	argv[3] = listen;
	argv[4] = "--token-file";
	argv[5] = tfile;
	argv[6] = "--cdp-listen";
	argv[7] = "off";
	argv[8] = NULL;

	switch (pid = fork()) {
	case -1:
		xasprintf(cause, "fork: %s", strerror(errno));
		goto fail;
	case 0:
		/* Own session: a ^C at deskctl's terminal must not hit it. */
		setsid();
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if ((fd = open("/dev/null", O_RDONLY)) != -1) {
			dup2(fd, 0);
			close(fd);
		}
		if ((fd = open(logf, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND,
		    0600)) != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execvp(deskd, (char *const *)argv);
		fprintf(stderr, "deskctl: exec %s: %s\n", deskd,
		    strerror(errno));
		_exit(127);
	}
	now = util_time_iso(time(NULL));
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}",
	    "id", id, "provider", "local", "state", "pending", "url", url,
	    "token_file", tfile, "log", logf, "pid", (json_int_t)pid,
	    "deskd", deskd, "launched_at", now);
	free(now);
	log_debug("local: started %s pid %ld on %s", id, (long)pid, url);
	free(hex);
	explicit_bzero(token, strlen(token));
	free(token);
	free(id);
	free(tfile);
	free(logf);
	free(listen);
	free(url);
	return (rec);
fail:
	if (tfile != NULL)
		unlink(tfile);
	free(hex);
	if (token != NULL) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	free(id);
	free(tfile);
	free(logf);
	free(listen);
	free(url);
	return (NULL);
}

/* The recorded pid still runs and its argv names our token file. */
static int
local_is_ours(pid_t pid, const char *tfile)
{
	char	 path[64], buf[8192], st[512], *p;
	ssize_t	 n, i;
	int	 fd;

	if (pid <= 1 || tfile == NULL)
		return (0);
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY)) == -1)
		return (0);
	n = read(fd, st, sizeof st - 1);
	close(fd);
	if (n <= 0)
		return (0);
	st[n] = '\0';
	/* A zombie has no cmdline; state is the field after "(comm)". */
	if ((p = strrchr(st, ')')) != NULL && p[1] == ' ' && p[2] == 'Z')
		return (0);
	snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
	if ((fd = open(path, O_RDONLY)) == -1)
		return (0);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return (0);
	buf[n] = '\0';
	for (i = 0; i < n; i += strlen(buf + i) + 1) {
		if (strcmp(buf + i, tfile) == 0)
			return (1);
	}
	return (0);
}

int
local_alive(json_t *rec)
{
	json_int_t	 pid;
	pid_t		 r;

	pid = json_integer_value(json_object_get(rec, "pid"));
	if (pid <= 1)
		return (0);
	/*
	 * Our own child (launched by this run): waitpid knows, and reaps it
	 * if it died.  Its cmdline is still ours between fork and exec, so
	 * the argv check is only for deskd started by an earlier run.
	 */
	r = waitpid((pid_t)pid, NULL, WNOHANG);
	if (r == 0)
		return (1);
	if (r == (pid_t)pid)
		return (0);
	return (local_is_ours((pid_t)pid, state_str(rec, "token_file")));
}

int
local_terminate(json_t *rec, char **cause)
{
	pid_t		 pid;
	const char	*tfile = state_str(rec, "token_file");
	const char	*logf = state_str(rec, "log");
	long long	 until;

	pid = (pid_t)json_integer_value(json_object_get(rec, "pid"));
	if (local_alive(rec)) {
		kill(pid, SIGTERM);
		until = util_now_ms() + LOCAL_STOP_MS;
		while (local_alive(rec) && util_now_ms() < until) {
			struct timespec ts = { 0, 50 * 1000000L };

			nanosleep(&ts, NULL);
		}
		if (local_alive(rec)) {
			log_warnx("%s: deskd pid %ld ignored SIGTERM, killing",
			    state_str(rec, "id"), (long)pid);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
	}
	if (tfile != NULL && unlink(tfile) == -1 && errno != ENOENT) {
		xasprintf(cause, "%s: %s", tfile, strerror(errno));
		return (-1);
	}
	if (logf != NULL)
		unlink(logf);
	return (0);
}

static int
local_prov_launch(struct cmd_opts *o, json_t ***recsp, size_t *np)
{
	json_t		**recs, *tags;
	char		*deskd, *dir, *cause = NULL, *exp;
	size_t		 i, j;
	int		 status = DESKCTL_EXIT_OK;

	*recsp = NULL;
	*np = 0;
	if ((dir = state_dir(&cause)) == NULL) {
		util_say("%s", cause);
		free(cause);
		return (DESKCTL_EXIT_FAIL);
	}
	deskd = local_find_deskd(o->deskd);
	recs = xcalloc(o->count, sizeof *recs);
	for (i = 0; i < (size_t)o->count && !util_interrupted; i++) {
		if ((recs[i] = local_launch(deskd, dir, &cause)) == NULL) {
			util_say("local launch: %s", cause);
			free(cause);
			status = DESKCTL_EXIT_FAIL;
			break;
		}
		(*np)++;
		if (o->ttl > 0) {
			exp = util_time_iso(time(NULL) + o->ttl);
			json_object_set_new(recs[i], "expires_at",
			    json_string(exp));
			free(exp);
		}
		/* Kept in the record: ls and terminate filter by them. */
		tags = json_object();
		for (j = 0; j < o->ntags; j++)
			json_object_set_new(tags, o->tags[j].key,
			    json_string(o->tags[j].value));
		json_object_set_new(recs[i], "tags", tags);
	}
	*recsp = recs;
	free(deskd);
	free(dir);
	if (util_interrupted)
		status = DESKCTL_EXIT_INTERRUPTED;
	return (status);
}

static int
local_prov_alive(json_t *rec, char **why)
{
	if (local_alive(rec))
		return (1);
	xasprintf(why, "deskd exited (see %s)", state_str(rec, "log") !=
	    NULL ? state_str(rec, "log") : "its log");
	return (0);
}

static int
local_prov_poll(struct wait_ctx *ctx, struct wait_target *ts, size_t n)
{
	char	*why = NULL;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (ts[i].prov != &provider_local || ts[i].ready ||
		    ts[i].failed)
			continue;
		if (!local_prov_alive(ts[i].rec, &why)) {
			wait_fail(&ts[i], "%s", why);
			free(why);
			why = NULL;
			continue;
		}
		/* The URL is known from the start: straight to /health. */
		ts[i].running = 1;
	}
	return (0);
}

static int
local_prov_list(struct cmd_opts *o, struct state *s, json_t *list)
{
	json_t	*r, *c;
	size_t	 i;

	json_array_foreach(state_instances(s), i, r) {
		if (provider_of(r) != &provider_local)
			continue;
		c = json_deep_copy(r);
		json_object_set_new(c, "state", json_string(local_alive(r) ?
		    "running" : "exited"));
		if (json_object_get(c, "tags") == NULL)
			json_object_set_new(c, "tags", json_object());
		json_array_append_new(list, c);
	}
	return (DESKCTL_EXIT_OK);
}

static int
local_prov_terminate(struct cmd_opts *o, json_t **recs, size_t n,
    enum provider_end *end)
{
	char	*cause = NULL;
	size_t	 i;
	int	 status = DESKCTL_EXIT_OK, dead;

	for (i = 0; i < n; i++) {
		/* A guest that died by itself keeps its log: it says why. */
		dead = !local_alive(recs[i]);
		if (dead && state_str(recs[i], "log") != NULL) {
			util_say("%s had exited by itself; its log is kept: %s",
			    state_str(recs[i], "id"), state_str(recs[i], "log"));
			json_object_del(recs[i], "log");
		}
		if (local_terminate(recs[i], &cause) == -1) {
			util_say("%s: %s", state_str(recs[i], "id"), cause);
			free(cause);
			cause = NULL;
			end[i] = PROVIDER_END_FAILED;
			status = DESKCTL_EXIT_FAIL;
		} else
			end[i] = PROVIDER_END_DONE;
	}
	return (status);
}

const struct provider provider_local = {
	"local",
	local_prov_launch,
	local_prov_poll,
	local_prov_list,
	local_prov_terminate,
	local_prov_alive
};
