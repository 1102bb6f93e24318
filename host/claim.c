/*
 * claim.c: claims on pool guests (claim.h).
 *
 * Why "the only claim" is safe: two claimants A and B of one guest each
 * write before they read.  Whichever wrote second reads after the
 * other's write, so it sees two claims and backs off; only the first can
 * see itself alone.  Both may see two and both back off: then each tries
 * another guest (acquire picks in random order), which is slower, never
 * wrong.  Ties on a lowest nonce would not do: A can read before B
 * writes, see itself alone and win, while B, lower, sees both and wins
 * too.
 *
 * The read-back runs twice, CLAIM_SETTLE_MS apart, because tags are
 * eventually consistent: a key just written may be seen a little later.
 * A loser's key that its process never took back (it died between write
 * and delete) blocks the guest until pool reap removes claims older
 * than its lease on a guest that has been idle as long.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws.h"
#include "claim.h"
#include "ec2.h"
#include "util.h"
#include "xmalloc.h"

size_t
claim_count(const struct ec2_instance *in)
{
	size_t	 i, n = 0;

	for (i = 0; i < in->ntags; i++) {
		if (strncmp(in->tags[i].key, CLAIM_PREFIX,
		    strlen(CLAIM_PREFIX)) == 0)
			n++;
	}
	return (n);
}

/* A claim's value is "TIME HOLDER", TIME in RFC 3339 UTC. */
int
claim_oldest(const struct ec2_instance *in, const char **key,
    const char **holder, time_t *since)
{
	const char	*v, *sp;
	char		 when[32];
	time_t		 t;
	size_t		 i;
	int		 found = 0;

	for (i = 0; i < in->ntags; i++) {
		if (strncmp(in->tags[i].key, CLAIM_PREFIX,
		    strlen(CLAIM_PREFIX)) != 0)
			continue;
		v = in->tags[i].value;
		t = 0;
		if ((sp = strchr(v, ' ')) != NULL &&
		    (size_t)(sp - v) < sizeof when) {
			memcpy(when, v, sp - v);
			when[sp - v] = '\0';
			if (util_parse_iso(when, &t) == -1)
				t = 0;
		}
		if (found && t >= *since)
			continue;
		found = 1;
		*key = in->tags[i].key;
		*holder = sp != NULL ? sp + 1 : v;
		*since = t;
	}
	return (found ? 0 : -1);
}

/* Read ID's tags back: 1 when KEY is its only claim, 0 when not. */
static int
claim_alone(struct aws *a, const char *id, const char *key, char **code,
    char **cause)
{
	struct ec2_instance	*list = NULL;
	char			*ids[1];
	size_t			 n = 0, i;
	int			 alone = 0;

	ids[0] = (char *)id;
	if (ec2_describe(a, ids, 1, NULL, 0, &list, &n, code, cause) == -1)
		return (-1);
	if (n == 1 && claim_count(&list[0]) == 1) {
		for (i = 0; i < list[0].ntags; i++) {
			if (strcmp(list[0].tags[i].key, key) == 0)
				alone = 1;
		}
	}
	ec2_instances_free(list, n);
	return (alone);
}

int
claim_try(struct aws *a, const char *id, const char *holder, char **keyp,
    char **code, char **cause)
{
	struct ec2_tag	 tag;
	const char	*env;
	char		*nonce, *key, *value, *now, *ids[1];
	long		 settle = CLAIM_SETTLE_MS;
	int		 rv;

	*keyp = NULL;
	if ((nonce = util_random_hex(CLAIM_NONCE_BYTES, cause)) == NULL)
		return (-1);
	if ((env = getenv("DESKCTL_CLAIM_SETTLE_MS")) != NULL &&
	    atol(env) >= 0)
		settle = atol(env);
	xasprintf(&key, "%s%s", CLAIM_PREFIX, nonce);
	free(nonce);
	now = util_time_iso(time(NULL));
	xasprintf(&value, "%s %s", now, holder);
	free(now);
	tag.key = key;
	tag.value = value;
	ids[0] = (char *)id;
	if (ec2_create_tags(a, ids, 1, &tag, 1, code, cause) == -1) {
		free(key);
		free(value);
		return (-1);
	}
	free(value);
	rv = claim_alone(a, id, key, code, cause);
	if (rv == 1 && settle > 0) {
		util_sleep_ms(settle);
		rv = claim_alone(a, id, key, code, cause);
	}
	if (rv == 1) {
		*keyp = key;
		return (1);
	}
	/* Lost (or could not tell): our key goes, the guest stays theirs. */
	if (claim_drop(a, id, NULL, key, rv == -1 ? NULL : code,
	    rv == -1 ? NULL : cause) == -1 && rv == 0)
		rv = -1;
	free(key);
	return (rv);
}

int
claim_drop(struct aws *a, const char *id, const struct ec2_instance *in,
    const char *key, char **code, char **cause)
{
	char	**keys = NULL, *ids[1], *c = NULL, *why = NULL;
	size_t	  n = 0, i;
	int	  rv;

	if (key != NULL) {
		keys = xcalloc(1, sizeof *keys);
		keys[n++] = (char *)key;
	} else {
		keys = xcalloc(in->ntags + 1, sizeof *keys);
		for (i = 0; i < in->ntags; i++) {
			if (strncmp(in->tags[i].key, CLAIM_PREFIX,
			    strlen(CLAIM_PREFIX)) == 0)
				keys[n++] = in->tags[i].key;
		}
	}
	if (n == 0) {
		free(keys);
		return (0);
	}
	ids[0] = (char *)id;
	rv = ec2_delete_tags(a, ids, 1, keys, n, code != NULL ? code : &c,
	    cause != NULL ? cause : &why);
	free(keys);
	free(c);
	free(why);
	return (rv);
}
