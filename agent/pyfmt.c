/*
 * pyfmt.c: Python's repr() and str() of floats, strings and lists, as
 * CPython prints them (Objects/floatobject.c float_repr: the shortest
 * repr that round-trips; Objects/unicodeobject.c unicode_repr: single
 * quotes unless the string holds one and no double quote), and the words
 * of an OSError (Objects/exceptions.c OSError_str).
 */
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "pyfmt.h"
#include "xmalloc.h"

char *
pyfmt_float(double d)
{
	char	 buf[64];
	int	 prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if (strspn(buf, "-0123456789") == strlen(buf))
		memcpy(buf + strlen(buf), ".0", 3);
	return (xstrdup(buf));
}

char *
pyfmt_number(json_t *v)
{
	char	*s;

	if (json_is_integer(v)) {
		xasprintf(&s, "%lld", (long long)json_integer_value(v));
		return (s);
	}
	return (pyfmt_float(json_number_value(v)));
}

char *
pyfmt_seconds(long long ms)
{
	char	*s;

	if (ms % 1000 == 0) {
		xasprintf(&s, "%lld", ms / 1000);
		return (s);
	}
	return (pyfmt_float(ms / 1000.0));
}

/* Append repr(str) to b: quotes chosen as Python does, escapes. */
static void
pyfmt_repr(struct evbuffer *b, const char *s)
{
	const u_char	*p;
	char		 q = '\'';

	if (strchr(s, '\'') != NULL && strchr(s, '"') == NULL)
		q = '"';
	evbuffer_add(b, &q, 1);
	for (p = (const u_char *)s; *p != '\0'; p++) {
		if (*p == q || *p == '\\')
			evbuffer_add_printf(b, "\\%c", *p);
		else if (*p == '\n')
			evbuffer_add(b, "\\n", 2);
		else if (*p == '\r')
			evbuffer_add(b, "\\r", 2);
		else if (*p == '\t')
			evbuffer_add(b, "\\t", 2);
		else if (*p < 0x20 || *p == 0x7f)
			evbuffer_add_printf(b, "\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* C1 controls are not printable either. */
			evbuffer_add_printf(b, "\\x%02x", p[1]);
			p++;
		} else
			evbuffer_add(b, p, 1);
	}
	evbuffer_add(b, &q, 1);
}

char *
pyfmt_list(char *const *v, int join)
{
	struct evbuffer	*b;
	char		*s;
	size_t		 i, len;

	b = evbuffer_new();
	if (!join)
		evbuffer_add(b, "[", 1);
	for (i = 0; v[i] != NULL; i++) {
		if (i > 0)
			evbuffer_add(b, join ? " " : ", ", join ? 1 : 2);
		if (join)
			evbuffer_add(b, v[i], strlen(v[i]));
		else
			pyfmt_repr(b, v[i]);
	}
	if (!join)
		evbuffer_add(b, "]", 1);
	len = evbuffer_get_length(b);
	s = xmalloc(len + 1);
	evbuffer_remove(b, s, len);
	s[len] = '\0';
	evbuffer_free(b);
	return (s);
}

char *
pyfmt_oserror(int errnum, const char *path)
{
	char	*s;

	xasprintf(&s, "[Errno %d] %s: '%s'", errnum, strerror(errnum), path);
	return (s);
}
