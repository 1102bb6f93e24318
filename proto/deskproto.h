/*
 * deskproto.h: the wire contract shared by deskd and deskctl (api.md is
 * normative).  JSON building and checking only: no I/O here.
 */
#ifndef DESKPROTO_H
#define DESKPROTO_H

#include <jansson.h>

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
 * Copy bytes as valid UTF-8, each invalid byte (and NUL) replaced by
 * U+FFFD; NUL-terminated, caller frees.  NULL only when out of memory.
 */
char		*proto_utf8_clean(const char *, size_t, size_t *outlen);

#endif
