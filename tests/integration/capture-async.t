#!/usr/bin/env bash
# Screenshots off the loop: frames served during and after background
# encodes (encode ahead, concurrent requests) decode to exactly the
# screen's pixels, XGetImage of the same static screen; a change made while
# a frame is being encoded is never lost; Server-Timing says what was done;
# a static screen costs no CPU and a never-stopping one is encoded ahead at
# a bounded rate; the worker threads stop cleanly on SIGTERM and on the
# loss of the X server while encodes are in flight.
source "$(dirname "$0")/../lib.sh"

start_xvfb 1920x1080 || exit 1
start_deskd || exit 1

# A full-screen window with an invisible cursor: deskd's frames must then
# equal XGetImage's pixels exactly.  Even pages are text (flat bands, zlib),
# odd pages have photo-like noise below (busy bands, ISA-L).
start_pages() {
	coproc PAGES { exec "$XCLIENT" pages; }
	T_PIDS+=("$PAGES_PID")
	read -r -t 15 line <&"${PAGES[0]}"
	[[ "$line" == ready* ]]
}
page() {	# page N: draw page N, return once it is on screen
	local line
	echo "$1" >&"${PAGES[1]}"
	read -r -t 15 line <&"${PAGES[0]}" && [ "$line" = "drawn $1" ]
}
exact() {	# exact PNG: decodes to the pixels of the screen now
	"$XCLIENT" dump "$T_TMP/root.ppm" || return 1
	local d
	d=$("$PNGCHECK" "$1" diff "$T_TMP/root.ppm")
	[ "$d" = "0 0 0 0 0" ] || { diag "differs from XGetImage: $d"; return 1; }
}
shot() {	# shot FILE: GET /screenshot into FILE, headers in FILE.h
	curl -s -o "$1" -D "$1.h" -w '%{http_code}' --max-time 60 "$URL/screenshot"
}
timing_of() {	# timing_of FILE FIELD: a Server-Timing field of shot FILE
	grep -i '^Server-Timing:' "$1.h" | tr -d '\r' |
	    sed -n "s/.*$2;\(dur=\|desc=\"\)\([^\",]*\).*/\2/p"
}

start_pages
ok $? "page window is up"

page 2
is "$(shot "$T_TMP/a.png")" 200 "GET /screenshot answers 200"
exact "$T_TMP/a.png"
ok $? "text page: the screenshot is exactly the screen (XGetImage)"
st=$(grep -i '^Server-Timing:' "$T_TMP/a.png.h" | tr -d '\r')
like "$st" 'capture;dur=[0-9.]+, encode;dur=[0-9.]+, total;dur=[0-9.]+, bands;desc="[0-9]+/68", bytes;desc="[0-9]+", frame;desc="(fresh|ahead|cached)"' \
    "Server-Timing gives capture, encode, total, bands of 68, bytes, frame"
is "$(timing_of "$T_TMP/a.png" bytes)" "$(stat -c %s "$T_TMP/a.png")" \
    "Server-Timing bytes is the PNG's size"
page 3
shot "$T_TMP/b.png" >/dev/null
exact "$T_TMP/b.png"
ok $? "photo-like lower half: the screenshot is exactly the screen"

# Regions of odd widths and offsets take the same conversion: exact too.
bad=0
for r in 13,17,301,51 0,1000,1,80 1917,0,3,1080 5,540,1915,33; do
	code=$(curl -s -o "$T_TMP/r.png" -w '%{http_code}' \
	    "$URL/v1/screenshot?cursor=0&region=$r")
	IFS=, read -r rx ry _ _ <<<"$r"
	"$XCLIENT" dump "$T_TMP/root.ppm"
	[ "$code" = 200 ] &&
	    [ "$("$PNGCHECK" "$T_TMP/r.png" diff "$T_TMP/root.ppm" "$rx" "$ry")" = "0 0 0 0 0" ] ||
	    { bad=$((bad + 1)); diag "region $r differs"; }
