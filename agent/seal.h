/*
 * seal.h: a pool guest's token on its open /health, sealed to the pool's
 * public key so that only the host holding the pool's secret key reads
 * it (api.md, "sealed_token").
 */
#ifndef SEAL_H
#define SEAL_H

/* The pool's public key: 32 bytes as base64 (crypto_box_PUBLICKEYBYTES). */
#define SEAL_KEY_FILE_MAX	4096

/*
 * Seal the token in TOKEN_FILE for the key in KEY_FILE, bound to ID, and
 * add "sealed_token" to /health.  ID "@PATH" is read from PATH (cloud-init's
 * /var/lib/cloud/data/instance-id).  -1 + cause.
 */
int	 seal_init(const char *key_file, const char *id,
	    const char *token_file, char **cause);
void	 seal_shutdown(void);

#endif
