/*
 * jsonrpc.h: the JSON-RPC 2.0 envelope (jsonrpc.org/specification) as MCP
 * uses it: deskd's /mcp (agent/mcp.c) reads what clients send with it, and
 * deskctl's stdio bridge (host/bridge.c) reads what both sides send.
 *
 * MCP narrows JSON-RPC (2025-06-18 basic/index.mdx, "Messages"): an id is
 * a string or an integer, never null, and params is an object.  Every
 * limit is checked here, at parse time.
 */
#ifndef JSONRPC_H
#define JSONRPC_H

#include <jansson.h>

/* JSON-RPC 2.0's error codes (section 5.1). */
#define PROTO_RPC_PARSE_ERROR		(-32700)
#define PROTO_RPC_INVALID_REQUEST	(-32600)
#define PROTO_RPC_METHOD_NOT_FOUND	(-32601)
#define PROTO_RPC_INVALID_PARAMS	(-32602)
#define PROTO_RPC_INTERNAL_ERROR	(-32603)
/*
 * Implementation-defined server errors (-32000 to -32019 by the
 * 2026-07-28 revision's allocation policy), numbered as the MCP
 * TypeScript SDK's server numbers them (server/streamableHttp.ts): a
 * transport-level refusal, and a session that is not (or no longer) known.
 */
#define PROTO_RPC_SERVER_ERROR		(-32000)
#define PROTO_RPC_NO_SESSION		(-32001)
/* LSP's RequestCancelled, for a request the client cancelled. */
#define PROTO_RPC_CANCELLED		(-32800)

#define PROTO_RPC_MAX_METHOD	128	/* bytes of a method name */
#define PROTO_RPC_MAX_ID	256	/* bytes of a string id */

enum proto_rpc_kind {
	PROTO_RPC_REQUEST,		/* method and id */
	PROTO_RPC_NOTIFICATION,		/* method, no id */
	PROTO_RPC_RESULT,		/* id and result */
	PROTO_RPC_ERROR			/* id (maybe null) and error */
};

/* One message; every pointer is borrowed from the parsed JSON. */
struct proto_rpc {
	enum proto_rpc_kind	 kind;
	json_t			*id;		/* NULL for notifications */
	const char		*method;	/* requests, notifications */
	json_t			*params;	/* NULL when absent */
	json_t			*result;
	json_t			*error;
};

/*
 * Read one message.  -1 with cause when it is not a valid message; *m->id
 * is then the message's id when it had a valid one (so that the error
 * answer can carry it), else NULL.
 */
int		 proto_rpc_parse(json_t *, struct proto_rpc *m, char **cause);
/* Is s a well-formed id value (a string or an integer in range)? */
int		 proto_rpc_id_ok(json_t *);
/*
 * {"jsonrpc":"2.0","id":id,"error":{"code":code,"message":msg}} as a new
 * reference; id NULL gives "id": null (the id could not be read).
 */
json_t		*proto_rpc_error_new(json_t *id, int code, const char *msg);

#endif
