#!/usr/bin/env bash
# Accessibility tree benchmark: deskd's GET /accessibility against the
# walk OSWorld's server does (tests/tools/osworld-a11y.py: pyatspi + lxml,
# in process, so without Flask's or HTTP's cost, and without upstream's
# "libreoffice --version" per call), on the same desktop in the same run:
# at-spi2-core's bus, a GTK 3 window with N buttons and Chromium on a form
# page.
#   tests/bench/a11y.sh [RUNS] [BUTTONS]
# Prints medians and the ratio pyatspi / deskd (above 1: deskd is faster).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/_build}
DESKD=$BUILD/agent/deskd
[ -x "$DESKD" ] || { echo "build deskd first ($DESKD)"; exit 1; }
RUNS=${1:-15}
BUTTONS=${2:-300}
source "$TOP/tests/lib.sh"
source "$TOP/tests/a11y-lib.sh"
a11y_prereqs

start_xvfb 1280x800 || exit 1
start_a11y_bus || exit 1
start_gtk bench --many "$BUTTONS" || exit 1
if [ -x /usr/bin/chromium ]; then
	cat >"$T_TMP/form.html" <<'HTML'
<!doctype html><html><head><title>deskd form</title></head><body>
<h1>Sign in</h1><form><label for="u">User name</label> <input id="u" value="alice">
<label><input type="checkbox" checked> Remember me</label>
<button type="button">Submit</button></form>
<ul><li>one</li><li>two</li><li>three</li></ul><p>Some <a href="#">links</a> and text.</p>
</body></html>
HTML
	ACCESSIBILITY_ENABLED=1 setsid /usr/bin/chromium --no-sandbox --disable-gpu \
	    --no-first-run --disable-background-networking --disable-component-update \
	    --disable-sync --disable-dev-shm-usage --password-store=basic \
	    --force-renderer-accessibility --window-position=480,0 --window-size=780,700 \
	    --user-data-dir="$T_TMP/chrome" "file://$T_TMP/form.html" \
	    >"$T_TMP/chromium.log" 2>&1 &
	CHR=$!
	T_PIDS+=("$CHR")
	trap 'kill -KILL -- -$CHR 2>/dev/null; t_cleanup' EXIT
fi
start_deskd --no-auth --log-level warn || exit 1
if [ -n "${CHR:-}" ]; then
	for _ in $(seq 100); do
		curl -s "$URL/v1/accessibility?role=push-button&name=submit" |
		    grep -q Submit && break
		sleep 0.2
	done
fi

$PY3 - "$URL" "$RUNS" "$A11Y_REF" <<'PY'
import json, statistics, subprocess, sys, time, urllib.request
url, runs, ref = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def deskd():
    t = time.perf_counter()
    with urllib.request.urlopen(url + "/accessibility") as r:
        doc = json.load(r)
    return (time.perf_counter() - t) * 1000, doc["AT"].count("<")

deskd()  # warm, as the reference warms its connections
times, elems = [], 0
for _ in range(runs):
    ms, elems = deskd()
    times.append(ms)
d = statistics.median(times)
out = subprocess.run([ref, "--bench", str(runs)], capture_output=True,
                     text=True).stdout.split()
p, pelems = float(out[0]), int(out[1])
print("elements: deskd %d, pyatspi %d" % (elems, pelems))
print("deskd GET /accessibility (HTTP, serialised): median %.1f ms" % d)
print("pyatspi walk, OSWorld's code (in process):   median %.1f ms" % p)
print("ratio pyatspi / deskd: %.2f" % (p / d))
PY
