/*
 * test-mcp.c: what /mcp reads before anything runs: the JSON-RPC
 * envelope (proto/jsonrpc.c), the tool catalog's schemas
 * (agent/mcp_catalog.c) and the argument checker (agent/mcp_schema.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonrpc.h"
#include "mcp_catalog.h"
#include "mcp_schema.h"
#include "tst.h"

/* The kind of a message, or -1 with the cause in buf. */
static int
rpc(const char *text, char *buf, size_t len)
{
	struct proto_rpc	 m;
	json_t			*j;
	char			*cause = NULL;
	int			 rc;

	buf[0] = '\0';
	j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (j == NULL)
		return (-2);
	rc = proto_rpc_parse(j, &m, &cause);
	if (rc == 0)
		rc = (int)m.kind;
	else
		snprintf(buf, len, "%s", cause);
	free(cause);
	json_decref(j);
	return (rc);
}

/* mcp_schema_check of args against tool's schema: "" or the cause. */
static const char *
check(const char *tool, const char *args)
{
	static char	 buf[512];
	json_t		*j;
	char		*cause = NULL;
	int		 i;

	if (mcp_catalog_find(tool, &i) == NULL)
		return ("no such tool");
	j = json_loads(args, 0, NULL);
	buf[0] = '\0';
	if (mcp_schema_check(mcp_catalog_input(i), j, "arguments", &cause) ==
	    -1)
		snprintf(buf, sizeof buf, "%s", cause);
	free(cause);
	json_decref(j);
	return (buf);
}

