#!/usr/bin/env bash
# input-xreset: a desktop reset is visible to the client.  The X server
# dies while a batch waits ([mouse_move, wait 100, left_click, type]): the
# batch fails at the action that was running (the wait, index 1) with 503
# display_unavailable, whether deskd is back on a new server by then (its
# embedded Xvfb, restarted at once) or not (an outside Xvfb, started again
# only after the answer); what follows the reset never runs on the new
# desktop.  /health counts the display generations and gives the time of
# the last reset.  (A batch spanning a restart of the embedded Xvfb once
# answered 200 with every action "ok", on a fresh empty server.)
source "$(dirname "$0")/../lib.sh"

BATCH='[{"action":"mouse_move","coordinate":[10,10]},{"action":"wait","duration":100},{"action":"left_click","coordinate":[20,20]},{"action":"type","text":"x"}]'

# batch_during_kill DISP PID: post BATCH, kill PID once the batch has moved
# the pointer (the wait runs), print the status; the body is $T_TMP/batch.
batch_during_kill() {
	local p moved=0
	curl -s -o "$T_TMP/batch" -w '%{http_code}' --max-time 60 -X POST \
	    -H 'Content-Type: application/json' --data-binary "$BATCH" \
	    "$URL/v1/computer" >"$T_TMP/batch.code" &
	p=$!
	for _ in $(seq 100); do
		[ "$(DISPLAY=$1 "$XCLIENT" pointer 2>/dev/null)" = "10 10" ] &&
		    { moved=1; break; }
		sleep 0.05
	done
	[ $moved = 1 ] || diag "the batch never moved the pointer"
	kill -KILL "$2"
	wait "$p"
	cat "$T_TMP/batch.code"
}
check_failed_wait() {	# check_failed_wait WHAT
	is "$(json_get "$T_TMP/batch" '[j["error"]["code"], j["error"]["index"]]')" \
	    '["display_unavailable", 1]' "$1: display_unavailable at the wait (index 1)"
	like "$(json_get "$T_TMP/batch" 'j["error"]["message"]')" \
	    '^action 1 \(wait\): .*X display :[0-9]+' "$1: the message names the action and the display"
	is "$(json_get "$T_TMP/batch" '[r["action"] for r in j["results"]]')" \
	    '["mouse_move"]' "$1: only the action before it reports a result"
}

# 1. The embedded Xvfb: deskd restarts it and is back within the wait.
start_deskd --xvfb --screen 1024x768 --no-auth || exit 1
http GET "$URL/health" >/dev/null
is "$(json_get "$T_TMP/body" '[j["display_generation"], j["display_reset_at"], j["display_reset_ms_ago"]]')" \
    '[1, null, null]' "/health: display generation 1, never reset"
EDISP=$(json_get "$T_TMP/body" 'j["display"]')
xpid=$(pgrep -P "$DESKD_PID" Xvfb)
[ -n "$xpid" ] || fail "no embedded Xvfb"
# The wait is 100 s and the client gives up after 60: an answer at all
# means the batch failed when the display went away.
code=$(batch_during_kill "$EDISP" "$xpid")
is "$code" 503 "embedded Xvfb killed during the wait: the batch answers 503 at once"
check_failed_wait "embedded"
back=0
for _ in $(seq 100); do
	[ "$(http GET "$URL/health")" = 200 ] && { back=1; break; }
	sleep 0.1
done
is "$back" 1 "deskd is back on a new embedded Xvfb"
is "$(json_get "$T_TMP/body" 'j["display_generation"]')" 2 "/health: display generation 2"
like "$(json_get "$T_TMP/body" 'j["display_reset_at"]')" \
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$' \
    "/health: the time of the last reset (UTC)"
ago=$(json_get "$T_TMP/body" 'j["display_reset_ms_ago"]')
[[ "$ago" =~ ^[0-9]+$ ]] && [ "$ago" -lt 60000 ]
ok $? "/health: ... and how long ago ($ago ms)"
is "$(DISPLAY=$EDISP "$XCLIENT" pointer)" "512 384" \
    "nothing of the batch ran on the new server (its pointer never moved)"
is "$(http POST "$URL/v1/computer" -H 'Content-Type: application/json' --data-binary '{"action":"mouse_move","coordinate":[30,30]}')" 200 \
    "a new request works on the new server"
stop_deskd
ok $? "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"

# 2. An outside Xvfb that comes back only after the batch has answered.
start_xvfb 1024x768 || exit 1
start_deskd --display "$XDISP" --no-auth || exit 1
code=$(batch_during_kill "$XDISP" "$XVFB_PID")
wait "$XVFB_PID" 2>/dev/null
is "$code" 503 "outside Xvfb killed during the wait: the batch answers 503 at once"
check_failed_wait "outside"
is "$(http GET "$URL/health")" 503 "/health: degraded while X is down"
is "$(json_get "$T_TMP/body" '[j["display_generation"], j["display_reset_at"] is not None]')" \
    '[1, true]' "/health: still generation 1, and the reset's time"
restart_xvfb_same 1024x768 || exit 1
back=0
for _ in $(seq 100); do
	[ "$(http GET "$URL/health")" = 200 ] && { back=1; break; }
	sleep 0.1
done
is "$back:$(json_get "$T_TMP/body" 'j["display_generation"]')" "1:2" \
    "back on the new server: generation 2"
stop_deskd
ok $? "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
