/*
 * jsonrpc.c: read a JSON-RPC 2.0 message (see jsonrpc.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "deskproto.h"
#include "jsonrpc.h"

static void __attribute__((format(printf, 2, 3)))
proto_rpc_fail(char **cause, const char *fmt, ...)
{
	va_list	 ap;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
}

int
proto_rpc_id_ok(json_t *id)
{
	/* MCP: "a string or integer", and "MUST NOT be null". */
	if (json_is_integer(id))
		return (1);
	if (!json_is_string(id))
		return (0);
	return (json_string_length(id) <= PROTO_RPC_MAX_ID &&
	    strlen(json_string_value(id)) == json_string_length(id));
}

int
proto_rpc_parse(json_t *j, struct proto_rpc *m, char **cause)
{
	json_t		*v, *id, *method;
	const char	*s;

	memset(m, 0, sizeof *m);
	if (cause != NULL)
		*cause = NULL;
	if (!json_is_object(j)) {
		proto_rpc_fail(cause, "a JSON-RPC message must be an object");
		return (-1);
	}
	id = json_object_get(j, "id");
	if (id != NULL && proto_rpc_id_ok(id))
		m->id = id;
	v = json_object_get(j, "jsonrpc");
	if (!json_is_string(v) || strcmp(json_string_value(v), "2.0") != 0) {
		proto_rpc_fail(cause, "\"jsonrpc\" must be \"2.0\"");
		return (-1);
	}
	if (id != NULL && m->id == NULL && !(json_is_null(id) &&
	    json_object_get(j, "error") != NULL &&
	    json_object_get(j, "method") == NULL)) {
		proto_rpc_fail(cause, "\"id\" must be a string (of at most %d "
		    "bytes) or an integer", PROTO_RPC_MAX_ID);
		return (-1);
	}

	if ((method = json_object_get(j, "method")) != NULL) {
		if (!json_is_string(method)) {
			proto_rpc_fail(cause, "\"method\" must be a string");
			return (-1);
		}
		s = json_string_value(method);
		if (json_string_length(method) == 0 ||
		    json_string_length(method) > PROTO_RPC_MAX_METHOD ||
		    strlen(s) != json_string_length(method)) {
			proto_rpc_fail(cause, "\"method\" must be 1 to %d "
			    "bytes without NUL", PROTO_RPC_MAX_METHOD);
			return (-1);
		}
		if (json_object_get(j, "result") != NULL ||
		    json_object_get(j, "error") != NULL) {
			proto_rpc_fail(cause, "a request has no \"result\" or "
			    "\"error\"");
			return (-1);
		}
		v = json_object_get(j, "params");
		if (v != NULL && !json_is_object(v)) {
			proto_rpc_fail(cause, "\"params\" must be an object");
			return (-1);
		}
		m->kind = id != NULL ? PROTO_RPC_REQUEST :
		    PROTO_RPC_NOTIFICATION;
		m->method = s;
		m->params = v;
		return (0);
	}

	/* A response: exactly one of result and error, and an id. */
	if (json_object_get(j, "params") != NULL) {
		proto_rpc_fail(cause, "\"params\" without \"method\"");
		return (-1);
	}
	m->result = json_object_get(j, "result");
	m->error = json_object_get(j, "error");
	if ((m->result == NULL) == (m->error == NULL)) {
		proto_rpc_fail(cause, "a message needs \"method\", or exactly "
		    "one of \"result\" and \"error\"");
		return (-1);
	}
	if (id == NULL) {
		proto_rpc_fail(cause, "a response needs an \"id\"");
		return (-1);
	}
	if (m->result != NULL) {
		if (m->id == NULL) {
			proto_rpc_fail(cause, "a result needs a string or "
			    "integer \"id\"");
			return (-1);
		}
		m->kind = PROTO_RPC_RESULT;
		return (0);
	}
	if (!json_is_object(m->error) ||
	    !json_is_integer(json_object_get(m->error, "code")) ||
	    !json_is_string(json_object_get(m->error, "message"))) {
		proto_rpc_fail(cause, "\"error\" must be an object with an "
		    "integer \"code\" and a string \"message\"");
		return (-1);
	}
	m->kind = PROTO_RPC_ERROR;
	return (0);
}

json_t *
proto_rpc_error_new(json_t *id, int code, const char *msg)
{
	json_t	*o;
	char	*clean;

	/* Messages quote client input: keep the JSON valid. */
	if ((clean = proto_utf8_clean(msg, strlen(msg), NULL)) == NULL)
		return (NULL);
	o = json_pack("{s:s, s:O?, s:{s:i, s:s}}", "jsonrpc", "2.0", "id",
	    id, "error", "code", code, "message", clean);
	free(clean);
	return (o);
}
