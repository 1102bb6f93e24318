/*
 * state.c: the state file.  It holds agent tokens, so it is 0600 in a
 * 0700 directory and written by rename; never logged.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deskctl.h"
#include "state.h"
#include "util.h"
#include "xmalloc.h"

#define STATE_MAX	(64 * 1024 * 1024)

static int
state_mkdirs(char *path, char **cause)
{
	char	*p;

	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			xasprintf(cause, "mkdir %s: %s", path, strerror(errno));
			*p = '/';
			return (-1);
		}
		*p = '/';
	}
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		xasprintf(cause, "mkdir %s: %s", path, strerror(errno));
		return (-1);
	}
	return (0);
}

char *
state_dir(char **cause)
{
	const char	*x, *home;
	char		*d;

	if ((x = getenv("XDG_STATE_HOME")) != NULL && x[0] == '/')
		xasprintf(&d, "%s/deskctl", x);
	else if ((home = getenv("HOME")) != NULL && *home != '\0')
		xasprintf(&d, "%s/.local/state/deskctl", home);
	else {
		xasprintf(cause, "neither XDG_STATE_HOME nor HOME is set");
		return (NULL);
	}
	if (state_mkdirs(d, cause) == -1) {
		free(d);
		return (NULL);
	}
	/* An existing directory may be wider: tokens live here. */
	chmod(d, 0700);
	return (d);
}

struct state *
state_open(char **cause)
{
	struct state	*s;
	char		*lock, *text, *xcause = NULL;
	json_error_t	 err;
	size_t		 len;

	s = xcalloc(1, sizeof *s);
	s->lockfd = -1;
	if ((s->dir = state_dir(cause)) == NULL)
		goto fail;
	xasprintf(&s->path, "%s/state.json", s->dir);
	xasprintf(&lock, "%s/lock", s->dir);
	s->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lockfd == -1) {
		xasprintf(cause, "%s: %s", lock, strerror(errno));
		free(lock);
		goto fail;
	}
	free(lock);
	while (flock(s->lockfd, LOCK_EX) == -1) {
		if (errno != EINTR) {
			xasprintf(cause, "flock: %s", strerror(errno));
			goto fail;
		}
	}
	text = util_read_file(s->path, STATE_MAX, &len, &xcause);
	if (text == NULL) {
		if (access(s->path, F_OK) == 0) {
			*cause = xcause;
			goto fail;
		}
		free(xcause);
		s->root = json_pack("{s:[]}", "instances");
		return (s);
	}
	s->root = json_loadb(text, len, 0, &err);
	explicit_bzero(text, len);
	free(text);
	if (s->root == NULL || !json_is_array(json_object_get(s->root,
	    "instances"))) {
		xasprintf(cause, "%s: not a deskctl state file (%s); move it "
		    "away to start afresh", s->path, s->root == NULL ?
		    err.text : "no instances array");
		goto fail;
	}
	return (s);
fail:
	state_close(s);
	return (NULL);
}

int
state_save(struct state *s, char **cause)
{
	char	*text;
	int	 rv;

	text = json_dumps(s->root, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (text == NULL) {
		xasprintf(cause, "json_dumps failed");
		return (-1);
	}
	rv = util_write_file(s->path, text, strlen(text), 0600, cause);
	explicit_bzero(text, strlen(text));
	free(text);
	return (rv);
}

void
state_close(struct state *s)
{
	if (s == NULL)
		return;
	if (s->lockfd != -1)
		close(s->lockfd);	/* releases the flock */
	json_decref(s->root);
	free(s->dir);
	free(s->path);
	free(s);
}

json_t *
state_instances(struct state *s)
{
	return (json_object_get(s->root, "instances"));
}

json_t *
state_find(struct state *s, const char *id)
{
	json_t	*a = state_instances(s), *r;
	size_t	 i;

	json_array_foreach(a, i, r) {
		if (state_str(r, "id") != NULL &&
		    strcmp(state_str(r, "id"), id) == 0)
			return (r);
	}
	return (NULL);
}

void
state_remove(struct state *s, const char *id)
{
	json_t	*a = state_instances(s), *r;
	size_t	 i;

	json_array_foreach(a, i, r) {
		if (strcmp(state_str(r, "id") != NULL ? state_str(r, "id") :
		    "", id) == 0) {
			json_array_remove(a, i);
			return;
		}
	}
}

void
state_put(struct state *s, json_t *rec)
{
	const char	*id = state_str(rec, "id");

	if (id != NULL)
		state_remove(s, id);
	json_array_append_new(state_instances(s), rec);
}

const char *
state_str(json_t *rec, const char *key)
{
	return (json_string_value(json_object_get(rec, key)));
}
