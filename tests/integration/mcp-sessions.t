#!/usr/bin/env bash
# mcp-sessions: MCP sessions of deskd's /mcp.  Two SDK clients at once,
# each with its own session and answers; a cancelled call stops its
# process; a deleted session is refused (404); DELETE ends the calls a
# session still runs; a client that hangs up does not cancel its call
# (transports.mdx); sessions are bounded, the least recently used one
# giving way.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/mcp-lib.sh"

mcp_requirements
start_xvfb 1280x800 || exit 1
mcp_token
start_deskd --token-file "$TOKEN_FILE" || exit 1

node "$NODE_DIR/mcp-sessions.js" "$URL" "$TOKEN_FILE" >"$T_TMP/s.json" 2>"$T_TMP/s.err"
ok $? "two SDK clients run their scenario"
[ -s "$T_TMP/s.err" ] && sed 's/^/# /' "$T_TMP/s.err" | tail -n 20
s() { json_get "$T_TMP/s.json" "$1"; }
like "$(s 'j["session_a"]')" '^[0-9a-f]{32}$' "client A has a session"
[ "$(s 'j["session_a"]')" != "$(s 'j["session_b"]')" ]
ok $? "client B has another"
is "$(s 'j["stdout_a"]')" from-a "A's slow call answers A"
is "$(s 'j["stdout_b"]')" from-b "B's quick call answers B, meanwhile"
is "$(s 'j["running_before"]')" 1 "B's long call runs"
is "$(s 'j["cancelled"]')" McpError "B cancels it (the SDK sends notifications/cancelled)"
is "$(s 'j["running_after"]')" 0 "  and its process is gone"
is "$(s 'j["deleted_status"]')" 404 "A deleted its session: a request naming it gets 404"
is "$(s 'j["deleted_body"]["error"]["code"]')" -32001 "  with JSON-RPC error -32001"
is "$(s 'j["b_after"]')" still-b "B's session is untouched"
grep -q 'ended: deleted by the client' "$DESKD_LOG"
ok $? "deskd logged the deletion"

# DELETE's own rules.
st=$(http DELETE "$URL/mcp" -H "Authorization: Bearer $TOKEN")
is "$st" 400 "DELETE without Mcp-Session-Id: 400"
st=$(http DELETE "$URL/mcp" -H "Authorization: Bearer $TOKEN" -H 'Mcp-Session-Id: nosuchsession')
is "$st" 404 "DELETE of an unknown session: 404"
st=$(http DELETE "$URL/mcp" -H 'Mcp-Session-Id: nosuchsession')
is "$st" 401 "DELETE without the token: 401"

# DELETE while a call runs: the call ends, its process too.
mcp_init 2025-11-25
curl -s -N --max-time 30 -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -H "$MCP_ACCEPT" \
    -H "Mcp-Session-Id: $MCP_SID" \
    --data-binary '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"exec","arguments":{"command":"exec sleep 27.1828"}}}' \
    "$URL/mcp" >"$T_TMP/long.sse" &
LONG=$!
for _ in $(seq 50); do pgrep -f 'sleep 27[.]1828' >/dev/null && break; sleep 0.1; done
pgrep -f 'sleep 27[.]1828' >/dev/null
ok $? "a long call runs in a session"
st=$(http DELETE "$URL/mcp" -H "Authorization: Bearer $TOKEN" -H "Mcp-Session-Id: $MCP_SID")
is "$st" 200 "DELETE of that session: 200"
wait "$LONG"
like "$(cat "$T_TMP/long.sse")" '"id":7,"error":\{"code":-32001,"message":"the MCP session ended' \
    "  the call's stream ends with an error for it"
for _ in $(seq 50); do pgrep -f 'sleep 27[.]1828' >/dev/null || break; sleep 0.1; done
! pgrep -f 'sleep 27[.]1828' >/dev/null
ok $? "  and its process was stopped"

# A client that hangs up: the call goes on (disconnection is not a cancel).
mcp_init 2025-11-25
MARK=$T_TMP/finished
curl -s --max-time 0.5 -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -H "$MCP_ACCEPT" \
    -H "Mcp-Session-Id: $MCP_SID" \
    --data-binary '{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"exec","arguments":{"command":"sleep 1.5; touch '"$MARK"'"}}}' \
    "$URL/mcp" >/dev/null
for _ in $(seq 50); do [ -e "$MARK" ] && break; sleep 0.1; done
[ -e "$MARK" ]
ok $? "a call whose client hung up still finishes"
st=$(mcp_req '{"jsonrpc":"2.0","id":9,"method":"ping"}')
is "$st" 200 "  and its session still answers"

# Bounded: 70 sessions opened, the oldest idle ones give way.
mcp_init 2025-11-25
FIRST=$MCP_SID
for i in $(seq 70); do mcp_init 2025-11-25 || break; done
is "$i" 70 "70 initializes in a row all succeed"
LAST=$MCP_SID
MCP_SID=$FIRST
st=$(mcp_req '{"jsonrpc":"2.0","id":1,"method":"ping"}')
is "$st" 404 "the least recently used session was ended to make room"
MCP_SID=$LAST
st=$(mcp_req '{"jsonrpc":"2.0","id":1,"method":"ping"}')
is "$st" 200 "the newest one answers"
n=$(grep -c 'the least recently used of too many' "$DESKD_LOG")
[ "$n" -ge 7 ]
ok $? "deskd logs why, for each session it ended ($n)"
kill -0 "$DESKD_PID"
ok $? "deskd is still running"

# Stopping with 70 sessions and a call running: the call ends, nothing
# leaks (LSan reports at exit).
curl -s -N --max-time 30 -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -H "$MCP_ACCEPT" \
    -H "Mcp-Session-Id: $MCP_SID" \
    --data-binary '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"exec","arguments":{"command":"exec sleep 27.1828"}}}' \
    "$URL/mcp" >"$T_TMP/last.sse" &
LAST_CALL=$!
for _ in $(seq 50); do pgrep -f 'sleep 27[.]1828' >/dev/null && break; sleep 0.1; done
stop_deskd
is "$?" 0 "deskd stops cleanly (SIGTERM) with sessions and a call running"
wait "$LAST_CALL"
rc=$?
[ "$rc" != 28 ]
ok $? "  the running call's stream ends at once, not at curl's timeout (curl $rc)"
for _ in $(seq 50); do pgrep -f 'sleep 27[.]1828' >/dev/null || break; sleep 0.1; done
! pgrep -f 'sleep 27[.]1828' >/dev/null
ok $? "  and its process is stopped"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report in deskd's log, exit included"
