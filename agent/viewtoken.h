/*
 * viewtoken.h: share tokens for the live view.  The main token's holder
 * mints one (POST /v1/view/token); it opens /view and /v1/stream only,
 * for viewing or viewing and control, until it expires.  Tokens live in
 * memory: a restart revokes them all.
 */
#ifndef VIEWTOKEN_H
#define VIEWTOKEN_H

#include <time.h>

#define VIEWTOKEN_MAX		256	/* live tokens at once */
#define VIEWTOKEN_BYTES		24	/* random bytes; 48 hex characters */
#define VIEWTOKEN_TTL		600	/* default lifetime, seconds */
#define VIEWTOKEN_TTL_MAX	86400

#define VIEWTOKEN_VIEW		0x1
#define VIEWTOKEN_CONTROL	0x2

/* A new token string (caller frees); NULL + cause when the table is full. */
char	*viewtoken_new(int rights, int ttl, time_t *expires, char **cause);
/*
 * 0 with its rights and the monotonic ms it expires at when tok is live,
 * -1 otherwise.  Compared in constant time against every live token.
 */
int	 viewtoken_check(const char *tok, int *rights, long long *expires_ms);
/* Forget a token; 0 if it was live. */
int	 viewtoken_revoke(const char *tok);
void	 viewtoken_shutdown(void);

#endif
