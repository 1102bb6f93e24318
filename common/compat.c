/* compat.c: strlcpy and strlcat where libc has none (glibc < 2.38). */
#include <string.h>

#include "compat.h"

#ifndef HAVE_STRLCPY
size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t	 len = strlen(src);

	if (size > 0) {
		size_t	 n = len >= size ? size - 1 : len;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return (len);
}
#endif

#ifndef HAVE_STRLCAT
size_t
strlcat(char *dst, const char *src, size_t size)
{
	size_t	 dlen = strnlen(dst, size);

	if (dlen == size)
		return (size + strlen(src));
	return (dlen + strlcpy(dst + dlen, src, size - dlen));
}
#endif
