/*
 * sha1.h: SHA-1 (RFC 3174), for protocols that name it: the websocket
 * handshake's Sec-WebSocket-Accept (RFC 6455 4.2.2).  Not for security.
 */
#ifndef SHA1_H
#define SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_LEN	20

struct sha1 {
	uint32_t	 h[5];
	uint64_t	 len;		/* bytes hashed */
	uint8_t		 buf[64];
	size_t		 used;
};

void	 sha1_init(struct sha1 *);
void	 sha1_update(struct sha1 *, const void *, size_t);
void	 sha1_final(struct sha1 *, uint8_t out[SHA1_DIGEST_LEN]);

#endif