done
is "$bad" 0 "regions of odd widths and offsets are exactly the screen"

# Encode ahead: a screenshot was just taken, so the next change is
# compressed as it comes, before anyone asks.
page 4
sleep 1
shot "$T_TMP/c.png" >/dev/null
is "$(timing_of "$T_TMP/c.png" frame)" ahead \
    "a change after a screenshot is encoded ahead (frame \"ahead\")"
n=$(timing_of "$T_TMP/c.png" bands)
[ "${n%%/*}" -gt 0 ]
ok $? "the ahead frame says how many bands it recompressed ($n)"
exact "$T_TMP/c.png"
ok $? "the frame encoded ahead is exactly the screen"
shot "$T_TMP/d.png" >/dev/null
is "$(timing_of "$T_TMP/d.png" frame) $(timing_of "$T_TMP/d.png" bands)" \
    "cached 0/68" "then unchanged: served from the cache, nothing recompressed"
cmp -s "$T_TMP/c.png" "$T_TMP/d.png"
ok $? "and byte-identical to the frame encoded ahead"

# Requests right after a change meet the encode ahead in flight, or start
# their own; concurrent requests share frames.  Every frame is exact.
bad=0
for i in 5 6 7 8 9 10; do
	page "$i"
	pids=()
	for k in 1 2 3; do
		shot "$T_TMP/p$k.png" >/dev/null &
		pids+=($!)
	done
	wait "${pids[@]}"
	for k in 1 2 3; do
		exact "$T_TMP/p$k.png" || bad=$((bad + 1))
	done
done
is "$bad" 0 "18 screenshots, 3 at a time right after a change: all exactly the screen"

# A change made while a frame is being encoded is never lost: the next
# screenshot shows it, whatever became of the encode in flight.
bad=0
for i in 11 13 15 17 19 21; do
	page "$i"
	shot "$T_TMP/e.png" >/dev/null &
	pid=$!
	sleep 0.00$((i % 7))
	page $((i + 1))
	wait "$pid"
	"$PNGCHECK" "$T_TMP/e.png" >/dev/null || bad=$((bad + 1))
	shot "$T_TMP/f.png" >/dev/null
	exact "$T_TMP/f.png" || bad=$((bad + 1))
done
is "$bad" 0 "a change during an encode shows up in the next screenshot (6 times)"

# An action's screenshot comes after the settle; the frame is made on the
# workers while the screen settles and shows what was drawn meanwhile.
curl -s --max-time 30 -X POST -H 'Content-Type: application/json' \
    -d '{"action":"mouse_move","coordinate":[10,10],"screenshot":true}' \
    -o "$T_TMP/act.json" "$URL/v1/computer" &
pid=$!
sleep 0.05
page 40
wait "$pid"
python3 -c 'import json,sys,base64; sys.stdout.buffer.write(base64.b64decode(json.load(open(sys.argv[1]))["base64_image"]))' \
    "$T_TMP/act.json" >"$T_TMP/act.png"
exact "$T_TMP/act.png"
ok $? "screenshot: true shows the page drawn during the settle, exactly"

# A static screen costs nothing: no encode ahead without damage.
shot "$T_TMP/g.png" >/dev/null
sleep 0.5
ticks() { awk '{ print $14 + $15 }' "/proc/$DESKD_PID/stat"; }
t0=$(ticks)
sleep 2
t1=$(ticks)
[ $((t1 - t0)) -le 3 ]
ok $? "static screen: deskd idle for 2 s after a screenshot ($((t1 - t0)) ticks)"

