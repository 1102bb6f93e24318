/*
 * deskproto.h: the wire contract shared by deskd and deskctl (api.md is
 * normative).  JSON building and checking only: no I/O here.
 */
#ifndef DESKPROTO_H
#define DESKPROTO_H

#include <jansson.h>

#include "utf8.h"

/* {"error":{"code":code,"message":message}} (new reference). */
json_t		*proto_error_new(const char *code, const char *message);
/*
 * Read an error body back: pointers into obj, or NULL when obj is not an
 * error body.
 */
int		 proto_error_parse(json_t *obj, const char **code,
		    const char **message);

/*
 * Python's truthiness of a JSON value (NULL, null, false, 0, 0.0, "", [],
 * {} are false): OSWorld's server reads its flags with bool().
 */
int		 proto_json_truthy(json_t *);

/*
 * A pool guest's sealed token (api.md, /health "sealed_token"): the
 * plaintext of the libsodium sealed box is "deskd-seal-1 ID TOKEN", ID
 * the guest's identity (its EC2 instance id), so that a box copied from
 * a neighbour's /health names the neighbour.
 */
#define PROTO_SEAL_PREFIX	"deskd-seal-1"
#define PROTO_SEAL_MAX_ID	128

#endif
