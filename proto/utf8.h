/*
 * utf8.h: the one UTF-8 decoder of deskd and deskctl.
 *
 * Well-formed means Unicode's table 3-7 (no overlong forms, no surrogates,
 * nothing past U+10FFFF).  An ill-formed sequence is consumed one
 * "maximal subpart" at a time (Unicode 15.0 section 3.9, U+FFFD
 * Substitution of Maximal Subparts): the longest prefix of a well-formed
 * sequence, or one byte.  That is what Python's bytes.decode("utf-8",
 * "replace") does, so text deskd passes on matches what OSWorld's Python
 * server would have sent: e2 82 41 f0 9f 98 42 is U+FFFD A U+FFFD B.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_UTF8_BAD	0xffffffffu	/* *cp of an ill-formed subpart */

enum proto_utf8_mode {
	PROTO_UTF8_STRICT,	/* the first ill-formed byte is an error */
	PROTO_UTF8_REPLACE	/* each maximal ill-formed subpart: U+FFFD */
};

/*
 * The character at s (len > 0 bytes left): returns its length in bytes
 * with *cp its code point, or the length of the maximal ill-formed subpart
 * there (1 to 3) with *cp PROTO_UTF8_BAD.
 */
size_t		 proto_utf8_next(const char *s, size_t len, uint32_t *cp);
/*
 * Decode into out, which holds len code points (one per byte at most).
 * Returns the number of code points; in strict mode, (size_t)-1 with *bad
 * the offset of the first ill-formed byte.
 */
size_t		 proto_utf8_decode(const char *s, size_t len,
		    enum proto_utf8_mode, uint32_t *out, size_t *bad);
/*
 * Copy bytes as valid UTF-8, as the replace mode decodes them, except
 * that NUL also becomes U+FFFD (the result is a C string).
 * NUL-terminated, caller frees; NULL only when out of memory.
 */
char		*proto_utf8_clean(const char *, size_t, size_t *outlen);

#endif
