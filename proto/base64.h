/*
 * base64.h: the standard base64 alphabet of RFC 4648 section 4, with
 * padding.  deskd encodes "base64_image" with it and deskctl decodes it;
 * deskctl also encodes EC2 user data.
 */
#ifndef BASE64_H
#define BASE64_H

#include <stddef.h>

/* Characters that len bytes encode to (padding included, no NUL). */
#define PROTO_BASE64_LEN(len)	(((len) + 2) / 3 * 4)

/*
 * Encode len bytes into dst, which holds PROTO_BASE64_LEN(len) bytes; no
 * NUL is written.  Returns the characters written.  A length that is a
 * multiple of 3 ends without padding, so a long input may be encoded in
 * pieces of such lengths.
 */
size_t	 proto_base64_encode(char *dst, const void *src, size_t len);
/* The same into a new NUL-terminated string; NULL when out of memory. */
char	*proto_base64(const void *, size_t);
/*
 * Decode len characters (padding optional, CR, LF and spaces skipped, as
 * MIME lines carry them).  Returns a new buffer of *outlen bytes, or NULL
 * for a character outside the alphabet, data after the padding, a lone
 * last character (which would encode no whole byte) or out of memory.
 */
void	*proto_base64_decode(const char *, size_t len, size_t *outlen);

#endif
