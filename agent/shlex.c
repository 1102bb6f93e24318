/*
 * shlex.c: Python's shlex.split in C.
 *
 * This follows CPython's Lib/shlex.py read_token() state machine for
 * posix=True with whitespace_split=True and no comment characters (what
 * shlex.split sets): whitespace " \t\r\n", quotes ' and ", escape \, and
 * inside double quotes a backslash only escapes " and \ (it is kept before
 * anything else).  Every special character is ASCII, so working on UTF-8
 * bytes gives the same tokens as Python working on code points.
 */
#include <sys/types.h>

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shlex.h"
#include "strv.h"
#include "xmalloc.h"

struct shlex_tok {
	char	*buf;
	size_t	 len;
	size_t	 size;
};

static void
shlex_add(struct shlex_tok *t, char c)
{
	if (t->len + 2 > t->size) {
		t->size = t->size == 0 ? 32 : t->size * 2;
		t->buf = xrealloc(t->buf, t->size);
	}
	t->buf[t->len++] = c;
	t->buf[t->len] = '\0';
}

static int
shlex_space(char c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

char **
shlex_split(const char *s, size_t len, int *argc, char **cause)
{
	struct shlex_tok	 t = { NULL, 0, 0 };
	char			**v = NULL;
	size_t			 i = 0, nv = 0;
	int			 quoted, state, escstate, c;

	*cause = NULL;
	for (;;) {
		/* One read_token(): state ' ' is "between tokens". */
		state = ' ';
		escstate = 0;
		quoted = 0;
		t.len = 0;
		for (;;) {
			c = i < len ? (u_char)s[i++] : -1;
			if (state == ' ') {
				if (c == -1)
					break;
				if (shlex_space(c)) {
					if (t.len > 0 || quoted)
						break;
					continue;
				}
				if (c == '\\') {
					escstate = 'a';
					state = c;
				} else if (c == '\'' || c == '"')
					state = c;
				else {
					shlex_add(&t, c);
					state = 'a';
				}
			} else if (state == '\'' || state == '"') {
				quoted = 1;
				if (c == -1) {
					*cause = xstrdup(
					    "No closing quotation");
					goto fail;
				}
				if (c == state)
					state = 'a';
				else if (c == '\\' && state == '"') {
					escstate = state;
					state = c;
				} else
					shlex_add(&t, c);
			} else if (state == '\\') {
				if (c == -1) {
					*cause = xstrdup(
					    "No escaped character");
					goto fail;
				}
				/* In "...", \ stays unless before " or \. */
				if (escstate == '"' && c != '\\' &&
				    c != escstate)
					shlex_add(&t, '\\');
				shlex_add(&t, c);
				state = escstate;
			} else {	/* 'a': inside a word */
				if (c == -1)
					break;
				if (shlex_space(c)) {
					if (t.len > 0 || quoted)
						break;
					state = ' ';
				} else if (c == '\'' || c == '"')
					state = c;
				else if (c == '\\') {
					escstate = 'a';
					state = c;
				} else
					shlex_add(&t, c);
			}
		}
		if (t.len == 0 && !quoted)
			break;
		v = xreallocarray(v, nv + 2, sizeof *v);
		v[nv++] = t.len > 0 ? xstrndup(t.buf, t.len) : xstrdup("");
		v[nv] = NULL;
	}
	free(t.buf);
	if (v == NULL)
		v = xcalloc(1, sizeof *v);
	*argc = nv;
	return (v);

fail:
	free(t.buf);
	if (v != NULL) {
		v[nv] = NULL;
		strv_free(v);
	}
	return (NULL);
}

char *
shlex_expanduser(const char *path)
{
	struct passwd	*pw;
	const char	*home, *rest;
	char		*name, *out;
	size_t		 n;

	if (path[0] != '~')
		return (xstrdup(path));
	rest = strchr(path, '/');
	n = rest != NULL ? (size_t)(rest - path) : strlen(path);
	if (rest == NULL)
		rest = "";
	if (n == 1) {
		home = getenv("HOME");
		if (home == NULL) {
			if ((pw = getpwuid(getuid())) == NULL)
				return (xstrdup(path));
			home = pw->pw_dir;
		}
	} else {
		name = xstrndup(path + 1, n - 1);
		pw = getpwnam(name);
		free(name);
		if (pw == NULL)
			return (xstrdup(path));
		home = pw->pw_dir;
	}
	/* Python strips a trailing slash from home, and gives "/" for "". */
	n = strlen(home);
	while (n > 1 && home[n - 1] == '/')
		n--;
	if (n == 1 && home[0] == '/' && *rest != '\0')
		n = 0;
	xasprintf(&out, "%.*s%s", (int)n, home, rest);
	if (*out == '\0') {
		free(out);
		out = xstrdup("/");
	}
	return (out);
}
