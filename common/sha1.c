/*
 * sha1.c: SHA-1 as RFC 3174 section 6.1 describes it, method 1, on whole
 * 64-byte blocks.  Checked against the RFC's test vectors in
 * tests/unit/test-ws.c.
 */
#include <stdint.h>
#include <string.h>

#include "sha1.h"

#define SHA1_ROL(v, n)	(((v) << (n)) | ((v) >> (32 - (n))))

static void
sha1_block(struct sha1 *s, const uint8_t *p)
{
	uint32_t	 w[80], a, b, c, d, e, f, k, t;
	int		 i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[i * 4] << 24 | (uint32_t)p[i * 4 + 1] << 16 |
		    (uint32_t)p[i * 4 + 2] << 8 | p[i * 4 + 3];
	for (i = 16; i < 80; i++)
		w[i] = SHA1_ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = s->h[0];
	b = s->h[1];
	c = s->h[2];
	d = s->h[3];
	e = s->h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = SHA1_ROL(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = SHA1_ROL(b, 30);
		b = a;
		a = t;
	}
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
}

void
sha1_init(struct sha1 *s)
{
	memset(s, 0, sizeof *s);
	s->h[0] = 0x67452301;
	s->h[1] = 0xefcdab89;
	s->h[2] = 0x98badcfe;
	s->h[3] = 0x10325476;
	s->h[4] = 0xc3d2e1f0;
}

void
sha1_update(struct sha1 *s, const void *data, size_t len)
{
	const uint8_t	*p = data;
	size_t		 n;

	s->len += len;
	while (len > 0) {
		n = 64 - s->used;
		if (n > len)
			n = len;
		memcpy(s->buf + s->used, p, n);
		s->used += n;
		p += n;
		len -= n;
		if (s->used == 64) {
			sha1_block(s, s->buf);
			s->used = 0;
		}
	}
}

void
sha1_final(struct sha1 *s, uint8_t out[SHA1_DIGEST_LEN])
{
	uint64_t	 bits = s->len * 8;
	uint8_t		 pad = 0x80, zero = 0, lenb[8];
	int		 i;

	sha1_update(s, &pad, 1);
	while (s->used != 56)
		sha1_update(s, &zero, 1);
	for (i = 0; i < 8; i++)
		lenb[i] = bits >> (56 - 8 * i);
	sha1_update(s, lenb, 8);
	for (i = 0; i < 5; i++) {
		out[i * 4] = s->h[i] >> 24;
		out[i * 4 + 1] = s->h[i] >> 16;
		out[i * 4 + 2] = s->h[i] >> 8;
		out[i * 4 + 3] = s->h[i];
	}
}
