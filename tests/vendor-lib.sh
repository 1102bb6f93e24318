# tests/vendor-lib.sh: helpers for the vendor-format tests
# (tests/integration/vendor-*.t) and tests/bench/vendors.sh.  Source after
# lib.sh and cdp-lib.sh.  Chromium runs full screen (kiosk, no window
# manager) on the test Xvfb, so a page pixel is a screen pixel, and shows
# tests/integration/data/vendor-page.html, which logs every DOM event; the
# log is read over DevTools (tests/node/cdp-eval.js).

VPAGE=${VPAGE:-$TOP/tests/integration/data/vendor-page.html}

# start_page_chromium [W H]: Chromium on $DISPLAY (a W x H screen, default
# 1920x1080) showing the page at 0,0, DevTools on
# 127.0.0.1:$CHR_PORT.  Smooth scrolling is off so a wheel notch has moved
# the page by the time the log is read.
start_page_chromium() {
	CHR_PORT=$(free_port)
	local ud
	ud=$(mktemp -d "$T_TMP/chrome.XXXXXX")
	setsid "$CHROMIUM" --no-sandbox --disable-gpu --no-first-run \
	    --disable-background-networking --disable-component-update \
	    --disable-sync --disable-dev-shm-usage --password-store=basic \
	    --disable-features=Translate --disable-smooth-scrolling --kiosk \
	    --window-position=0,0 --window-size="${1:-1920},${2:-1080}" \
	    --user-data-dir="$ud" --remote-debugging-address=127.0.0.1 \
	    --remote-debugging-port="$CHR_PORT" "file://$VPAGE" \
	    >>"$T_TMP/chromium.log" 2>&1 &
	CHR_PGID=$!
	T_PIDS+=("-$CHR_PGID")
	local i
	for i in $(seq 200); do
		[ "$(page_eval 'typeof state' 2>/dev/null)" = function ] &&
		    [ "$(page_eval 'document.hasFocus()' 2>/dev/null)" = true ] &&
		    return 0
		sleep 0.1
	done
	fail "Chromium did not show the vendor page"
	return 1
}

# vendor_page_start [cdp]: the set-up of the tests on the page: skip
# without Chromium or node, a 1920x1080 Xvfb, Chromium on the page and
# deskd without auth; with cdp, deskd reaches Chrome's DevTools (for the
# URL of the page in a reply).
vendor_page_start() {
	cdp_requirements
	start_xvfb 1920x1080 || return 1
	start_page_chromium || return 1
	if [ "${1:-}" = cdp ]; then
		start_deskd --no-auth --cdp-listen "127.0.0.1:$(free_port)" \
		    --cdp-upstream "127.0.0.1:$CHR_PORT"
	else
		start_deskd --no-auth
	fi
}

# page_eval EXPR...: evaluate in the page, one result per line.
page_eval() {
	node "$NODE_DIR/cdp-eval.js" "$CHR_PORT" "$@"
}

# page_reset: empty the log, the textarea and the scroll position.
page_reset() {
	page_eval 'log.length = 0; t.value = ""; area.scrollTop = 0; area.scrollLeft = 0; "ok"' >/dev/null
}

# page_state: {"log": [...], "v": textarea, "sx", "sy"} as JSON.
page_state() {
	page_eval 'state()'
}

# page_wait PYEXPR: until the state (j) satisfies it; leaves it in
# $T_TMP/state.json.
page_wait() {
	local i
	for i in $(seq "${2:-100}"); do
		page_state >"$T_TMP/state.json" 2>/dev/null &&
		    python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		    "$T_TMP/state.json" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# page_check PYEXPR DESC: ok when the state (j) satisfies it now.
page_check() {
	if python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
	    "$T_TMP/state.json" "$1"; then
		pass "$2"
	else
		fail "$2"
		diag "state: $(head -c 600 "$T_TMP/state.json")"
	fi
}

# post JSON [curl args]: POST /v1/computer; prints the status, body in
# $T_TMP/body.
post() {
	local j=$1
	shift
	http POST "$URL/v1/computer" -H 'Content-Type: application/json' \
	    --data-binary "$j" "$@"
}

# reply_check PYEXPR DESC: ok when the last reply body (r) satisfies it.
reply_check() {
	if python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
	    "$T_TMP/body" "$1"; then
		pass "$2"
	else
		fail "$2"
		# The answer without its images, which say nothing here.
		diag "reply: $(python3 -c 'import json,re,sys; print(re.sub(r"[A-Za-z0-9+/=]{200,}", "...", open(sys.argv[1]).read())[:1500])' "$T_TMP/body")"
	fi
}

# img_size PYEXPR: "FORMAT WxH" of the base64 image the last reply (r)
# holds at PYEXPR (a PNG's IHDR or a JPEG's SOF marker, read here).
img_size() {
	python3 - "$T_TMP/body" "$1" <<'PY'
import base64, json, struct, sys
r = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
if v.startswith("data:"):
    v = v.split(",", 1)[1]
b = base64.b64decode(v)
if b[:8] == b"\x89PNG\r\n\x1a\n":
    w, h = struct.unpack(">II", b[16:24])
    print("png %dx%d" % (w, h))
elif b[:2] == b"\xff\xd8":
    i = 2
    while i < len(b):
        m, n = b[i + 1], struct.unpack(">H", b[i + 2:i + 4])[0]
        if m in (0xc0, 0xc1, 0xc2):
            h, w = struct.unpack(">HH", b[i + 5:i + 9])
            print("jpeg %dx%d" % (w, h))
            break
        i += 2 + n
else:
    print("unknown")
PY
}

# page_events TYPE: the logged events of TYPE as JSON, one per line.
page_events() {
	python3 -c 'import json,sys; [print(json.dumps(e)) for e in json.load(open(sys.argv[1]))["log"] if e["t"] == sys.argv[2]]' "$T_TMP/state.json" "$1"
}
