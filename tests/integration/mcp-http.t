#!/usr/bin/env bash
# mcp-http: deskd's /mcp through the official MCP TypeScript SDK over
# Streamable HTTP with a token: initialize, tools/list, computer typing
# mixed scripts into a real X client and clicking in the screenshot's
# space, screenshot PNGs decoded, exec, files text and binary, bad
# arguments (isError, nothing run), unknown tools, no token (401); then
# the transport's rules with curl: Accept, Content-Type, Origin, batches
# per revision, the version header, sessions, parse errors, body limits.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/input-lib.sh"
source "$TOP/tests/mcp-lib.sh"

mcp_requirements
start_xvfb 1920x1080 || exit 1
start_recorder || exit 1
mcp_token
start_deskd --token-file "$TOKEN_FILE" || exit 1

# input-lib's act, with the token this deskd wants.
act() {
	local j=$1
	shift
	http POST "$URL/v1/computer" -H "Authorization: Bearer $TOKEN" \
	    -H 'Content-Type: application/json' --data-binary "$j" "$@"
}

# --- initialize and tools/list ------------------------------------------
mcp_sdk '[{"list":true},{"ping":true}]'
ok $? "the SDK connects over Streamable HTTP with the token"
is "$(mcp_get 'j["protocol"]')" 2025-11-25 "negotiated the SDK's latest revision, 2025-11-25"
like "$(mcp_get 'j["session"]')" '^[0-9a-f]{32}$' "a 128-bit session id"
is "$(mcp_get 'j["server"]["name"]')" deskd "serverInfo names deskd"
is "$(mcp_get '",".join(t["name"] for t in j["results"][0]["tools"])')" \
    computer,screenshot,zoom,exec,read_file,write_file,list_directory,windows,launch,accessibility_tree \
    "tools/list gives the ten tools in a fixed order"
is "$(mcp_get 'all(t["inputSchema"]["type"]=="object" and len(t["description"])>80 for t in j["results"][0]["tools"])')" \
    true "every tool has an object schema and a description"
is "$(mcp_get '[t for t in j["results"][0]["tools"] if t["name"]=="computer"][0]["inputSchema"]["properties"]["action"]["enum"][-1]')" \
    zoom "computer's schema lists the Anthropic actions"
is "$(mcp_get '[t for t in j["results"][0]["tools"] if t["name"]=="exec"][0]["outputSchema"]["required"][0]')" \
    exit_code "exec has an output schema"
is "$(mcp_get 'j["results"][1]')" '{}' "ping answers {}"

# --- computer: typing exactly -------------------------------------------
TEXT='MCP: café Ångström Αλφάβητο Съешь 中文 日本語 한국어 😀👩‍💻 ∞≠½ !"#$%&'"'"'()*+,-./:;<=>?@[\]^_`{|}~'
m=$(rec_mark)
steps=$(python3 -c 'import json,sys; print(json.dumps([{"call":"computer","args":{"action":"type","text":sys.argv[1]}}]))' "$TEXT")
mcp_sdk "$steps"
is "$(mcp_get 'j["results"][0]["isError"]')" false "computer type: not an error"
rec_sync "$m" || fail "xrecord sync after typing"
got=$(rec_text "$m" | od -An -tx1 | tr -d ' \n')
want=$(printf '%s' "$TEXT" | od -An -tx1 | tr -d ' \n')
is "$got" "$want" "computer type: the X client read the mixed-script text exactly"
is "$(mcp_get '[c["type"] for c in j["results"][0]["content"]]')" \
    '["text", "image"]' "computer answers a summary and the screenshot after the action"
mcp_png 0 "$T_TMP/after-type.png"
is "$("$PNGCHECK" "$T_TMP/after-type.png")" "1280 720" "  the screenshot is the 1280x720 coordinate space"
like "$(mcp_text 0)" '"screen_size":\[1920,1080\],"coordinate_space":\[1280,720\]' \
    "  the summary gives the screen size and the coordinate space"

