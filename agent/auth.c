/*
 * auth.c: access rules.  A request is let in when the server is open
 * (--no-auth), when its peer is in an --allow network, or when it carries
 * the bearer token.  With neither a token nor an --allow network, only
 * loopback peers are served, so a fresh install is never an open
 * remote-control port.
 */
#include <sys/types.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "auth.h"
#include "log.h"
#include "compat.h"
#include "xmalloc.h"

#define AUTH_MAX_TOKEN	4096
#define AUTH_MAX_ALLOW	64
#define AUTH_NEW_TOKEN_BYTES 32	/* --token-create: 256 bits, as hex */

struct auth_net {
	int		 family;
	uint8_t		 addr[16];
	int		 bits;
};

struct auth {
	char		*token;
	size_t		 token_len;
	struct auth_net	 allow[AUTH_MAX_ALLOW];
	int		 nallow;
	int		 open;
	char		 desc[256];
};

struct auth *
auth_new(void)
{
	return (xcalloc(1, sizeof(struct auth)));
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	if (a->token != NULL) {
		explicit_bzero(a->token, a->token_len);
		free(a->token);
	}
	free(a);
}

void
auth_set_token(struct auth *a, const char *token)
{
	if (a->token != NULL) {
		explicit_bzero(a->token, a->token_len);
		free(a->token);
	}
	a->token = xstrdup(token);
	a->token_len = strlen(token);
}

int
auth_set_token_file(struct auth *a, const char *path, char **cause)
{
	struct stat	 st;
	char		 buf[AUTH_MAX_TOKEN + 2];
	ssize_t		 n;
	size_t		 len, start;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "token file %s: %s", path, strerror(errno));
		return (-1);
	}
	/* Anyone on the guest who can read it can drive the desktop. */
	if (fstat(fd, &st) == 0 && (st.st_mode & (S_IROTH | S_IWOTH)))
		log_warnx("token file %s is readable or writable by every "
		    "user (mode %04o): chmod 600 it", path,
		    (u_int)(st.st_mode & 07777));
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0) {
		xasprintf(cause, "token file %s: %s", path, strerror(errno));
		return (-1);
	}
	if ((size_t)n > AUTH_MAX_TOKEN) {
		xasprintf(cause, "token file %s: longer than %d bytes", path,
		    AUTH_MAX_TOKEN);
		return (-1);
	}
	/*
	 * The token is kept as a C string: a NUL would silently cut it
	 * short ("abc\0" and 32 hex digits would accept "Bearer abc").
	 */
	if (memchr(buf, '\0', n) != NULL) {
		explicit_bzero(buf, sizeof buf);
		xasprintf(cause, "token file %s: holds a NUL byte", path);
		return (-1);
	}
	len = n;
	while (len > 0 && isspace((u_char)buf[len - 1]))
		len--;
	start = 0;
	while (start < len && isspace((u_char)buf[start]))
		start++;
	buf[len] = '\0';
	if (len - start < 16) {
		explicit_bzero(buf, sizeof buf);
		xasprintf(cause, "token file %s: token shorter than 16 "
		    "characters", path);
		return (-1);
	}
	auth_set_token(a, buf + start);
	explicit_bzero(buf, sizeof buf);
	return (0);
}

/*
 * Written to a temporary file, synced, then link(2)ed into place: link
 * fails if PATH appeared meanwhile (two deskd at once), and a crash never
 * leaves a half-written token behind for the next start to trust.
 */
int
auth_create_token_file(const char *path, char **cause)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 raw[AUTH_NEW_TOKEN_BYTES];
	char			 text[AUTH_NEW_TOKEN_BYTES * 2 + 1], *tmp;
	size_t			 i, got = 0;
	ssize_t			 n;
	int			 fd, rv = -1;

	if (access(path, F_OK) == 0)
		return (0);
	while (got < sizeof raw) {
		if ((n = getrandom(raw + got, sizeof raw - got, 0)) == -1) {
			if (errno == EINTR)
				continue;
			xasprintf(cause, "getrandom: %s", strerror(errno));
			return (-1);
		}
		got += n;
	}
	for (i = 0; i < sizeof raw; i++) {
		text[i * 2] = hex[raw[i] >> 4];
		text[i * 2 + 1] = hex[raw[i] & 15];
	}
	text[sizeof text - 1] = '\n';
	explicit_bzero(raw, sizeof raw);
	xasprintf(&tmp, "%s.new.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		xasprintf(cause, "token file %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (write(fd, text, sizeof text) != (ssize_t)sizeof text ||
	    fsync(fd) == -1) {
		xasprintf(cause, "token file %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (link(tmp, path) == 0)
		rv = 1;
	else if (errno == EEXIST)
		rv = 0;		/* another deskd made it first: use that */
	else
		xasprintf(cause, "token file %s: %s", path, strerror(errno));
	unlink(tmp);
out:
	explicit_bzero(text, sizeof text);
	free(tmp);
	return (rv);
}

int
auth_allow(struct auth *a, const char *cidr, char **cause)
{
	struct auth_net	*n;
	char		 addr[INET6_ADDRSTRLEN + 1];
	const char	*slash;
	char		*end;
	long		 bits;
	size_t		 len;

	if (a->nallow == AUTH_MAX_ALLOW) {
		xasprintf(cause, "more than %d --allow networks",
		    AUTH_MAX_ALLOW);
		return (-1);
	}
	n = &a->allow[a->nallow];
	slash = strchr(cidr, '/');
	len = slash != NULL ? (size_t)(slash - cidr) : strlen(cidr);
	if (len == 0 || len >= sizeof addr)
		goto bad;
	memcpy(addr, cidr, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, n->addr) == 1) {
		n->family = AF_INET;
		n->bits = 32;
	} else if (inet_pton(AF_INET6, addr, n->addr) == 1) {
		n->family = AF_INET6;
		n->bits = 128;
	} else
		goto bad;
	if (slash != NULL) {
		errno = 0;
		bits = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || errno != 0 ||
		    bits < 0 || bits > n->bits)
			goto bad;
		n->bits = bits;
	}
	/*
	 * Peers are matched as IPv4 when v4-mapped (auth_peer), so a mapped
	 * network is kept as the IPv4 network it maps; one wider than the
	 * mapped range (/96) could never match as written.
	 */
	if (n->family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED((struct in6_addr *)n->addr)) {
		if (n->bits < 96) {
			xasprintf(cause, "network \"%s\" is wider than the "
			    "IPv4-mapped range ::ffff:0:0/96", cidr);
			return (-1);
		}
		n->family = AF_INET;
		n->bits -= 96;
		memmove(n->addr, n->addr + 12, 4);
		memset(n->addr + 4, 0, 12);
	}
	a->nallow++;
	return (0);
bad:
	xasprintf(cause, "bad network \"%s\" (expected ADDR or ADDR/BITS)",
	    cidr);
	return (-1);
}

