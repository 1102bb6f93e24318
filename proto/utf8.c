/*
 * utf8.c: UTF-8 decoding, strict or as Python's errors="replace" does
 * (see utf8.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/*
 * The continuation bytes a lead byte needs (-1: it leads nothing) and the
 * range its first continuation allows: Unicode 15.0 table 3-7, whose
 * narrowed second bytes rule out overlong forms (e0, f0), surrogates (ed)
 * and values past U+10FFFF (f4).
 */
static int
proto_utf8_lead(unsigned char c, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		return (1);
	if (c == 0xe0) {
		*lo = 0xa0;
		return (2);
	}
	if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef)
		return (2);
	if (c == 0xed) {
		*hi = 0x9f;
		return (2);
	}
	if (c == 0xf0) {
		*lo = 0x90;
		return (3);
	}
	if (c >= 0xf1 && c <= 0xf3)
		return (3);
	if (c == 0xf4) {
		*hi = 0x8f;
		return (3);
	}
	return (-1);
}

size_t
proto_utf8_next(const char *src, size_t len, uint32_t *cp)
{
	const unsigned char	*s = (const unsigned char *)src;
	unsigned char		 lo, hi;
	uint32_t		 v;
	size_t			 j;
	int			 need, k;

	if (s[0] < 0x80) {
		*cp = s[0];
		return (1);
	}
	if ((need = proto_utf8_lead(s[0], &lo, &hi)) == -1) {
		*cp = PROTO_UTF8_BAD;
		return (1);
	}
	v = s[0] & (0x7f >> (need + 1));
	for (k = 0, j = 1; k < need && j < len; k++, j++) {
		if (s[j] < (k == 0 ? lo : 0x80) || s[j] > (k == 0 ? hi : 0xbf))
			break;
		v = v << 6 | (s[j] & 0x3f);
	}
	/* Short or cut: the bytes that were right so far are one subpart. */
	*cp = k == need ? v : PROTO_UTF8_BAD;
	return (j);
}

size_t
proto_utf8_decode(const char *s, size_t len, enum proto_utf8_mode mode,
    uint32_t *out, size_t *bad)
{
	size_t		 i = 0, n = 0, step;
	uint32_t	 cp;

	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			out[n++] = (unsigned char)s[i++];
			continue;
		}
		step = proto_utf8_next(s + i, len - i, &cp);
		if (cp == PROTO_UTF8_BAD) {
			if (mode == PROTO_UTF8_STRICT) {
				if (bad != NULL)
					*bad = i;
				return ((size_t)-1);
			}
			cp = 0xfffd;
		}
		out[n++] = cp;
		i += step;
	}
	return (n);
}

char *
proto_utf8_clean(const char *in, size_t len, size_t *outlen)
{
	char		*out, *o;
	size_t		 i = 0, n;
	uint32_t	 cp;

	/* Each bad byte becomes 3 bytes at most. */
	if (len > (SIZE_MAX - 1) / 3 || (out = malloc(len * 3 + 1)) == NULL)
		return (NULL);
	o = out;
	while (i < len) {
		n = proto_utf8_next(in + i, len - i, &cp);
		if (cp == PROTO_UTF8_BAD || cp == 0) {
			/* Keep NULs out of C strings too. */
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
		} else {
			memcpy(o, in + i, n);
			o += n;
		}
		i += n;
	}
	*o = '\0';
	if (outlen != NULL)
		*outlen = o - out;
	return (out);
}
