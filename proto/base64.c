/*
 * base64.c: RFC 4648 section 4 base64 (see base64.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"

static const char	 base64_tab[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
proto_base64_encode(char *dst, const void *src, size_t len)
{
	const unsigned char	*p = src;
	char			*o = dst;
	size_t			 i;
	uint32_t		 v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = base64_tab[v >> 18];
		*o++ = base64_tab[(v >> 12) & 63];
		*o++ = base64_tab[(v >> 6) & 63];
		*o++ = base64_tab[v & 63];
	}
	if (i < len) {
		/* RFC 4648 section 4: one or two bytes left, then "=". */
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		*o++ = base64_tab[v >> 18];
		*o++ = base64_tab[(v >> 12) & 63];
		*o++ = i + 1 < len ? base64_tab[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	return (o - dst);
}

char *
proto_base64(const void *src, size_t len)
{
	char	*out;
	size_t	 n;

	if (len > SIZE_MAX / 2 ||
	    (out = malloc(PROTO_BASE64_LEN(len) + 1)) == NULL)
		return (NULL);
	n = proto_base64_encode(out, src, len);
	out[n] = '\0';
	return (out);
}

/* The value of one alphabet character, -1 if it is not one. */
static int
proto_base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '+')
		return (62);
	if (c == '/')
		return (63);
	return (-1);
}

void *
proto_base64_decode(const char *s, size_t len, size_t *outlen)
{
	unsigned char	*out;
	uint32_t	 acc = 0;
	size_t		 i, n = 0, nchars = 0;
	int		 bits = 0, v, pad = 0;

	*outlen = 0;
	if ((out = malloc(len / 4 * 3 + 3)) == NULL)
		return (NULL);
	for (i = 0; i < len; i++) {
		if (s[i] == '\n' || s[i] == '\r' || s[i] == ' ')
			continue;
		if (s[i] == '=') {
			/* Only after 2 or 3 characters of a group. */
			if (nchars % 4 < 2 || ++pad > 4 - (int)(nchars % 4))
				goto bad;
			continue;
		}
		if (pad != 0 || (v = proto_base64_value(s[i])) == -1)
			goto bad;
		nchars++;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (acc >> bits) & 0xff;
		}
	}
	/* A lone character in the last group carries no whole byte. */
	if (nchars % 4 == 1)
		goto bad;
	*outlen = n;
	return (out);
bad:
	free(out);
	return (NULL);
}