void
auth_set_open(struct auth *a, int open)
{
	a->open = open;
}

int
auth_has_token(struct auth *a)
{
	return (a->token != NULL);
}

static int
auth_match(const struct auth_net *n, int family, const uint8_t *addr)
{
	int	 full = n->bits / 8, rest = n->bits % 8;
	uint8_t	 mask;

	if (family != n->family)
		return (0);
	if (memcmp(addr, n->addr, full) != 0)
		return (0);
	if (rest == 0)
		return (1);
	mask = 0xff << (8 - rest);
	return ((addr[full] & mask) == (n->addr[full] & mask));
}

/* Normalise a peer to (family, bytes); v4-mapped v6 becomes v4. */
static int
auth_peer(const struct sockaddr *sa, int *family, uint8_t *addr)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	if (sa == NULL)
		return (-1);
	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)sa;
		*family = AF_INET;
		memcpy(addr, &sin->sin_addr, 4);
		return (0);
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			*family = AF_INET;
			memcpy(addr, &sin6->sin6_addr.s6_addr[12], 4);
		} else {
			*family = AF_INET6;
			memcpy(addr, &sin6->sin6_addr, 16);
		}
		return (0);
	case AF_UNIX:
		*family = AF_UNIX;
		return (0);
	}
	return (-1);
}

static int
auth_is_loopback(int family, const uint8_t *addr)
{
	static const uint8_t	 lo6[16] = { [15] = 1 };

	if (family == AF_UNIX)
		return (1);
	if (family == AF_INET)
		return (addr[0] == 127);
	return (family == AF_INET6 && memcmp(addr, lo6, 16) == 0);
}

/* Constant-time compare: time depends only on the lengths. */
static int
auth_token_equal(const char *given, size_t glen, const char *want,
    size_t wlen)
{
	volatile uint8_t	 diff = 0;
	size_t			 i;

	diff |= (glen != wlen);
	for (i = 0; i < wlen; i++)
		diff |= (uint8_t)want[i] ^ (uint8_t)(i < glen ? given[i] : 0);
	return (diff == 0);
}

int
auth_token_ok(struct auth *a, const char *authz)
{
	const char	*tok;

	if (a->token == NULL || authz == NULL ||
	    strncasecmp(authz, "Bearer ", 7) != 0)
		return (0);
	tok = authz + 7;
	while (*tok == ' ')
		tok++;
	return (auth_token_equal(tok, strlen(tok), a->token, a->token_len));
}

int
auth_check(struct auth *a, const struct sockaddr *peer, const char *authz,
    char **cause)
{
	uint8_t		 addr[16];
	int		 family, i;

	if (a->open)
		return (0);
	if (auth_peer(peer, &family, addr) == -1) {
		*cause = xstrdup("unknown peer address");
		return (-1);
	}
	for (i = 0; i < a->nallow; i++) {
		if (auth_match(&a->allow[i], family, addr))
			return (0);
	}
	if (a->token != NULL) {
		if (authz == NULL) {
			*cause = xstrdup("missing bearer token "
			    "(Authorization: Bearer ...)");
			return (-1);
		}
		if (strncasecmp(authz, "Bearer ", 7) != 0) {
			*cause = xstrdup("Authorization is not a bearer token");
			return (-1);
		}
		if (!auth_token_ok(a, authz)) {
			*cause = xstrdup("wrong bearer token");
			return (-1);
		}
		return (0);
	}
	if (a->nallow == 0 && auth_is_loopback(family, addr))
		return (0);
	if (a->nallow == 0)
		*cause = xstrdup("only loopback clients are served: no token "
		    "file and no --allow network is configured");
	else
		*cause = xstrdup("address not in an --allow network and no "
		    "token is configured");
	return (-1);
}

const char *
auth_describe(struct auth *a)
{
	if (a->open)
		snprintf(a->desc, sizeof a->desc, "auth: NONE (--no-auth)");
	else if (a->token != NULL)
		snprintf(a->desc, sizeof a->desc,
		    "auth: bearer token, %d --allow network(s)", a->nallow);
	else if (a->nallow > 0)
		snprintf(a->desc, sizeof a->desc,
		    "auth: %d --allow network(s), no token", a->nallow);
	else
		snprintf(a->desc, sizeof a->desc,
		    "auth: loopback only (no token, no --allow)");
	return (a->desc);
}
