#!/usr/bin/env bash
# Bad clients never hurt deskd: garbage, truncated heads, hang-ups in the
# middle of a body or of a reply, floods of pipelined requests and hundreds
# of idle connections.  Afterwards it still answers, and the sanitizer build
# has nothing to report when it exits.
source "$(dirname "$0")/../lib.sh"

start_xvfb 1280x720 || exit 1
start_deskd || exit 1

python3 - "$PORT" >"$T_TMP/robust.out" 2>&1 <<'PY'
import os, random, socket, sys, time
port = int(sys.argv[1])
random.seed(1234)

def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    return s

def exchange(data, read=True):
    s = conn()
    try:
        s.sendall(data)
        if read:
            s.shutdown(socket.SHUT_WR)
            out = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                out += b
            return out
    except OSError:
        return b""
    finally:
        s.close()

# Random garbage and mutated requests: each gets a status line or a close.
seeds = [b"GET /screenshot HTTP/1.1\r\n\r\n",
         b"POST /health HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
         b"GET /v1/screenshot?width=100&region=1,2,3,4 HTTP/1.1\r\n\r\n",
         b"PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"]
bad = 0
for i in range(300):
    d = bytearray(random.choice(seeds))
    for _ in range(random.randint(1, 8)):
        op = random.random()
        pos = random.randrange(len(d))
        if op < 0.4:
            d[pos] = random.randrange(256)
        elif op < 0.7:
            del d[pos]
        else:
            d[pos:pos] = os.urandom(random.randint(1, 30))
    out = exchange(bytes(d))
    if out and not out.startswith(b"HTTP/1."):
        bad += 1
print("garbage answered with non-HTTP:", bad)

# Hang up in the middle of a head and of a body.
for i in range(50):
    s = conn(); s.sendall(b"GET /scre"); s.close()
    s = conn(); s.sendall(b"POST /health HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + b"x" * 10); s.close()
    s = conn(); s.sendall(b"PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffff\r\nabc"); s.close()

# Hang up while the reply (a full PNG) is being written.
for i in range(30):
    s = conn()
    s.sendall(b"GET /screenshot HTTP/1.1\r\n\r\n" * 5)
    s.recv(100)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()

# 100 pipelined requests in one write: 100 answers, in order.
s = conn()
s.sendall(b"GET /health HTTP/1.1\r\n\r\n" * 100)
got = b""
s.settimeout(10)
while got.count(b"HTTP/1.1 200") < 100:
    b = s.recv(65536)
    if not b:
        break
    got += b
s.close()
print("pipelined answers:", got.count(b"HTTP/1.1 200"))

# 300 idle connections, then a normal request still works.
idle = [conn() for _ in range(300)]
out = exchange(b"GET /health HTTP/1.1\r\nConnection: close\r\n\r\n")
print("health with 300 idle:", out.split(b"\r\n")[0].decode())
for s in idle:
    s.close()

# A huge head is refused, not buffered.
out = exchange(b"GET /health HTTP/1.1\r\n" + b"X-A: " + b"a" * 100000 + b"\r\n\r\n")
print("huge header:", out.split(b"\r\n")[0].decode())
# A huge declared body is refused before it is sent.
out = exchange(b"POST /health HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n")
print("huge body:", out.split(b"\r\n")[0].decode())
PY
diag "$(cat "$T_TMP/robust.out" | tr '\n' ';')"
like "$(cat "$T_TMP/robust.out")" "garbage answered with non-HTTP: 0" \
    "300 mutated requests: every answer is HTTP (or a close)"
like "$(cat "$T_TMP/robust.out")" "pipelined answers: 100" "100 pipelined requests, 100 answers"
like "$(cat "$T_TMP/robust.out")" "health with 300 idle: HTTP/1.1 200" \
    "answers with 300 idle connections open"
like "$(cat "$T_TMP/robust.out")" "huge header: HTTP/1.1 431" "a 100 kB header line gets 431"
like "$(cat "$T_TMP/robust.out")" "huge body: HTTP/1.1 405" \
    "a huge body to a GET-only path gets 405 before it is read"

# Log forging: a decoded path with a newline (and an escape) stays on its
# own line, escaped.
http GET "$URL/x%0adeskd:%20error:%20forged%1b%5b31m" >/dev/null
http POST "$URL/setup/activate_window" -H 'Content-Type: application/json' \
    -d '{"window_name": "w\ndeskd: error: forged too"}' >/dev/null
if grep -q '^deskd: error: forged' "$DESKD_LOG"; then
	fail "a client's newline forged a log line"
else
	pass "a client's newline does not start a log line"
fi
grep -q 'x\\ndeskd: error: forged\\x1b\[31m' "$DESKD_LOG"
ok $? "  it is logged escaped (\\n, \\x1b)"
if LC_ALL=C grep -q $'\x1b' "$DESKD_LOG"; then
	fail "a terminal escape reached the log"
else
	pass "no terminal escape reaches the log"
fi

kill -0 "$DESKD_PID"
ok $? "deskd survived all of it"
is "$(http GET "$URL/health")" 200 "/health still answers"
is "$(http GET "$URL/screenshot")" 200 "screenshots still work"
stop_deskd
is $? 0 "deskd exits 0"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report (leaks included) after the abuse"
