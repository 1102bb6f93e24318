#!/usr/bin/env bash
# A guest's own end: idle time in /health (authenticated requests and X
# input count, /health polls do not), --idle-shutdown and --expires-at run
# the shutdown command (a script here that records each call) from a
# timer, activity postpones the idle one and not the expiry; and the token
# a pool guest makes itself (--token-create) and publishes only sealed
# (--seal-to, --seal-id).
source "$(dirname "$0")/../lib.sh"

start_xvfb 800x600 || exit 1
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$TOKEN" >"$T_TMP/token"
chmod 600 "$T_TMP/token"
AUTH=(-H "Authorization: Bearer $TOKEN")
# recorder FILE: a shutdown command that appends the time of each call.
recorder() {
	printf '#!/bin/sh\ndate +%%s.%%N >>%s\n' "$1" >"$1.sh"
	chmod +x "$1.sh"
}
# until_file FILE SECONDS: poll /health (open: not activity) until FILE is there.
until_file() {
	local i
	for i in $(seq $(($2 * 10))); do
		[ -s "$1" ] && return 0
		curl -s -o /dev/null "$URL/health"
		sleep 0.1
	done
	return 1
}
now() { date +%s.%N; }
ge() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)' "$@"; }
hjson() { curl -s "$URL/health" | python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# --- --idle-shutdown: authenticated requests postpone it, /health does not ---
REC=$T_TMP/idle
recorder "$REC"
start_deskd --token-file "$T_TMP/token" --idle-shutdown 3s \
    --shutdown-command "$REC.sh" || exit 1
is "$(hjson 'j["idle_shutdown_s"], type(j["idle_s"]).__name__')" "3 int" \
    "/health gives idle_s and the idle limit"
for _ in $(seq 12); do
	curl -s -o /dev/null "${AUTH[@]}" "$URL/v1/windows"
	last=$(now)
	sleep 0.5
done
[ -e "$REC" ]
ok $((! $?)) "6 s of requests with a 3 s limit: the command has not run"
is "$(hjson 'j["idle_s"] <= 1')" True "idle_s is near 0 while requests come"
i1=$(hjson 'j["idle_s"]')
sleep 1.2
i2=$(hjson 'j["idle_s"]')
ge "$i2" "$((i1 + 1))"
ok $? "/health polls are not activity: idle_s went from $i1 to $i2"
until_file "$REC" 15
ok $? "idle for 3 s: the shutdown command ran"
ran=$(head -n1 "$REC")
ge "$ran" "$(python3 -c "print($last + 3 - 0.3)")"
ok $? "... 3 s after the last authenticated request, not before"
like "$(cat "$DESKD_LOG")" 'idle for 3 s \(--idle-shutdown 3 s\): running the shutdown command' \
    "... and deskd logged why"
sleep 1.5
is "$(wc -l <"$REC" | tr -d ' ')" 1 "it runs once"
is "$(http GET "$URL/health")" 200 "deskd still answers (the machine's poweroff ends it)"
stop_deskd

# --- X input counts: xdotool moves the pointer through another client ---
REC=$T_TMP/xidle
recorder "$REC"
start_deskd --token-file "$T_TMP/token" --idle-shutdown 3s \
    --shutdown-command "$REC.sh" || exit 1
for i in $(seq 12); do
	xdotool mousemove $((i * 10)) $((i * 10))
	last=$(now)
	sleep 0.5
done
[ -e "$REC" ]
ok $((! $?)) "6 s of X input (no request) with a 3 s limit: the command has not run"
until_file "$REC" 15
ok $? "input stopped: the command ran"
ge "$(head -n1 "$REC")" "$(python3 -c "print($last + 3 - 0.3)")"
ok $? "... 3 s after the last input"
stop_deskd

# --- DevTools traffic counts: a client talking to "Chrome" through the proxy ---
# The upstream stands in for Chrome's port: 101 to the upgrade, then echo.
UP=$(free_port)
python3 - "$UP" >"$T_TMP/up.log" 2>&1 <<'PY' &
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4)
def serve(c):
    head = b""
    while b"\r\n\r\n" not in head:
        d = c.recv(4096)
        if not d:
            return
        head += d
    c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
              b"Connection: Upgrade\r\n\r\n")
    while True:
        d = c.recv(4096)
        if not d:
            return
        c.sendall(d)
while True:
    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
PY
T_PIDS+=("$!")
REC=$T_TMP/cdpidle
recorder "$REC"
CDP=$(free_port)
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
DESKD_LOG=$T_TMP/deskd.cdp.log
"$DESKD" --listen "127.0.0.1:$PORT" --cdp-listen "127.0.0.1:$CDP" --cdp-upstream "127.0.0.1:$UP" \
    --token-file "$T_TMP/token" --idle-shutdown 3s --shutdown-command "$REC.sh" \
    >"$DESKD_LOG" 2>&1 &
DESKD_PID=$!
T_PIDS+=("$DESKD_PID")
T_LOGS+=("$DESKD_LOG")
wait_http "$URL/health"
python3 - "$CDP" "$TOKEN" "$T_TMP/cdp.last" >"$T_TMP/cdpc.log" 2>&1 <<'PY' &
import os, socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
c.sendall(("GET /devtools/browser/x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer %s\r\n\r\n" % sys.argv[2]).encode())
assert b" 101 " in c.recv(4096)
for i in range(12):
    c.sendall(b"ping")
    assert c.recv(16) == b"ping"
    open(sys.argv[3] + ".new", "w").write(repr(time.time()))
    time.sleep(0.5)
