/*
 * test-utf8.c: proto/utf8.c against Python.  Each row's expected values
 * were produced by Python 3.11 at the time of writing:
 *   b.decode("utf-8", "replace")  (the replace output and code points)
 *   b.decode("utf-8", "strict")   (UnicodeDecodeError.start, -1 if none)
 * for the byte string b on the left, covering every row of Unicode's
 * table 3-7, truncations, overlongs, surrogates, values past U+10FFFF and
 * the old 5- and 6-byte forms.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tst.h"
#include "utf8.h"

struct utf8_case {
	const char	*in;
	size_t		 len;
	const char	*replaced;	/* Python's "replace" */
	size_t		 replaced_len;
	long		 bad;		/* strict: first bad byte, or -1 */
	size_t		 ncps;
	uint32_t	 cps[16];
};

static const struct utf8_case utf8_cases[] = {
	{ "", 0,
	    "", 0,
	    -1, 0, { 0 } },
	{ "plain ascii", 11,
	    "plain ascii", 11,
	    -1, 11, { 0x70, 0x6c, 0x61, 0x69, 0x6e, 0x20, 0x61, 0x73, 0x63,
		0x69, 0x69 } },
	{ "caf\xc3\xa9", 5,
	    "caf\xc3\xa9", 5,
	    -1, 4, { 0x63, 0x61, 0x66, 0xe9 } },
	{ "\xe2\x82\xac", 3,
	    "\xe2\x82\xac", 3,
	    -1, 1, { 0x20ac } },
	{ "\xf0\x9f\x98\x80", 4,
	    "\xf0\x9f\x98\x80", 4,
	    -1, 1, { 0x1f600 } },
	{ "\xe2\x82" "A\xf0\x9f\x98" "B", 7,
	    "\xef\xbf\xbd" "A\xef\xbf\xbd" "B", 8,
	    0, 4, { 0xfffd, 0x41, 0xfffd, 0x42 } },
	{ "a\xffz", 3,
	    "a\xef\xbf\xbdz", 5,
	    1, 3, { 0x61, 0xfffd, 0x7a } },
	{ "\x80", 1,
	    "\xef\xbf\xbd", 3,
	    0, 1, { 0xfffd } },
	{ "\xbf\xbf", 2,
	    "\xef\xbf\xbd\xef\xbf\xbd", 6,
	    0, 2, { 0xfffd, 0xfffd } },
	{ "\xc0\xaf", 2,
	    "\xef\xbf\xbd\xef\xbf\xbd", 6,
	    0, 2, { 0xfffd, 0xfffd } },
	{ "\xc1\xbf", 2,
	    "\xef\xbf\xbd\xef\xbf\xbd", 6,
	    0, 2, { 0xfffd, 0xfffd } },
	{ "\xc2", 1,
	    "\xef\xbf\xbd", 3,
	    0, 1, { 0xfffd } },
	{ "\xc2" "A", 2,
	    "\xef\xbf\xbd" "A", 4,
	    0, 2, { 0xfffd, 0x41 } },
	{ "\xc2\x80", 2,
	    "\xc2\x80", 2,
	    -1, 1, { 0x80 } },
	{ "\xdf\xbf", 2,
	    "\xdf\xbf", 2,
	    -1, 1, { 0x7ff } },
	{ "\xe0\x80", 2,
	    "\xef\xbf\xbd\xef\xbf\xbd", 6,
	    0, 2, { 0xfffd, 0xfffd } },
	{ "\xe0\x80\x80", 3,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 9,
	    0, 3, { 0xfffd, 0xfffd, 0xfffd } },
	{ "\xe0\x9f\xbf", 3,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 9,
	    0, 3, { 0xfffd, 0xfffd, 0xfffd } },
	{ "\xe0\xa0\x80", 3,
	    "\xe0\xa0\x80", 3,
	    -1, 1, { 0x800 } },
	{ "\xe1\x80" "A", 3,
	    "\xef\xbf\xbd" "A", 4,
	    0, 2, { 0xfffd, 0x41 } },
	{ "\xe1\x80", 2,
	    "\xef\xbf\xbd", 3,
	    0, 1, { 0xfffd } },
	{ "\xed\x9f\xbf", 3,
	    "\xed\x9f\xbf", 3,
	    -1, 1, { 0xd7ff } },
	{ "\xed\xa0\x80", 3,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 9,
	    0, 3, { 0xfffd, 0xfffd, 0xfffd } },
	{ "\xed\xbf\xbf", 3,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 9,
	    0, 3, { 0xfffd, 0xfffd, 0xfffd } },
	{ "\xee\x80\x80", 3,
	    "\xee\x80\x80", 3,
	    -1, 1, { 0xe000 } },
	{ "\xef\xbf\xbf", 3,
	    "\xef\xbf\xbf", 3,
	    -1, 1, { 0xffff } },
	{ "\xef\xbf", 2,
	    "\xef\xbf\xbd", 3,
	    0, 1, { 0xfffd } },
	{ "\xf0\x8f\xbf\xbf", 4,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 12,
	    0, 4, { 0xfffd, 0xfffd, 0xfffd, 0xfffd } },
	{ "\xf0\x90\x80\x80", 4,
	    "\xf0\x90\x80\x80", 4,
	    -1, 1, { 0x10000 } },
	{ "\xf0\x9f\x98", 3,
	    "\xef\xbf\xbd", 3,
	    0, 1, { 0xfffd } },
	{ "\xf0\x9f", 2,
	    "\xef\xbf\xbd", 3,
	    0, 1, { 0xfffd } },
	{ "\xf1\x80\x80\x80", 4,
	    "\xf1\x80\x80\x80", 4,
	    -1, 1, { 0x40000 } },
	{ "\xf3\xbf\xbf\xbf", 4,
	    "\xf3\xbf\xbf\xbf", 4,
	    -1, 1, { 0xfffff } },
	{ "\xf4\x8f\xbf\xbf", 4,
	    "\xf4\x8f\xbf\xbf", 4,
	    -1, 1, { 0x10ffff } },
	{ "\xf4\x90\x80\x80", 4,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 12,
	    0, 4, { 0xfffd, 0xfffd, 0xfffd, 0xfffd } },
	{ "\xf5\x80\x80\x80", 4,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 12,
	    0, 4, { 0xfffd, 0xfffd, 0xfffd, 0xfffd } },
	{ "\xf8\x88\x80\x80\x80", 5,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 15,
	    0, 5, { 0xfffd, 0xfffd, 0xfffd, 0xfffd, 0xfffd } },
	{ "\xfc\x84\x80\x80\x80\x80", 6,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 18,
	    0, 6, { 0xfffd, 0xfffd, 0xfffd, 0xfffd, 0xfffd, 0xfffd } },
	{ "\xfe\xff", 2,
	    "\xef\xbf\xbd\xef\xbf\xbd", 6,
	    0, 2, { 0xfffd, 0xfffd } },
	{ "\xf0\x9f\x98\xf0\x9f\x98\x80", 7,
	    "\xef\xbf\xbd\xf0\x9f\x98\x80", 7,
	    0, 2, { 0xfffd, 0x1f600 } },
	{ "\xe2\x82\xe2\x82\xac", 5,
	    "\xef\xbf\xbd\xe2\x82\xac", 6,
	    0, 2, { 0xfffd, 0x20ac } },
	{ "x\xc3\xa9\xc3y", 5,
	    "x\xc3\xa9\xef\xbf\xbdy", 7,
	    3, 4, { 0x78, 0xe9, 0xfffd, 0x79 } },
	{ "\xc3\xa9\xa9", 3,
	    "\xc3\xa9\xef\xbf\xbd", 5,
	    2, 2, { 0xe9, 0xfffd } },
	{ "\xe2\x82\xac\x82", 4,
	    "\xe2\x82\xac\xef\xbf\xbd", 6,
	    3, 2, { 0x20ac, 0xfffd } },
	{ "\xf4\x8f\xbf", 3,
	    "\xef\xbf\xbd", 3,
	    0, 1, { 0xfffd } },
	{ "\xed\xa0", 2,
	    "\xef\xbf\xbd\xef\xbf\xbd", 6,
	    0, 2, { 0xfffd, 0xfffd } },
	{ "\xe0\xa0", 2,
	    "\xef\xbf\xbd", 3,
	    0, 1, { 0xfffd } },
	{ "\xc2\xc2\x80", 3,
	    "\xef\xbf\xbd\xc2\x80", 5,
	    0, 2, { 0xfffd, 0x80 } },
	{ "\x7f\xc2\x7f", 3,
	    "\x7f\xef\xbf\xbd\x7f", 5,
	    1, 3, { 0x7f, 0xfffd, 0x7f } },
};

