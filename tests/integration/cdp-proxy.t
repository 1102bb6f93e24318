#!/usr/bin/env bash
# cdp-proxy: the DevTools proxy (--cdp-listen) in front of a real headless
# Chromium: /json endpoints with Host rewritten and URLs rewritten back,
# Playwright's connectOverCDP through deskd, raw websockets, fifty sessions
# at once, access rules, bad input and hang-ups.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/cdp-lib.sh"

cdp_requirements
start_xvfb
start_www
start_chromium
CDP_PORT=$(free_port)
CDP="http://127.0.0.1:$CDP_PORT"
start_deskd --no-auth --cdp-listen "127.0.0.1:$CDP_PORT" \
    --cdp-upstream "127.0.0.1:$CHR_PORT"
wait_http "$CDP/json/version" || fail "CDP port $CDP_PORT does not answer"

# --- /json endpoints ------------------------------------------------------
for p in /json/version /json/version/; do
	st=$(http GET "$CDP$p")
	is "$st" 200 "GET $p: 200"
	like "$(json_get "$T_TMP/body" 'j["webSocketDebuggerUrl"]')" \
	    "^ws://127\\.0\\.0\\.1:$CDP_PORT/devtools/browser/[0-9a-f-]+\$" \
	    "GET $p: webSocketDebuggerUrl points at the proxy"
	like "$(json_get "$T_TMP/body" 'j["Browser"]')" '^(Headless)?Chrome/' \
	    "GET $p: Chrome's own fields pass through"
done
like "$(header Content-Type)" '^application/json' "/json/version is JSON"

for p in /json /json/ /json/list /json/list/; do
	st=$(http GET "$CDP$p")
	is "$st" 200 "GET $p: 200"
	is "$(json_get "$T_TMP/body" "sorted(set(t['webSocketDebuggerUrl'].split('/devtools/')[0] for t in j if 'webSocketDebuggerUrl' in t))")" \
	    "[\"ws://127.0.0.1:$CDP_PORT\"]" "GET $p: every webSocketDebuggerUrl rewritten"
	is "$(json_get "$T_TMP/body" "sorted(set(t['devtoolsFrontendUrl'].split('ws=')[1].split('/')[0] for t in j if 'devtoolsFrontendUrl' in t))")" \
	    "[\"127.0.0.1:$CDP_PORT\"]" "GET $p: every devtoolsFrontendUrl ws= rewritten"
done
is "$(json_get "$T_TMP/body" "any(t['type'] == 'page' for t in j)")" true \
    "/json/list has the page target"

# The client's Host (Chrome itself only ever sees its own).
st=$(http GET "$CDP/json/version" -H "Host: 10.1.2.3:9222")
is "$st" 200 "Host 10.1.2.3:9222: 200"
like "$(json_get "$T_TMP/body" 'j["webSocketDebuggerUrl"]')" \
    '^ws://10\.1\.2\.3:9222/devtools/browser/' \
    "URL built from the client's Host"
st=$(http GET "$CDP/json/version" -H "Host: localhost:$CDP_PORT")
like "$(json_get "$T_TMP/body" 'j["webSocketDebuggerUrl"]')" \
    "^ws://localhost:$CDP_PORT/devtools/browser/" "Host localhost kept"
