#!/usr/bin/env bash
# Nobody without the token locks deskd out: connection slots, head and
# body deadlines, bounded output for clients that never read, half-closed
# clients still answered.  Remote peers come from a network namespace of
# our own (192.0.2.0/24, TEST-NET-1) joined by veth, as auth.t does.
source "$(dirname "$0")/../lib.sh"

start_xvfb 800x600 || exit 1

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# --- a client that pipelines and never reads (item 6) -------------------
# Memory is measured on the plain build: ASan's allocator keeps what is
# freed in quarantine, so its RSS follows the work done, not what is held.
SAN_DESKD=$DESKD
DESKD=$BUILD/agent/deskd start_deskd || exit 1
before=$(rss_kb "$DESKD_PID")
python3 - "$PORT" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.setblocking(False)
req = b"GET /health HTTP/1.1\r\n\r\n" * 1000
end = time.time() + 6
while time.time() < end:
    try:
        s.send(req)
    except BlockingIOError:
        time.sleep(0.01)
s.close()
PY
flood=$!
sleep 5
during=$(rss_kb "$DESKD_PID")
wait $flood
diag "RSS before ${before} kB, after 5 s of unread pipelining ${during} kB"
ok $(( during - before < 20000 ? 0 : 1 )) \
    "5 s of pipelined requests never read: deskd grows by under 20 MB"
is "$(http GET "$URL/health")" 200 "and still answers"
sleep 2
after=$(rss_kb "$DESKD_PID")
diag "RSS 2 s after that client left: ${after} kB"
ok $(( after - before < 8000 ? 0 : 1 )) "the memory is given back once it leaves"
stop_deskd
DESKD=$SAN_DESKD start_deskd || exit 1

