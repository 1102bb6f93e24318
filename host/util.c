/*
 * util.c: small pure helpers for deskctl (durations, times, encodings,
 * randomness, files, the capped curl buffer) plus the interruptible sleep.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deskctl.h"
#include "util.h"
#include "xmalloc.h"

volatile sig_atomic_t util_interrupted;

/* Messages for the person at the terminal: "deskctl: ...". */
void
util_say(const char *fmt, ...)
{
	va_list	 ap;

	fflush(stdout);
	fputs("deskctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * "90", "90s", "15m", "2h", "1d", "1h30m", "1w".  A bare number is seconds.
 * Capped at ten years so the expiry arithmetic cannot overflow.
 */
int
util_parse_duration(const char *s, long long *secs, char **cause)
{
	const char	*p = s;
	long long	 total = 0, n, mult;
	int		 any = 0;

	if (s == NULL || *s == '\0')
		goto bad;
	while (*p != '\0') {
		if (*p < '0' || *p > '9')
			goto bad;
		n = 0;
		while (*p >= '0' && *p <= '9') {
			n = n * 10 + (*p - '0');
			if (n > 10LL * 366 * 86400)
				goto big;
			p++;
		}
		switch (*p) {
		case '\0':
			if (any)
				goto bad;	/* "1h30" is ambiguous */
			mult = 1;
			break;
		case 's':
			mult = 1;
			p++;
			break;
		case 'm':
			mult = 60;
			p++;
			break;
		case 'h':
			mult = 3600;
			p++;
			break;
		case 'd':
			mult = 86400;
			p++;
			break;
		case 'w':
			mult = 7 * 86400;
			p++;
			break;
		default:
			goto bad;
		}
		total += n * mult;
		if (total > 10LL * 366 * 86400)
			goto big;
		any = 1;
	}
	*secs = total;
	return (0);
big:
	xasprintf(cause, "duration too long: %s", s);
	return (-1);
bad:
	xasprintf(cause, "bad duration '%s' (examples: 90s, 15m, 2h, 1h30m, "
	    "1d)", s == NULL ? "" : s);
	return (-1);
}

int
util_parse_minutes(const char *s, long long *secs, char **cause)
{
	char	*m;
	int	 rv;

	if (s == NULL || *s == '\0' || strspn(s, "0123456789") != strlen(s))
		return (util_parse_duration(s, secs, cause));
	xasprintf(&m, "%sm", s);
	rv = util_parse_duration(m, secs, cause);
	free(m);
	return (rv);
}

char *
util_random_hex(size_t nbytes, char **cause)
{
	unsigned char	 buf[256];
	char		*out;
	size_t		 i, got = 0;
	ssize_t		 n;

	if (nbytes > sizeof buf) {
		xasprintf(cause, "random: %zu bytes is too many", nbytes);
		return (NULL);
	}
	while (got < nbytes) {
		n = getrandom(buf + got, nbytes - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			xasprintf(cause, "getrandom: %s", strerror(errno));
			return (NULL);
		}
		got += n;
	}
	out = xmalloc(nbytes * 2 + 1);
	for (i = 0; i < nbytes; i++)
		snprintf(out + i * 2, 3, "%02x", buf[i]);
	explicit_bzero(buf, sizeof buf);
	return (out);
}

char *
util_time_iso(time_t t)
{
	struct tm	 tm;
	char		 buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return (xstrdup(buf));
}

/* "2026-11-24T06:00:00Z" or with ".000Z" fractions (EC2 launchTime). */
int
util_parse_iso(const char *s, time_t *out)
{
	struct tm	 tm;
	const char	*p;

	memset(&tm, 0, sizeof tm);
	if (s == NULL || (p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return (-1);
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		return (-1);
	*out = timegm(&tm);
	return (0);
}

int
util_sleep_ms(long ms)
{
	struct timespec	 ts;

	if (util_interrupted)
		return (-1);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1) {
		if (errno != EINTR || util_interrupted)
			return (-1);
	}
	return (util_interrupted ? -1 : 0);
}

/* Full jitter (AWS architecture blog): uniform in [0, min(cap, base*2^n)]. */
long
util_backoff_ms(int attempt, long base, long cap)
{
	unsigned int	 r;
	long		 ceil_ms = base;
	int		 i;

	for (i = 0; i < attempt && ceil_ms < cap; i++)
		ceil_ms *= 2;
	if (ceil_ms > cap)
		ceil_ms = cap;
	if (getrandom(&r, sizeof r, 0) != sizeof r)
		r = (unsigned int)rand();
	return ((long)(r % (unsigned long)(ceil_ms + 1)));
}

long long
util_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

char *
util_read_file(const char *path, size_t max, size_t *len, char **cause)
{
	char	*buf = NULL;
	size_t	 used = 0, size = 0;
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	for (;;) {
		if (used + 4096 + 1 > size) {
			size = size == 0 ? 8192 : size * 2;
			buf = xrealloc(buf, size);
		}
		n = read(fd, buf + used, size - used - 1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			xasprintf(cause, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		used += n;
		if (used > max) {
			xasprintf(cause, "%s: larger than %zu bytes", path,
			    max);
			goto fail;
		}
	}
	close(fd);
	buf[used] = '\0';
	if (len != NULL)
		*len = used;
	return (buf);
fail:
	close(fd);
	free(buf);
	return (NULL);
}

/* Write to PATH.tmp with MODE, fsync, rename: readers never see half. */
int
util_write_file(const char *path, const void *data, size_t len, int mode,
    char **cause)
{
	char		*tmp;
	const char	*p = data;
	ssize_t		 n;
	int		 fd;

	xasprintf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd == -1) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return (-1);
	}
	/* The umask may have widened nothing, but an old file may be wider. */
	fchmod(fd, mode);
	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			xasprintf(cause, "%s: %s", tmp, strerror(errno));
			goto fail;
		}
		p += n;
		len -= n;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		goto fail;
	}
	free(tmp);
	return (0);
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return (-1);
}

/* The deskd:owner tag: $DESKCTL_OWNER, else user@host. */
char *
util_owner(void)
{
	const char	*o, *user;
	struct passwd	*pw;
	char		 host[256], *s;

	if ((o = getenv("DESKCTL_OWNER")) != NULL && *o != '\0')
		return (xstrdup(o));
	if ((user = getenv("USER")) == NULL || *user == '\0') {
		pw = getpwuid(getuid());
		user = pw != NULL ? pw->pw_name : "unknown";
	}
	if (gethostname(host, sizeof host) == -1)
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	xasprintf(&s, "%s@%s", user, host);
	return (s);
}

char *
util_exe_dir(void)
{
	char	 buf[PATH_MAX];
	ssize_t	 n;
	char	*slash;

	if ((n = readlink("/proc/self/exe", buf, sizeof buf - 1)) <= 0)
		return (NULL);
	buf[n] = '\0';
	if ((slash = strrchr(buf, '/')) == NULL)
		return (NULL);
	*slash = '\0';
	return (xstrdup(buf));
}

char *
util_pct_encode(const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	char			*out, *o;

	out = o = xmalloc(strlen(s) * 3 + 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.' || *p == '~')
			*o++ = *p;
		else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return (out);
}

void
util_free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

size_t
util_buf_write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct util_buf	*b = arg;
	size_t		 n = size * nmemb;

	if (b->len + n > b->max) {
		b->toolong = 1;
		return (0);
	}
	b->data = xrealloc(b->data, b->len + n + 1);
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return (n);
}
