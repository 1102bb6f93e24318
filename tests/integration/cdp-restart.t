#!/usr/bin/env bash
# cdp-restart: the DevTools proxy while Chromium dies and comes back.
# Chrome down: JSON 502 at once for /json and for websocket upgrades, live
# sessions closed and freed, /health says so; Chrome back on the same port:
# Playwright connects again without restarting deskd.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/cdp-lib.sh"

cdp_requirements
start_xvfb
start_www
CHR_PORT=$(free_port)
CDP_PORT=$(free_port)
CDP="http://127.0.0.1:$CDP_PORT"

# deskd first: Chrome is not there yet (a VM boots deskd before Chrome).
start_deskd --no-auth --cdp-listen "127.0.0.1:$CDP_PORT" \
    --cdp-upstream "127.0.0.1:$CHR_PORT"
wait_http "$CDP/json/version" || fail "CDP port does not answer"
st=$(http GET "$CDP/json/version")
is "$st" 502 "Chrome not started: /json/version is 502"
is "$(json_get "$T_TMP/body" 'j["error"]["code"]')" chrome_unavailable \
    "  JSON error chrome_unavailable"
like "$(json_get "$T_TMP/body" 'j["error"]["message"]')" "127.0.0.1:$CHR_PORT" \
    "  the message names the upstream"
wait_health_chrome 'c["ok"]' false
ok $? "/health: chrome ok false while it is down"
like "$(health_chrome 'c["error"]')" 'Chrome DevTools' "/health says why"

start_chromium "$CHR_PORT"
out=$(cd "$NODE_DIR" && node cdp-playwright.js "$CDP" "$WWW_URL/index.html" \
    "$T_TMP/shot1.png" 2>"$T_TMP/pw.err")
ok $? "Chrome started after deskd: Playwright connects"
[ -s "$T_TMP/pw.err" ] && sed 's/^/# /' "$T_TMP/pw.err" | head -n 20
like "$out" '"sum":"10:hello-cdp"' "  and evaluates"
wait_health_chrome 'c["ok"]' true
ok $? "/health: chrome ok true"
wait_health_chrome '"browser" in c' true
like "$(health_chrome 'c["browser"]')" 'Chrome/' "/health: browser version"

# A live websocket while Chrome dies: the client sees the close, the relay
# is freed.
WS=$(curl -s "$CDP/json/version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["webSocketDebuggerUrl"])')
python3 - "$CDP_PORT" "${WS#ws://*/}" >"$T_TMP/live.out" 2>&1 <<'PY' &
import base64, os, socket, sys
port, path = int(sys.argv[1]), "/" + sys.argv[2]
s = socket.create_connection(("127.0.0.1", port))
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
           "Sec-WebSocket-Key: %s\r\n\r\n" % (path, port, key)).encode())
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(1)
print(head.split(b"\r\n")[0].decode(), flush=True)
s.settimeout(60)
while True:
    d = s.recv(65536)
    if not d:
        print("closed", flush=True)
        break
PY
LIVE=$!
for _ in $(seq 100); do
	grep -q 101 "$T_TMP/live.out" && break
	sleep 0.1
done
like "$(cat "$T_TMP/live.out")" '101' "live websocket upgraded through deskd"
is "$(health_chrome 'c["relays"]')" 1 "/health: one relay open"

stop_chromium
wait "$LIVE"
like "$(cat "$T_TMP/live.out")" 'closed' "Chrome killed: the live websocket is closed"
wait_health_chrome 'c["relays"]' 0
ok $? "Chrome killed: the relay is freed"
st=$(http GET "$CDP/json/version/")
is "$st" 502 "Chrome killed: /json/version/ is 502"
is "$(json_get "$T_TMP/body" 'j["error"]["code"]')" chrome_unavailable \
    "  JSON error chrome_unavailable"
