/*
 * utf8.c: make bytes valid UTF-8, replacing every invalid sequence with
 * U+FFFD (as Python's errors="replace" does per maximal subpart), so that
 * anything a client or a child sent can go into a JSON string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deskproto.h"

/* Length of the valid sequence at s, 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t left)
{
	unsigned char	 c = s[0];
	size_t		 n, i;
	uint32_t	 cp;

	if (c < 0x80)
		return (1);
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else
		return (0);
	if (left < n)
		return (0);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return (0);
	return (n);
}

char *
proto_utf8_clean(const char *in, size_t len, size_t *outlen)
{
	const unsigned char	*s = (const unsigned char *)in;
	char			*out, *o;
	size_t			 i = 0, n;

	/* Each bad byte becomes 3 bytes at most. */
	if ((out = malloc(len * 3 + 1)) == NULL)
		return (NULL);
	o = out;
	while (i < len) {
		if (s[i] == '\0') {
			/* Keep NULs out of C strings. */
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		n = utf8_seq(s + i, len - i);
		if (n == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(o, s + i, n);
		o += n;
		i += n;
	}
	*o = '\0';
	if (outlen != NULL)
		*outlen = o - out;
	return (out);
}
