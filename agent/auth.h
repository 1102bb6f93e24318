/*
 * auth.h: who may talk to deskd.  A bearer token read from a file; --allow
 * networks need none; with neither, only loopback peers; --no-auth lets
 * everyone in.  The same rules guard the DevTools proxy.
 */
#ifndef AUTH_H
#define AUTH_H

#include <sys/socket.h>

struct auth;

struct auth	*auth_new(void);
void		 auth_free(struct auth *);
/*
 * Read and keep the token (whitespace trimmed); -1 + cause, also for a
 * NUL byte in it.  Warns when the file is readable by every user.
 */
int		 auth_set_token_file(struct auth *, const char *path,
		    char **cause);
/*
 * --token-create: when PATH does not exist, write a fresh random token
 * to it (mode 0600, whole or not at all); 1 when made, 0 when it was
 * there, -1 + cause.
 */
int		 auth_create_token_file(const char *path, char **cause);
void		 auth_set_token(struct auth *, const char *);
/*
 * "10.0.0.0/8", "fd00::/8", "1.2.3.4"; -1 + cause.  "::ffff:a.b.c.d/N"
 * is kept as the IPv4 network a.b.c.d/(N-96), as peers are matched; N
 * under 96 is refused.
 */
int		 auth_allow(struct auth *, const char *cidr, char **cause);
void		 auth_set_open(struct auth *, int);
int		 auth_has_token(struct auth *);
/*
 * 0 to let the request in, -1 with cause to refuse it (401).
 * authz is the Authorization header or NULL.
 */
int		 auth_check(struct auth *, const struct sockaddr *peer,
		    const char *authz, char **cause);
/*
 * 1 if authz carries the configured token (whatever the peer): a request
 * that proves itself so is exempt from the Origin and Host rules.
 */
int		 auth_token_ok(struct auth *, const char *authz);
/* Describe the rules for the start-up log line; static buffer. */
const char	*auth_describe(struct auth *);

#endif
