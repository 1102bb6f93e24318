# tests/cdp-lib.sh: helpers for the DevTools proxy tests (cdp-*.t and
# tests/bench/cdp.sh).  Source after lib.sh.

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
NODE_DIR=$TOP/tests/node

# cdp_requirements: skip the whole test (and exit) when this machine cannot
# run it; installs the npm packages when they are missing.
cdp_requirements() {
	if [ ! -x "$CHROMIUM" ]; then
		skip "DevTools proxy tests: no $CHROMIUM (packaging/deps.sh --test installs it)"
		exit 0
	fi
	if ! command -v node >/dev/null 2>&1; then
		skip "DevTools proxy tests: no node (packaging/deps.sh --test installs it)"
		exit 0
	fi
	if ! "$NODE_DIR/setup.sh" >"$T_TMP/npm.log" 2>&1; then
		fail "npm ci in tests/node"
		sed 's/^/# /' "$T_TMP/npm.log" | tail -n 20
		exit 1
	fi
}

# start_chromium [PORT]: headless Chromium with its DevTools port on
# 127.0.0.1:PORT (a free one by default) and a fresh profile (Chrome 136+
# ignores the port on the default profile).  Sets CHR_PORT, CHR_PGID.
# Without the background-networking flags it floods the closed network.
start_chromium() {
	CHR_PORT=${1:-$(free_port)}
	local ud
	ud=$(mktemp -d "$T_TMP/chrome.XXXXXX")
	setsid "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --disable-dev-shm-usage --window-size=1280,800 \
	    --user-data-dir="$ud" --remote-debugging-address=127.0.0.1 \
	    --remote-debugging-port="$CHR_PORT" about:blank \
	    >>"$T_TMP/chromium.log" 2>&1 &
	CHR_PGID=$!
	# Negative: t_cleanup signals the whole process group.
	T_PIDS+=("-$CHR_PGID")
	local i
	for i in $(seq 150); do
		curl -s -o /dev/null --max-time 2 \
		    "http://127.0.0.1:$CHR_PORT/json/version" && return 0
		sleep 0.1
	done
	fail "Chromium did not open its DevTools port $CHR_PORT"
	return 1
}

# stop_chromium: kill Chromium and all its children, wait until gone.
stop_chromium() {
	kill -KILL -- "-$CHR_PGID" 2>/dev/null
	wait "$CHR_PGID" 2>/dev/null
	local i
	for i in $(seq 100); do
		kill -0 -- "-$CHR_PGID" 2>/dev/null || return 0
		sleep 0.1
	done
}

# start_www: python3 -m http.server on a free port serving test pages.
# Sets WWW_URL.
start_www() {
	local port dir=$T_TMP/www
	port=$(free_port)
	mkdir -p "$dir"
	cat >"$dir/index.html" <<'HTML'
<!doctype html>
<html><head><title>deskd cdp test</title></head>
<body><p id="marker">hello-cdp</p>
<canvas id="c" width="1280" height="800"></canvas>
<script>
// Noise does not compress: the screenshot is several MB and its CDP frame
// goes through the proxy's backpressure path.
const c = document.getElementById('c').getContext('2d');
const img = c.createImageData(1280, 800);
for (let i = 0; i < img.data.length; i++)
	img.data[i] = (Math.random() * 256) | 0;
c.putImageData(img, 0, 0);
</script></body></html>
HTML
	(cd "$dir" && exec python3 -m http.server "$port" --bind 127.0.0.1) \
	    >"$T_TMP/www.log" 2>&1 &
	T_PIDS+=("$!")
	WWW_URL="http://127.0.0.1:$port"
	wait_http "$WWW_URL/index.html" || fail "python3 -m http.server did not start"
}

# health_chrome EXPR: a field of /health's "chrome" object (python EXPR on c).
health_chrome() {
	curl -s --max-time 5 "$URL/health" >"$T_TMP/health.json" &&
	    python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["chrome"]; print(json.dumps(eval(sys.argv[2])))' \
	    "$T_TMP/health.json" "$1"
}

# wait_health_chrome EXPR VALUE: poll /health until EXPR prints VALUE.
wait_health_chrome() {
	local i v
	for i in $(seq 100); do
		v=$(health_chrome "$1" 2>/dev/null)
		[ "$v" = "$2" ] && return 0
		sleep 0.1
	done
	echo "# /health chrome: $(cat "$T_TMP/health.json" 2>/dev/null)"
	return 1
}