# Chrome's DNS-rebinding rule, applied by deskd since Chrome cannot.
st=$(http GET "$CDP/json/version" -H "Host: rebind.example:9222")
is "$st" 400 "Host that is a DNS name: 400 (as Chrome does)"
like "$(body)" 'DNS rebinding' "  saying why"
st=$(http GET "$CDP/devtools/browser/x" -H "Host: rebind.example:9222" \
    -H 'Upgrade: websocket' -H 'Connection: Upgrade' \
    -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==')
is "$st" 400 "websocket upgrade with a DNS-name Host: 400"
st=$(http GET "$CDP/json/list" -H "Host: [::1]:9333")
like "$(json_get "$T_TMP/body" "[t['webSocketDebuggerUrl'] for t in j][0]")" \
    '^ws://\[::1\]:9333/devtools/page/' "IPv6 Host kept as is"
# Chrome refuses every Origin it was not told about; deskd drops Origin
# upstream and checks in Chrome's place: only its own (see access-browser).
st=$(http GET "$CDP/json/version" -H "Origin: http://127.0.0.1:$CDP_PORT")
is "$st" 200 "the proxy's own Origin: dropped before Chrome sees it"
st=$(http GET "$CDP/json/version" -H "Origin: http://10.1.2.3:5000")
is "$st" 403 "a foreign Origin (a web page): 403"
is "$(json_get "$T_TMP/body" 'j["error"]["code"]')" forbidden_origin \
    "  with code forbidden_origin"
st=$(http GET "$CDP/json/version" -H 'Host: a"b<c>')
is "$st" 400 "Host with quotes: 400"
is "$(json_get "$T_TMP/body" 'j["error"]["code"]')" bad_host "  with code bad_host"

# /json/new: PUT works; GET gets Chrome's own 405 (Chrome 111+).
st=$(http PUT "$CDP/json/new?$WWW_URL/index.html")
is "$st" 200 "PUT /json/new: 200"
NEW_ID=$(json_get "$T_TMP/body" 'j["id"]')
like "$(json_get "$T_TMP/body" 'j["webSocketDebuggerUrl"]')" \
    "^ws://127\\.0\\.0\\.1:$CDP_PORT/devtools/page/$NEW_ID\$" \
    "PUT /json/new: new target's URL rewritten"
st=$(http GET "$CDP/json/new?about:blank")
is "$st" 405 "GET /json/new: Chrome's 405 passed through"
st=$(http GET "$CDP/json/activate/$NEW_ID")
is "$st" 200 "/json/activate/ID: 200"
like "$(body)" 'activated' "  Chrome's text passes through"
st=$(http GET "$CDP/json/close/$NEW_ID")
is "$st" 200 "/json/close/ID: 200"
st=$(http GET "$CDP/json/close/NOSUCHTARGET")
is "$st" 404 "/json/close/unknown: Chrome's 404 passed through"
st=$(http GET "$CDP/json/protocol")
is "$st" 200 "/json/protocol: 200"
is "$(json_get "$T_TMP/body" "len(j['domains']) > 10")" true \
    "/json/protocol: the whole 1.5 MB document arrives"
# DevTools frontend files (devtoolsFrontendUrl /devtools/inspector.html)
# pass through as Chrome serves them.
curl -s -o "$T_TMP/direct.html" "http://127.0.0.1:$CHR_PORT/devtools/inspector.html"
st=$(http GET "$CDP/devtools/inspector.html")
is "$st" 200 "GET /devtools/inspector.html (no upgrade): 200"
cmp -s "$T_TMP/body" "$T_TMP/direct.html"
ok $? "  byte for byte what Chrome serves"
like "$(header Content-Type)" '^text/html' "  with Chrome's Content-Type"
st=$(http GET "$CDP/json/nope")
is "$st" 404 "unknown /json path: 404"
like "$(body)" '"error"' "  as a JSON error"
st=$(http POST "$CDP/json/version" -d '{}')
is "$st" 405 "POST /json/version: 405"
st=$(http HEAD "$CDP/json/version" -I)
is "$st" 200 "HEAD /json/version: 200"

# --- Playwright, as OSWorld's host connects --------------------------------
out=$(cd "$NODE_DIR" && node cdp-playwright.js "$CDP" "$WWW_URL/index.html" \
    "$T_TMP/shot.png" 2>"$T_TMP/pw.err")
ok $? "Playwright connectOverCDP through deskd: open, goto, evaluate, screenshot"
[ -s "$T_TMP/pw.err" ] && sed 's/^/# /' "$T_TMP/pw.err" | head -n 20
like "$out" '"title":"deskd cdp test"' "Playwright: page served on localhost loaded"
like "$out" '"sum":"10:hello-cdp"' "Playwright: page.evaluate result"
is "$(python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); print(d[:8] == b"\x89PNG\r\n\x1a\n" and len(d) > 1000000)' "$T_TMP/shot.png")" \
    True "Playwright: multi-MB PNG screenshot through the relay"

# --- backpressure: a client that stops reading -----------------------------
st=$(http PUT "$CDP/json/new?$WWW_URL/index.html")
BIG_WS=$(json_get "$T_TMP/body" 'j["webSocketDebuggerUrl"]')
BIG_ID=$(json_get "$T_TMP/body" 'j["id"]')
out=$(python3 "$TOP/tests/tools/cdp-wsclient.py" "$CDP_PORT" \
    "/devtools/page/$BIG_ID" 2>&1)
like "$out" '^ok 6 [0-9]+$' "six multi-MB screenshots to a slow reader, all whole (hand-written ws client, own Origin)"
like "$(health_chrome 'c["backpressure_pauses"]')" '^[1-9][0-9]*$' \
    "  the proxy paused reading Chrome meanwhile (backpressure)"
http GET "$CDP/json/close/$BIG_ID" >/dev/null

# --- raw websocket clients ------------------------------------------------
WS=$(curl -s "$CDP/json/version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["webSocketDebuggerUrl"])')
out=$(cd "$NODE_DIR" && node cdp-ws.js "$WS" 1 1 2>&1)
ok $? "raw websocket: Browser.getVersion answered"
like "$out" '"product":"(Headless)?Chrome/' "  with Chrome's product"
out=$(cd "$NODE_DIR" && CDP_ORIGIN=http://127.0.0.1:$CDP_PORT node cdp-ws.js "$WS" 1 1 2>&1)
ok $? "websocket with the proxy's own Origin: accepted (Origin dropped)"
out=$(cd "$NODE_DIR" && CDP_ORIGIN=http://10.1.2.3:5000 node cdp-ws.js "$WS" 1 1 2>&1)
like "$out" '403' "websocket with a foreign Origin (a web page): 403, as Chrome would"
PAGE_WS=$(curl -s "$CDP/json/list" | python3 -c 'import json,sys; print([t for t in json.load(sys.stdin) if t["type"]=="page"][0]["webSocketDebuggerUrl"])')
out=$(cd "$NODE_DIR" && node cdp-ws.js "$PAGE_WS" 1 1 Runtime.evaluate 2>&1)
ok $? "page websocket: Runtime.evaluate answered"

out=$(cd "$NODE_DIR" && node cdp-ws.js "$WS" 50 5 2>&1)
ok $? "fifty concurrent websocket sessions, five calls each"
like "$out" '"answers":250' "  all 250 calls answered"
wait_health_chrome 'c["relays"]' 0
ok $? "all relays freed after the sessions closed"
like "$(health_chrome 'c["relays_total"]')" '^[0-9]+$' "/health counts relays"
is "$(health_chrome 'c["ok"]')" true "/health: chrome ok"

# --- bad input and hang-ups on the websocket path ------------------------
st=$(http GET "$CDP/devtools/page/NOSUCH" -H 'Upgrade: websocket' \
    -H 'Connection: Upgrade' -H 'Sec-WebSocket-Version: 13' \
    -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==')
like "$st" '^(4|5)[0-9][0-9]$' "upgrade to an unknown target: Chrome's error status ($st)"
python3 - "$CDP_PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
head = (b"GET /devtools/browser HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
# Hang up right after the head, before and after Chrome answers.
for _ in range(20):
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(head); s.close()
for _ in range(10):
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(head)
    s.recv(100); s.close()
# Garbage after the upgrade, then a half-sent frame.
s = socket.create_connection(("127.0.0.1", port))
s.sendall(head + b"\x81\xfe\xff\xff garbage"); time.sleep(0.2); s.close()
# Half a head.
s = socket.create_connection(("127.0.0.1", port))
s.sendall(head[:30]); s.close()
PY
wait_health_chrome 'c["relays"]' 0
ok $? "hang-ups and garbage: every relay freed"
st=$(http GET "$CDP/json/version")
is "$st" 200 "proxy still serves after the hang-ups"
is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/health")" 200 "API port unaffected"

# --- access rules: the same as port 5000 ----------------------------------
echo "s3cret-token-0123456789" >"$T_TMP/token"
P2=$(free_port)
C2=$(free_port)
"$DESKD" --listen "127.0.0.1:$P2" --cdp-listen "127.0.0.1:$C2" \
    --cdp-upstream "127.0.0.1:$CHR_PORT" --token-file "$T_TMP/token" \
    >"$T_TMP/deskd2.log" 2>&1 &
D2=$!
T_PIDS+=("$D2")
T_LOGS+=("$T_TMP/deskd2.log")
wait_http "http://127.0.0.1:$C2/json/version"
st=$(http GET "http://127.0.0.1:$C2/json/version")
is "$st" 401 "token set: /json/version without it is 401"
st=$(http GET "http://127.0.0.1:$C2/json/version" -H "Authorization: Bearer s3cret-token-0123456789")
is "$st" 200 "token set: with the bearer token 200"
out=$(cd "$NODE_DIR" && CDP_TOKEN=s3cret-token-0123456789 node cdp-ws.js \
    "ws://127.0.0.1:$C2/devtools/browser/$(basename "$WS")" 1 1 2>&1)
ok $? "token set: websocket with the bearer token relayed"
out=$(cd "$NODE_DIR" && node cdp-ws.js \
    "ws://127.0.0.1:$C2/devtools/browser/$(basename "$WS")" 1 1 2>&1)
like "$out" 'HTTP 401' "token set: websocket without it is 401"
kill -TERM "$D2"; wait "$D2"
is "$?" 0 "second deskd exits cleanly"
sanitizer_clean "$T_TMP/deskd2.log"
ok $? "second deskd: sanitizer log clean"

stop_deskd
is "$?" 0 "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "sanitizer log clean"
