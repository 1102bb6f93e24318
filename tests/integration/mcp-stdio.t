#!/usr/bin/env bash
# mcp-stdio: the official MCP TypeScript SDK over stdio through
# "deskctl mcp": --url with --token-file, and an instance id of the local
# provider (the token never leaves deskctl).  Typing into a real X
# client, a screenshot decoded, exec, files, bad arguments, no token; the
# session opened again when the guest forgot it; the session deleted at
# end of input; stdout holding nothing but MCP messages.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/input-lib.sh"
source "$TOP/tests/mcp-lib.sh"
source "$TOP/tests/tools/deskctl-moto.sh"

mcp_requirements
deskctl_env
unset AWS_DEFAULT_REGION
start_xvfb 1920x1080 || exit 1
start_recorder || exit 1
mcp_token
start_deskd --token-file "$TOKEN_FILE" || exit 1
BRIDGE=("$DESKCTL" mcp --url "$URL" --token-file "$TOKEN_FILE")

act() {
	local j=$1
	shift
	http POST "$URL/v1/computer" -H "Authorization: Bearer $TOKEN" \
	    -H 'Content-Type: application/json' --data-binary "$j" "$@"
}

# --- the SDK through the bridge ------------------------------------------------
TEXT='stdio: naïve Ωmega Ёж 漢字 かな 😀 <tag> & "q"'
F=$T_TMP/out/text.txt
B=$T_TMP/out/bin.bin
b64=$(python3 -c 'import base64; print(base64.b64encode(bytes(range(255, -1, -1))).decode())')
python3 -c 'import json,sys; t,f,b,b64=sys.argv[1:]; print(json.dumps([
 {"list":True},
 {"call":"computer","args":{"action":"type","text":t}},
 {"call":"screenshot","args":{"width":640}},
 {"call":"exec","args":{"argv":["sh","-c","echo $((6*7)); echo e >&2"]}},
 {"call":"write_file","args":{"path":f,"content":t}},
 {"call":"read_file","args":{"path":f}},
 {"call":"write_file","args":{"path":b,"content":b64,"encoding":"base64"}},
 {"call":"read_file","args":{"path":b,"encoding":"base64"}},
 {"call":"exec","args":{"argv":"ls"}},
 {"call":"nosuchtool","args":{}}]))' "$TEXT" "$F" "$B" "$b64" >"$T_TMP/steps"
m=$(rec_mark)
mcp_sdk @"$T_TMP/steps" stdio "${BRIDGE[@]}"
ok $? "the SDK runs deskctl mcp --url --token-file as its stdio server"
[ -s "$T_TMP/mcp.err" ] && grep -v '^deskctl mcp: ' "$T_TMP/mcp.err" | sed 's/^/# /' | tail -n 10
is "$(mcp_get 'j["protocol"]')" 2025-11-25 "initialize relayed: 2025-11-25 negotiated"
is "$(mcp_get 'len(j["results"][0]["tools"])')" 10 "tools/list relayed: ten tools"
rec_sync "$m" || fail "xrecord sync"
got=$(rec_text "$m" | od -An -tx1 | tr -d ' \n')
want=$(printf '%s' "$TEXT" | od -An -tx1 | tr -d ' \n')
is "$got" "$want" "computer type through the bridge: the exact text arrived"
mcp_png 2 "$T_TMP/shot.png"
is "$("$PNGCHECK" "$T_TMP/shot.png")" "640 360" "screenshot through the bridge (an SSE event relayed): the PNG decodes"
is "$(mcp_get 'j["results"][3]["structuredContent"]["stdout"]')" 42 "exec through the bridge: stdout"
is "$(mcp_get 'j["results"][3]["structuredContent"]["stderr"]')" e "  and stderr"
is "$(mcp_text 5)" "$TEXT" "write_file then read_file: the same text"
is "$(mcp_text 7)" "$b64" "write_file then read_file base64: the same bytes"
is "$(python3 -c 'import sys; print(open(sys.argv[1],"rb").read() == bytes(range(255,-1,-1)))' "$B")" \
    True "  and the bytes on the guest's disk"
is "$(mcp_get 'j["results"][8]["isError"]')" true "bad arguments through the bridge: isError"
is "$(mcp_get 'j["results"][9]["code"]')" -32602 "an unknown tool: -32602 relayed"
for _ in $(seq 50); do grep -q 'ended: deleted by the client' "$DESKD_LOG" && break; sleep 0.1; done
grep -q 'ended: deleted by the client' "$DESKD_LOG"
ok $? "the bridge deleted its session when the SDK closed its stdin"