int
main(void)
{
	char		 b[512];
	json_t		*list, *e;
	const char	*s;
	char		*d;
	int		 i;

	TST_INT_EQ(rpc("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", b,
	    sizeof b), PROTO_RPC_REQUEST, "a request");
	TST_INT_EQ(rpc("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"a\","
	    "\"params\":{}}", b, sizeof b), PROTO_RPC_REQUEST,
	    "a request with a string id and params");
	TST_INT_EQ(rpc("{\"jsonrpc\":\"2.0\",\"method\":\"n\"}", b, sizeof b),
	    PROTO_RPC_NOTIFICATION, "a notification");
	TST_INT_EQ(rpc("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", b,
	    sizeof b), PROTO_RPC_RESULT, "a result");
	TST_INT_EQ(rpc("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":"
	    "-32700,\"message\":\"m\"}}", b, sizeof b), PROTO_RPC_ERROR,
	    "an error with a null id (JSON-RPC 5: id unknown)");
	TST_INT_EQ(rpc("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"p\"}", b,
	    sizeof b), -1, "a request with a null id is refused (MCP)");
	TST_INT_EQ(rpc("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"p\"}", b,
	    sizeof b), -1, "a fractional id is refused");
	TST_INT_EQ(rpc("{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"p\"}", b,
	    sizeof b), -1, "an array id is refused");
	TST_INT_EQ(rpc("{\"id\":1,\"method\":\"p\"}", b, sizeof b), -1,
	    "no jsonrpc member");
	TST_STR_EQ(b, "\"jsonrpc\" must be \"2.0\"", "  says so");
	TST_INT_EQ(rpc("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\","
	    "\"params\":[1]}", b, sizeof b), -1, "positional params are not "
	    "MCP's");
	TST_INT_EQ(rpc("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}", b,
	    sizeof b), -1, "an empty method");
	TST_INT_EQ(rpc("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\","
	    "\"result\":1}", b, sizeof b), -1, "method and result");
	TST_INT_EQ(rpc("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":1,"
	    "\"error\":{\"code\":1,\"message\":\"m\"}}", b, sizeof b), -1,
	    "result and error");
	TST_INT_EQ(rpc("{\"jsonrpc\":\"2.0\",\"result\":1}", b, sizeof b), -1,
	    "a result without an id");
	TST_INT_EQ(rpc("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":"
	    "\"x\",\"message\":\"m\"}}", b, sizeof b), -1,
	    "an error whose code is a string");
	TST_INT_EQ(rpc("[1]", b, sizeof b), -1, "an array is no message");
	TST_INT_EQ(rpc("{\"jsonrpc\":\"2.0\",\"id\":\"\\u0000\","
	    "\"method\":\"p\"}", b, sizeof b), -1, "an id with a NUL");

	e = proto_rpc_error_new(NULL, -32700, "bad \xff byte");
	d = json_dumps(e, JSON_COMPACT);
	TST_STR_EQ(d, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":"
	    "-32700,\"message\":\"bad \xef\xbf\xbd byte\"}}",
	    "an error answer: null id, the message made UTF-8");
	free(d);
	json_decref(e);

	mcp_catalog_init();
	for (i = 0; mcp_catalog[i].name != NULL; i++)
		TST_OK(json_is_object(mcp_catalog_input(i)) &&
		    json_is_false(json_object_get(mcp_catalog_input(i),
		    "additionalProperties")), "%s: an object schema, closed",
		    mcp_catalog[i].name);
	TST_INT_EQ(i, 10, "ten tools");
	list = json_loads(mcp_catalog_list(1), 0, NULL);
	TST_INT_EQ(json_array_size(json_object_get(list, "tools")), 10,
	    "tools/list holds them");
	json_decref(list);
	list = json_loads(mcp_catalog_list(0), 0, NULL);
	s = json_dumps(list, JSON_COMPACT);
	TST_OK(strstr(s, "outputSchema") == NULL && strstr(s, "\"title\":"
	    "\"Mouse") == NULL, "2025-03-26's list has no titles or output "
	    "schemas");
	free((char *)s);
	json_decref(list);

	TST_STR_EQ(check("computer", "{\"action\":\"left_click\","
	    "\"coordinate\":[1,2]}"), "", "a click fits");
	TST_STR_EQ(check("computer", "{\"action\":\"left_click\","
	    "\"coordinate\":[512.0,2]}"), "", "512.0 is an integer (2020-12)");
	TST_STR_EQ(check("computer", "{\"action\":\"left_click\","
	    "\"coordinate\":[1.5,2]}"), "arguments.coordinate[0]: expected an "
	    "integer, got a number", "1.5 is not");
	TST_STR_EQ(check("computer", "{\"action\":\"left_click\","
	    "\"coordinate\":[1]}"), "arguments.coordinate: needs at least 2 "
	    "items", "a point of one number");
	TST_STR_EQ(check("computer", "{\"action\":\"jump\"}"),
	    "arguments.action: \"jump\" is not one of the allowed values",
	    "an unknown action");
	TST_STR_EQ(check("computer", "{\"actions\":[{\"action\":\"type\","
	    "\"text\":\"a\"},{\"action\":\"key\",\"txt\":\"a\"}]}"),
	    "arguments.actions[1]: unknown parameter \"txt\"",
	    "a misspelt key inside a batch");
	TST_STR_EQ(check("computer", "{\"actions\":[{\"text\":\"a\"}]}"),
	    "arguments.actions[0]: \"action\" is required",
	    "a batch item without its action");
	TST_STR_EQ(check("exec", "{\"command\":\"ls\",\"timeout\":0}"),
	    "arguments.timeout: must be at least 0.001", "timeout 0");
	TST_STR_EQ(check("exec", "{\"argv\":[\"ls\",3]}"),
	    "arguments.argv[1]: expected a string, got an integer",
	    "argv with a number");
	TST_STR_EQ(check("exec", "{\"argv\":[]}"),
	    "arguments.argv: needs at least 1 items", "an empty argv");
	TST_STR_EQ(check("read_file", "{}"), "arguments: \"path\" is "
	    "required", "read_file without a path");
	TST_STR_EQ(check("read_file", "{\"path\":\"\"}"),
	    "arguments.path: must not be empty", "an empty path");
	TST_STR_EQ(check("windows", "{\"id\":0}"),
	    "arguments.id: must be at least 1", "window id 0");
	TST_STR_EQ(check("screenshot", "{\"format\":\"gif\"}"),
	    "arguments.format: \"gif\" is not one of the allowed values",
	    "a format deskd does not encode");
	TST_STR_EQ(check("accessibility_tree", "{\"visible\":\"yes\"}"),
	    "arguments.visible: expected a boolean, got a string",
	    "visible as a string");
	mcp_catalog_free();
	return (tst_done());
}
