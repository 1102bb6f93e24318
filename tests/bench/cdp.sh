#!/usr/bin/env bash
# tests/bench/cdp.sh: CDP round trips through deskd's DevTools proxy against
# Chrome's own port, in the same run, on the same headless Chromium.
# Prints milliseconds per operation for both and the ratio proxy/direct.
#   ROUNDS=3 tests/bench/cdp.sh     (best of ROUNDS runs each, default 3)
# Uses the optimised build (_build), not the sanitizer one.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/cdp-lib.sh"
DESKD=$BUILD/agent/deskd
ROUNDS=${ROUNDS:-3}

[ -x "$DESKD" ] || { echo "build deskd first (tests/run or make -C _build)"; exit 1; }
cdp_requirements
start_xvfb
start_www
start_chromium
CDP_PORT=$(free_port)
start_deskd --no-auth --log-level info --cdp-listen "127.0.0.1:$CDP_PORT" \
    --cdp-upstream "127.0.0.1:$CHR_PORT"
wait_http "http://127.0.0.1:$CDP_PORT/json/version"
diag "chromium on $CHR_PORT, deskd API on $PORT, proxy on $CDP_PORT"

for r in $(seq "$ROUNDS"); do
	# Alternate the order so neither side always runs on a warmer Chrome.
	for side in direct proxy; do
		[ $((r % 2)) = 0 ] && side=$([ $side = direct ] && echo proxy || echo direct)
		port=$([ $side = direct ] && echo "$CHR_PORT" || echo "$CDP_PORT")
		(cd "$NODE_DIR" && node cdp-bench.js "http://127.0.0.1:$port" \
		    "$WWW_URL/index.html") >>"$T_TMP/$side.json" ||
		    { fail "bench ($side)"; exit 1; }
	done
done

python3 - "$T_TMP/direct.json" "$T_TMP/proxy.json" <<'PY'
import json, sys
def best(path):
    runs = [json.loads(l) for l in open(path) if l.strip()]
    return {k: min(r[k] for r in runs) for k in runs[0]}
d, p = best(sys.argv[1]), best(sys.argv[2])
rows = [("json_version_ms", "GET /json/version (new connection each)"),
        ("evaluate_ms", "Runtime.evaluate round trip, one page ws"),
        ("screenshot_ms", "Page.captureScreenshot 1280x800 noise"),
        ("sessions50_ms_per_call", "Browser.getVersion, 50 sessions at once")]
print("# CDP through deskd vs Chrome's own port (best of %d runs, ms/op)"
      % len(open(sys.argv[1]).read().split()))
print("%-44s %10s %10s %7s" % ("operation", "direct", "deskd", "ratio"))
for k, name in rows:
    print("%-44s %10.3f %10.3f %6.2fx" % (name, d[k], p[k], p[k] / d[k]))
print("# screenshot frame: %.1f MB of base64 per call"
      % (d["screenshot_frame_bytes"] / 1e6))
PY