# --- computer: a click in the screenshot's space ---------------------------
m=$(rec_mark)
mcp_sdk '[{"call":"computer","args":{"action":"left_click","coordinate":[640,360],"screenshot":false}}]'
rec_sync "$m" || fail "xrecord sync after the click"
like "$(rec_events "$m" | grep ButtonPress | head -n1)" \
    '^ButtonPress button=1 x=960 y=540 ' "click at [640, 360] of 1280x720 lands at (960, 540) of the screen"
is "$(mcp_get '[c["type"] for c in j["results"][0]["content"]]')" '["text"]' \
    "screenshot false: no image"
like "$(mcp_text 0)" '"cursor":\[640,360\]' "  the cursor is reported in the same space"

# A batch: one job, in order, a screenshot after the last action only.
m=$(rec_mark)
mcp_sdk '[{"call":"computer","args":{"actions":[{"action":"key","text":"a"},{"action":"key","text":"b"},{"action":"cursor_position"}]}}]'
rec_sync "$m" || fail "xrecord sync after the batch"
is "$(rec_text "$m")" ab "a batch of keys arrives in order"
is "$(mcp_get '[c["type"] for c in j["results"][0]["content"]]')" \
    '["text", "image"]' "a batch answers one screenshot, after the last action"
like "$(mcp_text 0)" '"output":"X=640,Y=360"' "cursor_position in the batch's results"

# A bad action in a batch: nothing is injected.
m=$(rec_mark)
mcp_sdk '[{"call":"computer","args":{"actions":[{"action":"type","text":"x"},{"action":"key","text":"nosuchkey"}]}}]'
is "$(mcp_get 'j["results"][0]["isError"]')" true "a batch with a bad key name: isError"
like "$(mcp_text 0)" 'action 1: .*nosuchkey' "  naming the action and the key"
nothing_injected "$m" "  and nothing of the batch was typed"

# --- screenshot ------------------------------------------------------------
"$XCLIENT" rect 100 200 300 150 ff0000 >"$T_TMP/rect.out" 2>&1 &
T_PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$T_TMP/rect.out" && break; sleep 0.1; done
mcp_sdk '[{"call":"screenshot","args":{}},{"call":"screenshot","args":{"region":[100,200,300,150],"cursor":false}},{"call":"screenshot","args":{"width":480,"format":"png"}},{"call":"zoom","args":{"region":[60,120,280,240]}}]'
mcp_png 0 "$T_TMP/s0.png"
is "$("$PNGCHECK" "$T_TMP/s0.png")" "1280 720" "screenshot: 1280x720 by default"
is "$("$PNGCHECK" "$T_TMP/s0.png" 166 183)" ff0000 "  the red rectangle at its scaled place"
mcp_png 1 "$T_TMP/s1.png"
is "$("$PNGCHECK" "$T_TMP/s1.png")" "300 150" "screenshot region: the region at full detail"
is "$("$PNGCHECK" "$T_TMP/s1.png" find ff0000)" "45000 0 0 300 150" "  all of it red"
mcp_png 2 "$T_TMP/s2.png"
is "$("$PNGCHECK" "$T_TMP/s2.png")" "480 270" "screenshot width 480: fitted, aspect kept"
mcp_png 3 "$T_TMP/s3.png"
is "$("$PNGCHECK" "$T_TMP/s3.png")" "330 180" "zoom [60,120,280,240] of 1280x720: 330x180 screen pixels"
is "$("$PNGCHECK" "$T_TMP/s3.png" find ff0000)" "45000 10 20 310 170" "  the rectangle at full detail inside it"
mcp_sdk '[{"call":"screenshot","args":{"region":[1900,1000,100,100]}}]'
is "$(mcp_get 'j["results"][0]["isError"]')" true "a region off the screen: isError"
like "$(mcp_text 0)" 'inside the 1920x1080 screen' "  saying the screen size"

