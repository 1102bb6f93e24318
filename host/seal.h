/*
 * seal.h: a pool's key pair, and a guest's sealed token opened with it
 * (the guest's side is agent/seal.c; the format is PROTO_SEAL_PREFIX in
 * proto/deskproto.h).
 */
#ifndef HOST_SEAL_H
#define HOST_SEAL_H

/* A fresh X25519 key pair as base64 (new strings); -1 + cause. */
int	 seal_keypair(char **public_b64, char **secret_b64, char **cause);
/*
 * Open BOX (base64, from a guest's /health "sealed_token") with the pool's
 * keys.  The token, a new string, when the box is whole and names WANT_ID
 * (the instance deskctl asked); NULL + cause otherwise.
 */
char	*seal_open(const char *box, const char *public_b64,
	    const char *secret_b64, const char *want_id, char **cause);

#endif
