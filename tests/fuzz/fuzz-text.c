/*
 * fuzz-text: libFuzzer target for the text codecs of proto/: the UTF-8
 * decoder in both modes and base64.  Checks what must hold for any input:
 * where strict mode succeeds replace mode gives the same code points,
 * proto_utf8_clean's output is valid UTF-8
 * that decodes to replace mode's code points (NUL aside), base64 decodes
 * back to its input, and a decoded base64 re-encodes to a form that
 * decodes to the same bytes.
 * links: proto/utf8.c proto/base64.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "utf8.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_utf8(const char *s, size_t size)
{
	uint32_t	*strict, *rep, *again;
	char		*clean;
	size_t		 ns, nr, na, olen, bad, i;

	strict = malloc((size + 1) * sizeof *strict);
	rep = malloc((size + 1) * sizeof *rep);
	ns = proto_utf8_decode(s, size, PROTO_UTF8_STRICT, strict, &bad);
	nr = proto_utf8_decode(s, size, PROTO_UTF8_REPLACE, rep, NULL);
	if (ns != (size_t)-1) {
		/* Valid text: both modes agree. */
		if (ns != nr || memcmp(strict, rep, ns * sizeof *rep) != 0)
			abort();
	} else if (bad >= size)
		abort();

	clean = proto_utf8_clean(s, size, &olen);
	if (clean == NULL || strlen(clean) != olen)
		abort();
	again = malloc((olen + 1) * sizeof *again);
	na = proto_utf8_decode(clean, olen, PROTO_UTF8_STRICT, again, NULL);
	if (na != nr)
		abort();
	for (i = 0; i < nr; i++) {
		if (again[i] != (rep[i] == 0 ? 0xfffd : rep[i]))
			abort();
	}
	free(again);
	free(clean);
	free(strict);
	free(rep);
}

static void
fuzz_base64(const char *s, size_t size)
{
	char	*enc, *enc2;
	void	*dec, *dec2;
	size_t	 n, n2;

	enc = proto_base64(s, size);
	if (enc == NULL || strlen(enc) != PROTO_BASE64_LEN(size))
		abort();
	dec = proto_base64_decode(enc, strlen(enc), &n);
	if (dec == NULL || n != size || memcmp(dec, s, size) != 0)
		abort();
	free(dec);
	free(enc);

	/* The bytes as base64 text: if they decode, that is stable. */
	if ((dec = proto_base64_decode(s, size, &n)) == NULL)
		return;
	enc2 = proto_base64(dec, n);
	dec2 = proto_base64_decode(enc2, strlen(enc2), &n2);
	if (dec2 == NULL || n2 != n || memcmp(dec2, dec, n) != 0)
		abort();
	free(dec2);
	free(enc2);
	free(dec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_utf8((const char *)data, size);
	fuzz_base64((const char *)data, size);
	return (0);
}
