#!/usr/bin/env bash
# view-robust: bad input on /v1/stream closes that viewer only, with a
# close code and a logged reason (unmasked frames, oversized messages,
# binary and malformed events, unknown event types); bad handshakes and
# parameters get JSON errors; a viewer that stops reading while the screen
# changes fast costs deskd no memory and is closed after the stall timeout,
# while another viewer goes on.
source "$(dirname "$0")/../lib.sh"

WSC="python3 $TOP/tests/tools/view-wsclient.py"
start_xvfb 1280x800
start_deskd
PIDFILE_RSS() { awk '/^VmRSS:/ {print $2}' "/proc/$DESKD_PID/status"; }

# --- handshake and parameters ---------------------------------------------
st=$(http GET "$URL/v1/stream")
is "$st" 426 "GET /v1/stream without Upgrade: 426"
is "$(json_get "$T_TMP/body" 'j["error"]["code"]')" upgrade_required "  JSON error"
WSH=(-H 'Upgrade: websocket' -H 'Connection: Upgrade'
    -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==')
st=$(http GET "$URL/v1/stream?format=gif" "${WSH[@]}")
is "$st" 400 "format=gif: 400"
st=$(http GET "$URL/v1/stream?fps=0" "${WSH[@]}")
is "$st" 400 "fps=0: 400"
st=$(http GET "$URL/v1/stream?quality=101" "${WSH[@]}")
is "$st" 400 "quality=101: 400"
st=$(http GET "$URL/v1/stream" "${WSH[@]}" -H 'Origin: http://evil.example')
is "$st" 403 "a browser page from another origin may not open the stream"

# --- a good viewer ---------------------------------------------------------
jf() { python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2]))' "$1" "$2"; }
r=$($WSC "$PORT" /v1/stream frames 1)
is "$(jf "$r" frames)" 1 "a raw websocket client gets its first frame"

# --- bad input: each closes that viewer with a code and a logged reason ----
check_bad() {	# MODE CODE LOGREGEX DESC
	local r
	r=$($WSC "$PORT" /v1/stream "$1")
	is "$(jf "$r" code)" "$2" "$4: close $2"
	sleep 0.2
	grep -qE "$3" "$DESKD_LOG"
	ok $? "$4: deskd logs why"
}
check_bad unmasked 1002 'closing \(1002\): client frame is not masked' \
    "an unmasked frame"
check_bad oversize 1009 'closing \(1009\): message over the limit of 4096' \
    "a message over 4 KiB (refused from its header)"
check_bad binary 1003 'closing: binary message' "a binary message"
check_bad badjson 1007 'closing: malformed event' "text that is not JSON"
check_bad unknown 1008 'closing: unknown event type "teleport"' \
    "an unknown event type"

# --- a viewer that never reads -----------------------------------------------
"$XCLIENT" noise 100 100 640 480 30 >"$T_TMP/noise.log" 2>&1 &
T_PIDS+=("$!")
sleep 0.5
$WSC "$PORT" /v1/stream stall 38 >"$T_TMP/stall.json" &
STALL=$!
sleep 3
rss0=$(PIDFILE_RSS)
max=$rss0
for i in $(seq 14); do
	sleep 2
	v=$(PIDFILE_RSS)
	[ "$v" -gt "$max" ] && max=$v
	# Meanwhile a second viewer is served.
	[ "$i" = 5 ] && good=$($WSC "$PORT" /v1/stream frames 5)
done
diag "deskd RSS while a viewer stalls: ${rss0} kB at 3 s, at most ${max} kB over 28 s more"
ok $(( max - rss0 < 40000 ? 0 : 1 )) \
    "a viewer that does not read while 640x480 of noise changes 30 times a second: RSS grows under 40 MB (would be ~15 MB/s)"
is "$(jf "$good" frames)" 5 "another viewer gets its frames meanwhile"
wait "$STALL"
r=$(cat "$T_TMP/stall.json")
is "$(jf "$r" closed)" True "the stalled viewer is closed by deskd"
grep -qE 'ws: 127.0.0.1: closing: (the peer stopped reading|nothing received)' "$DESKD_LOG"
ok $? "  and the log says it stopped reading"
grep -qE 'view: viewer [0-9]+ \(127.0.0.1\) left: 1006 .*pumps over the mark' "$DESKD_LOG"
ok $? "  with what it was sent and how often it was over the mark"
r=$($WSC "$PORT" /v1/stream frames 2)
is "$(jf "$r" frames)" 2 "new viewers are still served"

stop_deskd
is $? 0 "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
