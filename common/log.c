/*
 * log.c: leveled logging in the OpenBSD httpd style.  log_warn and fatal
 * append strerror(errno); the x-variants do not.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int		 log_level = LOG_LEVEL_INFO;
static const char	*log_prog = "deskd";

int
log_parse_level(const char *s)
{
	if (strcasecmp(s, "error") == 0)
		return (LOG_LEVEL_ERROR);
	if (strcasecmp(s, "warn") == 0 || strcasecmp(s, "warning") == 0)
		return (LOG_LEVEL_WARN);
	if (strcasecmp(s, "info") == 0)
		return (LOG_LEVEL_INFO);
	if (strcasecmp(s, "debug") == 0)
		return (LOG_LEVEL_DEBUG);
	return (-1);
}

void
log_init(int level, const char *prog)
{
	log_level = level;
	if (prog != NULL)
		log_prog = prog;
}

/* Bytes a UTF-8 sequence starting at s takes, or 0 if it is not one. */
static size_t
log_utf8_len(const u_char *s, size_t left)
{
	size_t	 n, i;

	if (*s >= 0xc2 && *s <= 0xdf)
		n = 2;
	else if (*s >= 0xe0 && *s <= 0xef)
		n = 3;
	else if (*s >= 0xf0 && *s <= 0xf4)
		n = 4;
	else
		return (0);
	if (n > left)
		return (0);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
	}
	return (n);
}

/*
 * A message is one line of text whatever a client put in it: paths, names
 * and URIs come from requests, and a "\n" there would start a forged log
 * line (a terminal escape would do worse).  Control bytes, bytes that are
 * not UTF-8 and the backslash itself become C-style escapes, as vis(3)
 * VIS_CSTYLE writes them, so the line reads back unambiguously.
 */
static void
log_escape(const char *src, char *dst, size_t size)
{
	const u_char	*s = (const u_char *)src;
	size_t		 o = 0, n, len = strlen(src);
	char		 e[5];

	while (*s != '\0' && o + 5 < size) {
		if (*s >= 0x20 && *s < 0x7f && *s != '\\') {
			dst[o++] = *s++;
			continue;
		}
		if (*s >= 0x80 && (n = log_utf8_len(s, len - (s -
		    (const u_char *)src))) > 0) {
			memcpy(dst + o, s, n);
			o += n;
			s += n;
			continue;
		}
		switch (*s) {
		case '\\':
			memcpy(e, "\\\\", 3);
			break;
		case '\n':
			memcpy(e, "\\n", 3);
			break;
		case '\r':
			memcpy(e, "\\r", 3);
			break;
		case '\t':
			memcpy(e, "\\t", 3);
			break;
		default:
			snprintf(e, sizeof e, "\\x%02x", *s);
			break;
		}
		n = strlen(e);
		memcpy(dst + o, e, n);
		o += n;
		s++;
	}
	dst[o] = '\0';
}

static void
log_vwrite(const char *tag, const char *fmt, va_list ap, const char *err)
{
	char		 buf[2048], line[4 * sizeof buf + 1];
	int		 n;

	n = vsnprintf(buf, sizeof buf, fmt, ap);
	if (n < 0)
		return;
	log_escape(buf, line, sizeof line);
	if (err != NULL)
		fprintf(stderr, "%s: %s%s: %s\n", log_prog, tag, line, err);
	else
		fprintf(stderr, "%s: %s%s\n", log_prog, tag, line);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	if (log_level < LOG_LEVEL_WARN)
		return;
	va_start(ap, fmt);
	log_vwrite("warning: ", fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_LEVEL_WARN)
		return;
	va_start(ap, fmt);
	log_vwrite("warning: ", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	log_vwrite("", fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	log_vwrite("debug: ", fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vwrite("fatal: ", fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("fatal: ", fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