static void
test_utf8_python(void)
{
	const struct utf8_case	*c;
	uint32_t		 cps[64];
	char			*s;
	size_t			 i, n, olen, bad;

	for (i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
		c = &utf8_cases[i];

		s = proto_utf8_clean(c->in, c->len, &olen);
		TST_OK(s != NULL && olen == c->replaced_len &&
		    memcmp(s, c->replaced, olen) == 0 && s[olen] == '\0',
		    "case %zu: proto_utf8_clean is Python's replace", i);
		free(s);

		n = proto_utf8_decode(c->in, c->len, PROTO_UTF8_REPLACE, cps,
		    NULL);
		TST_OK(n == c->ncps &&
		    memcmp(cps, c->cps, n * sizeof cps[0]) == 0,
		    "case %zu: replace mode gives Python's code points", i);

		bad = 12345;
		n = proto_utf8_decode(c->in, c->len, PROTO_UTF8_STRICT, cps,
		    &bad);
		if (c->bad == -1)
			TST_OK(n == c->ncps && memcmp(cps, c->cps,
			    n * sizeof cps[0]) == 0,
			    "case %zu: strict mode decodes valid text", i);
		else
			TST_OK(n == (size_t)-1 && bad == (size_t)c->bad,
			    "case %zu: strict mode fails at Python's byte %ld",
			    i, c->bad);
	}
}

