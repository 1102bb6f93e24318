# tests/mcp-lib.sh: helpers for the MCP tests (tests/integration/mcp-*.t
# and tests/bench/mcp.sh), sourced after lib.sh.  The client is the
# official MCP TypeScript SDK (tests/node/mcp-client.js); raw protocol
# checks use curl.

NODE_DIR=$TOP/tests/node
MCP_ACCEPT='Accept: application/json, text/event-stream'

# mcp_requirements: skip the whole test (and exit) without node; installs
# the npm packages when they are missing.
mcp_requirements() {
	if ! command -v node >/dev/null 2>&1; then
		skip "MCP tests: no node (packaging/deps.sh --test installs it)"
		exit 0
	fi
	if ! "$NODE_DIR/setup.sh" >"$T_TMP/npm.log" 2>&1; then
		fail "npm ci in tests/node"
		sed 's/^/# /' "$T_TMP/npm.log" | tail -n 20
		exit 1
	fi
}

# mcp_token: a token file for deskd; sets TOKEN and TOKEN_FILE.
mcp_token() {
	TOKEN_FILE=$T_TMP/token
	TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
	echo "$TOKEN" >"$TOKEN_FILE"
	chmod 600 "$TOKEN_FILE"
}

# mcp_sdk STEPS [http|stdio ...]: the SDK client, its output in
# $T_TMP/mcp.json.  Default: HTTP to $URL with $TOKEN_FILE.  STEPS may be
# @FILE (an argument holds at most 128 KiB).
mcp_sdk() {
	local steps=$1
	shift
	if [ $# -eq 0 ]; then
		set -- http "$URL" "$TOKEN_FILE" "$steps"
	elif [ "$1" = stdio ]; then
		shift
		set -- stdio "${MCP_STDIO_TOKEN:--}" "$steps" -- "$@"
	else
		set -- "$@" "$steps"
	fi
	node "$NODE_DIR/mcp-client.js" "$@" >"$T_TMP/mcp.json" \
	    2>"$T_TMP/mcp.err"
	local rc=$?
	# Every run's stderr (deskctl mcp's, for sanitizer_clean).
	cat "$T_TMP/mcp.err" >>"$T_TMP/mcp-all.err"
	return $rc
}
# mcp_get EXPR: a field of the SDK's output (python on j).
mcp_get() { json_get "$T_TMP/mcp.json" "$1"; }

# mcp_text N: the first text item of step N's result.
mcp_text() {
	mcp_get "[c['text'] for c in j['results'][$1]['content'] if c['type']=='text'][0]"
}

# mcp_png N FILE: the first image of step N's result, decoded to FILE.
mcp_png() {
	python3 -c 'import json,sys,base64
j=json.load(open(sys.argv[1]))
im=[c for c in j["results"][int(sys.argv[2])]["content"] if c["type"]=="image"][0]
assert im["mimeType"]=="image/png"
open(sys.argv[3],"wb").write(base64.b64decode(im["data"], validate=True))' \
	    "$T_TMP/mcp.json" "$1" "$2"
}

# mcp_post BODY [curl args...]: one raw POST /mcp with the token; prints
# the status, body and headers as http() leaves them.  Headers given
# come first, so they win over the defaults (deskd reads the first).
mcp_post() {
	local b=$1
	shift
	http POST "$URL/mcp" "$@" -H "Authorization: Bearer $TOKEN" \
	    -H 'Content-Type: application/json' -H "$MCP_ACCEPT" \
	    --data-binary "$b"
}

# mcp_init [VERSION]: initialize with curl; sets MCP_SID and MCP_VER.
mcp_init() {
	local st
	st=$(mcp_post '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"'"${1:-2025-06-18}"'","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}')
	MCP_SID=$(header Mcp-Session-Id)
	MCP_VER=$(json_get "$T_TMP/body" 'j["result"]["protocolVersion"]')
	[ "$st" = 200 ] && [ -n "$MCP_SID" ]
}

# mcp_req BODY [curl args...]: POST in the session of mcp_init.
mcp_req() {
	local b=$1
	shift
	mcp_post "$b" "$@" -H "Mcp-Session-Id: $MCP_SID" \
	    -H "MCP-Protocol-Version: $MCP_VER"
}

# mcp_sse_data: the data of the first SSE event in the body (or the body
# when it is JSON), for json_get.
mcp_sse_data() {
	python3 -c 'import sys
b=open(sys.argv[1]).read()
if b.startswith("{") or b.startswith("["):
    print(b)
else:
    print([l[6:] for l in b.splitlines() if l.startswith("data: ")][0])' \
	    "$T_TMP/body" >"$T_TMP/data"
}