# --- exec ------------------------------------------------------------------
mcp_sdk '[{"call":"exec","args":{"argv":["sh","-c","echo out; echo err >&2; exit 3"]}},{"call":"exec","args":{"command":"cat; printf ü","stdin":"in\n"}},{"call":"exec","args":{"command":"sleep 5","timeout":0.3}}]'
is "$(mcp_get 'j["results"][0]["structuredContent"]["exit_code"]')" 3 "exec: exit code"
is "$(mcp_get 'j["results"][0]["structuredContent"]["stdout"]')" out "exec: stdout"
is "$(mcp_get 'j["results"][0]["structuredContent"]["stderr"]')" err "exec: stderr"
is "$(mcp_get 'j["results"][0]["isError"]')" false "  a non-zero exit is a result, not a tool error"
is "$(mcp_get 'json.loads(j["results"][0]["content"][0]["text"]) == j["results"][0]["structuredContent"]')" \
    true "  the text item is the same JSON as structuredContent"
is "$(mcp_get 'j["results"][1]["structuredContent"]["stdout"]')" "in
ü" "exec command with stdin, UTF-8 out"
is "$(mcp_get 'j["results"][2]["structuredContent"]["timed_out"]')" true "exec timeout: timed_out"
is "$(mcp_get 'j["results"][2]["isError"]')" true "  and isError"

# --- files -----------------------------------------------------------------
F=$T_TMP/files/sub/note.txt
FT='première ligne
二行目 😀 "quoted" \ back'
steps=$(python3 -c 'import json,sys; f,t=sys.argv[1:]; print(json.dumps([{"call":"write_file","args":{"path":f,"content":t}},{"call":"read_file","args":{"path":f}}]))' "$F" "$FT")
mcp_sdk "$steps"
is "$(mcp_get 'j["results"][0]["isError"]')" false "write_file text (parents made)"
is "$(cat "$F")" "$FT" "  the file on disk holds the text"
is "$(mcp_text 1)" "$FT" "read_file gives the text back exactly"
B=$T_TMP/files/blob.bin
b64=$(python3 -c 'import base64; print(base64.b64encode(bytes(range(256))*3).decode())')
steps=$(python3 -c 'import json,sys; f,b=sys.argv[1:]; print(json.dumps([{"call":"write_file","args":{"path":f,"content":b,"encoding":"base64"}},{"call":"read_file","args":{"path":f,"encoding":"base64"}},{"call":"read_file","args":{"path":f}},{"call":"list_directory","args":{"path":f.rsplit("/",1)[0]}}]))' "$B" "$b64")
mcp_sdk "$steps"
is "$(python3 -c 'import sys; print(open(sys.argv[1],"rb").read() == bytes(range(256))*3)' "$B")" True \
    "write_file base64: the binary bytes on disk"
is "$(mcp_text 1)" "$b64" "read_file base64 gives them back"
is "$(mcp_get 'j["results"][2]["isError"]')" true "read_file text of a binary file: isError"
like "$(mcp_text 2)" 'not UTF-8 text .*base64' "  pointing at base64"
is "$(mcp_get '[(e["name"],e["type"]) for e in json.loads(j["results"][3]["content"][0]["text"])["entries"]]')" \
    '[["blob.bin", "file"], ["sub", "directory"]]' "list_directory: names and types, sorted"