# A screen that never stops changing is encoded ahead, at a bounded rate.
"$XCLIENT" video 10 >"$T_TMP/video" &
vpid=$!
T_PIDS+=("$vpid")
for _ in $(seq 50); do grep -q ready "$T_TMP/video" && break; sleep 0.1; done
shot "$T_TMP/h.png" >/dev/null
a0=$(grep -c 'encoded ahead' "$DESKD_LOG")
sleep 2
a1=$(grep -c 'encoded ahead' "$DESKD_LOG")
kill "$vpid"
wait "$vpid" 2>/dev/null
n=$((a1 - a0))
[ "$n" -ge 1 ] && [ "$n" -le 22 ]
ok $? "a never-stopping screen: $n encodes ahead in 2 s (at most one per 100 ms)"
page 30
shot "$T_TMP/i.png" >/dev/null
exact "$T_TMP/i.png"
ok $? "once it stops, the next screenshot is exactly the screen"

# The live view while screenshots are encoded: the viewer's grab has a
# segment of its own, so it never rewrites the pixels a job on the workers
# is reading, nor waits for it.  Frames keep coming to the viewer, every
# screenshot (full or scaled) is still exactly the screen, deskd lives.
timeout 60 python3 "$TOP/tests/tools/view-wsclient.py" "$PORT" \
    /v1/stream frames 8 >"$T_TMP/view.json" 2>&1 &
wpid=$!
bad=0
for i in 50 51 52 53 54 55 56 57 58 59; do
	page "$i"
	curl -s -o "$T_TMP/vs.png" --max-time 30 \
	    "$URL/v1/screenshot?scale=0.5" &
	pid=$!
	shot "$T_TMP/vf.png" >/dev/null
	wait "$pid"
	exact "$T_TMP/vf.png" || bad=$((bad + 1))
	[ "$("$PNGCHECK" "$T_TMP/vs.png")" = "960 540" ] ||
	    { bad=$((bad + 1)); diag "scaled shot $i: $("$PNGCHECK" "$T_TMP/vs.png")"; }
done
wait "$wpid"
is "$(json_get "$T_TMP/view.json" 'j["frames"]')" 8 \
    "a live viewer streams while screenshots are encoded (8 frames)"
is "$bad" 0 "20 screenshots while a viewer streams: all exactly the screen"
kill -0 "$DESKD_PID"
ok $? "deskd still runs"

# SIGTERM while encodes are in flight: the workers stop, deskd exits 0.
"$XCLIENT" video 5 >"$T_TMP/video2" &
T_PIDS+=($!)
pids=()
for k in 1 2 3 4 5 6; do
	curl -s --max-time 10 -o /dev/null "$URL/screenshot" \
	    -o /dev/null "$URL/screenshot" \
	    -o /dev/null "$URL/v1/screenshot?scale=0.5" \
	    -o /dev/null "$URL/screenshot" &
	pids+=($!)
done
sleep 0.3
stop_deskd
is $? 0 "SIGTERM during encodes: deskd exits 0"
wait "${pids[@]}"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report (workers stopped cleanly)"

# Loss of the X server while encodes are in flight.
start_deskd || exit 1
pids=()
for k in 1 2 3 4; do
	(for _ in 1 2 3 4 5 6 7 8; do
		curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 \
		    "$URL/screenshot"
	done) >"$T_TMP/codes.$k" &
	pids+=($!)
done
sleep 0.3
kill -KILL "$XVFB_PID"
wait "$XVFB_PID" 2>/dev/null
wait "${pids[@]}"
codes=$(cat "$T_TMP"/codes.* | sort -u | tr '\n' ' ')
like "$codes" '^(200 )?(503 )?$' "X server killed mid-encode: every screenshot answered 200 or 503 ($codes)"
code=$(http GET "$URL/health")
like "$code $(body)" '^503 .*degraded' "deskd still answers /health (503 degraded while X is down)"
restart_xvfb_same 1920x1080 || exit 1
for _ in $(seq 100); do
	[ "$(http GET "$URL/screenshot")" = 200 ] && break
	sleep 0.1
done
start_pages
page 32
shot "$T_TMP/j.png" >/dev/null
exact "$T_TMP/j.png"
ok $? "after the X server is back: screenshots exactly the screen again"
stop_deskd
is $? 0 "deskd exits 0 on SIGTERM"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report in deskd's log"
