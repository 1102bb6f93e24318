#!/usr/bin/env bash
# tests/bench/view.sh: deskd's live view against x11vnc + websockify +
# noVNC (what OSWorld, E2B and the Anthropic demo run) on the same Xvfb,
# in the same run, both read by the same headless Chromium:
#   1. change-to-pixels latency: an X client flips a rectangle's colour;
#      the page polls that canvas pixel every animation frame; wall-clock
#      ms from the flip reaching the X server to the colour in the canvas;
#   2. bytes per second the page receives, and CPU the server side uses,
#      while a full-screen "terminal" scrolls text (30 lines a second);
#   3. the agent's own latency (GET /v1/screenshot, POST /v1/computer
#      mouse_move) while the terminal scrolls, with no viewer and with 4
#      viewers (raw websocket clients reading every frame).
# Prints medians and ratios.  TRIALS=30 SECS=10 tests/bench/view.sh
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/cdp-lib.sh"
source "$TOP/tests/view-lib.sh"
DESKD=$BUILD/agent/deskd
TRIALS=${TRIALS:-30}
SECS=${SECS:-10}

[ -x "$DESKD" ] || { echo "build deskd first (tests/run or make -C _build)"; exit 1; }
for p in x11vnc websockify; do
	command -v $p >/dev/null || { echo "no $p (packaging/deps.sh --test)"; exit 1; }
done
[ -f /usr/share/novnc/vnc_lite.html ] || { echo "no noVNC (novnc package)"; exit 1; }
cdp_requirements
start_xvfb 1920x1080
start_deskd --log-level info
VNC_PORT=$(free_port)
x11vnc -display "$XDISP" -rfbport "$VNC_PORT" -localhost -nopw -forever \
    -shared -quiet -ncache 0 >"$T_TMP/x11vnc.log" 2>&1 &
VNC_PID=$!
T_PIDS+=("$VNC_PID")
WS_PORT=$(free_port)
websockify --web /usr/share/novnc "127.0.0.1:$WS_PORT" "127.0.0.1:$VNC_PORT" \
    >"$T_TMP/websockify.log" 2>&1 &
WSK_PID=$!
T_PIDS+=("$WSK_PID")
wait_http "http://127.0.0.1:$WS_PORT/vnc_lite.html" || { echo "websockify did not start"; exit 1; }
start_chromium
start_driver
NOVNC_URL="http://127.0.0.1:$WS_PORT/vnc_lite.html?host=127.0.0.1&port=$WS_PORT&scale=false"
DESKD_URL="$URL/view"

cpu_ticks() {	# utime + stime of PIDs, in clock ticks
	local t=0 p
	for p in "$@"; do
		t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
	done
	echo "$t"
}

# --- 1. latency --------------------------------------------------------------
# (bash has one coprocess, the driver's: the flipper talks through fifos.)
mkfifo "$T_TMP/flip.in" "$T_TMP/flip.out"
"$XCLIENT" flip 600 400 200 200 000080 ff8000 <"$T_TMP/flip.in" \
    >"$T_TMP/flip.out" &
FLIP_PID=$!
T_PIDS+=("$FLIP_PID")
exec 7>"$T_TMP/flip.in" 8<"$T_TMP/flip.out"
read -r -t 10 line <&8
# Trial i turns the rectangle from its colour to the other.
want=(000080 ff8000)
latency() {	# NAME URL: prints one latency per line into $T_TMP/lat.NAME
	local i r t_flip seen
	r=$(drv open "$2")
	sleep 3		# connected, first full frame drawn
	: >"$T_TMP/lat.$1"
	for i in $(seq "$TRIALS"); do
		drv "watch 700 500 ${want[$((i % 2))]}" >/dev/null
		echo >&7
		read -r -t 10 t_flip <&8
		r=$(drv watch_result 5000)
		seen=$(jf "$r" 'j["seen"]')
		if [ "$seen" = 0 ] || [ -z "$t_flip" ]; then
			diag "$1: trial $i: not seen ($r, flip $t_flip)"
			continue
		fi
		python3 -c "print(round($seen - $t_flip, 1))" >>"$T_TMP/lat.$1"
		sleep 0.25
	done
	drv close >/dev/null
}
latency deskd "$DESKD_URL"
latency deskd_jpeg "$DESKD_URL?format=jpeg"
latency novnc "$NOVNC_URL"
exec 7>&- 8<&-
kill "$FLIP_PID" 2>/dev/null

