/*
 * test-base64.c: proto/base64.c against the test vectors of RFC 4648
 * section 10, deskctl's old user-data vector, and round trips.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "tst.h"

static const struct {
	const char	*plain;
	const char	*encoded;
} base64_rfc4648[] = {
	/* RFC 4648 section 10. */
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
	/* Both of the alphabet's last characters (+ and /), and a high byte. */
	{ "#!/bin/sh\necho ?\?>>~ //\xfe\n",
	    "IyEvYmluL3NoCmVjaG8gPz8+Pn4gLy/+Cg==" },
};

static void
test_base64_vectors(void)
{
	const char	*p, *e;
	char		*s, buf[64];
	void		*d;
	size_t		 i, n;

	for (i = 0; i < sizeof base64_rfc4648 / sizeof base64_rfc4648[0];
	    i++) {
		p = base64_rfc4648[i].plain;
		e = base64_rfc4648[i].encoded;
		s = proto_base64(p, strlen(p));
		TST_STR_EQ(s, e, "encode \"%.10s\"", p);
		free(s);
		n = proto_base64_encode(buf, p, strlen(p));
		TST_OK(n == strlen(e) && n == PROTO_BASE64_LEN(strlen(p)) &&
		    memcmp(buf, e, n) == 0,
		    "proto_base64_encode writes %zu characters", strlen(e));
		d = proto_base64_decode(e, strlen(e), &n);
		TST_OK(d != NULL && n == strlen(p) && memcmp(d, p, n) == 0,
		    "decode \"%s\"", e);
		free(d);
	}
}

static void
test_base64_decode(void)
{
	static const char	*bad[] = {
		"ab$c",		/* outside the alphabet */
		"Zg==Zg==",	/* data after the padding */
		"Zg===",	/* too much padding */
		"Zm8==",	/* ... for a group of three */
		"Zm9v=",	/* padding after a whole group */
		"Z",		/* a lone character: no whole byte */
		"Zm9vY",
		"=",
		"Zg-_",		/* the URL alphabet is not this one */
	};
	void			*d;
	size_t			 i, n;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		d = proto_base64_decode(bad[i], strlen(bad[i]), &n);
		TST_OK(d == NULL, "decode refuses \"%s\"", bad[i]);
		free(d);
	}
	d = proto_base64_decode("Zm9v\r\nYmFy", 10, &n);
	TST_OK(d != NULL && n == 6 && memcmp(d, "foobar", 6) == 0,
	    "line breaks are skipped");
	free(d);
	d = proto_base64_decode("Zg", 2, &n);
	TST_OK(d != NULL && n == 1 && memcmp(d, "f", 1) == 0,
	    "padding is optional");
	free(d);
	d = proto_base64_decode("Zm9vYg==", 6, &n);
	TST_OK(d != NULL && n == 4 && memcmp(d, "foob", 4) == 0,
	    "only len characters are read");
	free(d);
}

static void
test_base64_round_trip(void)
{
	unsigned char	 in[300];
	char		 enc[PROTO_BASE64_LEN(300)];
	char		 whole[PROTO_BASE64_LEN(300)];
	unsigned char	*d;
	size_t		 len, n, m, i, cut;
	int		 ok = 1, pieces = 1;

	for (i = 0; i < sizeof in; i++)
		in[i] = (unsigned char)(i * 7 + 3);
	for (len = 0; len <= sizeof in; len++) {
		n = proto_base64_encode(enc, in, len);
		d = proto_base64_decode(enc, n, &m);
		if (d == NULL || m != len || memcmp(d, in, len) != 0)
			ok = 0;
		free(d);
		/* In pieces of multiples of 3, as deskd encodes an evbuffer. */
		cut = len / 2 / 3 * 3;
		m = proto_base64_encode(whole, in, cut);
		m += proto_base64_encode(whole + m, in + cut, len - cut);
		if (m != n || memcmp(whole, enc, n) != 0)
			pieces = 0;
	}
	TST_OK(ok, "every length 0..300 decodes back to its bytes");
	TST_OK(pieces, "encoding in pieces of 3n bytes gives the same text");
}

int
main(void)
{
	test_base64_vectors();
	test_base64_decode();
	test_base64_round_trip();
	return (tst_done());
}
