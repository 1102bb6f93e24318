/*
 * seal.c: the sealed token of a pool guest.  Guests of an EC2 Auto
 * Scaling group share one launch template, so nothing secret can come in
 * their user data: each guest makes its own token (--token-create) and
 * publishes it on its open /health only inside a libsodium sealed box
 * for the pool's public key (crypto_box_seal: an ephemeral X25519 key,
 * XSalsa20-Poly1305; libsodium's "Sealed boxes" documentation).  Anyone
 * may read the box; only the host with the pool's secret key opens it.
 *
 * The plaintext is "deskd-seal-1 ID TOKEN" with ID the guest's own
 * identity: a guest that copies its neighbour's box onto its own /health
 * gives the host the neighbour's ID, which the host refuses (else the
 * host would send the neighbour's token to the copier).
 *
 * The box is made once at start: a sealed box is randomised, and one is
 * as good as a fresh one for every reader.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "base64.h"
#include "deskproto.h"
#include "health.h"
#include "log.h"
#include "seal.h"
#include "xmalloc.h"

static char	*seal_box;	/* base64 of the sealed box */

/* A small file as a trimmed string; NULL + cause. */
static char *
seal_read(const char *path, const char *what, char **cause)
{
	FILE	*f;
	char	 buf[SEAL_KEY_FILE_MAX + 1], *s, *e;
	size_t	 n;

	if ((f = fopen(path, "re")) == NULL) {
		xasprintf(cause, "%s %s: %s", what, path, strerror(errno));
		return (NULL);
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	if (n == sizeof buf - 1) {
		xasprintf(cause, "%s %s: larger than %d bytes", what, path,
		    SEAL_KEY_FILE_MAX);
		explicit_bzero(buf, sizeof buf);
		return (NULL);
	}
	buf[n] = '\0';
	for (s = buf; isspace((u_char)*s); s++)
		;
	for (e = s + strlen(s); e > s && isspace((u_char)e[-1]); e--)
		;
	*e = '\0';
	s = xstrdup(s);
	explicit_bzero(buf, sizeof buf);
	return (s);
}

static void
seal_health_cb(json_t *obj, void *arg)
{
	json_object_set_new(obj, "sealed_token", json_string(seal_box));
}

/* An identity goes into the plaintext between spaces: keep it tame. */
static int
seal_id_ok(const char *id)
{
	size_t	 n = strlen(id);

	return (n > 0 && n <= PROTO_SEAL_MAX_ID && strspn(id,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	    "-_.:") == n);
}

int
seal_init(const char *key_file, const char *id_arg, const char *token_file,
    char **cause)
{
	unsigned char	*key = NULL, *box = NULL;
	char		*key_text, *id = NULL, *token = NULL, *plain = NULL;
	size_t		 keylen = 0, plen;
	int		 rv = -1;

	if (sodium_init() == -1) {
		xasprintf(cause, "sodium_init failed");
		return (-1);
	}
	if (token_file == NULL) {
		xasprintf(cause, "--seal-to needs a token (--token-file, "
		    "--token-create)");
		return (-1);
	}
	if ((key_text = seal_read(key_file, "--seal-to", cause)) == NULL)
		return (-1);
	key = proto_base64_decode(key_text, strlen(key_text), &keylen);
	free(key_text);
	if (key == NULL || keylen != crypto_box_PUBLICKEYBYTES) {
		xasprintf(cause, "--seal-to %s: want a %d-byte public key in "
		    "base64", key_file, crypto_box_PUBLICKEYBYTES);
		goto out;
	}
	if (id_arg == NULL) {
		xasprintf(cause, "--seal-to needs --seal-id (the guest's "
		    "instance id)");
		goto out;
	}
	if (id_arg[0] == '@') {
		if ((id = seal_read(id_arg + 1, "--seal-id", cause)) == NULL)
			goto out;
	} else
		id = xstrdup(id_arg);
	if (!seal_id_ok(id)) {
		xasprintf(cause, "--seal-id: want up to %d letters, digits and "
		    "-_.: (an instance id)", PROTO_SEAL_MAX_ID);
		goto out;
	}
	if ((token = seal_read(token_file, "token file", cause)) == NULL)
		goto out;
	plen = xasprintf(&plain, "%s %s %s", PROTO_SEAL_PREFIX, id, token);
	box = xmalloc(crypto_box_SEALBYTES + plen);
	if (crypto_box_seal(box, (unsigned char *)plain, plen, key) != 0) {
		xasprintf(cause, "crypto_box_seal failed");
		goto out;
	}
	free(seal_box);
	if ((seal_box = proto_base64(box, crypto_box_SEALBYTES + plen)) ==
	    NULL)
		fatalx("out of memory");
	health_add_extra(seal_health_cb, NULL);
	log_info("token sealed for the pool key in %s (identity %s)",
	    key_file, id);
	rv = 0;
out:
	if (plain != NULL) {
		explicit_bzero(plain, strlen(plain));
		free(plain);
	}
	if (token != NULL) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	free(box);
	free(key);
	free(id);
	return (rv);
}

void
seal_shutdown(void)
{
	free(seal_box);
	seal_box = NULL;
}
