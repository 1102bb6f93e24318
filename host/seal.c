/*
 * seal.c: the host's side of a pool's sealed tokens (libsodium sealed
 * boxes, crypto_box_seal_open).  The secret key never leaves the pool's
 * file in the state directory (0600); what a box opens to is checked
 * against the guest deskctl asked for, so a guest that republished its
 * neighbour's box is caught instead of being handed the neighbour's
 * token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base64.h"
#include "deskproto.h"
#include "seal.h"
#include "util.h"
#include "xmalloc.h"

#define SEAL_MAX_BOX	8192	/* base64 characters */

int
seal_keypair(char **public_b64, char **secret_b64, char **cause)
{
	unsigned char	 pk[crypto_box_PUBLICKEYBYTES];
	unsigned char	 sk[crypto_box_SECRETKEYBYTES];

	if (sodium_init() == -1) {
		xasprintf(cause, "sodium_init failed");
		return (-1);
	}
	crypto_box_keypair(pk, sk);
	*public_b64 = proto_base64(pk, sizeof pk);
	*secret_b64 = proto_base64(sk, sizeof sk);
	sodium_memzero(sk, sizeof sk);
	if (*public_b64 == NULL || *secret_b64 == NULL) {
		free(*public_b64);
		util_free_secret(*secret_b64);
		xasprintf(cause, "out of memory");
		return (-1);
	}
	return (0);
}

/* A key of LEN bytes from base64, or NULL. */
static unsigned char *
seal_key(const char *b64, size_t len)
{
	unsigned char	*k;
	size_t		 n;

	if (b64 == NULL || (k = proto_base64_decode(b64, strlen(b64),
	    &n)) == NULL)
		return (NULL);
	if (n != len) {
		sodium_memzero(k, n);
		free(k);
		return (NULL);
	}
	return (k);
}

char *
seal_open(const char *box_b64, const char *public_b64, const char *secret_b64,
    const char *want_id, char **cause)
{
	unsigned char	*pk = NULL, *sk = NULL, *box = NULL;
	char		*plain = NULL, *id, *tok, *token = NULL;
	size_t		 blen = 0, plen = 0;

	if (sodium_init() == -1) {
		xasprintf(cause, "sodium_init failed");
		return (NULL);
	}
	if ((pk = seal_key(public_b64, crypto_box_PUBLICKEYBYTES)) == NULL ||
	    (sk = seal_key(secret_b64, crypto_box_SECRETKEYBYTES)) == NULL) {
		xasprintf(cause, "the pool's key file is damaged");
		goto out;
	}
	if (box_b64 == NULL || strlen(box_b64) > SEAL_MAX_BOX ||
	    (box = proto_base64_decode(box_b64, strlen(box_b64),
	    &blen)) == NULL || blen <= crypto_box_SEALBYTES) {
		xasprintf(cause, "no sealed token on its /health (is deskd "
		    "run with --token-create --seal-to?)");
		goto out;
	}
	plen = blen - crypto_box_SEALBYTES;
	plain = xmalloc(plen + 1);
	if (crypto_box_seal_open((unsigned char *)plain, box, blen, pk,
	    sk) != 0) {
		xasprintf(cause, "its sealed token is not for this pool's key");
		goto out;
	}
	plain[plen] = '\0';
	/* "deskd-seal-1 ID TOKEN" */
	if (strlen(plain) != plen || strncmp(plain, PROTO_SEAL_PREFIX " ",
	    strlen(PROTO_SEAL_PREFIX) + 1) != 0) {
		xasprintf(cause, "its sealed token is not in the %s format",
		    PROTO_SEAL_PREFIX);
		goto out;
	}
	id = plain + strlen(PROTO_SEAL_PREFIX) + 1;
	if ((tok = strchr(id, ' ')) == NULL || tok[1] == '\0' ||
	    strchr(tok + 1, ' ') != NULL) {
		xasprintf(cause, "its sealed token is not in the %s format",
		    PROTO_SEAL_PREFIX);
		goto out;
	}
	*tok++ = '\0';
	if (strcmp(id, want_id) != 0) {
		xasprintf(cause, "its sealed token belongs to %.*s, not to "
		    "%s: a copy of another guest's (refused)",
		    PROTO_SEAL_MAX_ID, id, want_id);
		goto out;
	}
	token = xstrdup(tok);
out:
	if (plain != NULL) {
		sodium_memzero(plain, plen + 1);
		free(plain);
	}
	if (sk != NULL) {
		sodium_memzero(sk, crypto_box_SECRETKEYBYTES);
		free(sk);
	}
	free(pk);
	free(box);
	return (token);
}