# --- no token ---------------------------------------------------------------------
mcp_sdk '[]' stdio "$DESKCTL" mcp --url "$URL"
like "$(mcp_get 'j["connect_error"]')" 'refused the token \(HTTP 401\)' \
    "the bridge without a token: initialize fails saying 401"

# --- the session opened again -------------------------------------------------
rm -f "$T_TMP/f1" "$T_TMP/f2"
python3 -c 'import json,sys; print(json.dumps([
 {"call":"exec","args":{"argv":["echo","one"]}}, {"touch":sys.argv[1]},
 {"wait_file":sys.argv[2]}, {"call":"exec","args":{"argv":["echo","two"]}}]))' \
    "$T_TMP/f1" "$T_TMP/f2" >"$T_TMP/steps2"
mcp_sdk @"$T_TMP/steps2" stdio "${BRIDGE[@]}" &
SDK=$!
for _ in $(seq 100); do [ -e "$T_TMP/f1" ] && break; sleep 0.1; done
# 70 new sessions: deskd ends the bridge's idle one to make room.
for i in $(seq 70); do mcp_init 2025-11-25 || break; done
touch "$T_TMP/f2"
wait "$SDK"
is "$(mcp_get 'j["results"][0]["structuredContent"]["stdout"]')" one "before: a call in the bridge's session"
is "$(mcp_get 'j["results"][3]["structuredContent"]["stdout"]')" two \
    "after deskd forgot the session: the next call still answers"
grep -q 'opened a new one' "$T_TMP/mcp.err"
ok $? "  the bridge opened a new session by replaying initialize"

# --- stdout is MCP only; bad lines go to stderr ------------------------------------
{
	echo 'this is not json'
	echo '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"sh","version":"1"}}}'
	echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
	echo '{"jsonrpc":"2.0","id":"p","method":"ping"}'
	echo '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"exec","arguments":{"command":"printf \"a\\nb\""}}}'
} | "${BRIDGE[@]}" >"$T_TMP/raw.out" 2>"$T_TMP/raw.err"
is "$?" 0 "the bridge exits 0 at end of input"
is "$(python3 -c 'import json,sys; print([json.loads(l)["id"] for l in open(sys.argv[1])])' "$T_TMP/raw.out")" \
    "[1, 'p', 2]" "stdout: one JSON-RPC message per line, one per request"
like "$(cat "$T_TMP/raw.err")" 'not JSON from the client' "a line that is not JSON: said on stderr, not stdout"
is "$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[2])["result"]["structuredContent"]["stdout"])' "$T_TMP/raw.out")" \
    "a
b" "a result with newlines stays on one line"

# --- deskctl mcp ID: a local guest, its token in deskctl's state ---------------------
"$DESKCTL" launch --provider local --ttl 1h --json >"$T_TMP/launch" 2>"$T_TMP/launch.err"
is "$?" 0 "deskctl launch --provider local"
ID=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["id"])' "$T_TMP/launch")
mcp_sdk '[{"call":"exec","args":{"argv":["sh","-c","echo guest:$DISPLAY"]}},{"call":"screenshot","args":{}}]' stdio "$DESKCTL" mcp "$ID"
like "$(mcp_get 'j["results"][0]["structuredContent"]["stdout"]')" '^guest::[0-9]+' \
    "deskctl mcp $ID: the guest's exec answers"
mcp_png 1 "$T_TMP/guest.png"
is "$("$PNGCHECK" "$T_TMP/guest.png")" "1280 720" "  and its screenshot (its own 1920x1080 Xvfb)"
"$DESKCTL" terminate "$ID" >/dev/null 2>&1
"$DESKCTL" mcp >/dev/null 2>&1
is "$?" 2 "deskctl mcp without a target: usage, exit 2"
"$DESKCTL" mcp "$ID" --cwd / >/dev/null 2>&1
is "$?" 2 "deskctl mcp with another verb's option: exit 2"
cat "$T_TMP/raw.err" >>"$T_TMP/mcp-all.err"
sanitizer_clean "$T_TMP/mcp-all.err"
ok $? "no sanitizer report from any deskctl mcp run"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report in deskd's log"
