#!/usr/bin/env bash
# A hung X server (Xvfb stopped with SIGSTOP) never wedges deskd: /health,
# /v1/exec and the DevTools port keep answering, a screenshot caught in the
# middle gets a 503 instead of waiting forever, /health says the display is
# not answering, and everything is back once the server runs again.
source "$(dirname "$0")/../lib.sh"

start_xvfb 800x600 || exit 1
trap 'kill -CONT "$XVFB_PID" 2>/dev/null; t_cleanup' EXIT
CPORT=$(free_port)
start_deskd --display "$XDISP" --cdp-listen "127.0.0.1:$CPORT" \
    --cdp-upstream "127.0.0.1:$(free_port)" || exit 1
J=(-H 'Content-Type: application/json')
is "$(http GET "$URL/screenshot")" 200 "screenshot while X runs"

# status URL [curl args]: the status, 000 if nothing came within 20 s.
status() {
	local u=$1
	shift
	curl -s -o "$T_TMP/st.body" -w '%{http_code}' --max-time 20 "$@" "$u"
}
# wait_health REGEX: poll /health (each answer within 20 s) until it matches.
wait_health() {
	local i
	for i in $(seq 100); do
		status "$URL/health" >/dev/null
		[[ "$(cat "$T_TMP/st.body")" =~ $1 ]] && return 0
		sleep 0.2
	done
	return 1
}

# --- stopped while a screenshot waits for it ------------------------------
kill -STOP "$XVFB_PID"
status "$URL/screenshot" >"$T_TMP/shot.status" &
shot=$!
sleep 0.3
is "$(status "$URL/v1/exec" "${J[@]}" -d '{"argv":["echo","hi"]}')" 200 \
    "X stopped, a screenshot waiting on it: /v1/exec answers"
like "$(status "$URL/health")" '^(200|503)$' "  /health answers"
like "$(status "http://127.0.0.1:$CPORT/json/version")" '^50[24]$' \
    "  the DevTools port answers (no Chrome here: 502)"
wait $shot
is "$(cat "$T_TMP/shot.status")" 503 "the screenshot caught in it gets 503, not a hang"
wait_health '"reason":"X display [^"]* is not answering'
ok $? "/health says the display is not answering"
is "$(status "$URL/screenshot")" 503 "new screenshots: 503 at once"
is "$(json_get "$T_TMP/st.body" 'j["error"]["code"]')" display_unavailable \
    "  display_unavailable"
kill -0 "$DESKD_PID"
ok $? "deskd still runs"

kill -CONT "$XVFB_PID"
wait_health '"status":"ok"'
ok $? "server running again: /health ok"
is "$(status "$URL/screenshot")" 200 "and screenshots work again"

# --- stopped while nothing uses it: the ping notices ---------------------
kill -STOP "$XVFB_PID"
wait_health '"reason":"X display [^"]* is not answering'
ok $? "stopped while idle: /health says not answering (the ping)"
is "$(status "$URL/v1/exec" "${J[@]}" -d '{"argv":["true"]}')" 200 \
    "  /v1/exec still answers"
kill -CONT "$XVFB_PID"
wait_health '"status":"ok"'
ok $? "  and it comes back"
is "$(status "$URL/screenshot")" 200 "  screenshots too"

stop_deskd
is $? 0 "deskd exits 0"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
