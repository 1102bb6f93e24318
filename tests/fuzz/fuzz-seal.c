/*
 * fuzz-seal: libFuzzer target for deskctl's opening of a guest's sealed
 * token (host/seal.c), the one thing a pool reads from an untrusted
 * guest's /health.  Any string as the box must be refused cleanly; and a
 * box deskctl's pool key really opens, made here from the input as the
 * plaintext, must give back exactly the token when the plaintext is
 * "deskd-seal-1 ID TOKEN" for the asked ID, and nothing otherwise.
 * links: host/seal.c host/util.c proto/base64.c common/xmalloc.c common/log.c
 * pkgs: libsodium
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../../host/seal.h"
#include "base64.h"
#include "deskproto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	*fuzz_pk, *fuzz_sk;

/* What seal_open must give for PLAIN asked as WANT: the token or NULL. */
static char *
fuzz_expect(const char *plain, size_t len, const char *want)
{
	const char	*id, *sp;
	size_t		 pl = strlen(PROTO_SEAL_PREFIX);

	if (memchr(plain, '\0', len) != NULL || len < pl + 1 ||
	    memcmp(plain, PROTO_SEAL_PREFIX " ", pl + 1) != 0)
		return (NULL);
	id = plain + pl + 1;
	if ((sp = memchr(id, ' ', len - (id - plain))) == NULL ||
	    sp + 1 == plain + len || memchr(sp + 1, ' ',
	    len - (sp + 1 - plain)) != NULL)
		return (NULL);
	if ((size_t)(sp - id) != strlen(want) || memcmp(id, want,
	    sp - id) != 0)
		return (NULL);
	return (strndup(sp + 1, len - (sp + 1 - plain)));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char	 pk[crypto_box_PUBLICKEYBYTES], *box;
	char		*s, *tok, *want, *b64, *cause = NULL;
	size_t		 n;

	if (fuzz_pk == NULL && seal_keypair(&fuzz_pk, &fuzz_sk, &cause) == -1)
		abort();
	/* The input as a box in base64 (what /health carries). */
	s = strndup((const char *)data, size);
	tok = seal_open(s, fuzz_pk, fuzz_sk, "i-1", &cause);
	free(tok);
	free(cause);
	cause = NULL;
	free(s);

	/* The input as a plaintext, sealed for the pool key. */
	box = proto_base64_decode(fuzz_pk, strlen(fuzz_pk), &n);
	memcpy(pk, box, sizeof pk);
	free(box);
	box = malloc(crypto_box_SEALBYTES + size + 1);
	crypto_box_seal(box, data, size, pk);
	b64 = proto_base64(box, crypto_box_SEALBYTES + size);
	free(box);
	want = fuzz_expect((const char *)data, size, "i-0abc");
	tok = seal_open(b64, fuzz_pk, fuzz_sk, "i-0abc", &cause);
	if ((want == NULL) != (tok == NULL) || (tok != NULL &&
	    strcmp(tok, want) != 0))
		abort();
	if (tok == NULL && cause == NULL)
		abort();
	free(tok);
	free(want);
	free(cause);
	free(b64);
	return (0);
}