# --- half-close after the request (item 12) -----------------------------
out=$(python3 - "$PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
body = b'{"argv":["sh","-c","sleep 0.3; echo half"]}'
s.sendall(b"POST /v1/exec HTTP/1.1\r\nContent-Type: application/json\r\n"
          b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
s.shutdown(socket.SHUT_WR)
got = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    got += b
print(got.decode(errors="replace").replace("\r\n", " "))
PY
)
like "$out" 'HTTP/1.1 200 .*"stdout":"half\\n"' \
    "a client that half-closes after its request gets the /v1/exec answer"

# --- silent, trickling and stalled clients (items 5 and 7) --------------
mkdir -p "$T_TMP/up"
python3 - "$PORT" "$T_TMP/up/stalled" >"$T_TMP/slow.out" 2>&1 <<'PY' &
import select, socket, sys, time
port = int(sys.argv[1])
def conn():
    return socket.create_connection(("127.0.0.1", port))
t0 = time.time()
socks = {"silent": conn(), "trickle": conn(), "stalled": conn()}
socks["stalled"].sendall(b"PUT /v1/files?path=%s HTTP/1.1\r\n"
                         b"Content-Length: 1000\r\n\r\n0123456789"
                         % sys.argv[2].encode())
# One header byte every 2 s: a per-read timer would never fire.
socks["trickle"].sendall(b"GET /health HTTP/1.1\r\n")
seen = {}
last = 0
while len(seen) < len(socks) and time.time() - t0 < 35:
    if "trickle" not in seen and time.time() - last >= 2:
        try:
            socks["trickle"].send(b"X")
        except OSError:
            pass
        last = time.time()
    live = [s for n, s in socks.items() if n not in seen]
    r, _, _ = select.select(live, [], [], 0.1)
    for n, s in socks.items():
        if s in r:
            try:
                b = s.recv(200)
            except OSError as e:
                b = None
            st = "reset" if b is None else (b.split(b"\r\n")[0].decode()
                                             if b else "closed")
            seen[n] = "%s after %.0f s" % (st, time.time() - t0)
for n in socks:
    print("%s: %s" % (n, seen.get(n, "still open")))
PY
slow=$!

# --- remote peers without the token (item 5) -----------------------------
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$token" >"$T_TMP/token"
chmod 600 "$T_TMP/token"
nsa=deskd-lsrv-$$
nsb=deskd-lcli-$$
if ! ip netns add "$nsa" 2>/dev/null || ! ip netns add "$nsb" 2>/dev/null; then
	ip netns del "$nsa" 2>/dev/null
	skip "remote peers: cannot create network namespaces here (ip netns add failed)"
	wait $slow
	remote=0
else
	remote=1
fi
if [ $remote = 1 ]; then
cleanup_ns() { ip netns del "$nsa" 2>/dev/null; ip netns del "$nsb" 2>/dev/null; }
trap 't_cleanup; cleanup_ns' EXIT
ip link add vda netns "$nsa" type veth peer name vdb netns "$nsb" &&
ip -n "$nsa" addr add 192.0.2.1/24 dev vda && ip -n "$nsa" link set vda up &&
ip -n "$nsa" link set lo up &&
ip -n "$nsb" link set vdb up && ip -n "$nsb" link set lo up
for i in $(seq 2 40); do
	ip -n "$nsb" addr add "192.0.2.$i/24" dev vdb || break
done
ok $? "test hosts 192.0.2.1 (deskd) and 192.0.2.2-40 (clients) set up"
RPORT=$(free_port)
RLOG=$T_TMP/deskd.remote.log
ip netns exec "$nsa" "$DESKD" --listen "0.0.0.0:$RPORT" --cdp-listen off \
    --log-level info --display "$XDISP" --token-file "$T_TMP/token" \
    >"$RLOG" 2>&1 &
RPID=$!
T_PIDS+=("$RPID")
T_LOGS+=("$RLOG")
for _ in $(seq 100); do
	ip netns exec "$nsa" curl -s -o /dev/null "http://127.0.0.1:$RPORT/health" && break
	sleep 0.1
done

# 1,100 silent connections from one stranger, then 39 x 64 from many.
ip netns exec "$nsb" python3 - "$RPORT" "$token" >"$T_TMP/hostile.out" 2>&1 <<'PY'
import resource, socket, sys, time
port, token = int(sys.argv[1]), sys.argv[2]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
def conn(src):
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(5)
    s.connect(("192.0.2.1", port))
    return s
def status(s):
    try:
        b = s.recv(100)
    except OSError as e:
        return "reset" if "reset" in str(e).lower() else "none"
    return b.split(b" ")[1].decode() if b.startswith(b"HTTP/") else "closed"
def ask(src, path="/screenshot"):
    try:
        s = conn(src)
        s.sendall(b"GET %s HTTP/1.1\r\nAuthorization: Bearer %s\r\n"
                  b"Connection: close\r\n\r\n" % (path.encode(), token.encode()))
        s.settimeout(10)
        b = s.recv(100)
        s.close()
        return b.split(b" ")[1].decode() if b.startswith(b"HTTP/") else "closed"
    except OSError as e:
        return "error"
held = [conn("192.0.2.2") for _ in range(1100)]
time.sleep(0.5)
# Connections past the per-peer cap are answered 503 at once.
codes = {}
for s in held:
    s.setblocking(False)
for s in held:
    try:
        b = s.recv(100)
        c = b.split(b" ")[1].decode() if b.startswith(b"HTTP/") else "closed"
    except BlockingIOError:
        c = "waiting"
    except OSError:
        c = "reset"
    codes[c] = codes.get(c, 0) + 1
print("one stranger, 1100 connections:", sorted(codes.items()))
print("token holder while one stranger holds its share:", ask("192.0.2.3"))
# Many strangers: 38 more addresses with 64 each fill the global cap.
many = []
for i in range(4, 41):
    for _ in range(64):
        try:
            many.append(conn("192.0.2.%d" % i))
        except OSError:
            pass
time.sleep(0.5)
print("token holder with the server full of strangers:", ask("192.0.2.3"))
print("second token holder request:", ask("192.0.2.3", "/v1/windows"))
PY
hostile=$(cat "$T_TMP/hostile.out")
diag "$(tr '\n' ';' <<<"$hostile")"
like "$hostile" "one stranger, 1100 connections: \[\('503', 1036\), \('waiting', 64\)\]" \
    "one stranger with 1,100 connections holds 64; the rest get 503, not a reset"
like "$hostile" "token holder while one stranger holds its share: 200" \
    "a token holder is served while a stranger holds its share"
like "$hostile" "token holder with the server full of strangers: 200" \
    "a token holder is served while strangers fill every slot"
like "$hostile" "second token holder request: 200" "and again"
is "$(ip netns exec "$nsa" curl -s -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$RPORT/screenshot")" 401 \
    "loopback still gets an answer (401: a token is configured)"
kill -0 "$RPID"
ok $? "remote deskd survived"
fi

wait $slow
slow_out=$(cat "$T_TMP/slow.out")
diag "$(tr '\n' ';' <<<"$slow_out")"
like "$slow_out" "silent: closed after 1[0-2] s" \
    "a connection that sends nothing is closed after 10 s"
like "$slow_out" "trickle: HTTP/1.1 408 Request Timeout after 2[0-2] s" \
    "a head trickled a byte every 2 s gets 408 at 20 s from accept"
like "$slow_out" "stalled: closed after 2[0-3] s" \
    "a streamed upload that stops sending is closed after 20 s"
is "$(ls -A "$T_TMP/up")" "" "and leaves no file or temporary behind"

kill -0 "$DESKD_PID"
ok $? "deskd survived all of it"
stop_deskd
is $? 0 "deskd exits 0"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