os.rename(sys.argv[3] + ".new", sys.argv[3])
time.sleep(10)	# open and quiet
PY
T_PIDS+=("$!")
for _ in $(seq 150); do [ -s "$T_TMP/cdp.last" ] && break; sleep 0.1; done
[ -e "$REC" ]
ok $((! $?)) "6 s of DevTools messages (no request, no input) with a 3 s limit: the command has not run"
until_file "$REC" 15
ok $? "the DevTools client went quiet: the command ran"
ge "$(head -n1 "$REC")" "$(python3 -c "print($(cat "$T_TMP/cdp.last") + 3 - 0.3)")"
ok $? "... 3 s after its last message"
stop_deskd

# --- --expires-at: at that time, requests or not ---
REC=$T_TMP/expiry
recorder "$REC"
at=$(($(date +%s) + 3))
start_deskd --token-file "$T_TMP/token" --expires-at "$(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ)" \
    --shutdown-command "$REC.sh" || exit 1
is "$(hjson 'j["expires_at"]')" "$(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ)" "/health gives expires_at"
for _ in $(seq 10); do
	[ -s "$REC" ] && break
	curl -s -o /dev/null "${AUTH[@]}" "$URL/v1/windows"
	sleep 0.5
done
until_file "$REC" 10
ok $? "expired while in use: the command ran"
ge "$(head -n1 "$REC")" "$at"
ok $? "... at the expiry, not before"
stop_deskd
REC=$T_TMP/past
recorder "$REC"
start_deskd --token-file "$T_TMP/token" --expires-at 1000000000 --shutdown-command "$REC.sh" || exit 1
until_file "$REC" 10
ok $? "--expires-at in the past (epoch seconds): runs at start"
stop_deskd

# --- a failing command is said and tried again later; deskd goes on ---
start_deskd --token-file "$T_TMP/token" --idle-shutdown 1s --shutdown-command "false" || exit 1
for _ in $(seq 50); do grep -q 'failed' "$DESKD_LOG" && break; sleep 0.1; done
like "$(cat "$DESKD_LOG")" 'shutdown command "false" failed \(exited 1\).*trying again in 60 s' \
    "a failing shutdown command is logged with a retry"
is "$(http GET "$URL/v1/windows" "${AUTH[@]}")" 200 "deskd goes on serving"
stop_deskd

# --- bad options are refused at start ---
for bad in "--idle-shutdown 5x" "--idle-shutdown 400d" "--expires-at 2026-13-45T00:00:00Z" \
    "--expires-at tomorrow" "--seal-id i-1"; do
	# shellcheck disable=SC2086
	"$DESKD" --listen 127.0.0.1:1 $bad >"$T_TMP/bad.log" 2>&1
	rc=$?
	like "$rc/$(cat "$T_TMP/bad.log")" '^1/.*(--idle-shutdown|--expires-at|--seal-id)' "refused: $bad"
done
"$DESKD" --listen 127.0.0.1:1 --shutdown-command '"unclosed' >"$T_TMP/bad.log" 2>&1
like "$?/$(cat "$T_TMP/bad.log")" '^1/.*--shutdown-command: No closing quotation' "refused: an unbalanced --shutdown-command"

# --- --token-create and the sealed token ---
python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())' >"$T_TMP/pub"
start_deskd --token-file "$T_TMP/made" --token-create --seal-to "$T_TMP/pub" \
    --seal-id i-0abcdef1234567890 || exit 1
MADE=$(tr -d '\n' <"$T_TMP/made")
like "$(stat -c %a "$T_TMP/made")/$MADE" '^600/[0-9a-f]{64}$' "--token-create: a 0600 file of 64 hex digits"
is "$(http GET "$URL/v1/windows" -H "Authorization: Bearer $MADE")" 200 "... and the token it holds opens deskd"
is "$(http GET "$URL/v1/windows")" 401 "... nothing else does"
http GET "$URL/health" >/dev/null
is "$(python3 -c '
import base64, json, sys
j = json.load(open(sys.argv[1]))
box = base64.b64decode(j["sealed_token"])
print(len(box) == 48 + len("deskd-seal-1 i-0abcdef1234567890 ") + 64, sys.argv[2] in open(sys.argv[1]).read())' \
    "$T_TMP/body" "$MADE")" "True False" \
    "/health carries a sealed box of the right size (48 bytes of seal), never the token"
grep -q "$MADE" "$DESKD_LOG"
ok $((! $?)) "the token is not in deskd's log"
stop_deskd
start_deskd --token-file "$T_TMP/made" --token-create || exit 1
is "$(tr -d '\n' <"$T_TMP/made")" "$MADE" "a second start keeps the token it made"
http GET "$URL/health" >/dev/null
[[ "$(body)" == *sealed_token* ]]
ok $((! $?)) "without --seal-to /health has no sealed_token"
stop_deskd
printf 'c2hvcnQ=\n' >"$T_TMP/shortkey"
"$DESKD" --listen 127.0.0.1:1 --token-file "$T_TMP/made" --seal-to "$T_TMP/shortkey" \
    --seal-id i-1 >"$T_TMP/bad.log" 2>&1
like "$?/$(cat "$T_TMP/bad.log")" '^1/.*want a 32-byte public key' "a key that is not 32 bytes is refused"
"$DESKD" --listen 127.0.0.1:1 --token-file "$T_TMP/nodir/tok" --token-create >"$T_TMP/bad.log" 2>&1
like "$?/$(cat "$T_TMP/bad.log")" '^1/.*--token-create: token file' "--token-create where it cannot write: refused"
