#!/usr/bin/env bash
# input-xreconnect: the X server dies in the middle of a long type: the
# action fails with 503 display_unavailable, deskd lives on, and once the
# display is back input works again on the new server (keymap, spare
# keycodes and held state rebuilt from scratch).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../input-lib.sh"

start_xvfb 1280x800 || exit 1
start_recorder || exit 1
start_deskd --no-auth --display "$XDISP" || exit 1

type_is 'before é' "typing works before the X server dies"

long=$(python3 -c 'print("αβγ abc " * 200)')
m=$(rec_mark)
curl -s -o "$T_TMP/o1" -w '%{http_code}' --max-time 60 -X POST \
    -H 'Content-Type: application/json' --data-binary "{\"action\":\"type\",\"text\":\"$long\",\"delay_ms\":5}" \
    "$URL/v1/computer" >"$T_TMP/s1" &
p1=$!
rec_wait "$m" '^KeyPress keysym=a ' || fail "typing did not start"
kill -KILL "$XVFB_PID"
wait "$XVFB_PID" 2>/dev/null
wait $p1
is "$(cat "$T_TMP/s1")" 503 "the running type fails with 503 when X dies"
like "$(cat "$T_TMP/o1")" '"code":"display_unavailable"' "... display_unavailable"
like "$(cat "$T_TMP/o1")" '"index":0' "... naming the action that failed"
st=$(act '{"action":"key","text":"a"}')
is "$st" 503 "input while X is down answers 503"
kill -0 "$DESKD_PID"
ok $? "deskd is still running"

restart_xvfb_same 1280x800 || exit 1
back=0
for _ in $(seq 100); do
	[ "$(http GET "$URL/health")" = 200 ] && { back=1; break; }
	sleep 0.1
done
is "$back" 1 "deskd is back on the new X server"
start_recorder || exit 1
type_is 'after é αβγ 中文 😀' "typing is exact again on the new server"
m=$(rec_mark)
is "$(act '{"action":"left_click","coordinate":[10,10]}')" 200 "clicks work again"
rec_sync "$m"
is "$(rec_events "$m" | grep -c '^ButtonPress button=1 x=10 y=10')" 1 "... and arrive"

stop_deskd
ok $? "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
