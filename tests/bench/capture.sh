#!/usr/bin/env bash
# Screenshot benchmark, in one run on one private 1920x1080 Xvfb:
#  1. codecbench: candidate compressors and settings for one band on the
#     text desktop and a photo-like wallpaper (ImageMagick's plasma with a
#     fixed seed), one thread; picks what pngenc.c uses;
#  2. shotbench: the peers (XGetImage + libpng defaults, OSWorld's pixel
#     path, and scrot), then deskd with the encode on the loop ("loop",
#     DESKD_CAPTURE_SYNC=1: the loop encodes and waits, no encode ahead)
#     and as it is ("workers"), each for full change (text, photo),
#     unchanged, one line changed, a keystroke then a screenshot 0/50/200 ms
#     later, and /health while another client takes full-change screenshots
#     in a loop.  Prints p50/p95, deskd's Server-Timing and the ratios;
#  3. the screenshot inside a POST /v1/computer reply (base64 in JSON) on a
#     busy screen, against the same PNG from GET /v1/screenshot.
# Uses the optimised build.
#   tests/bench/capture.sh [N]
#   PARTS=computer tests/bench/capture.sh   only the third part
# BASELINE=/path/to/deskd adds another deskd binary (an older build) to
# the same run, measured first, as "baseline".
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/_build-bench}
if [ ! -x "$BUILD/agent/deskd" ] || [ ! -x "$BUILD/tests/bench/shotbench" ]; then
	(cd "$TOP" && [ -x configure ] || autoreconf -fi) >/dev/null 2>&1
	mkdir -p "$BUILD"
	(cd "$BUILD" && { [ -f Makefile ] || "$TOP/configure" CFLAGS="-O2 -g" >/dev/null; } &&
	    make -j"$(nproc)" >/dev/null) || { echo "build failed"; exit 1; }
fi
DESKD=${DESKD:-$BUILD/agent/deskd}
XCLIENT=${XCLIENT:-$BUILD/tests/tools/xclient}
PARTS=${PARTS:-shot computer}
source "$TOP/tests/lib.sh"
N=${1:-40}
start_xvfb 1920x1080 || exit 1
set --
if [[ $PARTS == *shot* ]]; then
	convert -size 1920x1080 -seed 7 plasma:fractal -blur 0x1 -depth 8 \
	    "$T_TMP/photo.ppm" || exit 1
	if [ -x "$BUILD/tests/bench/codecbench" ]; then
		"$BUILD/tests/bench/codecbench" "$T_TMP/photo.ppm" 7
		echo
	fi
	if [ -n "${BASELINE:-}" ]; then
		DESKD=$BASELINE start_deskd --log-level warn >/dev/null ||
		    exit 1
		set -- baseline="$PORT"
	fi
	DESKD_CAPTURE_SYNC=1 start_deskd --log-level warn >/dev/null || exit 1
	set -- "$@" loop="$PORT"
fi
start_deskd --log-level warn >/dev/null || exit 1
if [[ $PARTS == *shot* ]]; then
	set -- "$@" workers="$PORT"
	"$BUILD/tests/bench/shotbench" 127.0.0.1 "$N" "$T_TMP/photo.ppm" -- "$@"
fi
[[ $PARTS == *computer* ]] || exit 0

# A busy frame (a photo or a video: a 2.1 MB PNG, 2.8 MB of base64) that
# stays still, so each reply is the cached PNG and what is measured is
# getting it to the client: as PNG bytes, or as base64 inside the JSON
# reply of /v1/computer (which jansson's dump did at ~13.5 ms a MB, on
# the loop).  Then the same with "screenshot": true after a move, which
# adds the settle (100 ms of quiet) and the bands under the cursor.
"$XCLIENT" busy 1 >"$T_TMP/busy.out" 2>&1 &
T_PIDS+=($!)
for _ in $(seq 100); do
	grep -q '^ready' "$T_TMP/busy.out" && break
	sleep 0.1
done
python3 - "$PORT" "$N" <<'PY'
import http.client, json, statistics, sys, time

port, n = int(sys.argv[1]), max(int(sys.argv[2]) // 2, 10)
conn = http.client.HTTPConnection("127.0.0.1", port)

def get(method, path, body=None):
    t = time.perf_counter()
    conn.request(method, path, body,
                 {"Content-Type": "application/json"} if body else {})
    r = conn.getresponse()
    data = r.read()
    dt = (time.perf_counter() - t) * 1000
    if r.status != 200:
        raise SystemExit("%s %s: %d %s" % (method, path, r.status, data[:200]))
    return dt, data

def run(name, method, path, body_of):
    get(method, path, body_of(-1))          # warm up
    ts, size = [], 0
    for i in range(n):
        dt, data = get(method, path, body_of(i))
        ts.append(dt)
        size = len(data)
    ts.sort()
    p50, p95 = statistics.median(ts), ts[int((len(ts) - 1) * 0.95 + 0.5)]
    print("%-50s %8.2f %8.2f %9d" % (name, p50, p95, size // 1024))
    return p50

print("screenshot in a /v1/computer reply, 1920x1080 busy screen, "
      "%d requests each (keep-alive)" % n)
print("%-50s %8s %8s %9s" % ("method", "p50 ms", "p95 ms", "KiB"))
png = run("GET /v1/screenshot (PNG bytes), unchanged", "GET",
          "/v1/screenshot", lambda i: None)
shot = run("POST /v1/computer screenshot (base64 in JSON)", "POST",
           "/v1/computer",
           lambda i: json.dumps({"action": "screenshot"}))
move = run("POST /v1/computer mouse_move + \"screenshot\": true", "POST",
           "/v1/computer",
           lambda i: json.dumps({"action": "mouse_move",
                                 "coordinate": [600 + i % 2 * 40, 500],
                                 "screenshot": True}))
print("the JSON reply over the PNG: %+.2f ms, ratio %.2fx"
      % (shot - png, shot / png))
PY
