/*
 * fuzz-jsonrpc: libFuzzer target for what POST /mcp reads before anything
 * runs: the JSON-RPC envelope (proto/jsonrpc.c), one message or a batch,
 * and a tools/call's arguments checked against the named tool's schema
 * (agent/mcp_schema.c over agent/mcp_catalog.c), every tool's schema
 * too, as deskd's mcp.c does; error answers are built from the causes.
 * links: proto/jsonrpc.c proto/utf8.c agent/mcp_schema.c agent/mcp_catalog.c common/xmalloc.c common/log.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonrpc.h"
#include "mcp_catalog.h"
#include "mcp_schema.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_one(json_t *msg)
{
	struct proto_rpc		 m;
	const struct mcp_tool_def	*d;
	json_t				*name, *args, *e;
	char				*cause = NULL;
	int				 i, tool;

	if (proto_rpc_parse(msg, &m, &cause) == -1) {
		e = proto_rpc_error_new(m.id, PROTO_RPC_INVALID_REQUEST,
		    cause != NULL ? cause : "?");
		json_decref(e);
		free(cause);
		return;
	}
	if (m.kind != PROTO_RPC_REQUEST || strcmp(m.method, "tools/call") != 0)
		return;
	name = json_object_get(m.params, "name");
	args = json_object_get(m.params, "arguments");
	if (args == NULL)
		return;
	if (json_is_string(name) && (d = mcp_catalog_find(
	    json_string_value(name), &tool)) != NULL) {
		if (mcp_schema_check(mcp_catalog_input(tool), args,
		    "arguments", &cause) == -1) {
			e = proto_rpc_error_new(m.id, PROTO_RPC_INVALID_PARAMS,
			    cause);
			json_decref(e);
		}
		free(cause);
		return;
	}
	/* An unknown name: the arguments against every schema. */
	for (i = 0; mcp_catalog[i].name != NULL; i++) {
		cause = NULL;
		(void)mcp_schema_check(mcp_catalog_input(i), args,
		    "arguments", &cause);
		free(cause);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t		*j;
	json_error_t	 jerr;
	size_t		 i;

	mcp_catalog_init();
	j = json_loadb((const char *)data, size, JSON_DECODE_ANY |
	    JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		return (0);
	if (json_is_array(j)) {
		for (i = 0; i < json_array_size(j); i++)
			fuzz_one(json_array_get(j, i));
	} else
		fuzz_one(j);
	json_decref(j);
	return (0);
}
