#!/usr/bin/env bash
# The X server going away never kills deskd: screenshots answer 503 JSON,
# /health says degraded, and deskd reconnects when the display is back.
# Also: the embedded Xvfb starts without a DISPLAY and stops with deskd.
source "$(dirname "$0")/../lib.sh"

start_xvfb 1024x768 || exit 1
start_deskd --display "$XDISP" || exit 1
is "$(http GET "$URL/screenshot")" 200 "screenshot before the X server dies"

kill -KILL "$XVFB_PID"
wait "$XVFB_PID" 2>/dev/null
sleep 0.5
is "$(http GET "$URL/screenshot")" 503 "X server gone: screenshot answers 503"
like "$(body)" '"code":"display_unavailable"' "503 is a JSON error naming the display"
is "$(http GET "$URL/v1/screenshot?scale=0.5")" 503 "v1 screenshot also 503"
is "$(http GET "$URL/health")" 503 "/health answers 503 while X is down"
like "$(body)" '"status":"degraded"' "/health says degraded"
like "$(body)" '"reason":"' "/health gives the reason"
kill -0 "$DESKD_PID"
ok $? "deskd is still running"

restart_xvfb_same 1024x768 || exit 1
back=0
for _ in $(seq 100); do
	[ "$(http GET "$URL/health")" = 200 ] && { back=1; break; }
	sleep 0.1
done
is "$back" 1 "/health is ok again once the display is back"
is "$(http GET "$URL/screenshot")" 200 "screenshots work again"
is "$("$PNGCHECK" "$T_TMP/body")" "1024 768" "and decode to the screen size"
stop_deskd
is $? 0 "deskd exits cleanly after a reconnect"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report after losing and regaining X"

# Embedded Xvfb: no DISPLAY at all.
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
DESKD_LOG=$T_TMP/embedded.log
env -u DISPLAY "$DESKD" --listen "127.0.0.1:$PORT" --cdp-listen off \
    --screen 1280x720 >"$DESKD_LOG" 2>&1 &
DESKD_PID=$!
T_PIDS+=("$DESKD_PID")
T_LOGS+=("$DESKD_LOG")
wait_http "$URL/health"
is "$(http GET "$URL/health")" 200 "no DISPLAY: deskd starts its own Xvfb"
like "$(body)" '"screen":\{"width":1280,"height":720\}' "--screen sets its size"
xpid=$(pgrep -P "$DESKD_PID" Xvfb)
[ -n "$xpid" ]
ok $? "the Xvfb is deskd's child"
is "$(http GET "$URL/screenshot")" 200 "and screenshots come from it"
# Our own Xvfb dying is repaired: deskd starts it again, through the same
# spawn as every other child, while a command runs and a client is
# connected.
curl -s -o "$T_TMP/exec.json" -X POST "$URL/v1/exec" \
    -H 'Content-Type: application/json' -d '{"argv": ["sh", "-c", "sleep 1; echo done"]}' &
exec_pid=$!
exec 9<>"/dev/tcp/127.0.0.1/$PORT"
sleep 0.2
kill -KILL "$xpid"
back=0
for _ in $(seq 100); do
	sleep 0.1
	[ "$(http GET "$URL/health")" = 200 ] && { back=1; break; }
done
is "$back" 1 "embedded Xvfb killed: deskd restarts it and reconnects"
xpid2=$(pgrep -P "$DESKD_PID" Xvfb)
[ -n "$xpid2" ] && [ "$xpid2" != "$xpid" ]
ok $? "a new Xvfb runs as deskd's child"
is "$(http GET "$URL/screenshot")" 200 "screenshots work on the new Xvfb"
is "$(ps -o pgid= -p "$xpid2" | tr -d ' ')" "$xpid2" "the new Xvfb leads its own process group"
is "$(readlink "/proc/$xpid2/fd/0")" /dev/null "its stdin is /dev/null"
dsock=$(ls -l "/proc/$DESKD_PID/fd" | grep -o 'socket:\[[0-9]*\]' | sort -u)
xsock=$(ls -l "/proc/$xpid2/fd" | grep -o 'socket:\[[0-9]*\]' | sort -u)
is "$(comm -12 <(echo "$dsock") <(echo "$xsock") | grep -c socket)" 0 \
    "it holds none of deskd's sockets (listener, X connection, clients)"
exec 9>&-
wait "$exec_pid"
is "$(json_get "$T_TMP/exec.json" '[j["exit_code"], j["stdout"]]')" '[0, "done\n"]' \
    "a command running across the restart still answers"
grep -q "Xvfb on :[0-9]* killed by signal 9" "$DESKD_LOG"
ok $? "the log says how the old Xvfb died"
grep -q "started Xvfb on :[0-9]* again" "$DESKD_LOG"
ok $? "and that it was started again"
xpid=$xpid2
stop_deskd
is $? 0 "deskd exits 0"
sleep 0.2
if [ -n "$xpid" ] && kill -0 "$xpid" 2>/dev/null; then
	fail "Xvfb still running after deskd stopped"
else
	pass "Xvfb stopped with deskd"
fi

# Killed outright, deskd takes its Xvfb along (PR_SET_PDEATHSIG).
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
env -u DISPLAY "$DESKD" --listen "127.0.0.1:$PORT" --cdp-listen off \
    --screen 800x600 >"$T_TMP/kill9.log" 2>&1 &
DESKD_PID=$!
T_PIDS+=("$DESKD_PID")
T_LOGS+=("$T_TMP/kill9.log")
wait_http "$URL/health"
xpid=$(pgrep -P "$DESKD_PID" Xvfb)
kill -KILL "$DESKD_PID"
wait "$DESKD_PID" 2>/dev/null
gone=0
for _ in $(seq 50); do
	kill -0 "$xpid" 2>/dev/null || { gone=1; break; }
	sleep 0.1
done
[ -n "$xpid" ] && [ "$gone" = 1 ]
ok $? "deskd killed by SIGKILL: its Xvfb goes too"

# No Xvfb to run: a clear error at start, nothing left behind.
env -u DISPLAY PATH=/nonexistent "$DESKD" --listen "127.0.0.1:$(free_port)" \
    --cdp-listen off >"$T_TMP/noxvfb.log" 2>&1
is $? 1 "no Xvfb on PATH: deskd exits 1"
like "$(cat "$T_TMP/noxvfb.log")" "xvfb: \[Errno 2\] No such file or directory: 'Xvfb'" \
    "and says Xvfb cannot be found"
