/*
 * userdata.c: the #cloud-config a guest boots with (userdata.h).  The
 * token file belongs to the desktop user deskd.service runs as (deskd
 * reads it after dropping to that user), 0600, written in cloud-init's
 * init stage (not deferred), which deskd.service is ordered after.
 *
 * A pool guest gets no token: its launch template is shared by every
 * guest of the group, so a token in it would open them all.  It gets the
 * pool's public key instead, and deskd makes its own token at first boot
 * (--token-create) and publishes it only sealed to that key, bound to
 * the instance id cloud-init wrote (--seal-to, --seal-id).
 *
 * Values were checked at parse time (cmd.c): they need no YAML quoting
 * beyond what is here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "userdata.h"
#include "util.h"
#include "xmalloc.h"

static void
userdata_opt(char **env, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
userdata_opt(char **env, const char *fmt, ...)
{
	va_list	 ap;
	char	*one, *tmp;

	va_start(ap, fmt);
	xvasprintf(&one, fmt, ap);
	va_end(ap);
	xasprintf(&tmp, "%s%s%s", *env != NULL ? *env : "", *env != NULL ?
	    " " : "", one);
	free(*env);
	free(one);
	*env = tmp;
}

char *
userdata_build(const struct userdata *u)
{
	char	*s, *env = NULL, *file = NULL, *exp;
	size_t	 i;

	if (u->pool_key != NULL) {
		userdata_opt(&env, "--token-file %s --token-create --seal-to "
		    "%s --seal-id @%s", USERDATA_MADE_TOKEN, USERDATA_POOL_KEY,
		    USERDATA_INSTANCE_ID);
		xasprintf(&file,
		    "  - path: %s\n"
		    "    owner: root:root\n"
		    "    permissions: \"0644\"\n"
		    "    content: \"%s\"\n", USERDATA_POOL_KEY, u->pool_key);
	} else
		xasprintf(&file,
		    "  - path: /etc/deskd/token\n"
		    "    owner: %s:%s\n"
		    "    permissions: \"0600\"\n"
		    "    content: \"%s\"\n", u->desktop_user, u->desktop_user,
		    u->token);
	for (i = 0; i < u->nallow; i++)
		userdata_opt(&env, "--allow %s", u->allow[i]);
	if (u->expires_at > 0) {
		exp = util_time_iso(u->expires_at);
		userdata_opt(&env, "--expires-at %s", exp);
		free(exp);
	}
	if (u->idle_shutdown > 0)
		userdata_opt(&env, "--idle-shutdown %llds",
		    (long long)u->idle_shutdown);
	xasprintf(&s,
	    "#cloud-config\n"
	    "write_files:\n"
	    "%s"
	    "%s%s%s",
	    file,
	    env != NULL ? "  - path: /etc/deskd/instance.env\n"
	    "    owner: root:root\n"
	    "    permissions: \"0644\"\n"
	    "    content: |\n"
	    "      DESKD_INSTANCE_OPTS=\"" : "",
	    env != NULL ? env : "", env != NULL ? "\"\n" : "");
	util_free_secret(file);
	free(env);
	return (s);
}