is "$(mcp_get 'json.loads(j["results"][3]["content"][0]["text"])["entries"][0]["size"]')" 768 "  and sizes"
BIG=$T_TMP/files/big.txt
python3 -c 'import json,sys; print(json.dumps([{"call":"write_file","args":{"path":sys.argv[1],"content":"x"*(8*1024*1024+1)}}]))' "$BIG" >"$T_TMP/steps"
mcp_sdk @"$T_TMP/steps"
is "$(mcp_get 'j["results"][0]["isError"]')" true "write_file over 8 MiB: isError"
like "$(mcp_text 0)" "limit of 8388608 bytes; nothing was written" "  saying the limit"
[ ! -e "$BIG" ] && [ -z "$(ls -A "$T_TMP/files" | grep -v -e blob.bin -e sub)" ]
ok $? "  and no file, no temporary left"
head -c $((8 * 1024 * 1024 + 10)) /dev/zero >"$BIG"
mcp_sdk "$(python3 -c 'import json,sys; print(json.dumps([{"call":"read_file","args":{"path":sys.argv[1]}}]))' "$BIG")"
like "$(mcp_text 0)" "is 8388618 bytes, over read_file's limit" "read_file over 8 MiB: isError with the size"
mcp_sdk '[{"call":"read_file","args":{"path":"/nonexistent/x"}}]'
like "$(mcp_text 0)" "No such file or directory: '/nonexistent/x'" "read_file of a missing file: the system's words"

# --- bad arguments: isError, nothing run ---------------------------------------
MARK=$T_TMP/must-not-exist
mcp_sdk "[{\"call\":\"exec\",\"args\":{\"command\":\"touch $MARK\",\"timeout\":\"soon\"}},{\"call\":\"exec\",\"args\":{\"command\":\"touch $MARK\",\"argv\":[\"touch\",\"$MARK\"]}},{\"call\":\"exec\",\"args\":{\"command\":\"touch $MARK\",\"shell\":true}},{\"call\":\"computer\",\"args\":{\"action\":\"fly\"}},{\"call\":\"computer\",\"args\":{\"action\":\"left_click\",\"coordinate\":[1280,100]}},{\"call\":\"nosuchtool\",\"args\":{}}]"
is "$(mcp_get 'j["results"][0]["isError"]')" true "exec with timeout \"soon\": isError"
like "$(mcp_text 0)" 'arguments.timeout: expected a number, got a string' "  naming the argument"
like "$(mcp_text 1)" 'give argv .* or command .*, not both' "argv and command together: isError"
like "$(mcp_text 2)" 'unknown parameter "shell"' "an unknown argument: isError"
[ ! -e "$MARK" ]
ok $? "  none of them ran the command"
like "$(mcp_text 3)" 'arguments.action: "fly" is not one of the allowed values' "computer action fly: isError"
like "$(mcp_text 4)" 'outside the 1280x720 space' "a click outside the coordinate space: isError"
is "$(mcp_get 'j["results"][5]["code"]')" -32602 "an unknown tool: JSON-RPC error -32602"
like "$(mcp_get 'j["results"][5]["error"]')" 'Unknown tool: nosuchtool' "  saying so"

# --- launch and windows -----------------------------------------------------------
mcp_sdk "[{\"call\":\"launch\",\"args\":{\"argv\":[\"sh\",\"-c\",\"echo \$\$ > $T_TMP/launched; exec sleep 60\"]}},{\"call\":\"windows\",\"args\":{}}]"
pid=$(mcp_get 'json.loads(j["results"][0]["content"][0]["text"])["pid"]')
for _ in $(seq 50); do [ -s "$T_TMP/launched" ] && break; sleep 0.1; done
is "$(cat "$T_TMP/launched" 2>/dev/null)" "$pid" "launch starts the program detached and gives its pid"
kill "$pid" 2>/dev/null
is "$(mcp_get 'j["results"][1]["isError"]')" false "windows list answers"
like "$(mcp_text 1)" '^\{"windows":\[' "  with a list of windows"

# --- no token ------------------------------------------------------------------
node "$NODE_DIR/mcp-client.js" http "$URL" - '[]' >"$T_TMP/mcp.json" 2>"$T_TMP/mcp.err"
is "$(mcp_get 'j.get("code")')" 401 "the SDK without the token: HTTP 401"
echo wrong-token-0123456789 >"$T_TMP/wrong"
node "$NODE_DIR/mcp-client.js" http "$URL" "$T_TMP/wrong" '[]' >"$T_TMP/mcp.json" 2>"$T_TMP/mcp.err"
is "$(mcp_get 'j.get("code")')" 401 "a wrong token: 401"

