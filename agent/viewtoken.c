/*
 * viewtoken.c: a table of random tokens in memory.  A token is 24 bytes
 * from getrandom(2) in hex; checking one compares it with every live
 * entry without stopping early, so the time taken says nothing about
 * which bytes matched (the same rule as auth.c's main token).
 */
#include <sys/types.h>
#include <sys/random.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deskd.h"
#include "log.h"
#include "viewtoken.h"
#include "xmalloc.h"

#define VIEWTOKEN_HEX	(VIEWTOKEN_BYTES * 2)

struct viewtoken_entry {
	char		 tok[VIEWTOKEN_HEX + 1];
	int		 rights;
	long long	 expires_ms;	/* monotonic; 0: free slot */
};

static struct viewtoken_entry	 viewtoken_table[VIEWTOKEN_MAX];

static void
viewtoken_expire(long long now)
{
	int	 i;

	for (i = 0; i < VIEWTOKEN_MAX; i++) {
		if (viewtoken_table[i].expires_ms != 0 &&
		    viewtoken_table[i].expires_ms <= now) {
			explicit_bzero(&viewtoken_table[i],
			    sizeof viewtoken_table[i]);
		}
	}
}

char *
viewtoken_new(int rights, int ttl, time_t *expires, char **cause)
{
	struct viewtoken_entry	*e = NULL;
	uint8_t			 raw[VIEWTOKEN_BYTES];
	long long		 now = deskd_now_ms();
	size_t			 got = 0;
	ssize_t			 n;
	int			 i;

	viewtoken_expire(now);
	for (i = 0; i < VIEWTOKEN_MAX; i++) {
		if (viewtoken_table[i].expires_ms == 0) {
			e = &viewtoken_table[i];
			break;
		}
	}
	if (e == NULL) {
		xasprintf(cause, "%d view tokens are live: revoke one or let "
		    "them expire", VIEWTOKEN_MAX);
		return (NULL);
	}
	while (got < sizeof raw) {
		n = getrandom(raw + got, sizeof raw - got, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xasprintf(cause, "getrandom: %s", strerror(errno));
			return (NULL);
		}
		got += n;
	}
	for (i = 0; i < VIEWTOKEN_BYTES; i++)
		snprintf(e->tok + 2 * i, 3, "%02x", raw[i]);
	explicit_bzero(raw, sizeof raw);
	e->rights = rights | VIEWTOKEN_VIEW;
	e->expires_ms = now + (long long)ttl * 1000;
	*expires = time(NULL) + ttl;
	return (xstrdup(e->tok));
}

/* Index of the live entry equal to tok, or -1; never stops early. */
static int
viewtoken_find(const char *tok)
{
	size_t		 len = strlen(tok), k;
	uint8_t		 diff;
	long long	 now = deskd_now_ms();
	int		 i, found = -1;

	for (i = 0; i < VIEWTOKEN_MAX; i++) {
		diff = len != VIEWTOKEN_HEX;
		for (k = 0; k < VIEWTOKEN_HEX; k++)
			diff |= viewtoken_table[i].tok[k] ^
			    (k < len ? (uint8_t)tok[k] : 0);
		if (diff == 0 && viewtoken_table[i].expires_ms > now)
			found = i;
	}
	return (found);
}

int
viewtoken_check(const char *tok, int *rights, long long *expires_ms)
{
	int	 i;

	if ((i = viewtoken_find(tok)) == -1)
		return (-1);
	*rights = viewtoken_table[i].rights;
	*expires_ms = viewtoken_table[i].expires_ms;
	return (0);
}

int
viewtoken_revoke(const char *tok)
{
	int	 i;

	if ((i = viewtoken_find(tok)) == -1)
		return (-1);
	explicit_bzero(&viewtoken_table[i], sizeof viewtoken_table[i]);
	return (0);
}

void
viewtoken_shutdown(void)
{
	explicit_bzero(viewtoken_table, sizeof viewtoken_table);
}