st=$(http GET "$CDP/json/list")
is "$st" 502 "Chrome killed: /json/list is 502"
st=$(http GET "$CDP/devtools/browser/x" -H 'Upgrade: websocket' \
    -H 'Connection: Upgrade' -H 'Sec-WebSocket-Version: 13' \
    -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==')
is "$st" 502 "Chrome killed: websocket upgrade is 502"
like "$(body)" '"chrome_unavailable"' "  with a JSON body"
out=$(cd "$NODE_DIR" && node cdp-ws.js "$WS" 5 1 2>&1)
like "$out" 'HTTP 502' "Chrome killed: ws clients get 502, not a hang"
wait_health_chrome 'c["ok"]' false
ok $? "/health: chrome ok false after the kill"
is "$(health_chrome 'c["relays"]')" 0 "no relay left behind by the 502s"

# Chrome back on the same port, deskd untouched.
start_chromium "$CHR_PORT"
out=$(cd "$NODE_DIR" && node cdp-playwright.js "$CDP" "$WWW_URL/index.html" \
    "$T_TMP/shot2.png" 2>"$T_TMP/pw.err")
ok $? "Chrome restarted: Playwright connects again through the same deskd"
[ -s "$T_TMP/pw.err" ] && sed 's/^/# /' "$T_TMP/pw.err" | head -n 20
like "$out" '"title":"deskd cdp test"' "  and loads the page"
wait_health_chrome 'c["ok"]' true
ok $? "/health: chrome ok true again"

# Chrome hung (SIGSTOP): its kernel still accepts connections, so this is
# the timeout path: 504 after CDP_TIMEOUT, for HTTP and for an upgrade.
WS=$(curl -s "$CDP/json/version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["webSocketDebuggerUrl"])')
kill -STOP -- "-$CHR_PGID"
(cd "$NODE_DIR" && node cdp-ws.js "$WS" 1 1 >"$T_TMP/hung-ws.out" 2>&1) &
HUNG_WS=$!
st=$(http GET "$CDP/json/version")
is "$st" 504 "Chrome hung: /json/version is 504 after the timeout"
is "$(json_get "$T_TMP/body" 'j["error"]["code"]')" chrome_timeout \
    "  JSON error chrome_timeout"
wait "$HUNG_WS"
like "$(cat "$T_TMP/hung-ws.out")" 'HTTP 504' \
    "Chrome hung: a websocket upgrade gets 504, not a hang"
wait_health_chrome 'c["ok"]' false
ok $? "/health: chrome ok false while it is hung"
is "$(health_chrome 'c["relays"]')" 0 "no relay left behind by the 504s"
kill -CONT -- "-$CHR_PGID"
st=$(http GET "$CDP/json/version")
is "$st" 200 "Chrome resumed: /json/version 200 again"
out=$(cd "$NODE_DIR" && node cdp-ws.js "$WS" 1 1 2>&1)
ok $? "Chrome resumed: websocket works again"

# Kill it mid-way through many sessions.
WS=$(curl -s "$CDP/json/version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["webSocketDebuggerUrl"])')
(cd "$NODE_DIR" && node cdp-ws.js "$WS" 30 1000 >/dev/null 2>&1) &
BUSY=$!
sleep 1
stop_chromium
wait "$BUSY"
wait_health_chrome 'c["relays"]' 0
ok $? "Chrome killed under load: every relay freed"

# The CDP port taken (OSWorld tasks start socat on 9222): deskd serves its
# API anyway and binds the port once it is free.
HELD=$(free_port)
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(3)' "$HELD" &
HOLDER=$!
sleep 0.5
P2=$(free_port)
"$DESKD" --listen "127.0.0.1:$P2" --no-auth --cdp-listen "127.0.0.1:$HELD" \
    --cdp-upstream "127.0.0.1:$CHR_PORT" >"$T_TMP/deskd2.log" 2>&1 &
D2=$!
T_PIDS+=("$D2")
T_LOGS+=("$T_TMP/deskd2.log")
wait_http "http://127.0.0.1:$P2/health"
ok $? "CDP port taken: the API still starts"
is "$(curl -s "http://127.0.0.1:$P2/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["chrome"]["listening"])')" \
    False "/health: chrome.listening false while the port is taken"
wait "$HOLDER"
wait_http "http://127.0.0.1:$HELD/json/version" 150
st=$(http GET "http://127.0.0.1:$HELD/json/version")
is "$st" 502 "port freed: deskd binds it and answers (Chrome is down: 502)"
kill -TERM "$D2"; wait "$D2"
is "$?" 0 "second deskd exits cleanly"
sanitizer_clean "$T_TMP/deskd2.log"
ok $? "second deskd: sanitizer log clean"

for bad in bogus 127.0.0.1: '[::1]' 127.0.0.1:99999; do
	"$DESKD" --listen "127.0.0.1:$P2" --cdp-listen "$bad" \
	    >"$T_TMP/bad.log" 2>&1
	rc=$?
	like "$rc:$(cat "$T_TMP/bad.log")" '^[1-9][0-9]*:.*--cdp-listen' \
	    "--cdp-listen $bad: refused at start-up"
done
for bad in 1337 nohost.invalid:1 127.0.0.1:x; do
	"$DESKD" --listen "127.0.0.1:$P2" --cdp-listen "127.0.0.1:$HELD" \
	    --cdp-upstream "$bad" >"$T_TMP/bad.log" 2>&1
	rc=$?
	like "$rc:$(cat "$T_TMP/bad.log")" '^[1-9][0-9]*:.*--cdp-upstream' \
	    "--cdp-upstream $bad: refused at start-up"
done

stop_deskd
is "$?" 0 "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "sanitizer log clean"