static void
test_utf8_edges(void)
{
	uint32_t	 cps[8], cp;
	char		*s;
	size_t		 n, olen;

	/* proto_utf8_clean once gave five U+FFFD here, one per byte. */
	s = proto_utf8_clean("\xe2\x82\x41\xf0\x9f\x98\x42", 7, &olen);
	TST_STR_EQ(s, "\xef\xbf\xbd" "A\xef\xbf\xbd" "B",
	    "e2 82 41 f0 9f 98 42 is U+FFFD A U+FFFD B");
	free(s);

	/* NUL: a code point when decoding, U+FFFD in a C string. */
	n = proto_utf8_decode("a\0b", 3, PROTO_UTF8_STRICT, cps, NULL);
	TST_OK(n == 3 && cps[1] == 0, "strict mode keeps NUL as U+0000");
	s = proto_utf8_clean("a\0b", 3, &olen);
	TST_OK(s != NULL && olen == 5 &&
	    memcmp(s, "a\xef\xbf\xbd" "b", 5) == 0,
	    "proto_utf8_clean turns NUL into U+FFFD");
	free(s);
	s = proto_utf8_clean("", 0, NULL);
	TST_STR_EQ(s, "", "empty input, NULL outlen");
	free(s);

	/* proto_utf8_next never reads past len. */
	TST_INT_EQ(proto_utf8_next("\xf0\x9f\x98\x80", 3, &cp), 3,
	    "a cut 4-byte sequence is one 3-byte subpart");
	TST_OK(cp == PROTO_UTF8_BAD, "... and ill-formed");
	TST_INT_EQ(proto_utf8_next("\xf0\x9f\x98\x80", 4, &cp), 4,
	    "the whole sequence is one character");
	TST_OK(cp == 0x1f600, "... U+1F600");
	TST_INT_EQ(proto_utf8_next("\xe0\x9f\x80", 3, &cp), 1,
	    "e0 9f (an overlong start) is a 1-byte subpart");
}

int
main(void)
{
	test_utf8_python();
	test_utf8_edges();
	return (tst_done());
}