# --- the transport's rules, with curl -------------------------------------------
st=$(http GET "$URL/mcp" -H "Authorization: Bearer $TOKEN" -H 'Accept: text/event-stream')
is "$st" 405 "GET /mcp: 405 (no server-initiated stream)"
st=$(http POST "$URL/mcp" -H 'Content-Type: application/json' -H "$MCP_ACCEPT" -d '{}')
is "$st" 401 "POST /mcp without the token: 401, before anything else"
mcp_init 2025-06-18
ok $? "initialize with curl"
is "$MCP_VER" 2025-06-18 "2025-06-18 asked, 2025-06-18 answered"
st=$(mcp_req '{"jsonrpc":"2.0","method":"notifications/initialized"}')
is "$st" 202 "notifications/initialized: 202"
is "$(body)" "" "  with no body"
st=$(mcp_req '{"jsonrpc":"2.0","id":2,"method":"ping"}')
is "$st" 200 "ping in the session: 200"
like "$(header Content-Type)" '^application/json' "  as application/json"
is "$(body)" '{"jsonrpc":"2.0","id":2,"result":{}}' "  the JSON-RPC result"
st=$(mcp_req '{"jsonrpc":"2.0","id":"s1","method":"tools/call","params":{"name":"exec","arguments":{"argv":["echo","sse"]}}}')
like "$(header Content-Type)" '^text/event-stream' "tools/call answers as an SSE stream"
mcp_sse_data
is "$(json_get "$T_TMP/data" 'j["id"]')" s1 "  whose event is the response, with the string id"
is "$(json_get "$T_TMP/data" 'j["result"]["structuredContent"]["stdout"]')" sse "  and the result"
st=$(mcp_req '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"exec","arguments":{"argv":["echo","json"]}}}' -H 'Accept: application/json')
like "$(header Content-Type)" '^application/json' "a client accepting only JSON gets JSON"
st=$(mcp_req '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"exec","arguments":{"argv":["true"]}}}' -H 'Accept: application/json;q=1, text/event-stream;q=0')
like "$(header Content-Type)" '^application/json' "text/event-stream;q=0 is not taken: JSON"
st=$(mcp_req '{"jsonrpc":"2.0","id":3,"method":"ping"}' -H 'Accept: text/html')
is "$st" 406 "Accept with neither type: 406"
st=$(mcp_req '{"jsonrpc":"2.0","id":3,"method":"ping"}' -H 'Content-Type: text/plain')
is "$st" 415 "a body that is not application/json: 415"
st=$(mcp_req '{"jsonrpc":"2.0","id":4,"method":"resources/list"}')
is "$(json_get "$T_TMP/body" 'j["error"]["code"]')" -32601 "an unknown method: -32601"
st=$(mcp_req '{"jsonrpc":"2.0","id":5,"method":"ping"')
is "$st" 400 "malformed JSON: 400"
is "$(json_get "$T_TMP/body" 'j["error"]["code"]')" -32700 "  Parse error -32700"
st=$(mcp_req '{"jsonrpc":"1.0","id":6,"method":"ping"}')
is "$(json_get "$T_TMP/body" '[j["error"]["code"], j["id"]]')" '[-32600, 6]' "jsonrpc 1.0: Invalid Request -32600, with the id"
st=$(mcp_req '{"jsonrpc":"2.0","id":null,"method":"ping"}')
is "$st" 400 "a null id: 400"
st=$(mcp_req '[{"jsonrpc":"2.0","id":7,"method":"ping"}]')
is "$st" 400 "a batch in a 2025-06-18 session: 400 (batching was removed)"
like "$(body)" 'no JSON-RPC batches' "  saying so"
st=$(mcp_req '{"jsonrpc":"2.0","id":8,"method":"ping"}' -H 'MCP-Protocol-Version: 2025-03-26')
is "$st" 400 "MCP-Protocol-Version other than the session's: 400"
st=$(mcp_req '{"jsonrpc":"2.0","id":8,"method":"ping"}' -H 'MCP-Protocol-Version: 1999-01-01')
is "$st" 400 "an unsupported MCP-Protocol-Version: 400"
st=$(mcp_post '{"jsonrpc":"2.0","id":9,"method":"ping"}')
is "$st" 400 "a request without Mcp-Session-Id: 400"
st=$(mcp_post '{"jsonrpc":"2.0","id":9,"method":"ping"}' -H 'Mcp-Session-Id: 00000000000000000000000000000000')
is "$st" 404 "an unknown session: 404"
is "$(json_get "$T_TMP/body" 'j["error"]["code"]')" -32001 "  -32001"
st=$(mcp_req '{"jsonrpc":"2.0","id":10,"method":"ping"}' -H 'Origin: http://evil.example:5000')
is "$st" 403 "a foreign Origin: 403 (DNS rebinding)"
like "$(body)" 'DNS rebinding' "  saying why"
st=$(mcp_req '{"jsonrpc":"2.0","id":11,"method":"ping"}' -H "Origin: http://127.0.0.1:$PORT")
is "$st" 200 "a loopback Origin: served"
st=$(mcp_req '{"jsonrpc":"2.0","id":11,"method":"ping"}' -H 'Origin: http://10.1.2.3:5000' -H 'Host: 10.1.2.3:5000')
is "$st" 200 "an Origin that is the address asked (Host): served"
st=$(mcp_req '{"jsonrpc":"2.0","id":11,"method":"ping"}' -H 'Origin: http://rebind.example:5000' -H 'Host: rebind.example:5000')
is "$st" 403 "a DNS-name Origin equal to Host (rebinding's shape): 403"
st=$(mcp_req '{"jsonrpc":"2.0","id":11,"method":"ping"}' -H 'Origin: null')
is "$st" 403 "Origin null: 403"
python3 -c 'print("{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"ping\",\"params\":{\"pad\":\"" + "x" * (17 * 1024 * 1024) + "\"}}")' >"$T_TMP/huge"
st=$(mcp_req @"$T_TMP/huge")
is "$st" 413 "a body over 16 MiB: 413"

