/*
 * log.c: leveled logging in the OpenBSD httpd style.  log_warn and fatal
 * append strerror(errno); the x-variants do not.
 */
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

static void
log_vwrite(const char *tag, const char *fmt, va_list ap, const char *err)
{
	char		 buf[2048];
	int		 n;

	n = vsnprintf(buf, sizeof buf, fmt, ap);
	if (n < 0)
		return;
	if (err != NULL)
		fprintf(stderr, "%s: %s%s: %s\n", log_prog, tag, buf, err);
	else
		fprintf(stderr, "%s: %s%s\n", log_prog, tag, buf);
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
