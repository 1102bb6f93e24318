#!/usr/bin/env bash
# cdp-upstream: the DevTools proxy against an upstream that misbehaves (a
# python TCP server on the upstream port that answers each path in a
# different broken way): every case is a JSON 502/504, nothing leaks.
source "$(dirname "$0")/../lib.sh"

start_xvfb
UP_PORT=$(free_port)
CDP_PORT=$(free_port)
CDP="http://127.0.0.1:$CDP_PORT"
python3 - "$UP_PORT" >"$T_TMP/up.log" 2>&1 <<'PY' &
import socket, sys, threading, time
port = int(sys.argv[1])
def serve(c):
    try:
        req = b""
        while b"\r\n\r\n" not in req:
            d = c.recv(4096)
            if not d:
                return
            req += d
        line = req.split(b"\r\n")[0].decode()
        host = [l for l in req.split(b"\r\n") if l.lower().startswith(b"host:")]
        origin = [l for l in req.split(b"\r\n") if l.lower().startswith(b"origin:")]
        path = line.split()[1]
        if path == "/json/version":
            body = ('{"Browser": "Fake/1", "seen_host": "%s", "seen_origin": %d,'
                    ' "webSocketDebuggerUrl": "ws://127.0.0.1:%d/devtools/browser/x"}'
                    % (host[0].decode().split(":", 1)[1].strip(), len(origin), port)).encode()
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(body) + body)
        elif path == "/json/list":          # garbage status line
            c.sendall(b"SPDY/9 what\r\n\r\n")
        elif path == "/json/list/":         # chunked
            c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n[]\r\n0\r\n\r\n")
        elif path == "/json":               # endless head
            c.sendall(b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * 100000 + b"\r\n")
            time.sleep(2)
        elif path == "/json/protocol":      # closes mid-body
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"a\":")
        elif path == "/json/protocol/":     # no Content-Length: body to EOF
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
                      b"[{\"webSocketDebuggerUrl\": \"ws://127.0.0.1:1/devtools/page/Z\"}]")
        elif path == "/json/new":           # not JSON
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n[oops")
        elif path == "/json/new/":          # huge Content-Length
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n")
        elif path.startswith("/devtools/close"):  # upgrade: hang up at once
            pass
        elif path.startswith("/devtools/silent"): # upgrade: never answers
            time.sleep(15)
        elif path.startswith("/devtools/echo"):   # upgrade: 101 then echo
            c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      b"Connection: Upgrade\r\nX-Seen-Origin: %d\r\n\r\n" % len(origin))
            while True:
                d = c.recv(65536)
                if not d:
                    break
                c.sendall(d)
    finally:
        c.close()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(64)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
T_PIDS+=("$!")
start_deskd --no-auth --cdp-listen "127.0.0.1:$CDP_PORT" \
    --cdp-upstream "127.0.0.1:$UP_PORT"
wait_http "$CDP/json/version"

st=$(http GET "$CDP/json/version" -H "Origin: http://10.0.0.9:9222" -H "Host: 10.0.0.9:9222")
is "$st" 200 "fake upstream: /json/version 200"
is "$(json_get "$T_TMP/body" 'j["seen_host"]')" "127.0.0.1:$UP_PORT" \
    "upstream sees Host rewritten to itself"
is "$(json_get "$T_TMP/body" 'j["seen_origin"]')" 0 "upstream sees no Origin"
is "$(json_get "$T_TMP/body" 'j["webSocketDebuggerUrl"]')" \
    "ws://10.0.0.9:9222/devtools/browser/x" "URL rewritten to the client's Host"

check502() {	# check502 PATH METHOD CODE WHAT
	local st
	st=$(http "$2" "$CDP$1")
	is "$st:$(json_get "$T_TMP/body" 'j["error"]["code"]' 2>/dev/null)" \
	    "$3" "$4"
}
check502 /json/list GET 502:bad_upstream_reply "garbage status line: 502"
check502 /json/list/ GET 502:bad_upstream_reply "chunked reply: 502 (Chrome never chunks)"
check502 /json GET 502:bad_upstream_reply "64 KiB+ reply head: 502"
check502 /json/protocol GET 502:bad_upstream_reply "upstream closes mid-body: 502"
check502 /json/new/ PUT 502:bad_upstream_reply "absurd Content-Length: 502"
st=$(http GET "$CDP/json/protocol/")
is "$st" 200 "reply without Content-Length: read to EOF"
is "$(json_get "$T_TMP/body" 'j[0]["webSocketDebuggerUrl"]')" \
    "ws://127.0.0.1:$CDP_PORT/devtools/page/Z" "  and its URLs rewritten"
st=$(http PUT "$CDP/json/new")
is "$st" 200 "reply that is not JSON: passed through"
is "$(body)" "[oops" "  as is"

upgrade() {	# upgrade PATH: status line of the answer (python, raw)
	python3 - "$CDP_PORT" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(30)
s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:1\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nOrigin: http://127.0.0.1:1\r\n"
           "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
           % sys.argv[2]).encode())
data = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    data += d
    if b"\r\n\r\n" in data and b" 101 " in data.split(b"\r\n")[0]:
        s.sendall(b"ping-bytes")
        while not data.endswith(b"ping-bytes"):
            data += s.recv(100)
        break
head = data.split(b"\r\n")[0].decode()
print(head, b"X-Seen-Origin: 0" in data, data.endswith(b"ping-bytes"),
      b'"error"' in data)
PY
}
like "$(upgrade /devtools/close)" '^HTTP/1.1 502 .* True$' \
    "upstream hangs up on the upgrade: JSON 502 to the client"
like "$(upgrade /devtools/silent)" '^HTTP/1.1 504 .* True$' \
    "upstream never answers the upgrade: JSON 504 after the timeout"
is "$(upgrade /devtools/echo)" "HTTP/1.1 101 Switching Protocols True True False" \
    "upgrade relayed: 101, Origin dropped, bytes echoed both ways"
wait_http "$URL/health"
for _ in $(seq 50); do
	[ "$(curl -s "$URL/health" | python3 -c 'import json,sys; c=json.load(sys.stdin)["chrome"]; print(c["relays"], c["fetches"])')" = "0 0" ] && break
	sleep 0.1
done
is "$(curl -s "$URL/health" | python3 -c 'import json,sys; c=json.load(sys.stdin)["chrome"]; print(c["relays"], c["fetches"])')" \
    "0 0" "every relay and fetch freed"

stop_deskd
is "$?" 0 "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "sanitizer log clean"