# --- 2. bytes and CPU while a terminal scrolls -----------------------------
"$XCLIENT" scroll 30 >/dev/null 2>&1 &
T_PIDS+=("$!")
sleep 1
stream() {	# NAME URL PIDS...: bytes/s received, server CPU %
	local name=$1 url=$2 b0 b1 c0 c1
	shift 2
	drv open "$url" >/dev/null
	sleep 2
	b0=$(jf "$(drv bytes)" 'j["bytes"]')
	c0=$(cpu_ticks "$@")
	sleep "$SECS"
	b1=$(jf "$(drv bytes)" 'j["bytes"]')
	c1=$(cpu_ticks "$@")
	drv close >/dev/null
	echo "$name $(( (b1 - b0) / SECS )) $(( (c1 - c0) * 100 / $(getconf CLK_TCK) / SECS ))" \
	    >>"$T_TMP/stream"
}
stream deskd "$DESKD_URL" "$DESKD_PID"
stream deskd_jpeg "$DESKD_URL?format=jpeg" "$DESKD_PID"
stream novnc "$NOVNC_URL" "$VNC_PID" "$WSK_PID"

# --- 3. the agent's latency with 0 and 4 viewers ----------------------------
agent() {	# NAME: curl timings of screenshots and mouse moves
	local i
	for i in $(seq "$TRIALS"); do
		curl -s -o /dev/null -w '%{time_total}\n' "$URL/v1/screenshot" \
		    >>"$T_TMP/shot.$1"
		curl -s -o /dev/null -w '%{time_total}\n' -X POST \
		    -H 'Content-Type: application/json' --data-binary \
		    "{\"action\":\"mouse_move\",\"coordinate\":[$((100 + i)),200]}" \
		    "$URL/v1/computer" >>"$T_TMP/act.$1"
	done
}
agent none
VIEWERS=()
for i in 1 2 3 4; do
	python3 "$TOP/tests/tools/view-wsclient.py" "$PORT" /v1/stream frames 100000 \
	    >/dev/null 2>&1 &
	VIEWERS+=("$!")
	T_PIDS+=("$!")
done
sleep 2
agent four
ticks0=$(cpu_ticks "$DESKD_PID")
sleep "$SECS"
ticks1=$(cpu_ticks "$DESKD_PID")
kill "${VIEWERS[@]}" 2>/dev/null

python3 - "$T_TMP" "$(( (ticks1 - ticks0) * 100 / $(getconf CLK_TCK) / SECS ))" <<'PY'
import os, statistics as st, sys
d = sys.argv[1]
def nums(name, scale=1.0):
    p = os.path.join(d, name)
    return [float(l) * scale for l in open(p) if l.strip()] if os.path.exists(p) else []
def med(v):
    return st.median(v) if v else float("nan")
def p95(v):
    return sorted(v)[int(len(v) * 0.95) - 1] if v else float("nan")
print("# live view: deskd /view vs x11vnc + websockify + noVNC, same Xvfb 1920x1080, same Chromium")
print("%-40s %9s %9s %7s" % ("change to pixels in the page (ms)", "median", "p95", "n"))
lat = {k: nums("lat." + k) for k in ("deskd", "deskd_jpeg", "novnc")}
for k, name in (("deskd", "deskd, PNG tiles"), ("deskd_jpeg", "deskd, JPEG tiles"),
                ("novnc", "x11vnc + noVNC")):
    print("%-40s %9.1f %9.1f %7d" % (name, med(lat[k]), p95(lat[k]), len(lat[k])))
print("%-40s %9.2fx" % ("ratio noVNC / deskd (median)", med(lat["novnc"]) / med(lat["deskd"])))
rows = {}
for l in open(os.path.join(d, "stream")):
    n, b, c = l.split()
    rows[n] = (int(b), int(c))
print("%-40s %12s %9s" % ("terminal scrolling 30 lines/s", "bytes/s", "CPU %"))
for k, name in (("deskd", "deskd, PNG tiles"), ("deskd_jpeg", "deskd, JPEG tiles"),
                ("novnc", "x11vnc + websockify")):
    b, c = rows.get(k, (0, 0))
    print("%-40s %12d %9d" % (name, b, c))
if rows.get("deskd", (0,))[0]:
    print("%-40s %11.2fx" % ("ratio noVNC / deskd PNG (bytes)", rows["novnc"][0] / rows["deskd"][0]))
print("%-40s %9s %9s %9s" % ("agent while the terminal scrolls (ms)", "0 viewers", "4 viewers", "ratio"))
for k, name in (("shot", "GET /v1/screenshot"), ("act", "POST /v1/computer mouse_move")):
    a, b = nums(k + ".none", 1000), nums(k + ".four", 1000)
    print("%-40s %9.1f %9.1f %8.2fx" % (name + " median", med(a), med(b), med(b) / med(a)))
    print("%-40s %9.1f %9.1f %8.2fx" % (name + " p95", p95(a), p95(b), p95(b) / p95(a)))
print("# deskd CPU with 4 viewers while scrolling: %s%%" % sys.argv[2])
PY