# 2025-03-26 sessions take batches, and answer them as an array.
mcp_init 2025-03-26
is "$MCP_VER" 2025-03-26 "2025-03-26 negotiated when asked"
st=$(mcp_req '[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"exec","arguments":{"argv":["echo","b"]}}},{"jsonrpc":"2.0","id":3,"method":"nope"},{"jsonrpc":"2.0","id":4,"method":"initialize","params":{}}]' -H 'Accept: application/json')
is "$st" 200 "a 2025-03-26 batch: 200"
is "$(json_get "$T_TMP/body" 'sorted(str(r["id"]) for r in j)')" '["1", "2", "3", "4"]' \
    "  one answer per request, none for the notification"
is "$(json_get "$T_TMP/body" '[(json.loads(r["result"]["content"][0]["text"])["stdout"], "structuredContent" in r["result"]) for r in j if r["id"]==2][0]')" \
    '["b\n", false]' "  the tool's answer, without structuredContent (2025-03-26 has none)"
is "$(json_get "$T_TMP/body" '[r["error"]["code"] for r in j if r["id"] in (3, 4)]')" '[-32601, -32600]' \
    "  an unknown method and an initialize inside a batch get errors"
st=$(mcp_req '[{"jsonrpc":"2.0","method":"notifications/initialized"}]')
is "$st" 202 "a batch of notifications only: 202"
st=$(mcp_req '[]')
is "$st" 400 "an empty batch: 400"
mcp_init 1999-01-01
is "$MCP_VER" 2025-11-25 "an unknown revision asked: the latest answered"

sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report in deskd's log"
